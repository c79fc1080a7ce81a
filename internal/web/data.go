package web

import (
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// The store reads the pages make, in one place. They run inside the
// caller's store.View or store.Update, so a page shows one snapshot.

// batch is how many rows one store call reads while a page scans a list.
const batch = 500

// all reads every row of a paged store list in key order.
func all[T any](list func(portal.Page) ([]T, error), key func(T) string) ([]T, error) {
	var out []T
	for p := (portal.Page{Limit: batch}); ; {
		rows, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		if len(rows) < p.Limit {
			return out, nil
		}
		p.After = key(rows[len(rows)-1])
	}
}

func numberKey(n contract.Number) string   { return n.Number }
func phoneKey(ph contract.Phone) string    { return ph.ID }
func serviceKey(s contract.Service) string { return s.ID }

// matchingNumbers is every number of the site that passes the API's filter f
// and the page's search box.
func matchingNumbers(tx portal.Tx, site string, f contract.NumberFilter, search string) ([]contract.Number, error) {
	rows, err := all(func(p portal.Page) ([]contract.Number, error) { return tx.ListNumbers(site, f, p) }, numberKey)
	if err != nil || search == "" {
		return rows, err
	}
	match := searchMatcher(search)
	kept := rows[:0]
	for _, n := range rows {
		if match(n) {
			kept = append(kept, n)
		}
	}
	return kept, nil
}

// searchMatcher reads the search box: something spelled like a phone number
// ("312 555-0150", "0150") matches the numbers that contain its digits;
// anything else matches the holder's name or ID, ignoring case.
func searchMatcher(search string) func(contract.Number) bool {
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case strings.ContainsRune("+-(). ", r):
			return -1
		}
		return 'x'
	}, search)
	if digits != "" && !strings.ContainsRune(digits, 'x') {
		return func(n contract.Number) bool { return strings.Contains(n.Number, digits) }
	}
	lower := strings.ToLower(search)
	return func(n contract.Number) bool {
		return n.AssignedName != "" && strings.Contains(strings.ToLower(n.AssignedName), lower) || n.AssignedID == search
	}
}

// heldNumbers maps each phone's or service's ID to the numbers it holds.
func heldNumbers(tx portal.Tx, site string, holder contract.TargetType) (map[string][]string, error) {
	rows, err := all(func(p portal.Page) ([]contract.Number, error) {
		return tx.ListNumbers(site, contract.NumberFilter{AssignedType: holder}, p)
	}, numberKey)
	held := map[string][]string{}
	for _, n := range rows {
		held[n.AssignedID] = append(held[n.AssignedID], n.Number)
	}
	return held, err
}

// The phone and service listers of portal.Tx are called from here only.

func listPhones(tx portal.Tx, site string) func(portal.Page) ([]contract.Phone, error) {
	return func(p portal.Page) ([]contract.Phone, error) { return tx.Phones().List(site, p) }
}

func listServices(tx portal.Tx, site string) func(portal.Page) ([]contract.Service, error) {
	return func(p portal.Page) ([]contract.Service, error) { return tx.Services().List(site, p) }
}

func listUsers(tx portal.Tx, site string) func(portal.Page) ([]contract.User, error) {
	return func(p portal.Page) ([]contract.User, error) { return tx.ListUsers(site, p) }
}

// targetName names a phone or service for a message: `service "Main"`.
func targetName(tx portal.Tx, site string, t contract.Target) string {
	name := t.ID
	switch t.Type {
	case contract.TargetPhone:
		if ph, err := tx.Phones().Get(site, t.ID); err == nil {
			name = ph.Name
		}
	case contract.TargetService:
		if s, err := tx.Services().Get(site, t.ID); err == nil {
			name = s.Name
		}
	}
	return string(t.Type) + ` "` + name + `"`
}

// targetLabel is how the page names a kind of holder.
func targetLabel(t contract.TargetType) string {
	switch t {
	case contract.TargetUser:
		return "User"
	case contract.TargetPhone:
		return "Phone"
	case contract.TargetService:
		return "Service"
	}
	return ""
}
