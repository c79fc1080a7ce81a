package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

var _ Services = (*services)(nil)

type services struct{ c *Client }

// Create adds a service; serviceType is one of portal.ServiceTypes.
func (s *services) Create(ctx context.Context, name, serviceType string) (portal.Service, error) {
	in := struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}{name, serviceType}
	return call[portal.Service](ctx, s.c, http.MethodPost, s.c.sitePath("services"), in, idempotencyKey())
}

func (s *services) Read(ctx context.Context, id string) (portal.Service, error) {
	return call[portal.Service](ctx, s.c, http.MethodGet, s.c.sitePath("services", id), nil)
}

func (s *services) FindByName(ctx context.Context, name string) (portal.Service, error) {
	return findOne[portal.Service](ctx, s.c, s.c.sitePath("services"), "service", "name", name)
}

func (s *services) List(ctx context.Context) ([]portal.Service, error) {
	return listAll[portal.Service](ctx, s.c, s.c.sitePath("services"), nil)
}

func (s *services) Delete(ctx context.Context, id string) error {
	_, err := call[struct{}](ctx, s.c, http.MethodDelete, s.c.sitePath("services", id), nil)
	return err
}
