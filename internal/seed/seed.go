// Package seed loads a site into a new portal store from a JSON seed file, or
// from the built-in "demo" seed. The format is documented in README.md's
// "Seed files" section and by the Seed type below.
package seed

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// Seed is one site with its pool, stations, targets and users.
type Seed struct {
	Site struct {
		ID                string `json:"id"`
		Name              string `json:"name"`
		StationsPurchased int    `json:"stations_purchased"`
	} `json:"site"`
	// Numbers and Ranges (inclusive, same length) make up the pool.
	Numbers []string `json:"numbers"`
	Ranges  []Range  `json:"ranges"`
	// Services and phones take the API's inputs (name, type, extension,
	// description; name, model, mac_address, extension) and the numbers
	// assigned to them.
	Services []struct {
		contract.ServiceInput
		Numbers []string `json:"numbers"`
	} `json:"services"`
	Phones []struct {
		contract.PhoneInput
		Numbers []string `json:"numbers"`
	} `json:"phones"`
	Users []struct {
		Email       string `json:"email"`
		FirstName   string `json:"first_name"`
		LastName    string `json:"last_name"`
		Extension   string `json:"extension"`
		PhoneNumber string `json:"phone_number"`
	} `json:"users"`
}

// Range is an inclusive run of numbers such as +13125550100 to +13125550199.
type Range struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// maxRange keeps a typo in a seed file from filling the disk.
const maxRange = 100_000

//go:embed demo.json
var demoJSON []byte

// Load reads the built-in "demo" seed or a JSON file.
func Load(name string) (Seed, error) {
	data := demoJSON
	if name != "demo" {
		var err error
		if data, err = os.ReadFile(name); err != nil {
			return Seed{}, fmt.Errorf("seed: %w", err)
		}
	}
	var s Seed
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Seed{}, fmt.Errorf("seed %s: %w", name, err)
	}
	return s, nil
}

// Apply creates the seed's site and everything in it through the portal's
// rules, so a seed can never build a site the portal would refuse.
func (s Seed) Apply(tx portal.Tx) error {
	if _, err := portal.CreateSite(tx, contract.Site{ID: s.Site.ID, Name: s.Site.Name, StationsPurchased: s.Site.StationsPurchased}); err != nil {
		return fmt.Errorf("seed site: %w", err)
	}
	pool := append([]string(nil), s.Numbers...)
	for i, r := range s.Ranges {
		expanded, err := contract.ExpandRange(fmt.Sprintf("ranges[%d]", i), r.From, r.To, maxRange)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		pool = append(pool, expanded...)
	}
	site := s.Site.ID
	if _, err := portal.AddNumbers(tx, site, pool); err != nil {
		return fmt.Errorf("seed numbers: %w", err)
	}
	for i, sv := range s.Services {
		created, err := portal.CreateService(tx, site, sv.ServiceInput)
		if err != nil {
			return fmt.Errorf("seed services[%d]: %w", i, err)
		}
		if err := assignAll(tx, site, sv.Numbers, contract.Target{Type: contract.TargetService, ID: created.ID}); err != nil {
			return err
		}
	}
	for i, ph := range s.Phones {
		created, err := portal.CreatePhone(tx, site, ph.PhoneInput)
		if err != nil {
			return fmt.Errorf("seed phones[%d]: %w", i, err)
		}
		if err := assignAll(tx, site, ph.Numbers, contract.Target{Type: contract.TargetPhone, ID: created.ID}); err != nil {
			return err
		}
	}
	for _, u := range s.Users {
		in := contract.UserInput{Email: &u.Email, FirstName: &u.FirstName, LastName: &u.LastName, PhoneNumber: &u.PhoneNumber}
		if u.Extension != "" {
			in.Extension = &u.Extension
		}
		if _, err := portal.CreateUser(tx, site, in); err != nil {
			return fmt.Errorf("seed user %q: %w", u.Email, err)
		}
	}
	return nil
}

func assignAll(tx portal.Tx, site string, numbers []string, t contract.Target) error {
	for _, n := range numbers {
		if _, err := portal.AssignNumber(tx, site, n, t, portal.Condition{MustBeAvailable: true}); err != nil {
			return fmt.Errorf("seed %s %s: %w", t.Type, n, err)
		}
	}
	return nil
}
