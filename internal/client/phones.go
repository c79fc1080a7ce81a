package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var _ Phones = (*phones)(nil)

type phones struct{ c *Client }

func (s *phones) Create(ctx context.Context, name, model string) (contract.Phone, error) {
	in := struct {
		Name  string `json:"name"`
		Model string `json:"model,omitempty"`
	}{name, model}
	return call[contract.Phone](ctx, s.c, http.MethodPost, s.c.sitePath("phones"), in, idempotencyKey())
}

func (s *phones) Read(ctx context.Context, id string) (contract.Phone, error) {
	return call[contract.Phone](ctx, s.c, http.MethodGet, s.c.sitePath("phones", id), nil)
}

func (s *phones) FindByName(ctx context.Context, name string) (contract.Phone, error) {
	return findOne[contract.Phone](ctx, s.c, s.c.sitePath("phones"), "phone", "name", name)
}

func (s *phones) List(ctx context.Context) ([]contract.Phone, error) {
	return listAll[contract.Phone](ctx, s.c, s.c.sitePath("phones"), nil)
}

func (s *phones) Delete(ctx context.Context, id string) error {
	_, err := call[struct{}](ctx, s.c, http.MethodDelete, s.c.sitePath("phones", id), nil)
	return err
}
