package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var _ Tokens = (*tokens)(nil)

type tokens struct{ c *Client }

// Create is sent once, without an Idempotency-Key: the portal does not
// replay token creates (that would mean keeping the secret), so a retry after
// a lost answer would mint a second token.
func (s *tokens) Create(ctx context.Context, name, site string, admin bool) (contract.Token, string, error) {
	in := struct {
		Name  string `json:"name"`
		Site  string `json:"site,omitempty"`
		Admin bool   `json:"admin"`
	}{name, site, admin}
	out, err := call[struct {
		Token  contract.Token `json:"token"`
		Secret string         `json:"secret"`
	}](ctx, s.c, http.MethodPost, "/v1/tokens", in)
	return out.Token, out.Secret, err
}
