// Command terraform-provider-callingportal is the Terraform provider for the
// calling portal. Started by Terraform it serves the provider; its
// subcommands run the bundled portal backend and help adopt a live site.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/callingportal/terraform-provider-callingportal/internal/adopt"
	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/pluginlog"
	"github.com/callingportal/terraform-provider-callingportal/internal/provider"
)

// version is set by the release build (goreleaser ldflags).
var version = "dev"

// commands are the subcommands, in the order --help lists them.
var commands = []struct {
	name, about string
	run         func(args []string, stdout, stderr io.Writer) int
}{
	{"serve", "run the bundled portal backend (SQLite file or PostgreSQL)", backend.Serve},
	{"token", "issue an API token in the portal's store", backend.Token},
	{"export", "write a Terraform configuration with import blocks for a live site", func(args []string, stdout, stderr io.Writer) int {
		return adopt.ExportCommand(args, version, stdout, stderr)
	}},
	{"snapshot", "write a seed file of a live site, for a local replica to plan against", adopt.SnapshotCommand},
}

func main() {
	if len(os.Args) > 1 {
		for _, c := range commands {
			if os.Args[1] == c.name {
				os.Exit(c.run(os.Args[2:], os.Stdout, os.Stderr))
			}
		}
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Usage = usage
	flag.Parse()

	if !debug {
		pluginlog.QuietUnlessWatched("callingportal")
	}
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/callingportal/callingportal",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

func usage() {
	out := flag.CommandLine.Output()
	fmt.Fprintf(out, "terraform-provider-callingportal %s: the calling portal's Terraform provider.\n\n", version)
	fmt.Fprintln(out, "Terraform starts it as a plugin. Run by hand, it takes a subcommand (each has --help):")
	for _, c := range commands {
		fmt.Fprintf(out, "  %-9s %s\n", c.name, c.about)
	}
	fmt.Fprintln(out, "\nFlags when Terraform starts it:")
	flag.PrintDefaults()
}
