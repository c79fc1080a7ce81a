package provider

import (
	"bufio"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRequestBudget runs the real CLI over a site of 8,100 numbers and
// counts, from the portal's /v1/metrics, the requests each step sends: the
// plan and the apply of 1,000 new assignments and 100 users each read the
// site once, not once per resource (N writes and at most 5 + N/500 reads,
// the adoption issue's budget), a no-op plan over all of them reads at most
// as many lists, and their destroy sends N writes and no more reads.
//
// The plan checks read the available numbers as runs of consecutive
// numbers, so their cost follows how the free numbers are spread, not how
// many there are: here about 8,000 free numbers in one run, one request
// (read as pages of 1,000 numbers, they were 8). With the inventory, the
// users (for emails) and the phones and services that the assignments
// ring, a plan or apply reads 5 times.
func TestRequestBudget(t *testing.T) {
	c := newCLI(t)
	p := startPortal(t)
	const assignments, users = 1000, 100
	p.addNumbers(t, 2000, 8000) // 8,100 with the demo's 100
	p.setAvailable(t, assignments+users)
	service, phone := p.serviceID(t, "After Hours"), p.phoneID(t, "Lobby Phone")
	c.write(t, p.config(fmt.Sprintf(`
resource "callingportal_number_assignment" "a" {
  for_each   = toset([for i in range(%d) : format("+1312555%%04d", 2000 + i)])
  number     = each.value
  service_id = tonumber(substr(each.value, -1, 1)) %% 2 == 0 ? %q : null
  phone_id   = tonumber(substr(each.value, -1, 1)) %% 2 == 1 ? %q : null
}

resource "callingportal_user" "u" {
  for_each     = toset([for i in range(%d) : format("+1312555%%04d", 3500 + i)])
  email        = "user${substr(each.value, -4, 4)}@example.com"
  first_name   = "Load"
  last_name    = "Test ${substr(each.value, -4, 4)}"
  phone_number = each.value
}
`, assignments, service, phone, users)))
	const n = assignments + users
	budget := 5 + n/500

	step := func(name string, args ...string) requestCount {
		t.Helper()
		before := p.requests(t)
		start := time.Now()
		out, err := c.run(args...)
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", name, err, out)
		}
		got := p.requests(t).since(before)
		t.Logf("%-14s %5d reads %5d writes %6.1fs", name, got.reads, got.writes, time.Since(start).Seconds())
		return got
	}

	if got := step("plan", "plan", "-out=tfplan", "-parallelism=10"); got.reads > budget || got.writes != 0 {
		t.Errorf("plan of %d creates: %d reads and %d writes, want at most %d reads and no write", n, got.reads, got.writes, budget)
	}
	if got := step("apply", "apply", "-parallelism=10", "tfplan"); got.reads > budget || got.writes != n {
		t.Errorf("apply of %d creates: %d reads and %d writes, want at most %d reads and %d writes", n, got.reads, got.writes, budget, n)
	}
	if got := step("no-op plan", "plan", "-detailed-exitcode"); got.reads > budget || got.writes != 0 {
		t.Errorf("no-op plan of %d resources: %d reads and %d writes, want at most %d reads and no write", n, got.reads, got.writes, budget)
	}
	// Each delete sends the version it last saw: one write, no read.
	if got := step("destroy", "destroy", "-auto-approve", "-parallelism=10"); got.reads > budget || got.writes != n {
		t.Errorf("destroy of %d resources: %d reads and %d writes, want at most %d reads and %d writes", n, got.reads, got.writes, budget, n)
	}
}

// requestCount is what the portal answered, as its metrics count it:
// reads are GETs, writes any other method; the metrics route is left out.
type requestCount struct{ reads, writes int }

func (r requestCount) since(before requestCount) requestCount {
	return requestCount{r.reads - before.reads, r.writes - before.writes}
}

var metricLine = regexp.MustCompile(`^callingportal_http_requests_total\{method="([A-Z]+)",route="([^"]*)",status="\d+"\} (\d+)$`)

// requests scrapes the portal's /v1/metrics.
func (p *testPortal) requests(t *testing.T) requestCount {
	t.Helper()
	resp, err := http.Get(p.URL + "/v1/metrics")
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	var rc requestCount
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		m := metricLine.FindStringSubmatch(lines.Text())
		if m == nil || strings.HasSuffix(m[2], "/metrics") {
			continue
		}
		count, _ := strconv.Atoi(m[3])
		if m[1] == http.MethodGet {
			rc.reads += count
		} else {
			rc.writes += count
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatalf("metrics: %v", err)
	}
	return rc
}
