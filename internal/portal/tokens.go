package portal

import (
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// IssueToken stores a new API token and returns it with its secret, which
// is shown only this once: the store keeps only its hash. An empty secret
// gets a random one; bootstrap code passes a secret the operator chose.
// An admin token acts on every site, so it names none; a site token must
// name an existing site.
func IssueToken(tx Tx, name, site string, admin bool, secret string) (contract.Token, string, error) {
	if strings.TrimSpace(name) == "" {
		return contract.Token{}, "", contract.Invalid("name", "must not be empty")
	}
	switch {
	case admin && site != "":
		return contract.Token{}, "", contract.Invalid("site", "must be empty for an admin token, which acts on every site")
	case !admin && site == "":
		return contract.Token{}, "", contract.Invalid("site", "is required for a site token")
	case !admin:
		if _, err := tx.GetSite(site); contract.CodeOf(err) == contract.CodeNotFound {
			return contract.Token{}, "", contract.NotFound("site", site)
		} else if err != nil {
			return contract.Token{}, "", err
		}
	}
	if secret == "" {
		secret = newSecret()
	}
	hash := HashSecret(secret)
	if _, err := tx.GetTokenByHash(hash); err == nil {
		return contract.Token{}, "", contract.Conflict("secret", "a token with this secret already exists")
	} else if contract.CodeOf(err) != contract.CodeNotFound {
		return contract.Token{}, "", err
	}
	tok := contract.Token{ID: NewID("tok"), Name: name, Site: site, Admin: admin, CreatedAt: tx.Now()}
	if err := tx.PutToken(tok, hash); err != nil {
		return contract.Token{}, "", err
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
