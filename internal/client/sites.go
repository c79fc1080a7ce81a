package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var _ Sites = (*sites)(nil)

type sites struct{ c *Client }

func (s *sites) Read(ctx context.Context) (contract.Site, error) {
	return call[contract.Site](ctx, s.c, http.MethodGet, s.c.sitePath(), nil)
}

// Create adds the site s.ID (admin token), not necessarily the client's own.
func (s *sites) Create(ctx context.Context, site contract.Site) (contract.Site, error) {
	in := struct {
		ID                string `json:"id"`
		Name              string `json:"name,omitempty"`
		StationsPurchased int    `json:"stations_purchased"`
	}{site.ID, site.Name, site.StationsPurchased}
	return call[contract.Site](ctx, s.c, http.MethodPost, "/v1/sites", in, idempotencyKey())
}

// SetStationsPurchased is a PATCH without If-Match. It sets the count, so a
// replay after a lost answer (retry.go) leaves the same site.
func (s *sites) SetStationsPurchased(ctx context.Context, total int) (contract.Site, error) {
	in := struct {
		StationsPurchased int `json:"stations_purchased"`
	}{total}
	return call[contract.Site](ctx, s.c, http.MethodPatch, s.c.sitePath(), in, idempotencyKey())
}
