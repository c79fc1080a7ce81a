package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqlite"
)

// countingProxy stands between the provider and a portal process that the
// test kills and restarts: it counts requests, runs onRequest(n) before
// passing the n-th on (where a test kills something), and records the
// writes that the portal acknowledged (a 2xx that reached the provider):
// the users made, and those deleted.
type countingProxy struct {
	mu        sync.Mutex
	portal    *httputil.ReverseProxy
	n         int
	onRequest func(n int)
	created   map[string]bool // user IDs whose create was acknowledged
	deleted   map[string]bool // user IDs whose delete was sent
	acked     map[string]bool // of deleted: acknowledged
}

func startCountingProxy(t *testing.T) (*countingProxy, string) {
	t.Helper()
	p := &countingProxy{created: map[string]bool{}, deleted: map[string]bool{}, acked: map[string]bool{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

// point sends the requests from now on to endpoint, counted from 1, and
// runs onRequest before each.
func (p *countingProxy) point(endpoint string, onRequest func(n int)) {
	u, _ := url.Parse(endpoint)
	portal := httputil.NewSingleHostReverseProxy(u)
	portal.ErrorLog = log.New(io.Discard, "", 0) // a dead portal is the point
	p.mu.Lock()
	defer p.mu.Unlock()
	p.portal, p.n, p.onRequest = portal, 0, onRequest
}

func (p *countingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.n++
	n, portal, on := p.n, p.portal, p.onRequest
	userPath := strings.Contains(r.URL.Path, "/users/")
	if r.Method == http.MethodDelete && userPath {
		p.deleted[path.Base(r.URL.Path)] = true
	}
	p.mu.Unlock()
	if on != nil {
		on(n)
	}
	rec := httptest.NewRecorder()
	portal.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	if _, err := w.Write(rec.Body.Bytes()); err != nil || rec.Code > 299 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users"):
		var u struct{ ID string }
		if json.Unmarshal(rec.Body.Bytes(), &u) == nil && u.ID != "" {
			p.created[u.ID] = true
		}
	case r.Method == http.MethodDelete && userPath:
		p.acked[path.Base(r.URL.Path)] = true
	}
}

// servePortal runs the built provider's `serve` on data as a process of
// its own, to be killed, and returns it with its endpoint.
func servePortal(t *testing.T, data string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(providerDir, "terraform-provider-callingportal"), "serve",
		"--listen", "127.0.0.1:0", "--data", data, "--seed", "demo")
	cmd.Env = append(os.Environ(), "CALLINGPORTAL_BOOTSTRAP_TOKEN="+testToken)
	endpoint, err := backend.StartServe(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return cmd, endpoint
}

// crashConfig is users crash0..crash(n-1), on +13125556000 and up, through
// the proxy at endpoint, with few and short retries, so that an apply whose portal died fails
// soon rather than waits for it.
func crashConfig(endpoint string, users int) string {
	return fmt.Sprintf(`
provider "callingportal" {
  endpoint       = %q
  token          = %q
  site           = "demo"
  max_retries    = 1
  retry_wait_max = "200ms"
}
`, endpoint, testToken) + countedUsers("crash", users, 6000)
}

// countedUsers is HCL for users <name>0@example.com to
// <name>(count-1)@example.com, on +1312555<first> and up.
func countedUsers(name string, count, first int) string {
	return fmt.Sprintf(`
resource "callingportal_user" "u" {
  count        = %d
  email        = "%s${count.index}@example.com"
  first_name   = "User"
  last_name    = "User ${count.index}"
  phone_number = format("+1312555%%04d", %d + count.index)
}
`, count, name, first)
}

// TestBackendKilledMidApply applies 100 users, destroys them, applies them
// again, and so on, while the portal is killed with SIGKILL at 20 points
// chosen by request count (the n-th request of an apply, n from 5 to 40),
// and restarted on the same file after each. After each restart every user
// whose create the portal acknowledged is there unless a delete of it was
// sent, and none whose delete it acknowledged; each phase converges by
// applying again; at the end the portal holds exactly the users the state
// does, the next plan is empty and integrity_check passes.
func TestBackendKilledMidApply(t *testing.T) {
	c := newCLI(t)
	data := filepath.Join(t.TempDir(), "portal.db")
	proxy, endpoint := startCountingProxy(t)
	c.write(t, crashConfig(endpoint, 100))

	// The numbers the users take, and stations for them.
	cmd, direct := servePortal(t, data)
	admin, err := client.New(client.Config{Endpoint: direct, Token: testToken, Site: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	numbers := make([]string, 100)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1312555%04d", 6000+i)
	}
	if _, err := admin.Numbers.Add(t.Context(), numbers); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Sites.SetStationsPurchased(t.Context(), 200); err != nil {
		t.Fatal(err)
	}

	const killPoints = 20
	kills, applies := 0, 0
	// Create, destroy, create again... until the kills are done, ending
	// with the users made.
	for phase, want := 0, 100; phase == 0 || kills < killPoints || want == 0; phase++ {
		if want = 100; phase%2 == 1 {
			want = 0
		}
		c.write(t, crashConfig(endpoint, want))
		for converged := false; !converged; {
			if applies++; applies > 60 {
				t.Fatalf("phase %d did not converge in 60 applies", phase)
			}
			killed := make(chan struct{})
			at := 0
			if kills < killPoints {
				at = 5 + (kills*17)%36 // 5..40, spread
			}
			var once sync.Once
			proxy.point(direct, func(n int) {
				if n == at {
					once.Do(func() {
						_ = cmd.Process.Signal(syscall.SIGKILL)
						_ = cmd.Wait()
						close(killed)
					})
				}
			})
			out, err := c.run("apply", "-auto-approve")
			select {
			case <-killed:
				kills++
				cmd, direct = servePortal(t, data)
				checkAcknowledged(t, proxy, direct, kills)
			default:
				if err != nil {
					t.Fatalf("apply %d without a kill failed:\n%s", applies, tail(out))
				}
				converged = true
			}
		}
	}
	if kills < killPoints {
		t.Errorf("%d kill points, want %d", kills, killPoints)
	}
	proxy.point(direct, nil)
	c.expectNoChanges(t)

	users := usersByEmail(t, direct, "crash")
	state, err := c.run("state", "list")
	if err != nil {
		t.Fatal(err)
	}
	if inState := strings.Count(state, "callingportal_user.u["); len(users) != 100 || inState != 100 || len(twice(users)) > 0 {
		t.Errorf("after the kills: %d crash users in the portal (%v twice), %d in state; want 100, none twice, and 100", len(users), twice(users), inState)
	}
	t.Logf("%d kills over %d applies", kills, applies)

	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	st, err := sqlite.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("integrity_check after %d kills: %v", kills, err)
	}
}

// checkAcknowledged fails t when the restarted portal lost a write that it
// acknowledged before the kill.
func checkAcknowledged(t *testing.T, proxy *countingProxy, endpoint string, kill int) {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: endpoint, Token: testToken, Site: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	for id := range proxy.created {
		_, err := c.Users.Read(t.Context(), id)
		if gone := err != nil; gone && !proxy.deleted[id] {
			t.Errorf("kill %d: user %s, whose create the portal acknowledged, is gone: %v", kill, id, err)
		}
	}
	for id := range proxy.acked {
		if _, err := c.Users.Read(t.Context(), id); err == nil {
			t.Errorf("kill %d: user %s, whose delete the portal acknowledged, is back", kill, id)
		}
	}
}

// usersByEmail counts the users of the portal at endpoint by email
// (folded), among those whose email contains marker.
func usersByEmail(t *testing.T, endpoint, marker string) map[string]int {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: endpoint, Token: testToken, Site: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.Users.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]int{}
	for _, u := range all {
		if strings.Contains(u.Email, marker) {
			by[contract.FoldEmail(u.Email)]++
		}
	}
	return by
}

// twice lists the emails that more than one user has.
func twice(by map[string]int) []string {
	var out []string
	for email, n := range by {
		if n > 1 {
			out = append(out, email)
		}
	}
	return out
}

// TestTerraformInterruptedMidApply sends SIGINT to terraform while it
// applies 100 users, at three points chosen by request count: Terraform
// stops, cancelling the creates in flight, some of which the portal has
// made. The next apply repairs the state, adopting those, and makes no
// user twice.
func TestTerraformInterruptedMidApply(t *testing.T) {
	c := newCLI(t)
	p := startPortal(t)
	p.addNumbers(t, 6000, 100)
	p.setAvailable(t, 100)
	proxy, endpoint := startCountingProxy(t)
	c.write(t, crashConfig(endpoint, 100))

	for _, at := range []int{15, 40, 70} {
		cmd := exec.Command(terraformCLI(), "-chdir="+c.work, "apply", "-auto-approve", "-no-color", "-input=false")
		cmd.Env = c.env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		var once sync.Once
		proxy.point(p.URL, func(n int) {
			if n == at {
				once.Do(func() { _ = cmd.Process.Signal(os.Interrupt) })
			}
		})
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err == nil && !strings.Contains(out.String(), "Apply complete!") {
				t.Fatalf("interrupted apply:\n%s", tail(out.String()))
			}
		case <-time.After(2 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("interrupted apply did not stop:\n%s", tail(out.String()))
		}
		state, _ := c.run("state", "list")
		t.Logf("SIGINT at request %d: %d users in the portal, %d in state", at, len(usersByEmail(t, p.URL, "crash")), strings.Count(state, "callingportal_user.u["))
	}
	proxy.point(p.URL, nil)
	out, err := c.run("apply", "-auto-approve")
	if err != nil {
		t.Fatalf("apply after the interrupts:\n%s", tail(out))
	}
	c.expectNoChanges(t)
	users := usersByEmail(t, p.URL, "crash")
	state, _ := c.run("state", "list")
	if inState := strings.Count(state, "callingportal_user.u["); len(users) != 100 || inState != 100 || len(twice(users)) > 0 {
		t.Errorf("after the interrupts: %d crash users in the portal (%v twice), %d in state; want 100, none twice, and 100", len(users), twice(users), inState)
	}
}
