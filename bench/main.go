// Command bench runs the benchmark harness of issue 13 (package
// internal/bench): `make bench` for the full table, `make bench-quick` for
// the smallest sizes, `go run ./bench --help` for its flags.
package main

import (
	"os"

	"github.com/callingportal/terraform-provider-callingportal/internal/bench"
)

func main() { os.Exit(bench.Run(os.Args[1:], os.Stdout, os.Stderr)) }
