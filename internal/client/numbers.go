package client

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var _ Numbers = (*numbers)(nil)

type numbers struct{ c *Client }

// Read accepts any spelling of the number; the portal normalises it.
func (s *numbers) Read(ctx context.Context, number string) (contract.Number, error) {
	return call[contract.Number](ctx, s.c, http.MethodGet, s.c.sitePath("numbers", number), nil)
}

func (s *numbers) List(ctx context.Context, f contract.NumberFilter) ([]contract.Number, error) {
	return listAll[contract.Number](ctx, s.c, s.c.sitePath("numbers"), numberQuery(f))
}

func (s *numbers) Ranges(ctx context.Context, f contract.NumberFilter) ([]contract.NumberRange, error) {
	return listAll[contract.NumberRange](ctx, s.c, s.c.sitePath("numbers", "ranges"), numberQuery(f))
}

func (s *numbers) Assign(ctx context.Context, number string, t contract.Target, onlyIfAvailable bool) (contract.Number, error) {
	return call[contract.Number](ctx, s.c, http.MethodPut, s.c.sitePath("numbers", number, "assignment"), t,
		ifNoneMatchAny(onlyIfAvailable), idempotencyKey())
}

func (s *numbers) Unassign(ctx context.Context, number string, version int64) (contract.Number, error) {
	return call[contract.Number](ctx, s.c, http.MethodDelete, s.c.sitePath("numbers", number, "assignment"), nil,
		ifMatch(version), idempotencyKey())
}

// Export copies the portal's CSV to w byte for byte. If the connection breaks
// mid-file, w holds a partial export and the error says so.
func (s *numbers) Export(ctx context.Context, f contract.NumberFilter, w io.Writer) error {
	req, err := s.c.newRequest(ctx, http.MethodGet, s.c.sitePath("numbers", "export.csv"), numberQuery(f), nil, accept("text/csv"))
	if err != nil {
		return err
	}
	return s.c.do(req, w)
}

func (s *numbers) Add(ctx context.Context, numbers []string) ([]contract.Number, error) {
	in := struct {
		Numbers []string `json:"numbers"`
	}{numbers}
	out, err := call[struct {
		Items []contract.Number `json:"items"`
	}](ctx, s.c, http.MethodPost, s.c.sitePath("numbers"), in, idempotencyKey())
	return out.Items, err
}

func numberQuery(f contract.NumberFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"status": string(f.Status), "assigned_type": string(f.AssignedType), "assigned_id": f.AssignedID, "prefix": f.Prefix} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}
