package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var _ Services = (*services)(nil)

type services struct{ c *Client }

// Create adds a service; serviceType is one of contract.ServiceTypes.
func (s *services) Create(ctx context.Context, name, serviceType string) (contract.Service, error) {
	in := struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}{name, serviceType}
	return call[contract.Service](ctx, s.c, http.MethodPost, s.c.sitePath("services"), in, idempotencyKey())
}

func (s *services) Read(ctx context.Context, id string) (contract.Service, error) {
	return call[contract.Service](ctx, s.c, http.MethodGet, s.c.sitePath("services", id), nil)
}

func (s *services) FindByName(ctx context.Context, name string) (contract.Service, error) {
	return findOne[contract.Service](ctx, s.c, s.c.sitePath("services"), "service", "name", name)
}

func (s *services) List(ctx context.Context) ([]contract.Service, error) {
	return listAll[contract.Service](ctx, s.c, s.c.sitePath("services"), nil)
}

func (s *services) Delete(ctx context.Context, id string) error {
	_, err := call[struct{}](ctx, s.c, http.MethodDelete, s.c.sitePath("services", id), nil)
	return err
}
