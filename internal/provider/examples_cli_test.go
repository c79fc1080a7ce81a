package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesBesideTheDemo does what a reader of the docs does: applies the
// demo, then every documented example in a directory of its own, on the
// same portal. None collides with the demo or another example (a number,
// an extension, a name), and each re-plans empty.
func TestExamplesBesideTheDemo(t *testing.T) {
	c := newCLI(t)
	skipBelow(t, "1.11.0", "write-only attributes (the user example)")
	p := startPortal(t)
	c.env = append(c.env, "CALLINGPORTAL_ENDPOINT="+p.URL, "CALLINGPORTAL_TOKEN="+testToken, "CALLINGPORTAL_SITE=demo",
		"TF_VAR_jane_voicemail_pin=4826")
	dirs := []string{"../../examples/demo"}
	for _, pattern := range []string{"../../examples/resources/*", "../../examples/data-sources/*", "../../examples/functions/*"} {
		found, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, found...)
	}
	for _, dir := range dirs {
		name := strings.TrimPrefix(dir, "../../examples/")
		c.work = filepath.Join(c.dir, strings.ReplaceAll(name, "/", "_"))
		files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
		var config string
		for _, f := range files {
			if strings.HasPrefix(filepath.Base(f), "import") {
				continue // import blocks of objects the reader already has
			}
			text, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			config += string(text)
		}
		if !strings.Contains(config, "required_providers") {
			c.write(t, config) // a fragment: the provider page's block goes first
		} else {
			writeFile(t, filepath.Join(c.work, "main.tf"), config)
		}
		if out, err := c.run("apply", "-auto-approve"); err != nil {
			t.Errorf("%s after the demo and the examples before it: %v\n%s", name, err, tail(out))
			continue
		}
		if out, err := c.run("plan", "-detailed-exitcode"); err != nil {
			t.Errorf("%s: re-plan is not empty: %v\n%s", name, err, tail(out))
		}
	}
}
