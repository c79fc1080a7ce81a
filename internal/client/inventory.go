package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var _ Inventory = (*inventory)(nil)

type inventory struct{ c *Client }

func (s *inventory) Read(ctx context.Context) (contract.Inventory, error) {
	return call[contract.Inventory](ctx, s.c, http.MethodGet, s.c.sitePath("inventory"), nil)
}
