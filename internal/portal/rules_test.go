package portal

import (
	"strings"
	"testing"
)

func TestPINHashIsSaltedAndVerifiable(t *testing.T) {
	t.Parallel()
	a, b := HashPIN("4321"), HashPIN("4321")
	if a == b {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
	if strings.Contains(a, "4321") || !PINMatches(a, "4321") || PINMatches(a, "4322") || PINMatches("garbage", "4321") {
		t.Fatalf("PIN hash %q does not verify as it should", a)
	}
}
