// Package pluginlog turns a Terraform plugin's logging off when nobody can
// read it. The SDK's loggers and the provider's default to trace, so every
// RPC formats JSON lines, and Terraform throws them away unless a TF_LOG
// variable is set: in an apply of 100 users that formatting was about a
// fifth of the provider's CPU.
package pluginlog

import (
	"os"
	"strings"
)

// QuietUnlessWatched turns off the SDK's loggers and the provider's own,
// whose variable is TF_LOG_PROVIDER_<NAME>, unless Watched(os.Environ()).
// The framework's and the protocol's subsystems are turned off by name: with
// no level of their own they drop each line only after building it, which
// was 7% of the provider's CPU in a plan of 1,000 resources. Call it before
// serving, and not in -debug mode, where the log goes to the terminal.
func QuietUnlessWatched(name string) {
	if Watched(os.Environ()) {
		return
	}
	for _, v := range quieted(name) {
		_ = os.Setenv(v, "off")
	}
}

// quieted are the variables QuietUnlessWatched sets.
func quieted(name string) []string {
	return []string{"TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO", "TF_LOG_PROVIDER_" + strings.ToUpper(name)}
}

// Watched says whether environ sets a TF_LOG variable: Terraform keeps the
// lines its plugins write only then, and the plugin inherits Terraform's
// environment, so it sees the same variables.
func Watched(environ []string) bool {
	for _, kv := range environ {
		if strings.HasPrefix(kv, "TF_LOG") {
			return true
		}
	}
	return false
}
