package server

import (
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// IssueToken stores a new API token and returns it with its secret, which
// is shown only this once: the store keeps only its hash. An empty secret
// gets a random one; bootstrap code passes a secret the operator chose.
// An admin token acts on every site, so it names none; a site token must
// name an existing site.
func IssueToken(tx portal.Tx, name, site string, admin bool, secret string) (portal.Token, string, error) {
	if strings.TrimSpace(name) == "" {
		return portal.Token{}, "", portal.Invalid("name", "must not be empty")
	}
	switch {
	case admin && site != "":
		return portal.Token{}, "", portal.Invalid("site", "must be empty for an admin token, which acts on every site")
	case !admin && site == "":
		return portal.Token{}, "", portal.Invalid("site", "is required for a site token")
	case !admin:
		if _, err := tx.GetSite(site); err != nil {
			return portal.Token{}, "", notFoundAs(err, "site", site)
		}
	}
	if secret == "" {
		secret = newSecret()
	}
	hash := portal.HashSecret(secret)
	if _, err := tx.GetTokenByHash(hash); err == nil {
		return portal.Token{}, "", portal.Conflict("secret", "a token with this secret already exists")
	} else if portal.CodeOf(err) != portal.CodeNotFound {
		return portal.Token{}, "", err
	}
	tok := portal.Token{ID: portal.NewID("tok"), Name: name, Site: site, Admin: admin, CreatedAt: portal.Now(), Hash: hash}
	if err := tx.PutToken(tok); err != nil {
		return portal.Token{}, "", err
	}
	return tok, secret, nil
}

// newSecret is 256 random bits; the prefix lets secret scanners spot a
// leaked token.
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails: crypto/rand panics rather than return short
	return "cpt_" + base64.RawURLEncoding.EncodeToString(b)
}
