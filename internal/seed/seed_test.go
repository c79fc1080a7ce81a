package seed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestDemoSeed(t *testing.T) {
	t.Parallel()
	s, err := Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	ctx := context.Background()
	if err := st.Update(ctx, s.Apply); err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(tx portal.Tx) error {
		inv, err := portal.GetInventory(tx, "demo")
		if err != nil {
			return err
		}
		if want := (contract.Inventory{Site: "demo", Total: 50, InUse: 7, Available: 43}); inv != want {
			t.Errorf("inventory = %+v, want %+v", inv, want)
		}
		numbers, err := tx.ListNumbers("demo", contract.NumberFilter{}, portal.Page{})
		if err != nil {
			return err
		}
		if len(numbers) != 100 || numbers[0].Number != "+13125550100" || numbers[99].Number != "+13125550199" {
			t.Errorf("pool = %d numbers from %s, want +13125550100..199", len(numbers), numbers[0].Number)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSeedBreakingARuleIsRefusedWhole: a seed goes through the portal's
// rules, and one that breaks a rule leaves nothing behind.
func TestSeedBreakingARuleIsRefusedWhole(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "seed.json")
	seed := `{
  "site": {"id": "tiny", "stations_purchased": 1},
  "ranges": [{"from": "+13125550100", "to": "+13125550101"}],
  "services": [{"name": "Main", "type": "auto_attendant", "numbers": ["+13125550100", "+13125550101"]}]
}`
	if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	ctx := context.Background()
	err = st.Update(ctx, s.Apply)
	if !errors.Is(err, contract.ErrNoStationsAvailable) {
		t.Fatalf("seed with 2 assigned numbers and 1 station: err = %v, want no_stations_available", err)
	}
	err = st.View(ctx, func(tx portal.Tx) error {
		sites, err := tx.ListSites()
		if len(sites) != 0 {
			t.Errorf("a refused seed left sites behind: %+v", sites)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSeedFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, c := range map[string]struct{ json, want string }{
		"unknown field": {`{"site": {"id": "x"}, "pool": []}`, "unknown field"},
		"bad range":     {`{"site": {"id": "xx"}, "ranges": [{"from": "+13125550100", "to": "+1312555010"}]}`, "same length"},
		"huge range":    {`{"site": {"id": "xx"}, "ranges": [{"from": "+13125550000", "to": "+13125999999"}]}`, "must hold 1 to 100000"},
		"an id twice": {`{"site": {"id": "xx"}, "services": [{"id": "svc_a1", "name": "A", "type": "hunt_group"}],
			"phones": [{"id": "svc_a1", "name": "B"}]}`, `"svc_a1" appears twice`},
		"an id of another kind": {`{"site": {"id": "xx"}, "phones": [{"id": "svc_a1", "name": "B"}]}`, "not an ID of this kind"},
		"two objects":           {`{"site": {"id": "xx"}} {"site": {"id": "yy"}}`, "one JSON object and nothing after it"},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		if err := os.WriteFile(path, []byte(c.json), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Load(path)
		if err == nil {
			err = openStore(t).Update(context.Background(), s.Apply)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
}

// TestSeedKeepsIDs: a seed that gives IDs, as a snapshot writes them, makes
// the objects with those IDs, so a replica answers to production's state.
func TestSeedKeepsIDs(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "seed.json")
	seed := `{
  "site": {"id": "hq", "stations_purchased": 3},
  "ranges": [{"from": "+13125550100", "to": "+13125550102"}],
  "services": [{"id": "svc_q1", "name": "Queue", "type": "call_queue", "numbers": ["+13125550100"]}],
  "phones": [{"id": "ph_d1", "name": "Desk", "numbers": ["+13125550101"]}],
  "users": [{"id": "usr_u1", "email": "u@example.com", "first_name": "U", "last_name": "V", "phone_number": "+13125550102"}]
}`
	if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	ctx := context.Background()
	if err := st.Update(ctx, s.Apply); err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(tx portal.Tx) error {
		numbers, err := tx.ListNumbers("hq", contract.NumberFilter{}, portal.Page{})
		if err != nil {
			return err
		}
		var holders []string
		for _, n := range numbers {
			holders = append(holders, n.AssignedID)
		}
		if strings.Join(holders, " ") != "svc_q1 ph_d1 usr_u1" {
			t.Errorf("numbers are held by %v, want svc_q1, ph_d1 and usr_u1", holders)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
