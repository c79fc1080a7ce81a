// Package seed loads a site into a new portal store from a JSON seed file, or
// from the built-in "demo" seed. The format is documented in README.md's
// "Seed files" section and by the Seed type below.
package seed

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// Seed is one site with its pool, stations, targets and users.
type Seed struct {
	Site SiteSeed `json:"site"`
	// Numbers and Ranges (inclusive, same length) make up the pool.
	Numbers  []string               `json:"numbers,omitempty"`
	Ranges   []contract.NumberRange `json:"ranges,omitempty"`
	Services []Service              `json:"services,omitempty"`
	Phones   []Phone                `json:"phones,omitempty"`
	Users    []User                 `json:"users,omitempty"`
}

// SiteSeed is the site itself.
type SiteSeed struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	StationsPurchased int    `json:"stations_purchased"`
}

// Service takes the API's input (name, type, extension, description) and
// the numbers assigned to it. An ID, as a snapshot writes it, is kept: a
// replica then answers to the state of the site it was taken from.
type Service struct {
	ID string `json:"id,omitempty"`
	contract.ServiceInput
	Numbers []string `json:"numbers"`
}

// Phone takes the API's input (name, model, mac_address, extension) and the
// numbers assigned to it, and keeps an ID as Service does.
type Phone struct {
	ID string `json:"id,omitempty"`
	contract.PhoneInput
	Numbers []string `json:"numbers"`
}

// User is a user and the number it holds, and keeps an ID as Service does;
// a seed sets no voicemail PIN.
type User struct {
	ID          string `json:"id,omitempty"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Extension   string `json:"extension,omitempty"`
	PhoneNumber string `json:"phone_number"`
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
	return Parse(name, data)
}

// Parse reads a seed file's JSON; name is the file's, for errors. Unknown
// fields are errors, and so is anything after the one object.
func Parse(name string, data []byte) (Seed, error) {
	var s Seed
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Seed{}, fmt.Errorf("seed %s: %w", name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Seed{}, fmt.Errorf("seed %s: the file must hold one JSON object and nothing after it", name)
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
	if err := s.checkIDs(); err != nil {
		return err
	}
	for i, sv := range s.Services {
		created, err := portal.RestoreService(tx, site, sv.ID, sv.ServiceInput)
		if err != nil {
			return fmt.Errorf("seed services[%d]: %w", i, err)
		}
		if err := assignAll(tx, site, sv.Numbers, contract.Target{Type: contract.TargetService, ID: created.ID}); err != nil {
			return err
		}
	}
	for i, ph := range s.Phones {
		created, err := portal.RestorePhone(tx, site, ph.ID, ph.PhoneInput)
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
		if _, err := portal.RestoreUser(tx, site, u.ID, in); err != nil {
			return fmt.Errorf("seed user %q: %w", u.Email, err)
		}
	}
	return nil
}

// checkIDs refuses a seed that gives one ID twice.
func (s Seed) checkIDs() error {
	var ids []string
	for _, v := range s.Services {
		ids = append(ids, v.ID)
	}
	for _, p := range s.Phones {
		ids = append(ids, p.ID)
	}
	for _, u := range s.Users {
		ids = append(ids, u.ID)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && seen[id] {
			return fmt.Errorf("seed: id %q appears twice", id)
		}
		seen[id] = true
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
