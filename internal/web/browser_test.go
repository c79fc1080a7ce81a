package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
)

// EnvScreenshot names a PNG file that TestBrowser_numbersPage writes a
// screenshot of the Numbers page to (docs/images/numbers-page.png).
const EnvScreenshot = "CALLINGPORTAL_SCREENSHOT"

const browserAdminToken = "web-browser-test-admin-token"

// tab is one headless Chromium tab driven by a test.
type tab struct {
	t   *testing.T
	ctx context.Context
}

// startChromium starts headless Chromium for t, or skips t when it is not
// installed (.ci/run installs Debian's chromium package).
func startChromium(t *testing.T) *tab {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil && os.Getenv("CI") != "" {
		t.Fatal("chromium is not on PATH: CI must run the browser tests (.ci/run installs Debian's chromium package)")
	}
	if err != nil {
		t.Skip("chromium is not on PATH: the browser tests need Debian's chromium package (apt-get install -y chromium; .ci/run installs it)")
	}
	// The browser lives as long as this context: the whole test.
	parent, cancelParent := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancelParent)
	alloc, cancelAlloc := chromedp.NewExecAllocator(parent,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx}
	// The first run starts the browser, which lives as long as the context
	// of that run: tb.ctx, not a shorter one.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return tb
}

// do runs steps, each bounded so a missing element fails the test quickly.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("browser: %v (at %s)", err, tb.location())
	}
}

func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// eval runs a DevTools expression (not a page script: the page has none,
// and its CSP would refuse one).
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// text is the text a person sees in the first element sel matches, or "".
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	q, _ := json.Marshal(sel)
	return strings.Join(strings.Fields(eval[string](tb, fmt.Sprintf(`(document.querySelector(%s) || {innerText: ""}).innerText`, q))), " ")
}

// waitText waits until sel's text contains want: after a click the next
// page may still be loading.
func (tb *tab) waitText(sel, want string) {
	tb.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := tb.text(sel)
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("%s at %s says %q, want %q", sel, tb.location(), got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// row is the CSS selector of a number's row on the Numbers page.
func row(number string) string { return `tr[id="row-` + number + `"]` }

// startBrowserPortal runs a demo portal as `serve --seed demo` does and
// issues a site token of demo through the API, as an operator would.
func startBrowserPortal(t *testing.T) (*backend.Portal, string) {
	t.Helper()
	p, err := backend.Start(context.Background(), backend.Config{Listen: "127.0.0.1:0", Seed: "demo",
		BootstrapToken: browserAdminToken, DataPath: filepath.Join(t.TempDir(), "portal.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("stop portal: %v", err)
		}
	})
	res := apiCall(t, "POST", p.URL+"/v1/tokens", browserAdminToken, `{"name":"browser-test","site":"demo"}`)
	var issued struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(res, &issued); err != nil || issued.Secret == "" {
		t.Fatalf("issue a site token: %s (%v)", res, err)
	}
	return p, issued.Secret
}

func apiCall(t *testing.T, method, url, token, body string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s (%v)", method, url, res.StatusCode, b, err)
	}
	return b
}

// TestBrowser_numbersPage walks the admin guide's Numbers page in a real
// browser: sign in, filter, assign an available number to a service from
// the Actions menu and see the inventory change, meet the user rule,
// export, sign out and be refused.
func TestBrowser_numbersPage(t *testing.T) {
	tb := startChromium(t)
	p, token := startBrowserPortal(t)

	// Sign in: / sends a signed-out person to the form.
	tb.do(chromedp.Navigate(p.URL + "/"))
	tb.waitText("h1", "Sign in")
	tb.do(chromedp.SendKeys(chromedp.CSS("#token"), token), chromedp.Click(chromedp.CSS(`form[action="/signin"] button`)))
	tb.waitText("#flash", "Signed in to Demo Company HQ (site demo) with token browser-test.")
	tb.waitText("caption", "Numbers 1–50 of 100")
	if got := tb.text(row("+13125550101")); got != "+13125550101 Assigned Service Sales Hunt Group Actions for +13125550101" {
		t.Errorf("row +13125550101 reads %q", got)
	}

	// Filter: the available numbers that start +1312555015.
	tb.do(chromedp.SetValue(chromedp.CSS("#f-status"), "available"),
		chromedp.SendKeys(chromedp.CSS("#f-prefix"), "+1312555015"),
		chromedp.Click(chromedp.CSS("#apply-filters")))
	tb.waitText("caption", "Numbers 1–10 of 10")
	if n := eval[int](tb, `document.querySelectorAll("#numbers tbody tr").length`); n != 10 {
		t.Errorf("the filtered table has %d rows, want 10", n)
	}
	if got := tb.text(row("+13125550150")); !strings.HasPrefix(got, "+13125550150 Available") {
		t.Errorf("row +13125550150 reads %q", got)
	}
	filtered := tb.location()

	// Check Station Inventory, before.
	tb.do(chromedp.Click(chromedp.CSS("#check-inventory")))
	tb.waitText("h1", "Station inventory")
	if got := tb.text("#inventory"); got != "Available 43 stations available to be assigned In Use 7 stations assigned Total 50 stations purchased" {
		t.Errorf("inventory before reads %q", got)
	}

	// Actions → Assign to a phone or service → Support Queue.
	tb.do(chromedp.Navigate(filtered),
		chromedp.Click(chromedp.CSS(row("+13125550150")+" summary")),
		chromedp.Click(chromedp.CSS(row("+13125550150")+` a[href^="/numbers/"]`), chromedp.NodeVisible))
	tb.waitText("h1", "Assign +13125550150")
	svc := eval[string](tb, `[...document.querySelectorAll("#target option")].find(o => o.textContent.startsWith("Support Queue")).value`)
	tb.do(chromedp.SetValue(chromedp.CSS("#target"), svc), chromedp.Click(chromedp.CSS("#assign-submit")))
	tb.waitText("#flash", `Assigned +13125550150 to service "Support Queue": it takes one station. Stations: 42 available, 8 in use, 50 total.`)
	tb.waitText("caption", "Numbers 1–9 of 9") // back on the filtered page, without it
	tb.do(chromedp.Click(chromedp.CSS("#check-inventory")))
	tb.waitText("h1", "Station inventory")
	if got := tb.text("#inventory"); got != "Available 42 stations available to be assigned In Use 8 stations assigned Total 50 stations purchased" {
		t.Errorf("inventory after reads %q", got)
	}

	// A user's number: opened from the keyboard, the menu says why there
	// is no Unassign.
	ada := row("+13125550120")
	tb.do(chromedp.Navigate(p.URL+"/numbers?assigned_type=user"),
		chromedp.Focus(chromedp.CSS(ada+" summary")), chromedp.KeyEvent(kb.Enter))
	tb.waitText(ada+" .why", "A user's number cannot be unassigned or moved. To make it available again, delete the user Ada Lovelace in the Users tab.")
	if eval[bool](tb, `document.querySelector('`+ada+` details').open`) != true {
		t.Error("Enter on the Actions summary did not open the menu")
	}
	if eval[bool](tb, `document.querySelector('`+ada+` button') !== null`) {
		t.Error("a user's number has a button in its Actions menu")
	}
	// Try it anyway: point the Lobby Phone's Unassign form at Ada's number.
	lobby := row("+13125550110")
	tb.do(chromedp.Navigate(p.URL+"/numbers?status=assigned"),
		chromedp.SetAttributeValue(chromedp.CSS(lobby+" form"), "action", "/numbers/+13125550120/unassign"),
		chromedp.Click(chromedp.CSS(lobby+" summary")),
		chromedp.Click(chromedp.CSS(lobby+" button"), chromedp.NodeVisible))
	tb.waitText("#flash", "Nothing was changed: number +13125550120 belongs to user Ada Lovelace")
	tb.waitText("#flash", "a user's number cannot be moved or unassigned, only freed by deleting the user")
	if got := tb.text(ada); !strings.HasPrefix(got, "+13125550120 Assigned User Ada Lovelace") {
		t.Errorf("after the refused unassign row +13125550120 reads %q", got)
	}

	// Export: the download is the API's file, byte for byte.
	dir := t.TempDir()
	progress := chromedp.Events(tb.ctx, browser.DownloadProgress)
	events := true
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events})
		return err
	}), chromedp.Click(chromedp.CSS("#export")))
	var downloaded []byte
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the browser canceled the export's download")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			if downloaded, err = os.ReadFile(filepath.Join(dir, ev.GUID)); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	api := apiCall(t, "GET", p.URL+"/v1/sites/demo/numbers/export.csv?status=assigned", token, "")
	if !bytes.Equal(downloaded, api) {
		t.Errorf("the page's export differs from the API's:\n%s\n---\n%s", downloaded, api)
	}
	if !bytes.Contains(downloaded, []byte("+13125550150,assigned,service,")) || bytes.Count(downloaded, []byte("\n")) != 9 {
		t.Errorf("the export of assigned numbers is not the 8 assigned numbers:\n%s", downloaded)
	}

	if path := os.Getenv(EnvScreenshot); path != "" {
		// The assigned numbers, the one assigned above among them, and the
		// Actions menu of a user's number.
		tb.do(chromedp.Navigate(p.URL+"/numbers?status=assigned"), chromedp.Click(chromedp.CSS(ada+" summary")))
		tb.waitText(ada+" .menu", "Delete user Ada Lovelace")
		ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		cancel()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote a screenshot of the Numbers page to %s", path)
	}

	// Sign out, and be refused: the page and the old session cookie.
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	cookies, err := chromedp.Run(ctx, func(ctx context.Context, _ *chromedp.Target) (network.GetCookiesResult, error) {
		return chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	var session string
	for _, c := range cookies.Cookies {
		if c.Name == "callingportal_session" {
			session = c.Value
			if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict {
				t.Errorf("session cookie %+v: want HttpOnly and SameSite=Strict", c)
			}
		}
	}
	if session == "" {
		t.Fatal("the browser holds no session cookie")
	}
	tb.do(chromedp.Click(chromedp.CSS(".signout button")))
	tb.waitText("#flash", "You are signed out.")
	tb.do(chromedp.Navigate(p.URL + "/numbers"))
	tb.waitText("h1", "Sign in")
	if loc := tb.location(); !strings.HasSuffix(loc, "/signin") {
		t.Errorf("signed out, /numbers went to %s, want /signin", loc)
	}
	req, _ := http.NewRequest("GET", p.URL+"/numbers", nil)
	req.AddCookie(&http.Cookie{Name: "callingportal_session", Value: session})
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/signin" {
		t.Errorf("the old session cookie got %d to %q, want 303 to /signin", res.StatusCode, res.Header.Get("Location"))
	}
}
