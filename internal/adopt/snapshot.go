package adopt

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/seed"
)

// Snapshot is s as a seed file that `serve --seed` loads into a replica:
// the pool (runs of numbers as ranges), stations, phones, services and
// users with their IDs and the numbers they hold, so that the replica
// answers to the state of the site. The API never returns secrets, so the
// seed holds none: no tokens, no voicemail PINs. It also returns the
// numbers it left out because their holder was not listed.
func Snapshot(s Site) (seed.Seed, []string) {
	out := seed.Seed{Site: seed.SiteSeed{ID: s.Site.ID, Name: s.Site.Name, StationsPurchased: s.Site.StationsPurchased}}
	h := s.holders()
	held := map[string][]string{} // numbers by phone or service ID
	pool := make([]string, 0, len(s.Numbers))
	var skipped []string
	for _, n := range s.Numbers {
		if !h.known(n) {
			skipped = append(skipped, n.Number)
			continue
		}
		pool = append(pool, n.Number)
		if n.AssignedType == contract.TargetPhone || n.AssignedType == contract.TargetService {
			held[n.AssignedID] = append(held[n.AssignedID], n.Number)
		}
	}
	slices.Sort(pool)
	out.Numbers, out.Ranges = ranges(pool)

	for _, v := range s.Services {
		in := contract.ServiceInput{TargetInput: targetInput(v.TargetBase), Type: &v.Type, Description: optional(v.Description)}
		out.Services = append(out.Services, seed.Service{ID: v.ID, ServiceInput: in, Numbers: sorted(held[v.ID])})
	}
	for _, p := range s.Phones {
		in := contract.PhoneInput{TargetInput: targetInput(p.TargetBase), Model: optional(p.Model), MACAddress: optional(p.MACAddress)}
		out.Phones = append(out.Phones, seed.Phone{ID: p.ID, PhoneInput: in, Numbers: sorted(held[p.ID])})
	}
	for _, u := range s.Users {
		out.Users = append(out.Users, seed.User{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Extension: u.Extension, PhoneNumber: u.PhoneNumber})
	}
	slices.SortFunc(out.Services, func(a, b seed.Service) int { return strings.Compare(*a.Name, *b.Name) })
	slices.SortFunc(out.Phones, func(a, b seed.Phone) int { return strings.Compare(*a.Name, *b.Name) })
	slices.SortFunc(out.Users, func(a, b seed.User) int { return strings.Compare(a.PhoneNumber, b.PhoneNumber) })
	return out, skipped
}

// WriteSeed writes sd to path as indented JSON. It writes a temporary file
// beside path and renames it, so a failed write leaves no half-made seed.
func WriteSeed(path string, sd seed.Seed) error {
	data, err := json.MarshalIndent(sd, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ranges splits sorted E.164 numbers into runs of consecutive numbers of
// one length (as ranges) and the numbers on their own.
func ranges(sorted []string) (single []string, runs []contract.NumberRange) {
	var all []contract.NumberRange
	for _, n := range sorted {
		all = contract.AppendToRuns(all, n)
	}
	for _, r := range all {
		if r.From == r.To {
			single = append(single, r.From)
		} else {
			runs = append(runs, r)
		}
	}
	return single, runs
}

func targetInput(b contract.TargetBase) contract.TargetInput {
	return contract.TargetInput{Name: &b.Name, Extension: optional(b.Extension)}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func sorted(s []string) []string {
	s = append([]string{}, s...)
	slices.Sort(s)
	return s
}
