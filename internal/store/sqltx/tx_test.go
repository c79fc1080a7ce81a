package sqltx

import "testing"

func TestBind(t *testing.T) {
	query := `SELECT a FROM t WHERE b = ? AND c LIKE ? ESCAPE '\' AND d = '?' AND e = NULLIF(?, '')`
	if got := (&Dialect{}).bind(query); got != query {
		t.Errorf("bind without NumberedParams = %q, want the query unchanged", got)
	}
	want := `SELECT a FROM t WHERE b = $1 AND c LIKE $2 ESCAPE '\' AND d = '?' AND e = NULLIF($3, '')`
	if got := (&Dialect{NumberedParams: true}).bind(query); got != want {
		t.Errorf("bind = %q, want %q", got, want)
	}
}
