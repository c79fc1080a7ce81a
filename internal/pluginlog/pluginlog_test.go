package pluginlog

import (
	"os"
	"strings"
	"testing"
)

// TestWatched: the log stays on when any TF_LOG variable is set, the level
// of any one logger included, and goes off otherwise.
func TestWatched(t *testing.T) {
	for environ, want := range map[string]bool{
		"":                                   false,
		"HOME=/root PATH=/bin":               false,
		"TF_LOG=trace":                       true,
		"TF_LOG_PROVIDER=debug":              true,
		"TF_LOG_PROVIDER_CALLINGPORTAL=info": true,
		"TF_LOG_SDK_FRAMEWORK=trace":         true,
		"PATH=/bin TF_LOG_PATH=/tmp/tf.log":  true,
		"MY_TF_LOG=trace":                    false,
	} {
		if got := Watched(strings.Fields(environ)); got != want {
			t.Errorf("Watched(%q) = %v, want %v", environ, got, want)
		}
	}
}

// TestQuietUnlessWatched sets the variables the SDK and the provider read
// their levels from to off, and leaves them alone under TF_LOG.
func TestQuietUnlessWatched(t *testing.T) {
	// unset clears variables for this test; t.Setenv restores them after it.
	unset := func(names ...string) {
		for _, name := range names {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TF_LOG") {
			unset(name)
		}
	}
	unset("TF_LOG_SDK", "TF_LOG_PROVIDER_CALLINGPORTAL")
	QuietUnlessWatched("callingportal")
	if sdk, prov := os.Getenv("TF_LOG_SDK"), os.Getenv("TF_LOG_PROVIDER_CALLINGPORTAL"); sdk != "off" || prov != "off" {
		t.Fatalf("unwatched: TF_LOG_SDK=%q TF_LOG_PROVIDER_CALLINGPORTAL=%q, want off", sdk, prov)
	}
	unset("TF_LOG_SDK", "TF_LOG_PROVIDER_CALLINGPORTAL")
	t.Setenv("TF_LOG", "trace")
	QuietUnlessWatched("callingportal")
	if sdk := os.Getenv("TF_LOG_SDK"); sdk != "" {
		t.Fatalf("under TF_LOG=trace: TF_LOG_SDK=%q, want it unset", sdk)
	}
}
