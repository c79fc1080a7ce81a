// Package tools pins the documentation and lint tools (see the tool lines of
// go.mod) in their own module, so they stay out of the provider's go.mod.
package tools

// Format the examples, then generate docs/ from the provider's schema,
// examples/ and templates/.
//go:generate terraform fmt -recursive ../examples/
//go:generate go tool tfplugindocs generate --provider-dir .. --provider-name callingportal
