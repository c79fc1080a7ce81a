package portal

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// tokenTx is the part of a Tx that IssueToken uses: one site and the
// tokens stored so far.
type tokenTx struct {
	Tx
	site    string
	tokens  map[string]contract.Token // by hash
	failGet error
}

func (tx *tokenTx) GetSite(site string) (contract.Site, error) {
	if site != tx.site {
		return contract.Site{}, &contract.Error{Code: contract.CodeNotFound, Message: "no such row"}
	}
	return contract.Site{ID: site}, nil
}

func (tx *tokenTx) GetTokenByHash(hash string) (contract.Token, error) {
	if tx.failGet != nil {
		return contract.Token{}, tx.failGet
	}
	tok, ok := tx.tokens[hash]
	if !ok {
		return contract.Token{}, contract.ErrNotFound
	}
	return tok, nil
}

func (tx *tokenTx) Now() time.Time { return time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) }

func (tx *tokenTx) PutToken(tok contract.Token, hash string) error {
	tx.tokens[hash] = tok
	return nil
}

func newTokenTx() *tokenTx { return &tokenTx{site: "hq", tokens: map[string]contract.Token{}} }

func TestIssueToken(t *testing.T) {
	t.Parallel()
	tx := newTokenTx()
	tok, secret, err := IssueToken(tx, "ci", "hq", false, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "cpt_") || len(secret) != len("cpt_")+43 {
		t.Errorf("secret %q: want cpt_ and 256 random bits", secret)
	}
	if tx.tokens[HashSecret(secret)] != tok || len(tx.tokens) != 1 {
		t.Errorf("tokens stored %+v: want %+v by the hash of its secret only", tx.tokens, tok)
	}
	if !strings.HasPrefix(tok.ID, "tok_") || tok.Name != "ci" || tok.Site != "hq" || tok.Admin || !tok.CreatedAt.Equal(tx.Now()) {
		t.Errorf("token %+v", tok)
	}
	_, other, err := IssueToken(tx, "ci", "hq", false, "")
	if err != nil || other == secret {
		t.Errorf("second token: secret %q, %v; want a new secret", other, err)
	}

	// An operator's chosen secret is kept, once.
	admin, chosen, err := IssueToken(tx, "bootstrap", "", true, "cpt_chosen")
	if err != nil || chosen != "cpt_chosen" || !admin.Admin || admin.Site != "" || tx.tokens[HashSecret("cpt_chosen")] != admin {
		t.Fatalf("bootstrap token %+v, %q, %v", admin, chosen, err)
	}
	if _, _, err := IssueToken(tx, "again", "", true, "cpt_chosen"); !errors.Is(err, contract.ErrConflict) {
		t.Errorf("a secret issued twice: %v, want conflict", err)
	}
}

func TestIssueTokenErrors(t *testing.T) {
	t.Parallel()
	broken := errors.New("disk on fire")
	for _, c := range []struct {
		name, tokenName, site string
		admin                 bool
		failGet               error
		want                  *contract.Error
		message               string
	}{
		{"no name", " ", "hq", false, nil, contract.ErrValidationFailed, "name: must not be empty"},
		{"admin with a site", "x", "hq", true, nil, contract.ErrValidationFailed, "site: must be empty for an admin token"},
		{"site token without one", "x", "", false, nil, contract.ErrValidationFailed, "site: is required for a site token"},
		{"unknown site", "x", "nowhere", false, nil, contract.ErrNotFound, `site "nowhere" not found`},
		{"store failure", "x", "hq", false, broken, nil, "disk on fire"},
	} {
		tx := newTokenTx()
		tx.failGet = c.failGet
		_, secret, err := IssueToken(tx, c.tokenName, c.site, c.admin, "")
		if err == nil || secret != "" || len(tx.tokens) != 0 || !strings.Contains(err.Error(), c.message) ||
			c.want != nil && !errors.Is(err, c.want) || c.want == nil && !errors.Is(err, broken) {
			t.Errorf("%s: IssueToken = %q, %v; want %v saying %q and nothing stored", c.name, secret, err, c.want, c.message)
		}
	}
}
