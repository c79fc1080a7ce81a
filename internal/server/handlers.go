package server

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/server/replay"
)

// Handlers decode the request, call one portal rule (or store read) and let
// view, change, create or remove answer. The rules live in package portal.

func (c *call) sitePath(parts ...string) string {
	p := "/v1/sites/" + url.PathEscape(c.site)
	for _, part := range parts {
		p += "/" + url.PathEscape(part)
	}
	return p
}

func (s *server) healthz(c *call) error {
	c.send(reply{status: http.StatusOK, body: []byte(`{"status":"ok"}` + "\n")}, false)
	return nil
}

// Sites and tokens.

func (s *server) createSite(c *call) error {
	var in struct {
		ID                string `json:"id"`
		Name              string `json:"name"`
		StationsPurchased int    `json:"stations_purchased"`
	}
	if err := c.decode(&in); err != nil {
		return err
	}
	return create(s, c, func(tx portal.Tx) (contract.Site, error) {
		return portal.CreateSite(tx, contract.Site{ID: in.ID, Name: in.Name, StationsPurchased: in.StationsPurchased})
	}, func(site contract.Site) string { return "/v1/sites/" + url.PathEscape(site.ID) })
}

func (s *server) listSites(c *call) error {
	p, err := c.page()
	if err != nil {
		return err
	}
	return view(s, c, func(tx portal.Tx) (list[contract.Site], error) {
		sites, err := tx.ListSites()
		if err != nil {
			return list[contract.Site]{}, err
		}
		// Sites are few: page them here rather than in the store.
		slices.SortFunc(sites, func(a, b contract.Site) int { return cmp.Compare(a.ID, b.ID) })
		rows := slices.DeleteFunc(sites, func(s contract.Site) bool { return s.ID <= p.After })
		rows = rows[:min(len(rows), p.Limit+1)]
		return pageOf(rows, p, func(s contract.Site) string { return s.ID }), nil
	})
}

func (s *server) getSite(c *call) error {
	return view(s, c, func(tx portal.Tx) (contract.Site, error) { return tx.GetSite(c.site) })
}

func (s *server) patchSite(c *call) error {
	var in struct {
		StationsPurchased *int `json:"stations_purchased"`
	}
	if err := c.decode(&in); err != nil {
		return err
	}
	if in.StationsPurchased == nil {
		return contract.Invalid("stations_purchased", "is required")
	}
	cond, err := c.condition(false)
	if err != nil {
		return err
	}
	return change(s, c, func(tx portal.Tx) (contract.Site, error) {
		return portal.SetStationsPurchased(tx, c.site, *in.StationsPurchased, cond)
	})
}

type issuedToken struct {
	Token  contract.Token `json:"token"`
	Secret string         `json:"secret"`
}

func (s *server) createToken(c *call) error {
	var in struct {
		Name  string `json:"name"`
		Site  string `json:"site"`
		Admin bool   `json:"admin"`
	}
	if err := c.decode(&in); err != nil {
		return err
	}
	// The secret is in this one response only: keep it out of caches.
	c.w.Header().Set("Cache-Control", "no-store")
	return create(s, c, func(tx portal.Tx) (issuedToken, error) {
		tok, secret, err := portal.IssueToken(tx, in.Name, in.Site, in.Admin, "")
		return issuedToken{tok, secret}, err
	}, func(issuedToken) string { return "" })
}

func (s *server) getInventory(c *call) error {
	return view(s, c, func(tx portal.Tx) (contract.Inventory, error) { return portal.GetInventory(tx, c.site) })
}

// getEarlierCreate answers what a create of this site, sent by the calling
// token with this Idempotency-Key, made, while that object exists and the
// key would be replayed: a record of another token, of another site,
// expired, or of an object since deleted is 404, as a key never sent.
func (s *server) getEarlierCreate(c *call) error {
	key := c.r.PathValue("key")
	return view(s, c, func(tx portal.Tx) (contract.EarlierCreate, error) {
		gone := contract.NotFound("create with Idempotency-Key", key)
		records, ok := tx.(replay.Tx)
		if !ok {
			return contract.EarlierCreate{}, gone
		}
		rec, err := records.GetIdempotency(c.tok.ID, key)
		if err != nil {
			if contract.CodeOf(err) == contract.CodeNotFound {
				err = gone
			}
			return contract.EarlierCreate{}, err
		}
		if rec.CreatedAt.Before(s.idempotencyCutoff()) || rec.Location == "" || !strings.HasPrefix(rec.Location, c.sitePath()+"/") {
			return contract.EarlierCreate{}, gone
		}
		if live, err := createdExists(tx, rec.Location); err != nil || !live {
			return contract.EarlierCreate{}, cmp.Or(err, error(gone))
		}
		return contract.EarlierCreate{Key: rec.Key, Status: rec.Status, Location: rec.Location, CreatedAt: rec.CreatedAt}, nil
	})
}

// Numbers.

// maxAddNumbers bounds one request, so a typo in a range cannot add a
// million numbers.
const maxAddNumbers = 10000

func (s *server) addNumbers(c *call) error {
	var in struct {
		Numbers []string               `json:"numbers"`
		Ranges  []contract.NumberRange `json:"ranges"`
	}
	if err := c.decode(&in); err != nil {
		return err
	}
	numbers := in.Numbers
	for i, r := range in.Ranges {
		field := "ranges[" + strconv.Itoa(i) + "]"
		expanded, err := contract.ExpandRange(field, r.From, r.To, maxAddNumbers)
		if err != nil {
			return err
		}
		if numbers = append(numbers, expanded...); len(numbers) > maxAddNumbers {
			return contract.Invalid(field, "adds more than %d numbers in one request", maxAddNumbers)
		}
	}
	switch {
	case len(numbers) == 0:
		return contract.Invalid("numbers", "give at least one number or range")
	case len(numbers) > maxAddNumbers:
		return contract.Invalid("numbers", "adds more than %d numbers in one request", maxAddNumbers)
	}
	return create(s, c, func(tx portal.Tx) (list[contract.Number], error) {
		added, err := portal.AddNumbers(tx, c.site, numbers)
		return list[contract.Number]{Items: added}, err
	}, func(list[contract.Number]) string { return c.sitePath("numbers") })
}

// NumberFilter reads the filters of the numbers list and export (status,
// assigned_type, assigned_id, prefix), with the API's validation messages;
// the web page reads its filters with it too.
func NumberFilter(q url.Values) (contract.NumberFilter, error) {
	f := contract.NumberFilter{
		Status:       contract.NumberStatus(q.Get("status")),
		AssignedType: contract.TargetType(q.Get("assigned_type")),
		AssignedID:   q.Get("assigned_id"),
		Prefix:       plusInQuery(q.Get("prefix")),
	}
	switch f.Status {
	case "", contract.StatusAvailable, contract.StatusAssigned:
	default:
		return f, contract.Invalid("status", "%q must be available or assigned", f.Status)
	}
	switch f.AssignedType {
	case "", contract.TargetUser, contract.TargetPhone, contract.TargetService:
	default:
		return f, contract.Invalid("assigned_type", "%q must be user, phone or service", f.AssignedType)
	}
	if f.Prefix != "" {
		if !strings.HasPrefix(f.Prefix, "+") {
			f.Prefix = "+" + f.Prefix
		}
		if err := contract.ValidatePrefix(f.Prefix); err != nil {
			return f, err
		}
	}
	return f, nil
}

// plusInQuery restores the "+" of a number that a caller put in a query
// string unescaped, where form decoding turned it into a space.
func plusInQuery(v string) string {
	if trimmed := strings.TrimLeft(v, " "); trimmed != v && trimmed != "" {
		return "+" + trimmed
	}
	return v
}

func (s *server) listNumbers(c *call) error {
	return numberPage(s, c, portal.Tx.ListNumbers, func(n contract.Number) string { return n.Number })
}

// listNumberRanges answers with the numbers that match the filters folded
// into runs of consecutive numbers, a page of up to limit runs, none cut.
func (s *server) listNumberRanges(c *call) error {
	return numberPage(s, c, portal.Tx.NumberRuns, func(r contract.NumberRange) string { return r.To })
}

// numberPage answers one page of a list of the site's numbers: read is the
// store's list for the filters, key the cursor's key of an item.
func numberPage[T any](s *server, c *call, read func(portal.Tx, string, contract.NumberFilter, portal.Page) ([]T, error), key func(T) string) error {
	p, err := c.page()
	if err != nil {
		return err
	}
	f, err := NumberFilter(c.r.URL.Query())
	if err != nil {
		return err
	}
	return view(s, c, func(tx portal.Tx) (list[T], error) {
		items, err := read(tx, c.site, f, fetch(p))
		return pageOf(items, p, key), err
	})
}

// exportNumbers answers with the CSV export of every number that matches
// the filters (see Export).
func (s *server) exportNumbers(c *call) error {
	f, err := NumberFilter(c.r.URL.Query())
	if err != nil {
		return err
	}
	file, err := Export(c.r.Context(), s.store, c.site, f)
	if err != nil {
		return err
	}
	WriteExport(c.w, c.site, file)
	return nil
}

func (s *server) getNumber(c *call) error {
	number, err := contract.NormalizeNumber(c.r.PathValue("number"), "")
	if err != nil {
		return err
	}
	return view(s, c, func(tx portal.Tx) (contract.Number, error) {
		n, err := tx.GetNumber(c.site, number)
		if contract.CodeOf(err) == contract.CodeNotFound {
			return n, contract.NotInPool(c.site, number)
		}
		return n, err
	})
}

func (s *server) assignNumber(c *call) error {
	var t contract.Target
	if err := c.decode(&t); err != nil {
		return err
	}
	cond, err := c.condition(true)
	if err != nil {
		return err
	}
	return change(s, c, func(tx portal.Tx) (contract.Number, error) {
		return portal.AssignNumber(tx, c.site, c.r.PathValue("number"), t, cond)
	})
}

func (s *server) unassignNumber(c *call) error {
	cond, err := c.condition(false)
	if err != nil {
		return err
	}
	return change(s, c, func(tx portal.Tx) (contract.Number, error) {
		return portal.UnassignNumber(tx, c.site, c.r.PathValue("number"), cond)
	})
}

// Users.

func (s *server) createUser(c *call) error {
	var in contract.UserInput
	if err := c.decode(&in); err != nil {
		return err
	}
	return create(s, c, func(tx portal.Tx) (contract.User, error) {
		return portal.CreateUser(tx, c.site, in)
	}, func(u contract.User) string { return c.sitePath("users", u.ID) })
}

func (s *server) listUsers(c *call) error {
	p, err := c.page()
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	email, number := q.Get("email"), plusInQuery(q.Get("phone_number"))
	if number != "" {
		if number, err = contract.NormalizeNumber(number, ""); err != nil {
			return contract.Invalid("phone_number", "%q is not a phone number in E.164", q.Get("phone_number"))
		}
	}
	return view(s, c, func(tx portal.Tx) (list[contract.User], error) {
		switch {
		case email != "":
			u, err := tx.FindUser(c.site, "email", email)
			if err == nil && number != "" && u.PhoneNumber != number {
				return list[contract.User]{Items: []contract.User{}}, nil
			}
			return found(u, err)
		case number != "":
			return found(tx.FindUser(c.site, "phone_number", number))
		}
		rows, err := tx.ListUsers(c.site, fetch(p))
		return pageOf(rows, p, func(u contract.User) string { return u.ID }), err
	})
}

func (s *server) getUser(c *call) error {
	id := c.r.PathValue("id")
	return view(s, c, func(tx portal.Tx) (contract.User, error) { return tx.GetUser(c.site, id) })
}

func (s *server) updateUser(c *call) error {
	var in contract.UserInput
	if err := c.decode(&in); err != nil {
		return err
	}
	cond, err := c.condition(false)
	if err != nil {
		return err
	}
	id := c.r.PathValue("id")
	return change(s, c, func(tx portal.Tx) (contract.User, error) {
		return portal.UpdateUser(tx, c.site, id, in, cond)
	})
}

func (s *server) deleteUser(c *call) error {
	cond, err := c.condition(false)
	if err != nil {
		return err
	}
	id := c.r.PathValue("id")
	return remove(s, c, func(tx portal.Tx) error {
		return portal.DeleteUser(tx, c.site, id, cond)
	})
}

// Phones and services: one set of handlers serves both.

// targetAPI is what the phone and service handlers need to know of a kind.
type targetAPI[T, In any] struct {
	typ     contract.TargetType
	segment string // of the path: "phones"
	table   func(portal.Tx) portal.Targets[T]
	create  func(tx portal.Tx, site string, in In) (T, error)
	update  func(tx portal.Tx, site, id string, in In, c portal.Condition) (T, error)
	idOf    func(T) string
}

var phoneAPI = targetAPI[contract.Phone, contract.PhoneInput]{
	typ: contract.TargetPhone, segment: "phones",
	table:  func(tx portal.Tx) portal.Targets[contract.Phone] { return tx.Phones() },
	create: portal.CreatePhone, update: portal.UpdatePhone,
	idOf: func(ph contract.Phone) string { return ph.ID },
}

var serviceAPI = targetAPI[contract.Service, contract.ServiceInput]{
	typ: contract.TargetService, segment: "services",
	table:  func(tx portal.Tx) portal.Targets[contract.Service] { return tx.Services() },
	create: portal.CreateService, update: portal.UpdateService,
	idOf: func(svc contract.Service) string { return svc.ID },
}

func (k targetAPI[T, In]) createOne(s *server, c *call) error {
	var in In
	if err := c.decode(&in); err != nil {
		return err
	}
	return create(s, c, func(tx portal.Tx) (T, error) {
		return k.create(tx, c.site, in)
	}, func(v T) string { return c.sitePath(k.segment, k.idOf(v)) })
}

func (k targetAPI[T, In]) list(s *server, c *call) error {
	p, err := c.page()
	if err != nil {
		return err
	}
	name := c.r.URL.Query().Get("name")
	return view(s, c, func(tx portal.Tx) (list[T], error) {
		if name != "" {
			return found(k.table(tx).Find(c.site, "name", name))
		}
		rows, err := k.table(tx).List(c.site, fetch(p))
		return pageOf(rows, p, k.idOf), err
	})
}

func (k targetAPI[T, In]) get(s *server, c *call) error {
	return view(s, c, func(tx portal.Tx) (T, error) {
		return k.table(tx).Get(c.site, c.r.PathValue("id"))
	})
}

func (k targetAPI[T, In]) patch(s *server, c *call) error {
	var in In
	if err := c.decode(&in); err != nil {
		return err
	}
	cond, err := c.condition(false)
	if err != nil {
		return err
	}
	return change(s, c, func(tx portal.Tx) (T, error) {
		return k.update(tx, c.site, c.r.PathValue("id"), in, cond)
	})
}

// remove deletes a phone or service; one that is gone is a 404.
func (k targetAPI[T, In]) remove(s *server, c *call) error {
	return remove(s, c, func(tx portal.Tx) error {
		return portal.DeleteTarget(tx, c.site, contract.Target{Type: k.typ, ID: c.r.PathValue("id")})
	})
}
