package provider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// slowProxy stands between the provider and a test portal and holds back
// the requests that slow matches for delay before passing them on; a
// request whose client gives up first never reaches the portal. It records
// how long each of those waited, and the methods that reached the portal.
type slowProxy struct {
	next  http.Handler
	delay time.Duration
	slow  func(*http.Request) bool

	mu   sync.Mutex
	cut  []time.Duration // how long each held request waited before its client gave up
	sent map[string]int  // requests passed on, by method
}

// startSlowProxy starts a slowProxy in front of portalURL; its URL is the
// provider's endpoint.
func startSlowProxy(t *testing.T, portalURL string, delay time.Duration, slow func(*http.Request) bool) (*slowProxy, string) {
	t.Helper()
	target, err := url.Parse(portalURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &slowProxy{next: httputil.NewSingleHostReverseProxy(target), delay: delay, slow: slow, sent: map[string]int{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

func (p *slowProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.slow(r) {
		// net/http notices a client that hangs up only once the body is
		// read: read it first, for the request's context to end with it.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		start := time.Now()
		select {
		case <-time.After(p.delay):
		case <-r.Context().Done():
			p.mu.Lock()
			p.cut = append(p.cut, time.Since(start))
			p.mu.Unlock()
			return
		}
	}
	p.mu.Lock()
	p.sent[r.Method]++
	p.mu.Unlock()
	p.next.ServeHTTP(w, r)
}

// given is what the proxy has seen: the waits of the requests whose client
// gave up, and the number of requests passed on with method.
func (p *slowProxy) given(method string) (cut []time.Duration, sent int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Duration(nil), p.cut...), p.sent[method]
}

// TestAccUser_timeouts creates a user through a portal that takes 3 s to
// answer a create: with timeouts.create = "1s" the apply fails after 1 s
// with an error that names the timeout, and nothing reaches the portal;
// with "30s" it succeeds. A change of timeouts alone is an update that
// sends nothing, and an import, which has no configuration to take
// timeouts from, differs from state in timeouts only.
func TestAccUser_timeouts(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	proxy, endpoint := startSlowProxy(t, p.URL, 3*time.Second, func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users")
	})
	config := func(timeouts string) string {
		return fmt.Sprintf(`
provider "callingportal" {
  endpoint = %q
  token    = %q
  site     = "demo"
}
`, endpoint, testToken) + userHCL("jane.doe@example.com", "Jane", "Doe", "+13125550150", "timeouts = "+timeouts)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkUsersDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config(`{ create = "1s" }`),
				ExpectError: regexp.MustCompile(`(?s)` + strings.Join([]string{
					wrappedText("Create timed out after 1s").String(),
					wrappedText("Creating this callingportal_user did not finish within timeouts.create (1s)").String(),
					wrappedText(`raise the timeout, e.g. timeouts = { create = "2s" }`).String(),
				}, ".*")),
			},
			{
				// The provider gave up at its deadline, long before the
				// portal would have answered, and the create never reached
				// the portal.
				PreConfig: func() {
					cut, posts := proxy.given(http.MethodPost)
					// The deadline runs from the start of Create, a little
					// before the proxy holds the request.
					if len(cut) != 1 || cut[0] < 800*time.Millisecond || cut[0] > 2500*time.Millisecond || posts != 0 {
						t.Errorf("held creates given up after %v, %d passed on; want one given up after 1 s, none passed on", cut, posts)
					}
				},
				Config: config(`{ create = "30s" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testUser, tfjsonpath.New("timeouts"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"create": knownvalue.StringExact("30s"), "read": knownvalue.Null(),
						"update": knownvalue.Null(), "delete": knownvalue.Null(),
					})),
				},
				Check: p.checkUserInPortal("jane.doe@example.com", "Jane", "Doe", "", "+13125550150"),
			},
			{
				Config:           config(`{ create = "30s", update = "5m" }`),
				ConfigPlanChecks: expectPlan(plancheck.ExpectResourceAction(testUser, plancheck.ResourceActionUpdate)),
				Check: func(*terraform.State) error {
					if _, patches := proxy.given(http.MethodPatch); patches != 0 {
						return fmt.Errorf("a change of timeouts alone sent %d PATCH requests, want none", patches)
					}
					return nil
				},
			},
			{Config: config(`{ create = "30s", update = "5m" }`), ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan())},
			{ResourceName: testUser, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
		},
	})
}

// fixedTimeouts is a plan or state that holds these timeouts.
type fixedTimeouts map[string]string

func (f fixedTimeouts) GetAttribute(_ context.Context, p path.Path, target any) diag.Diagnostics {
	var diags diag.Diagnostics
	t, ok := target.(*timeouts.Value)
	if !ok || !p.Equal(path.Root("timeouts")) {
		diags.AddError("unexpected GetAttribute", fmt.Sprintf("%s into %T", p, target))
		return diags
	}
	if f == nil {
		*t = noTimeouts()
		return diags
	}
	values := map[string]attr.Value{}
	for name := range timeoutsAttrTypes {
		values[name] = types.StringNull()
		if v, ok := f[name]; ok {
			values[name] = types.StringValue(v)
		}
	}
	*t = timeouts.Value{Object: types.ObjectValueMust(timeoutsAttrTypes, values)}
	return diags
}

// TestOperationDeadline: an operation runs under its configured timeout or
// the default; only a failure that its own deadline caused is reported as a
// timeout, which names the timeout, keeps what failed and the warnings.
func TestOperationDeadline(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		for op, want := range map[operation]time.Duration{opCreate: 20 * time.Minute, opRead: 10 * time.Minute, opUpdate: 20 * time.Minute, opDelete: 20 * time.Minute} {
			var diags diag.Diagnostics
			ctx, finish := operationDeadline(t.Context(), fixedTimeouts(nil), "callingportal_user", op, &diags)
			deadline, ok := ctx.Deadline()
			finish()
			if left := time.Until(deadline); !ok || left > want || left < want-time.Minute || diags.HasError() {
				t.Errorf("%s: deadline in %v (%v), diagnostics %v; want in %v", op, left, ok, diags, want)
			}
		}
	})
	t.Run("configured", func(t *testing.T) {
		var diags diag.Diagnostics
		ctx, finish := operationDeadline(t.Context(), fixedTimeouts{"read": "90s"}, "callingportal_user", opRead, &diags)
		defer finish()
		if deadline, _ := ctx.Deadline(); time.Until(deadline) > 90*time.Second || time.Until(deadline) < 80*time.Second {
			t.Errorf("read deadline in %v, want 90s", time.Until(deadline))
		}
	})
	t.Run("timed out", func(t *testing.T) {
		var diags diag.Diagnostics
		ctx, finish := operationDeadline(t.Context(), fixedTimeouts{"create": "20ms"}, "callingportal_user", opCreate, &diags)
		<-ctx.Done()
		diags.AddWarning("Changing phone_number replaces the user", "kept")
		addPortalError(&diags, path.Empty(), "create user jane@example.com", fmt.Errorf("giving up after 2 attempts: %w", ctx.Err()))
		finish()
		if diags.ErrorsCount() != 1 || diags.WarningsCount() != 1 {
			t.Fatalf("diagnostics %v, want the warning and one error", diags)
		}
		d := diags.Errors()[0]
		withPath, ok := d.(diag.DiagnosticWithPath)
		if !ok || !withPath.Path().Equal(path.Root("timeouts").AtName("create")) {
			t.Errorf("error %v is not on timeouts.create", d)
		}
		for _, want := range []string{
			"Creating this callingportal_user did not finish within timeouts.create (20ms)",
			"Could not create user jane@example.com: giving up after 2 attempts: context deadline exceeded",
			"may still have created it",
			`timeouts = { create = "40ms" }`,
		} {
			if !strings.Contains(d.Detail(), want) {
				t.Errorf("detail %q lacks %q", d.Detail(), want)
			}
		}
		if d.Summary() != "Create timed out after 20ms" {
			t.Errorf("summary %q", d.Summary())
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		// Terraform stopping the run is not a timeout.
		parent, cancel := context.WithCancel(t.Context())
		var diags diag.Diagnostics
		ctx, finish := operationDeadline(parent, fixedTimeouts{"delete": "1h"}, "callingportal_phone", opDelete, &diags)
		cancel()
		addPortalError(&diags, path.Empty(), "delete phone ph_1", ctx.Err())
		finish()
		if diags.ErrorsCount() != 1 || !strings.Contains(diags.Errors()[0].Detail(), "context canceled") {
			t.Errorf("diagnostics %v, want the error as it was", diags)
		}
	})
	t.Run("finished in time", func(t *testing.T) {
		var diags diag.Diagnostics
		_, finish := operationDeadline(t.Context(), fixedTimeouts{"update": "1m"}, "callingportal_service", opUpdate, &diags)
		diags.AddError("Rejected by the portal", "Could not update service svc_1: name is taken")
		finish()
		if diags.ErrorsCount() != 1 || diags.Errors()[0].Summary() != "Rejected by the portal" {
			t.Errorf("diagnostics %v, want the portal's error as it was", diags)
		}
	})
}

// TestTimeoutsSchema: every managed resource accepts timeouts for create,
// read, update and delete, each stating its default.
func TestTimeoutsSchema(t *testing.T) {
	defaults := map[string]string{"create": "`20m`", "read": "`10m`", "update": "`20m`", "delete": "`20m`"}
	for _, r := range []fwresource.Resource{NewUserResource(), NewNumberAssignmentResource(), NewPhoneResource(), NewServiceResource()} {
		var meta fwresource.MetadataResponse
		r.Metadata(t.Context(), fwresource.MetadataRequest{ProviderTypeName: "callingportal"}, &meta)
		var resp fwresource.SchemaResponse
		r.Schema(t.Context(), fwresource.SchemaRequest{}, &resp)
		a, ok := resp.Schema.Attributes["timeouts"].(schema.SingleNestedAttribute)
		if !ok || !a.Optional || a.Computed || len(a.Attributes) != len(defaults) {
			t.Errorf("%s: timeouts is %#v, want an optional nested attribute of %d", meta.TypeName, resp.Schema.Attributes["timeouts"], len(defaults))
			continue
		}
		for name, d := range defaults {
			if got := a.Attributes[name].GetMarkdownDescription(); !strings.Contains(got, "Defaults to "+d) {
				t.Errorf("%s: timeouts.%s says %q, want its default %s", meta.TypeName, name, got, d)
			}
		}
	}
}

func TestDurationString(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "1s", 20 * time.Minute: "20m", 90 * time.Second: "1m30s", time.Hour: "1h",
		90 * time.Minute: "1h30m", 20 * time.Millisecond: "20ms",
	} {
		if got := durationString(d); got != want {
			t.Errorf("durationString(%v) = %q, want %q", d, got, want)
		}
	}
}
