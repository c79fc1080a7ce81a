// Command reference serves the benchmark's no-I/O reference provider
// (package internal/bench/reference) with the schemas in the JSON file that
// $CALLINGPORTAL_REFERENCE_SCHEMA names; `make bench` builds and runs it
// under Terraform as callingportal/reference.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/callingportal/terraform-provider-callingportal/internal/bench/reference"
	"github.com/callingportal/terraform-provider-callingportal/internal/pluginlog"
)

func main() {
	s, err := reference.Load()
	if err != nil {
		log.Fatal(err)
	}
	// As ours does, so that the floor stays a floor.
	pluginlog.QuietUnlessWatched("reference")
	if err := providerserver.Serve(context.Background(), reference.New(s), providerserver.ServeOpts{
		Address: "registry.terraform.io/callingportal/reference",
	}); err != nil {
		log.Fatal(err)
	}
}
