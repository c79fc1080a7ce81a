package provider

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentAppliesShareTheLastStations runs four `terraform apply` at
// once, each with its own state and 7 new users, against a site with 10
// free stations: exactly 10 users are made, In Use never exceeds Total,
// every user that did not fit fails with the inventory message, and a
// rerun of each apply that lost fails at plan with that message.
//
// Each plan is saved before any apply starts, so all four pass the plan
// check and race at apply. Planned and applied in one command, an apply
// that finished first could leave the others too few stations for their
// plans, which then rightly fail whole at plan and take none.
func TestConcurrentAppliesShareTheLastStations(t *testing.T) {
	c := newCLI(t)
	p := startPortal(t)
	const applies, users, free = 4, 7, 10
	p.addNumbers(t, 3000, 10*applies)
	p.setAvailable(t, free)
	before := p.inventory(t)

	runs := make([]*cli, applies)
	for k := range runs {
		run := *c
		run.work = filepath.Join(c.dir, fmt.Sprintf("apply%d", k))
		run.write(t, p.config(countedUsers(fmt.Sprintf("race%d.", k), users, 3000+10*k)))
		runs[k] = &run
	}

	outs := make([]string, applies)
	var wg sync.WaitGroup
	for k, run := range runs {
		wg.Go(func() {
			if out, err := run.run("plan", "-out=tfplan"); err != nil {
				t.Errorf("plan %d, before any apply: %v\n%s", k, err, tail(out))
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for k, run := range runs {
		wg.Go(func() { outs[k], _ = run.run("apply", "-parallelism=10", "tfplan") })
	}
	wg.Wait()

	inv := p.inventory(t)
	if inv.InUse > inv.Total || inv.InUse != before.InUse+free || inv.Available != 0 {
		t.Errorf("inventory after the applies: %+v, want all %d free stations taken and In Use within Total", inv, free)
	}
	created, err := p.client.Users.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	made := 0
	for _, u := range created {
		if strings.HasPrefix(u.Email, "race") {
			made++
		}
	}
	if made != free {
		t.Errorf("%d users made by the concurrent applies, want exactly %d", made, free)
	}

	refused := regexp.MustCompile(`Error: No stations available`)
	creations := regexp.MustCompile(`callingportal_user\.u\[\d+\]: Creation complete`)
	failed := 0
	for k, out := range outs {
		ok, no := len(creations.FindAllString(out, -1)), len(refused.FindAllString(out, -1))
		t.Logf("apply %d: %d created, %d refused", k, ok, no)
		if ok == users {
			continue
		}
		failed++
		if no == 0 || ok+no > users {
			t.Errorf("apply %d created %d of %d users and was refused %d times: every user that did not fit is refused with the inventory message\n%s", k, ok, users, no, tail(out))
		}
		if strings.Contains(out, "Error:") && !refused.MatchString(out) {
			t.Errorf("apply %d failed with another error:\n%s", k, tail(out))
		}
		rerun, err := runs[k].run("plan")
		if err == nil || !strings.Contains(rerun, "No stations available") || !strings.Contains(rerun, "0 available") {
			t.Errorf("re-plan of apply %d, which lost: want the inventory message at plan, got %v\n%s", k, err, tail(rerun))
		}
	}
	if failed == 0 {
		t.Error("every apply created all its users: the site had more free stations than the test meant")
	}
}
