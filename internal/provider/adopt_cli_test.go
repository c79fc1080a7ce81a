package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// TestExportAndSnapshot adopts a site of 2,000 numbers the way a team would:
// `export` writes a configuration that plans as imports only, twice the
// same bytes, `terraform fmt` clean; after the apply the next plan is empty
// and reads the portal at most 5 + N/500 times; `snapshot` of the site loads
// into a new portal, and a plan of a changed configuration against that
// replica is the plan against the site itself.
func TestExportAndSnapshot(t *testing.T) {
	c := newCLI(t)
	p := startPortal(t)
	p.addNumbers(t, 2000, 1900)
	const services, phones, users, assignments = 20, 10, 300, 700
	p.setAvailable(t, users+assignments+1) // one left for the new user below
	growSite(t, p, services, phones, users, assignments)
	// The demo's 4 services, 2 phones, 3 users and 4 numbers on targets.
	n := services + 4 + phones + 2 + users + 3 + assignments + 4

	binary := filepath.Join(providerDir, "terraform-provider-callingportal")
	c.env = append(c.env, "CALLINGPORTAL_ENDPOINT="+p.URL, "CALLINGPORTAL_TOKEN="+testToken, "CALLINGPORTAL_SITE=demo")
	command := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(binary, args...)
		cmd.Env = c.env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	start := time.Now()
	command("export", "--out", c.work)
	t.Logf("export of %d resources: %.1fs", n, time.Since(start).Seconds())
	again := filepath.Join(c.dir, "again")
	command("export", "--out", again)
	for _, name := range []string{"versions.tf", "main.tf"} {
		first, _ := os.ReadFile(filepath.Join(c.work, name))
		second, err := os.ReadFile(filepath.Join(again, name))
		if err != nil || len(first) == 0 || string(first) != string(second) {
			t.Errorf("two exports of one site differ in %s (%v)", name, err)
		}
	}
	if out, err := c.run("fmt", "-check", "-recursive"); err != nil {
		t.Errorf("terraform fmt -check: %v\n%s", err, out)
	}

	start = time.Now()
	out, err := c.run("plan", "-out=tfplan")
	t.Logf("plan of the imports: %.1fs", time.Since(start).Seconds())
	if want := fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", n); err != nil || !strings.Contains(out, want) {
		t.Fatalf("plan of the export: want %q, got %v\n%s", want, err, tail(out))
	}
	start = time.Now()
	if out, err := c.run("apply", "tfplan"); err != nil {
		t.Fatalf("apply of the export: %v\n%s", err, tail(out))
	}
	t.Logf("apply of the imports: %.1fs", time.Since(start).Seconds())
	before, start := p.requests(t), time.Now()
	c.expectNoChanges(t)
	got, budget := p.requests(t).since(before), 5+n/500
	t.Logf("no-op plan: %.1fs, %d reads", time.Since(start).Seconds(), got.reads)
	if got.reads > budget || got.writes != 0 {
		t.Errorf("no-op plan of %d adopted resources: %d reads and %d writes, want at most %d reads", n, got.reads, got.writes, budget)
	}

	seedFile := filepath.Join(c.dir, "site.json")
	command("snapshot", "--out", seedFile)
	seedText, err := os.ReadFile(seedFile)
	// No key names a PIN (a random ID may well contain "pin").
	if err != nil || strings.Contains(string(seedText), testToken) || regexp.MustCompile(`"[a-z_]*pin[a-z_]*"\s*:`).Match(seedText) {
		t.Fatalf("the snapshot is missing or holds a secret (%v)", err)
	}
	replica := newTestPortal(t, onSQLite, seedFile)

	// A change a pull request might make: one user renamed, one number
	// freed, one new user.
	main := filepath.Join(c.work, "main.tf")
	text, _ := os.ReadFile(main)
	changed := strings.Replace(string(text), `last_name    = "Lovelace"`, `last_name    = "King"`, 1)
	changed = regexp.MustCompile(`(?s)import \{\n  to = callingportal_number_assignment.number_13125550100\n.*?\n\}\n\nresource .*?\n\}\n`).ReplaceAllString(changed, "")
	changed += `
resource "callingportal_user" "new" {
  email        = "new.hire@example.com"
  first_name   = "New"
  last_name    = "Hire"
  phone_number = "+13125550199"
}
`
	writeFile(t, main, changed)
	plan := func(endpoint string) string {
		t.Helper()
		out, err := c.run("plan", "-var=callingportal_endpoint="+endpoint)
		if err != nil || !strings.Contains(out, "Plan: 1 to add, 1 to change, 1 to destroy.") {
			t.Fatalf("plan against %s: %v\n%s", endpoint, err, tail(out))
		}
		_, changes, _ := strings.Cut(out, "Terraform will perform the following actions:")
		return changes
	}
	if original, copied := plan(p.URL), plan(replica.URL); original != copied {
		t.Errorf("the plan against the replica differs from the plan against the site:\n--- site\n%s\n--- replica\n%s", original, copied)
	}
}

// growSite adds services, phones, users and numbers assigned to the new
// services and phones, in one transaction, from +13125552000 on.
func growSite(t *testing.T, p *testPortal, services, phones, users, assignments int) {
	t.Helper()
	err := p.Store().Update(context.Background(), func(tx portal.Tx) error {
		var targets []contract.Target
		for i := range services {
			name, typ := fmt.Sprintf("Queue %02d", i), "call_queue"
			s, err := portal.CreateService(tx, "demo", contract.ServiceInput{TargetInput: contract.TargetInput{Name: &name}, Type: &typ})
			if err != nil {
				return err
			}
			targets = append(targets, contract.Target{Type: contract.TargetService, ID: s.ID})
		}
		for i := range phones {
			name, model, mac := fmt.Sprintf("Desk %02d", i), "Poly VVX 450", fmt.Sprintf("00:1a:2b:3c:4d:%02x", i)
			ph, err := portal.CreatePhone(tx, "demo", contract.PhoneInput{TargetInput: contract.TargetInput{Name: &name}, Model: &model, MACAddress: &mac})
			if err != nil {
				return err
			}
			targets = append(targets, contract.Target{Type: contract.TargetPhone, ID: ph.ID})
		}
		for i := range assignments {
			number := fmt.Sprintf("+1312555%04d", 2000+i)
			if _, err := portal.AssignNumber(tx, "demo", number, targets[i%len(targets)], portal.Condition{MustBeAvailable: true}); err != nil {
				return err
			}
		}
		for i := range users {
			email, first, last, ext := fmt.Sprintf("user.%03d@example.com", i), "User", fmt.Sprintf("No %03d", i), fmt.Sprintf("%d", 5000+i)
			number := fmt.Sprintf("+1312555%04d", 3000+i)
			if _, err := portal.CreateUser(tx, "demo", contract.UserInput{Email: &email, FirstName: &first, LastName: &last, Extension: &ext, PhoneNumber: &number}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("grow the site: %v", err)
	}
}

// tail is the end of a long terraform output, where its errors are.
func tail(out string) string {
	if len(out) > 4000 {
		return "..." + out[len(out)-4000:]
	}
	return out
}
