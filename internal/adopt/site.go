// Package adopt reads a live site through the API and writes what a team
// needs to adopt it: a Terraform configuration with import blocks (Export)
// and a seed file for a local replica of the site (Snapshot). Both only
// read the portal.
package adopt

import (
	"context"
	"fmt"
	"io"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// Site is everything of one site that a configuration or a seed describes.
type Site struct {
	Site     contract.Site
	Phones   []contract.Phone
	Services []contract.Service
	Users    []contract.User
	Numbers  []contract.Number
}

// Read lists c's site, one paged list per kind, with a progress line per
// kind on progress. The lists are not one snapshot of the portal: the
// numbers are read last, and a number whose holder was created after its
// kind was listed is left out by the writers (holder reports it).
func Read(ctx context.Context, c *client.Client, progress io.Writer) (Site, error) {
	var s Site
	var err error
	step := func(what string, list func() (int, error)) {
		if err != nil {
			return
		}
		fmt.Fprintf(progress, "reading %s...", what)
		var n int
		if n, err = list(); err == nil {
			fmt.Fprintf(progress, " %d\n", n)
		} else {
			fmt.Fprintln(progress, " failed")
		}
	}
	step("the site", func() (_ int, err error) { s.Site, err = c.Sites.Read(ctx); return 1, err })
	step("phones", func() (_ int, err error) { s.Phones, err = c.Phones.List(ctx); return len(s.Phones), err })
	step("services", func() (_ int, err error) { s.Services, err = c.Services.List(ctx); return len(s.Services), err })
	step("users", func() (_ int, err error) { s.Users, err = c.Users.List(ctx); return len(s.Users), err })
	step("numbers", func() (_ int, err error) {
		s.Numbers, err = c.Numbers.List(ctx, contract.NumberFilter{})
		return len(s.Numbers), err
	})
	return s, err
}

// holders indexes the site's phones and services by ID.
type holders struct {
	phones   map[string]contract.Phone
	services map[string]contract.Service
}

func (s Site) holders() holders {
	h := holders{phones: map[string]contract.Phone{}, services: map[string]contract.Service{}}
	for _, p := range s.Phones {
		h.phones[p.ID] = p
	}
	for _, v := range s.Services {
		h.services[v.ID] = v
	}
	return h
}

// known says whether n's holder was listed; a number on a phone or service
// that was created after the lists were read is not.
func (h holders) known(n contract.Number) bool {
	switch n.AssignedType {
	case contract.TargetPhone:
		_, ok := h.phones[n.AssignedID]
		return ok
	case contract.TargetService:
		_, ok := h.services[n.AssignedID]
		return ok
	}
	return true
}
