package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// Cookie names. The session cookie holds only a random session ID: the API
// token itself never leaves the sign-in request.
const (
	sessionCookie = "callingportal_session"
	signinCookie  = "callingportal_signin" // the sign-in form's CSRF token
)

// session is one signed-in browser. It keeps the hash of the token it was
// opened with, never the token: each request looks the token up again, so a
// token the store no longer has ends its sessions.
type session struct {
	id        string
	tokenHash string
	tokenName string
	site      string
	siteName  string
	csrf      string // the token every form of this session posts
	started   time.Time
	lastUsed  time.Time
	flash     *flash
}

// sessions are kept in memory: a restart of the portal signs everyone out.
type sessions struct {
	idle, max time.Duration
	now       func() time.Time

	mu sync.Mutex
	m  map[string]*session
}

func newSessions(idle, max time.Duration, now func() time.Time) *sessions {
	return &sessions{idle: idle, max: max, now: now, m: map[string]*session{}}
}

// randomToken is 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand panics rather than return short
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) expired(sess *session, now time.Time) bool {
	return now.Sub(sess.lastUsed) > s.idle || now.Sub(sess.started) > s.max
}

// open starts a session for a site token and drops the expired ones.
func (s *sessions) open(tok contract.Token, hash, siteName string) *session {
	now := s.now()
	sess := &session{id: randomToken(), tokenHash: hash, tokenName: tok.Name, site: tok.Site, siteName: siteName,
		csrf: randomToken(), started: now, lastUsed: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, old := range s.m {
		if s.expired(old, now) {
			delete(s.m, id)
		}
	}
	s.m[sess.id] = sess
	return sess
}

// get finds the live session the request's cookie names, and marks it used.
func (s *sessions) get(r *http.Request) (*session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, false
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.m[c.Value]
	switch {
	case !ok:
		return nil, false
	case s.expired(sess, now):
		delete(s.m, sess.id)
		return nil, false
	}
	sess.lastUsed = now
	return sess, true
}

func (s *sessions) close(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, sess.id)
}

func (s *sessions) setFlash(sess *session, f flash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess.flash = &f
}

func (s *sessions) takeFlash(sess *session) *flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := sess.flash
	sess.flash = nil
	return f
}

// setCookie sets a cookie the page's scripts cannot read (there are none)
// and that no other site's page can make the browser send.
func setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

// sameOrigin refuses a form that another site's page posted. SameSite=Strict
// already keeps the cookie off such a request; this says so plainly.
func sameOrigin(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// tokensEqual compares form tokens in constant time.
func tokensEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// authed runs fn for a signed-in session whose token the store still has.
// A POST must carry the session's CSRF token and come from this origin.
// Without a session, pages redirect to the sign-in form.
func (h *handler) authed(fn func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := h.sessions.get(r)
		if ok {
			ok = h.tokenStillValid(r, sess)
		}
		if !ok {
			setCookie(w, r, sessionCookie, "", "/", -1)
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			h.render(w, r, http.StatusUnauthorized, "error.html", view{Title: "Signed out",
				Data: "You are not signed in, or your session has ended: sign in again and repeat the change."})
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil || !sameOrigin(r) || !tokensEqual(r.PostForm.Get("csrf"), sess.csrf) {
				h.render(w, r, http.StatusForbidden, "error.html", view{Title: "Form refused", Session: sess,
					Data: "This form could not be checked (it is out of date or came from another site), so nothing was changed. Reload the page and try again."})
				return
			}
		}
		fn(w, r, sess)
	}
}

// tokenStillValid looks the session's token up again; a token that is gone,
// or no longer acts on the session's site, ends the session.
func (h *handler) tokenStillValid(r *http.Request, sess *session) bool {
	err := h.store.View(r.Context(), func(tx portal.Tx) error {
		tok, err := tx.GetTokenByHash(sess.tokenHash)
		if err != nil {
			return err
		}
		if tok.Admin || tok.Site != sess.site {
			return contract.ErrNotFound
		}
		_, err = tx.GetSite(sess.site)
		return err
	})
	if err != nil {
		if contract.CodeOf(err) != contract.CodeNotFound {
			h.log.Error("check session token", "error", err)
		}
		h.sessions.close(sess)
		return false
	}
	return true
}

type signinData struct {
	CSRF    string
	Message string // why the last try failed, or that the person signed out
	Error   bool
}

// signinForm shows the sign-in form with a fresh CSRF token in a cookie
// scoped to /signin: a form another site posts cannot know it.
func (h *handler) signinForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.sessions.get(r); ok {
		http.Redirect(w, r, "/numbers", http.StatusSeeOther)
		return
	}
	d := signinData{}
	if r.URL.Query().Has("signed_out") {
		d.Message = "You are signed out."
	}
	h.showSignin(w, r, http.StatusOK, d)
}

func (h *handler) showSignin(w http.ResponseWriter, r *http.Request, status int, d signinData) {
	d.CSRF = randomToken()
	setCookie(w, r, signinCookie, d.CSRF, "/signin", 3600)
	h.render(w, r, status, "signin.html", view{Title: "Sign in", Data: d})
}

// signin opens a session for a site token. An admin token is refused: the
// page acts on one site, with that site's rights and no more.
func (h *handler) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	c, cookieErr := r.Cookie(signinCookie)
	if err := r.ParseForm(); err != nil || cookieErr != nil || !sameOrigin(r) || !tokensEqual(r.PostForm.Get("csrf"), c.Value) {
		h.showSignin(w, r, http.StatusForbidden, signinData{Error: true,
			Message: "The sign-in form could not be checked (it is out of date or came from another site). Try again."})
		return
	}
	secret := strings.TrimSpace(r.PostForm.Get("token"))
	if secret == "" {
		h.showSignin(w, r, http.StatusUnprocessableEntity, signinData{Error: true, Message: "Enter a site token."})
		return
	}
	hash := portal.HashSecret(secret)
	var tok contract.Token
	var site contract.Site
	err := h.store.View(r.Context(), func(tx portal.Tx) error {
		var err error
		if tok, err = tx.GetTokenByHash(hash); err != nil || tok.Admin {
			return err
		}
		site, err = tx.GetSite(tok.Site)
		return err
	})
	switch {
	case contract.CodeOf(err) == contract.CodeNotFound:
		h.showSignin(w, r, http.StatusUnauthorized, signinData{Error: true, Message: "This token is not known to this portal."})
		return
	case err != nil:
		h.showSignin(w, r, http.StatusInternalServerError, signinData{Error: true, Message: h.message(r, err)})
		return
	case tok.Admin:
		h.showSignin(w, r, http.StatusForbidden, signinData{Error: true,
			Message: "This is an admin token. The page acts on one site: sign in with a token of that site " +
				"(terraform-provider-callingportal token --data FILE --site SITE)."})
		return
	}
	setCookie(w, r, signinCookie, "", "/signin", -1)
	sess := h.sessions.open(tok, hash, site.Name)
	setCookie(w, r, sessionCookie, sess.id, "/", 0)
	h.sessions.setFlash(sess, flash{Message: "Signed in to " + site.Name + " (site " + site.ID + ") with token " + tok.Name + "."})
	http.Redirect(w, r, "/numbers", http.StatusSeeOther)
}

func (h *handler) signout(w http.ResponseWriter, r *http.Request, sess *session) {
	h.sessions.close(sess)
	setCookie(w, r, sessionCookie, "", "/", -1)
	http.Redirect(w, r, "/signin?signed_out", http.StatusSeeOther)
}
