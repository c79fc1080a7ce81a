package client

import (
	"context"
	"net/http"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var (
	_ Phones   = (*targets[contract.Phone, contract.PhoneInput])(nil)
	_ Services = (*targets[contract.Service, contract.ServiceInput])(nil)
)

// targets is the Phones or the Services area: the API serves both kinds in
// one shape, under their own path segment.
type targets[T, In any] struct {
	c       *Client
	segment string // "phones" or "services"
	kind    string // for not-found messages: "phone", "service"
}

func (s *targets[T, In]) Create(ctx context.Context, in In) (T, error) {
	return create[T](ctx, s.c, s.c.sitePath(s.segment), in)
}

func (s *targets[T, In]) EarlierCreate(ctx context.Context, in In) (string, error) {
	return s.c.earlierCreate(ctx, s.c.sitePath(s.segment), in)
}

func (s *targets[T, In]) Read(ctx context.Context, id string) (T, error) {
	return call[T](ctx, s.c, http.MethodGet, s.c.sitePath(s.segment, id), nil)
}

func (s *targets[T, In]) FindByName(ctx context.Context, name string) (T, error) {
	return findOne[T](ctx, s.c, s.c.sitePath(s.segment), s.kind, "name", name)
}

func (s *targets[T, In]) List(ctx context.Context) ([]T, error) {
	return listAll[T](ctx, s.c, s.c.sitePath(s.segment), nil)
}

func (s *targets[T, In]) Update(ctx context.Context, id string, in In, version int64) (T, error) {
	return call[T](ctx, s.c, http.MethodPatch, s.c.sitePath(s.segment, id), in, ifMatch(version), idempotencyKey())
}

func (s *targets[T, In]) Delete(ctx context.Context, id string) error {
	_, err := call[struct{}](ctx, s.c, http.MethodDelete, s.c.sitePath(s.segment, id), nil, idempotencyKey())
	return err
}
