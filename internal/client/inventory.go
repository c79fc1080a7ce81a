package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

var _ Inventory = (*inventory)(nil)

type inventory struct{ c *Client }

func (s *inventory) Read(ctx context.Context) (portal.Inventory, error) {
	return call[portal.Inventory](ctx, s.c, http.MethodGet, s.c.sitePath("inventory"), nil)
}
