// Package cmdflags is what the binary's subcommands share: a flag set whose
// --help says what the command does, and the exit code of a parse error.
package cmdflags

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// New is a flag set for the subcommand name that writes to stderr and
// whose --help prints the usage line, what the command does, and its flags.
func New(name, usage, about string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: terraform-provider-callingportal %s %s\n\n%s\n\nFlags:\n", name, usage, about)
		fs.PrintDefaults()
	}
	return fs
}

// ExitCode is the exit code for an error of fs.Parse: 0 for --help, which
// printed the usage, and 2 for a bad flag.
func ExitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
