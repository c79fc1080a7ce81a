package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

var _ Phones = (*phones)(nil)

type phones struct{ c *Client }

func (s *phones) Create(ctx context.Context, name, model string) (portal.Phone, error) {
	in := struct {
		Name  string `json:"name"`
		Model string `json:"model,omitempty"`
	}{name, model}
	return call[portal.Phone](ctx, s.c, http.MethodPost, s.c.sitePath("phones"), in, idempotencyKey())
}

func (s *phones) Read(ctx context.Context, id string) (portal.Phone, error) {
	return call[portal.Phone](ctx, s.c, http.MethodGet, s.c.sitePath("phones", id), nil)
}

func (s *phones) FindByName(ctx context.Context, name string) (portal.Phone, error) {
	return findOne[portal.Phone](ctx, s.c, s.c.sitePath("phones"), "phone", "name", name)
}

func (s *phones) List(ctx context.Context) ([]portal.Phone, error) {
	return listAll[portal.Phone](ctx, s.c, s.c.sitePath("phones"), nil)
}

func (s *phones) Delete(ctx context.Context, id string) error {
	_, err := call[struct{}](ctx, s.c, http.MethodDelete, s.c.sitePath("phones", id), nil)
	return err
}
