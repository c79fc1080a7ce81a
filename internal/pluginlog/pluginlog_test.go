package pluginlog

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tfsdklog"
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
// their levels from to off, so that a subsystem's trace line, set up as the
// framework sets up its own, costs nothing; and it leaves them alone under
// TF_LOG.
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
	QuietUnlessWatched("callingportal")
	for _, v := range quieted("callingportal") {
		if got := os.Getenv(v); got != "off" {
			t.Errorf("unwatched: %s=%q, want off", v, got)
		}
	}
	ctx := tfsdklog.NewRootSDKLogger(context.Background(), tfsdklog.WithLevelFromEnv("TF_LOG_SDK"))
	ctx = tfsdklog.NewSubsystem(ctx, "framework", tfsdklog.WithLevelFromEnv("TF_LOG_SDK_FRAMEWORK"))
	fields := map[string]any{"tf_rpc": "PlanResourceChange", "tf_resource_type": "callingportal_user"}
	if allocs := testing.AllocsPerRun(100, func() {
		tfsdklog.SubsystemTrace(ctx, "framework", "Calling provider defined Resource ModifyPlan", fields)
	}); allocs != 0 {
		t.Errorf("unwatched, a framework trace line makes %v allocations, want none: it is built before it is dropped", allocs)
	}

	unset(quieted("callingportal")...)
	t.Setenv("TF_LOG", "trace")
	QuietUnlessWatched("callingportal")
	if sdk := os.Getenv("TF_LOG_SDK"); sdk != "" {
		t.Fatalf("under TF_LOG=trace: TF_LOG_SDK=%q, want it unset", sdk)
	}
}
