// Package web is the bundled portal's web page: the admin guide's Numbers
// page (a table with an Actions menu per number, Check Station Inventory,
// Export) and list pages of users, phones and services, for a person who
// signs in with a site token. It is server-rendered HTML from templates
// embedded in the binary, with no JavaScript, served beside the API on the
// same port (New routes /v1 to the API).
//
// Every write runs one rule of package portal in one store transaction, as
// the API's handlers do, so a person meets the same rules and the same
// messages as Terraform; the CSV export is the API's own (server.Export).
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/server"
)

//go:embed templates/*.html static/*
var files embed.FS

// Options tune the web page. The zero value is ready to use.
type Options struct {
	Logger *slog.Logger
	// SessionIdle ends a session unused for this long; default 2 h.
	SessionIdle time.Duration
	// SessionMax ends a session this long after sign-in; default 12 h.
	SessionMax time.Duration
	// Clock is the time sessions expire by; default time.Now.
	Clock func() time.Time
}

// contentSecurityPolicy lets pages load only this portal's own style sheet:
// no script runs at all, and forms post only here.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// maxFormBytes bounds a form post: the largest form has a few short fields.
const maxFormBytes = 64 << 10

type handler struct {
	store    portal.Store
	log      *slog.Logger
	sessions *sessions
	pages    map[string]*template.Template
	static   http.Handler
	mux      *http.ServeMux
}

// New returns the portal's handler: paths under /v1 go to api, every other
// path to the web page over store.
func New(store portal.Store, api http.Handler, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = 2 * time.Hour
	}
	if opts.SessionMax <= 0 {
		opts.SessionMax = 12 * time.Hour
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	static, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	h := &handler{
		store:    store,
		log:      opts.Logger,
		sessions: newSessions(opts.SessionIdle, opts.SessionMax, opts.Clock),
		pages:    parsePages(),
		static:   http.StripPrefix("/static/", http.FileServerFS(static)),
		mux:      http.NewServeMux(),
	}
	h.routes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1" || strings.HasPrefix(r.URL.Path, "/v1/") {
			api.ServeHTTP(w, r)
			return
		}
		h.serveHTTP(w, r)
	})
}

func (h *handler) routes() {
	m := h.mux
	m.HandleFunc("GET /static/", h.serveStatic)
	m.HandleFunc("GET /{$}", h.home)
	m.HandleFunc("GET /signin", h.signinForm)
	m.HandleFunc("POST /signin", h.signin)
	m.HandleFunc("POST /signout", h.authed(h.signout))

	m.HandleFunc("GET /numbers", h.authed(h.numbers))
	m.HandleFunc("GET /numbers/{number}/assign", h.authed(h.assignForm))
	m.HandleFunc("POST /numbers/{number}/assign", h.authed(h.assign))
	m.HandleFunc("POST /numbers/{number}/unassign", h.authed(h.unassign))
	m.HandleFunc("GET /inventory", h.authed(h.inventory))
	m.HandleFunc("GET /export.csv", h.authed(h.export))

	m.HandleFunc("GET /users", h.authed(h.users))
	m.HandleFunc("GET /users/new", h.authed(h.newUserForm))
	m.HandleFunc("POST /users", h.authed(h.createUser))
	m.HandleFunc("GET /users/{id}/delete", h.authed(h.deleteUserForm))
	m.HandleFunc("POST /users/{id}/delete", h.authed(h.deleteUser))
	m.HandleFunc("GET /phones", h.authed(h.targets(phonesPage)))
	m.HandleFunc("GET /services", h.authed(h.targets(servicesPage)))

	m.HandleFunc("/", h.notFound)
}

// serveHTTP sets the headers every page carries, logs the request (never
// its form: the sign-in form carries a token) and turns a panic into a 500.
func (h *handler) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rec := server.NewRecorder(w)
	start := time.Now()
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.Error("panic serving page", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.Wrote {
				http.Error(rec, "internal error", http.StatusInternalServerError)
			}
		}
		h.log.Info("page", "method", r.Method, "path", r.URL.Path, "status", rec.Status, "duration", time.Since(start))
	}()
	h.mux.ServeHTTP(rec, r)
}

func (h *handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	h.static.ServeHTTP(w, r)
}

func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.sessions.get(r); ok {
		http.Redirect(w, r, "/numbers", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	sess, _ := h.sessions.get(r)
	h.render(w, r, http.StatusNotFound, "error.html", view{Title: "Page not found", Session: sess,
		Data: "There is no page at " + r.URL.Path + "."})
}

// view is what every page template gets: the page's own data in Data.
type view struct {
	Title   string
	Nav     string // the navigation entry of this page
	Session *session
	Flash   *flash
	Data    any
}

// SiteName is the site the session acts on, for the header.
func (v view) SiteName() string {
	if v.Session == nil {
		return ""
	}
	return v.Session.siteName
}

// CSRF is the session's form token, for the hidden field of every form.
func (v view) CSRF() string {
	if v.Session == nil {
		return ""
	}
	return v.Session.csrf
}

// flash is the result of a write, shown once on the page it redirects to.
type flash struct {
	Error   bool
	Message string
}

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{"label": targetLabel}
	pages := map[string]*template.Template{}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, name := range names {
		base := strings.TrimPrefix(name, "templates/")
		if base == "layout.html" {
			continue
		}
		pages[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(files, "templates/layout.html", name))
	}
	return pages
}

// render writes a page. It is built in full first, so a template error is a
// clean 500 rather than half a page.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	if v.Session != nil && v.Flash == nil {
		v.Flash = h.sessions.takeFlash(v.Session)
	}
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		h.log.Error("render page", "page", page, "path", r.URL.Path, "error", err)
		http.Error(w, "internal error: the page could not be shown", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // a failed write means the browser has gone
}

// message is what a person reads about a failed read or write: the portal's
// own message for a broken rule; for anything else (a bug, an outage) a
// generic one, with the error logged.
func (h *handler) message(r *http.Request, err error) string {
	var pe *contract.Error
	if errors.As(err, &pe) && pe.Code != contract.CodeInternal {
		if pe.Message == "" {
			return strings.ReplaceAll(string(pe.Code), "_", " ")
		}
		return pe.Message
	}
	h.log.Error("page failed", "method", r.Method, "path", r.URL.Path, "error", err)
	return "internal error: the portal could not complete the request"
}
