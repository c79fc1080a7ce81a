// Command terraform-provider-callingportal is the Terraform provider for the
// calling portal. Started by Terraform it serves the provider; with "serve" it
// runs the bundled portal backend; with "token" it issues an API token.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/provider"
)

// version is set by the release build (goreleaser ldflags).
var version = "dev"

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "serve":
			os.Exit(backend.Serve(os.Args[2:], os.Stdout, os.Stderr))
		case "token":
			os.Exit(backend.Token(os.Args[2:], os.Stdout, os.Stderr))
		}
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/callingportal/callingportal",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
