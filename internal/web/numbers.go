package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/server"
)

// pageSize is how many rows a list page shows.
const pageSize = 50

// The Numbers page's query: the API's filters, the search box and the
// page's cursor (the last number of the page before).
var numbersParams = []string{"status", "assigned_type", "prefix", "q", "after"}

// numbersQuery keeps only the Numbers page's own parameters of q, so a
// redirect back to the page can go nowhere else.
func numbersQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range numbersParams {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// numbersURL is the Numbers page with q's parameters.
func numbersURL(q url.Values) string {
	if enc := numbersQuery(q).Encode(); enc != "" {
		return "/numbers?" + enc
	}
	return "/numbers"
}

type numbersData struct {
	Status, AssignedType, Prefix, Search string // as entered
	Error                                string // the filters were refused
	Rows                                 []contract.Number
	Total, From, To                      int // Rows are matches From..To of Total
	FirstURL, NextURL                    string
	ExportURL                            string
	Back                                 string // this page, for the forms to return to
}

func (h *handler) numbers(w http.ResponseWriter, r *http.Request, sess *session) {
	q := r.URL.Query()
	d := numbersData{Status: q.Get("status"), AssignedType: q.Get("assigned_type"), Prefix: strings.TrimSpace(q.Get("prefix")),
		Search: strings.TrimSpace(q.Get("q")), Back: numbersURL(q)}
	v := view{Title: "Numbers", Nav: "numbers", Session: sess, Data: &d}
	f, err := server.NumberFilter(q)
	if err != nil {
		d.Error = h.message(r, err)
		h.render(w, r, contract.StatusOf(err), "numbers.html", v)
		return
	}
	var rows []contract.Number
	err = h.store.View(r.Context(), func(tx portal.Tx) (err error) {
		rows, err = matchingNumbers(tx, sess.site, f, d.Search)
		return err
	})
	if err != nil {
		d.Error = h.message(r, err)
		h.render(w, r, contract.StatusOf(err), "numbers.html", v)
		return
	}
	after := q.Get("after")
	start := 0
	for start < len(rows) && after != "" && rows[start].Number <= after {
		start++
	}
	end := min(start+pageSize, len(rows))
	d.Rows, d.Total, d.From, d.To = rows[start:end], len(rows), start+1, end
	filters := numbersQuery(q)
	filters.Del("after")
	if after != "" {
		d.FirstURL = numbersURL(filters)
	}
	if end < len(rows) {
		next := numbersQuery(filters)
		next.Set("after", rows[end-1].Number)
		d.NextURL = numbersURL(next)
	}
	export := url.Values{}
	for _, k := range []string{"status", "assigned_type", "prefix"} {
		if v := filters.Get(k); v != "" {
			export.Set(k, v)
		}
	}
	d.ExportURL = "/export.csv"
	if enc := export.Encode(); enc != "" {
		d.ExportURL += "?" + enc
	}
	h.render(w, r, http.StatusOK, "numbers.html", v)
}

// export serves the API's CSV export of the session's site, with the same
// filters and the same bytes as GET /v1/sites/{site}/numbers/export.csv.
func (h *handler) export(w http.ResponseWriter, r *http.Request, sess *session) {
	f, err := server.NumberFilter(r.URL.Query())
	var file []byte
	if err == nil {
		file, err = server.Export(r.Context(), h.store, sess.site, f)
	}
	if err != nil {
		h.sessions.setFlash(sess, flash{Error: true, Message: "Export failed: " + h.message(r, err)})
		http.Redirect(w, r, numbersURL(r.URL.Query()), http.StatusSeeOther)
		return
	}
	server.WriteExport(w, sess.site, file)
}

type inventoryData struct {
	Inventory contract.Inventory
}

func (h *handler) inventory(w http.ResponseWriter, r *http.Request, sess *session) {
	var inv contract.Inventory
	err := h.store.View(r.Context(), func(tx portal.Tx) (err error) {
		inv, err = portal.GetInventory(tx, sess.site)
		return err
	})
	if err != nil {
		h.fail(w, r, sess, err)
		return
	}
	h.render(w, r, http.StatusOK, "inventory.html", view{Title: "Station inventory", Nav: "numbers", Session: sess,
		Data: inventoryData{Inventory: inv}})
}

// fail shows an error page with the portal's message.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, sess *session, err error) {
	h.render(w, r, contract.StatusOf(err), "error.html", view{Title: "Something went wrong", Session: sess, Data: h.message(r, err)})
}

type assignData struct {
	Number   contract.Number
	Phones   []contract.Phone
	Services []contract.Service
	Back     string
}

// assignForm is the Actions menu's "Assign to a phone or service" and
// "Move" for one number: a choice of every phone and service of the site.
func (h *handler) assignForm(w http.ResponseWriter, r *http.Request, sess *session) {
	var d assignData
	d.Back = returnTo(r.URL.Query().Get("back"), "/numbers")
	err := h.store.View(r.Context(), func(tx portal.Tx) error {
		number, err := contract.NormalizeNumber(r.PathValue("number"), "")
		if err != nil {
			return err
		}
		if d.Number, err = tx.GetNumber(sess.site, number); contract.CodeOf(err) == contract.CodeNotFound {
			return contract.NotInPool(sess.site, number)
		} else if err != nil {
			return err
		}
		if d.Phones, err = all(listPhones(tx, sess.site), phoneKey); err != nil {
			return err
		}
		if d.Services, err = all(listServices(tx, sess.site), serviceKey); err != nil {
			return err
		}
		slices.SortFunc(d.Phones, func(a, b contract.Phone) int { return strings.Compare(phoneName(a), phoneName(b)) })
		slices.SortFunc(d.Services, func(a, b contract.Service) int { return strings.Compare(serviceName(a), serviceName(b)) })
		return nil
	})
	if err != nil {
		h.fail(w, r, sess, err)
		return
	}
	title := "Assign " + d.Number.Number
	if d.Number.Status == contract.StatusAssigned {
		title = "Move " + d.Number.Number
	}
	h.render(w, r, http.StatusOK, "assign.html", view{Title: title, Nav: "numbers", Session: sess, Data: d})
}

// version reads the version a form was made from: the write is refused if
// the object changed since (If-Match). No version means unconditional.
func version(r *http.Request) (int64, error) {
	v := r.PostForm.Get("version")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, contract.Invalid("version", "%q is not a version of this portal", v)
	}
	return n, nil
}

// stationsLeft says what a write did to the inventory, for its message.
func stationsLeft(tx portal.Tx, site string) string {
	inv, err := portal.GetInventory(tx, site)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" Stations: %d available, %d in use, %d total.", inv.Available, inv.InUse, inv.Total)
}

// assign assigns an available number to a phone or service, or moves one
// from another phone or service, with portal.AssignNumber.
func (h *handler) assign(w http.ResponseWriter, r *http.Request, sess *session) {
	back := returnTo(r.PostForm.Get("back"), "/numbers")
	raw := r.PathValue("number")
	kind, id, _ := strings.Cut(r.PostForm.Get("target"), ":")
	t := contract.Target{Type: contract.TargetType(kind), ID: id}
	var msg string
	err := h.store.UpdateSite(r.Context(), sess.site, func(tx portal.Tx) error {
		if t.ID == "" {
			return contract.Invalid("target", "choose a phone or service")
		}
		ifMatch, err := version(r)
		if err != nil {
			return err
		}
		number, err := contract.NormalizeNumber(raw, "")
		if err != nil {
			return err
		}
		before, err := tx.GetNumber(sess.site, number)
		if err != nil && contract.CodeOf(err) != contract.CodeNotFound {
			return err
		}
		n, err := portal.AssignNumber(tx, sess.site, number, t, portal.Condition{IfMatch: ifMatch})
		if err != nil {
			return err
		}
		switch {
		case before.Status == contract.StatusAvailable:
			msg = fmt.Sprintf("Assigned %s to %s: it takes one station.", n.Number, targetName(tx, sess.site, t))
		case before.AssignedType == t.Type && before.AssignedID == t.ID:
			msg = fmt.Sprintf("%s is already assigned to %s: nothing changed.", n.Number, targetName(tx, sess.site, t))
		default:
			msg = fmt.Sprintf("Moved %s from %s to %s: a move takes no station.", n.Number,
				targetName(tx, sess.site, contract.Target{Type: before.AssignedType, ID: before.AssignedID}), targetName(tx, sess.site, t))
		}
		msg += stationsLeft(tx, sess.site)
		return nil
	})
	if err != nil {
		h.sessions.setFlash(sess, flash{Error: true, Message: "Nothing was changed: " + h.message(r, err)})
		http.Redirect(w, r, "/numbers/"+url.PathEscape(raw)+"/assign?back="+url.QueryEscape(back), http.StatusSeeOther)
		return
	}
	h.sessions.setFlash(sess, flash{Message: msg})
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// unassign frees a number held by a phone or service with
// portal.UnassignNumber; a user's number is refused with the portal's word.
func (h *handler) unassign(w http.ResponseWriter, r *http.Request, sess *session) {
	back := returnTo(r.PostForm.Get("back"), "/numbers")
	var msg string
	err := h.store.UpdateSite(r.Context(), sess.site, func(tx portal.Tx) error {
		ifMatch, err := version(r)
		if err != nil {
			return err
		}
		number, err := contract.NormalizeNumber(r.PathValue("number"), "")
		if err != nil {
			return err
		}
		before, err := tx.GetNumber(sess.site, number)
		if err != nil && contract.CodeOf(err) != contract.CodeNotFound {
			return err
		}
		n, err := portal.UnassignNumber(tx, sess.site, number, portal.Condition{IfMatch: ifMatch})
		if err != nil {
			return err
		}
		if before.Status == contract.StatusAvailable {
			msg = n.Number + " was already available: nothing changed."
		} else {
			msg = fmt.Sprintf("Unassigned %s from %s: it is available again and its station is free.", n.Number,
				targetName(tx, sess.site, contract.Target{Type: before.AssignedType, ID: before.AssignedID}))
		}
		msg += stationsLeft(tx, sess.site)
		return nil
	})
	if err != nil {
		h.sessions.setFlash(sess, flash{Error: true, Message: "Nothing was changed: " + h.message(r, err)})
	} else {
		h.sessions.setFlash(sess, flash{Message: msg})
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// returnTo is where a form goes back to: the Numbers page with its filters,
// or the Users page, as the form says; never anywhere else.
func returnTo(back, fallback string) string {
	u, err := url.Parse(back)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	switch u.Path {
	case "/numbers":
		return numbersURL(u.Query())
	case "/users":
		return "/users"
	}
	return fallback
}
