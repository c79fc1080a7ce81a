// Command wrap stands in for a provider binary during the benchmark (see
// package internal/bench/wrap).
package main

import (
	"os"

	"github.com/callingportal/terraform-provider-callingportal/internal/bench/wrap"
)

func main() { os.Exit(wrap.Wrap()) }
