package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

var _ Users = (*users)(nil)

type users struct{ c *Client }

func (s *users) Create(ctx context.Context, in portal.UserInput) (portal.User, error) {
	return call[portal.User](ctx, s.c, http.MethodPost, s.c.sitePath("users"), in, idempotencyKey())
}

func (s *users) Read(ctx context.Context, id string) (portal.User, error) {
	return call[portal.User](ctx, s.c, http.MethodGet, s.c.sitePath("users", id), nil)
}

func (s *users) FindByEmail(ctx context.Context, email string) (portal.User, error) {
	return findOne[portal.User](ctx, s.c, s.c.sitePath("users"), "user", "email", email)
}

func (s *users) FindByNumber(ctx context.Context, number string) (portal.User, error) {
	return findOne[portal.User](ctx, s.c, s.c.sitePath("users"), "user", "phone_number", number)
}

func (s *users) List(ctx context.Context) ([]portal.User, error) {
	return listAll[portal.User](ctx, s.c, s.c.sitePath("users"), nil)
}

func (s *users) Update(ctx context.Context, id string, in portal.UserInput, version int64) (portal.User, error) {
	return call[portal.User](ctx, s.c, http.MethodPatch, s.c.sitePath("users", id), in, ifMatch(version))
}

func (s *users) Delete(ctx context.Context, id string) error {
	_, err := call[struct{}](ctx, s.c, http.MethodDelete, s.c.sitePath("users", id), nil)
	return err
}
