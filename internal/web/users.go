package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

type listData[T any] struct {
	Rows              []T
	Total, From, To   int                 // Rows are From..To of Total
	Held              map[string][]string // phones and services: the numbers each holds
	FirstURL, NextURL string
	PrevURL           string
}

// listPage reads every row of a list, sorts it by name and keeps the page
// that the query's "page" asks for (1 by default).
func listPage[T any](r *http.Request, path string, list func(portal.Page) ([]T, error), key, name func(T) string) (listData[T], error) {
	rows, err := all(list, key)
	if err != nil {
		return listData[T]{}, err
	}
	slices.SortStableFunc(rows, func(a, b T) int { return strings.Compare(strings.ToLower(name(a)), strings.ToLower(name(b))) })
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		n = 1
	}
	start := min((n-1)*pageSize, len(rows))
	end := min(start+pageSize, len(rows))
	d := listData[T]{Rows: rows[start:end], Total: len(rows), From: start + 1, To: end}
	if n > 1 {
		d.FirstURL = path
		d.PrevURL = path + "?page=" + strconv.Itoa(n-1)
	}
	if end < len(rows) {
		d.NextURL = path + "?page=" + strconv.Itoa(n+1)
	}
	return d, nil
}

func userKey(u contract.User) string        { return u.ID }
func userName(u contract.User) string       { return u.LastName + " " + u.FirstName + " " + u.Email }
func phoneName(ph contract.Phone) string    { return ph.Name }
func serviceName(s contract.Service) string { return s.Name }

func (h *handler) users(w http.ResponseWriter, r *http.Request, sess *session) {
	var d listData[contract.User]
	err := h.store.View(r.Context(), func(tx portal.Tx) (err error) {
		d, err = listPage(r, "/users", listUsers(tx, sess.site), userKey, userName)
		return err
	})
	if err != nil {
		h.fail(w, r, sess, err)
		return
	}
	h.render(w, r, http.StatusOK, "users.html", view{Title: "Users", Nav: "users", Session: sess, Data: d})
}

// targetsPage is the phones or the services page: one template and one
// handler serve both, told by this what differs.
type targetsPage struct {
	kind                        contract.TargetType
	Title, Plural, Hint, Detail string // the heading, the path's word, its hint, the heading of the kind's own column
	rows                        func(tx portal.Tx, site string) func(portal.Page) ([]targetRow, error)
}

// targetRow is one phone or service as its page shows it; Detail is a
// phone's model or a service's type.
type targetRow struct{ ID, Name, Detail string }

// targetsData is what the targets page template reads.
type targetsData struct {
	listData[targetRow]
	Page targetsPage
}

var (
	phonesPage = targetsPage{kind: contract.TargetPhone, Title: "Phones", Plural: "phones", Detail: "Model",
		Hint: "Desk phones and other devices. Assign a number to one from the Numbers page's Actions menu.",
		rows: func(tx portal.Tx, site string) func(portal.Page) ([]targetRow, error) {
			return rowsOf(listPhones(tx, site), func(ph contract.Phone) targetRow { return targetRow{ph.ID, ph.Name, ph.Model} })
		}}
	servicesPage = targetsPage{kind: contract.TargetService, Title: "Services", Plural: "services", Detail: "Type",
		Hint: "Auto attendants, hunt groups, call queues and the like. Assign a number to one from the Numbers page's Actions menu.",
		rows: func(tx portal.Tx, site string) func(portal.Page) ([]targetRow, error) {
			return rowsOf(listServices(tx, site), func(s contract.Service) targetRow { return targetRow{s.ID, s.Name, s.Type} })
		}}
)

// rowsOf pages list as rows.
func rowsOf[T any](list func(portal.Page) ([]T, error), row func(T) targetRow) func(portal.Page) ([]targetRow, error) {
	return func(p portal.Page) ([]targetRow, error) {
		items, err := list(p)
		rows := make([]targetRow, 0, len(items))
		for _, v := range items {
			rows = append(rows, row(v))
		}
		return rows, err
	}
}

// targets serves the phones or the services page.
func (h *handler) targets(page targetsPage) func(http.ResponseWriter, *http.Request, *session) {
	path := "/" + page.Plural
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		d := targetsData{Page: page}
		err := h.store.View(r.Context(), func(tx portal.Tx) (err error) {
			if d.listData, err = listPage(r, path, page.rows(tx, sess.site), rowID, rowName); err != nil {
				return err
			}
			d.Held, err = heldNumbers(tx, sess.site, page.kind)
			return err
		})
		if err != nil {
			h.fail(w, r, sess, err)
			return
		}
		h.render(w, r, http.StatusOK, "targets.html", view{Title: page.Title, Nav: page.Plural, Session: sess, Data: d})
	}
}

func rowID(r targetRow) string   { return r.ID }
func rowName(r targetRow) string { return r.Name }

// userForm is the "Add user" form: a new user gets its number when it is
// set up, so this is also the Actions menu's "Assign to a user".
type userForm struct {
	Email, FirstName, LastName, Extension, PhoneNumber string
	Available                                          []string // numbers to suggest
	Error, Field                                       string   // why the last try failed, and the field at fault
	Back                                               string
}

func (h *handler) newUserForm(w http.ResponseWriter, r *http.Request, sess *session) {
	q := r.URL.Query()
	d := userForm{PhoneNumber: q.Get("phone_number"), Back: q.Get("back")}
	h.showUserForm(w, r, sess, http.StatusOK, d)
}

func (h *handler) showUserForm(w http.ResponseWriter, r *http.Request, sess *session, status int, d userForm) {
	d.Back = returnTo(d.Back, "/users")
	err := h.store.View(r.Context(), func(tx portal.Tx) error {
		rows, err := tx.ListNumbers(sess.site, contract.NumberFilter{Status: contract.StatusAvailable}, portal.Page{Limit: 100})
		for _, n := range rows {
			d.Available = append(d.Available, n.Number)
		}
		return err
	})
	if err != nil {
		h.fail(w, r, sess, err)
		return
	}
	h.render(w, r, status, "user_new.html", view{Title: "Add user", Nav: "users", Session: sess, Data: d})
}

// createUser sets a user up with portal.CreateUser: it takes the number
// and one station, or changes nothing and says why.
func (h *handler) createUser(w http.ResponseWriter, r *http.Request, sess *session) {
	f := r.PostForm
	d := userForm{Email: strings.TrimSpace(f.Get("email")), FirstName: strings.TrimSpace(f.Get("first_name")),
		LastName: strings.TrimSpace(f.Get("last_name")), Extension: strings.TrimSpace(f.Get("extension")),
		PhoneNumber: strings.TrimSpace(f.Get("phone_number")), Back: f.Get("back")}
	in := contract.UserInput{Email: &d.Email, FirstName: &d.FirstName, LastName: &d.LastName, PhoneNumber: &d.PhoneNumber}
	if d.Extension != "" {
		in.Extension = &d.Extension
	}
	var msg string
	err := h.store.UpdateSite(r.Context(), sess.site, func(tx portal.Tx) error {
		u, err := portal.CreateUser(tx, sess.site, in)
		if err != nil {
			return err
		}
		msg = fmt.Sprintf("Created user %s with number %s: it takes one station.", u.DisplayName(), u.PhoneNumber) + stationsLeft(tx, sess.site)
		return nil
	})
	if err != nil {
		d.Error = "The user was not created: " + h.message(r, err)
		var pe *contract.Error
		if errors.As(err, &pe) {
			d.Field, _ = pe.Details["field"].(string)
			if d.Field == "" && pe.Details["number"] != nil {
				d.Field = "phone_number"
			}
		}
		h.showUserForm(w, r, sess, contract.StatusOf(err), d)
		return
	}
	h.sessions.setFlash(sess, flash{Message: msg})
	http.Redirect(w, r, returnTo(d.Back, "/users"), http.StatusSeeOther)
}

type deleteUserData struct {
	User contract.User
	Back string
}

// deleteUserForm asks before a user is deleted: it frees the user's number.
func (h *handler) deleteUserForm(w http.ResponseWriter, r *http.Request, sess *session) {
	d := deleteUserData{Back: returnTo(r.URL.Query().Get("back"), "/users")}
	id := r.PathValue("id")
	err := h.store.View(r.Context(), func(tx portal.Tx) (err error) {
		d.User, err = tx.GetUser(sess.site, id)
		return notFoundAs(err, "user", id)
	})
	if err != nil {
		h.fail(w, r, sess, err)
		return
	}
	h.render(w, r, http.StatusOK, "user_delete.html", view{Title: "Delete user", Nav: "users", Session: sess, Data: d})
}

// deleteUser deletes a user with portal.DeleteUser, which makes its number
// available again.
func (h *handler) deleteUser(w http.ResponseWriter, r *http.Request, sess *session) {
	id := r.PathValue("id")
	back := r.PostForm.Get("back")
	var msg string
	err := h.store.UpdateSite(r.Context(), sess.site, func(tx portal.Tx) error {
		ifMatch, err := version(r)
		if err != nil {
			return err
		}
		u, err := tx.GetUser(sess.site, id)
		if err != nil {
			return notFoundAs(err, "user", id)
		}
		if err := portal.DeleteUser(tx, sess.site, id, portal.Condition{IfMatch: ifMatch}); err != nil {
			return err
		}
		msg = fmt.Sprintf("Deleted user %s: number %s is available again and its station is free.", u.DisplayName(), u.PhoneNumber) +
			stationsLeft(tx, sess.site)
		return nil
	})
	if err != nil {
		h.sessions.setFlash(sess, flash{Error: true, Message: "Nothing was changed: " + h.message(r, err)})
	} else {
		h.sessions.setFlash(sess, flash{Message: msg})
	}
	http.Redirect(w, r, returnTo(back, "/users"), http.StatusSeeOther)
}

// notFoundAs names what was missing, whatever words the store used.
func notFoundAs(err error, kind, id string) error {
	if contract.CodeOf(err) == contract.CodeNotFound {
		return contract.NotFound(kind, id)
	}
	return err
}
