package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var _ Users = (*users)(nil)

type users struct{ c *Client }

func (s *users) Create(ctx context.Context, in contract.UserInput) (contract.User, error) {
	return create[contract.User](ctx, s.c, s.c.sitePath("users"), in)
}

func (s *users) EarlierCreate(ctx context.Context, in contract.UserInput) (string, error) {
	return s.c.earlierCreate(ctx, s.c.sitePath("users"), in)
}

func (s *users) Read(ctx context.Context, id string) (contract.User, error) {
	return call[contract.User](ctx, s.c, http.MethodGet, s.c.sitePath("users", id), nil)
}

func (s *users) FindByEmail(ctx context.Context, email string) (contract.User, error) {
	return findOne[contract.User](ctx, s.c, s.c.sitePath("users"), "user", "email", email)
}

func (s *users) FindByNumber(ctx context.Context, number string) (contract.User, error) {
	return findOne[contract.User](ctx, s.c, s.c.sitePath("users"), "user", "phone_number", number)
}

func (s *users) List(ctx context.Context) ([]contract.User, error) {
	return listAll[contract.User](ctx, s.c, s.c.sitePath("users"), nil)
}

func (s *users) Update(ctx context.Context, id string, in contract.UserInput, version int64) (contract.User, error) {
	return call[contract.User](ctx, s.c, http.MethodPatch, s.c.sitePath("users", id), in, ifMatch(version), idempotencyKey())
}

func (s *users) Delete(ctx context.Context, id string) error {
	_, err := call[struct{}](ctx, s.c, http.MethodDelete, s.c.sitePath("users", id), nil, idempotencyKey())
	return err
}
