package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestEverySubcommandHasHelp: each subcommand answers --help with its usage
// and what it does, and exits 0.
func TestEverySubcommandHasHelp(t *testing.T) {
	for _, c := range commands {
		var stdout, stderr bytes.Buffer
		if code := c.run([]string{"--help"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stderr.String(), "Usage: terraform-provider-callingportal "+c.name) {
			t.Errorf("%s --help: exit %d, output %q", c.name, code, stderr.String())
		}
	}
}

// TestLogsWatched: the provider's log stays on when any TF_LOG variable is
// set, the level of any logger included, and goes off otherwise.
func TestLogsWatched(t *testing.T) {
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
		if got := logsWatched(strings.Fields(environ)); got != want {
			t.Errorf("logsWatched(%q) = %v, want %v", environ, got, want)
		}
	}
}
