package client

import (
	"context"
	"net/url"
	"sync"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// A View reads a site's users, phones, services and numbers from one paged
// list of each, fetched on the first read and shared by concurrent readers:
// refreshing N objects then costs N/1000 pages, not N requests. A write that
// this client makes drops the lists it may have changed, so they are fetched
// again on the next read. An object missing from its list is read directly,
// so one created since still reads, and one deleted still reads as gone.
type View struct {
	c     *Client
	mu    sync.Mutex
	lists map[string]*viewList // by path and query
}

// viewList is one list as fetched once: loaded is closed when items or err
// is set.
type viewList struct {
	loaded  chan struct{}
	written uint64 // the client's write count for the list's area when fetched
	items   any    // map[string]T by ID or number
	err     error
}

// NewView starts an empty view of c's site.
func (c *Client) NewView() *View { return &View{c: c, lists: map[string]*viewList{}} }

func (v *View) User(ctx context.Context, id string) (contract.User, error) {
	return viewRead(ctx, v, "users", nil, func(u contract.User) string { return u.ID }, id, v.c.Users.Read)
}

func (v *View) Phone(ctx context.Context, id string) (contract.Phone, error) {
	return viewRead(ctx, v, "phones", nil, func(p contract.Phone) string { return p.ID }, id, v.c.Phones.Read)
}

func (v *View) Service(ctx context.Context, id string) (contract.Service, error) {
	return viewRead(ctx, v, "services", nil, func(s contract.Service) string { return s.ID }, id, v.c.Services.Read)
}

// Number reads a number, in canonical E.164, from the list of the numbers
// that heldBy holds (all numbers when heldBy is ""): a number held
// elsewhere since is read directly.
func (v *View) Number(ctx context.Context, number string, heldBy contract.TargetType) (contract.Number, error) {
	q := url.Values{}
	if heldBy != "" {
		q.Set("assigned_type", string(heldBy))
	}
	return viewRead(ctx, v, "numbers", q, func(n contract.Number) string { return n.Number }, number, v.c.Numbers.Read)
}

// viewRead is the object with key id from the area's list for q, or read's
// answer when the list does not hold it.
func viewRead[T any](ctx context.Context, v *View, area string, q url.Values, key func(T) string, id string,
	read func(context.Context, string) (T, error)) (T, error) {
	var zero T
	l, fetch := v.list(area, q)
	if fetch {
		all, err := listAll[T](ctx, v.c, v.c.sitePath(area), q)
		byKey := make(map[string]T, len(all))
		for _, it := range all {
			byKey[key(it)] = it
		}
		l.items, l.err = byKey, err
		close(l.loaded)
	}
	select {
	case <-l.loaded:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	if l.err != nil {
		return zero, l.err
	}
	if it, ok := l.items.(map[string]T)[id]; ok {
		return it, nil
	}
	return read(ctx, id)
}

// list returns the area's list for q, and whether the caller must fetch it:
// when it is new, its fetch failed, or the client wrote to the area since.
// Other callers wait for loaded.
func (v *View) list(area string, q url.Values) (l *viewList, fetch bool) {
	k := area + "?" + q.Encode()
	written := v.c.writes(area)
	v.mu.Lock()
	defer v.mu.Unlock()
	if l := v.lists[k]; l != nil && l.written == written && !failed(l) {
		return l, false
	}
	l = &viewList{loaded: make(chan struct{}), written: written}
	v.lists[k] = l
	return l, true
}

// failed says whether l was fetched and the fetch failed, so that the next
// reader tries again.
func failed(l *viewList) bool {
	select {
	case <-l.loaded:
		return l.err != nil
	default:
		return false
	}
}
