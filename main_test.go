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
