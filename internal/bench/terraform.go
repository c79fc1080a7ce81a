package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/callingportal/terraform-provider-callingportal/internal/bench/reference"
	"github.com/callingportal/terraform-provider-callingportal/internal/bench/wrap"
	"github.com/callingportal/terraform-provider-callingportal/internal/provider"
)

// The kinds of a Terraform row: ours on each store, and the two floors.
const (
	kindData      = "terraform_data"
	kindReference = "reference"
)

func ourKind(store string) string { return "ours-" + store }

// The commands of each round, in order.
var commands = []struct{ name, label string }{
	{"apply", "apply"},
	{"plan", "no-op plan"},
	{"plan-norefresh", "plan -refresh=false"},
	{"destroy", "destroy"},
}

// sample is one command's measurement.
type sample struct {
	wall, tfCPU, provCPU time.Duration
	tfRSS, provRSS       int64 // KiB
	starts, requests     int
}

// tfKey names a row of the Terraform table.
type tfKey struct {
	resource string
	n        int
	command  string
	kind     string
}

type terraformBench struct {
	o       options
	work    string
	portals map[string]*benchPortal
	p       *progress
	env     []string
	kinds   []string
	rusage  string
}

// newTerraformBench builds the provider and the reference, puts the
// wrapper in their place and writes the CLI configuration.
func newTerraformBench(ctx context.Context, o options, work string, portals map[string]*benchPortal, p *progress) (*terraformBench, error) {
	p.line("building the provider, the reference provider and the wrapper")
	bins := map[string]string{"callingportal": ".", "reference": "./bench/reference"}
	for name, pkg := range bins {
		exe := "terraform-provider-" + name
		if err := build(o.root, pkg, filepath.Join(work, name, "real", exe)); err != nil {
			return nil, err
		}
		// Terraform starts the wrapper, which starts the real binary.
		if err := build(o.root, "./bench/wrap", filepath.Join(work, name, "bin", exe)); err != nil {
			return nil, err
		}
	}
	schemas, err := reference.Describe(ctx, "callingportal", providerserver.NewProtocol6(provider.New("bench")())())
	if err != nil {
		return nil, err
	}
	schemaFile := filepath.Join(work, "reference-schema.json")
	b, err := json.Marshal(schemas)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(schemaFile, b, 0o644); err != nil {
		return nil, err
	}
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, fmt.Appendf(nil, `provider_installation {
  dev_overrides {
    "callingportal/callingportal" = %q
    "callingportal/reference" = %q
  }
  direct {}
}
`, filepath.Join(work, "callingportal", "bin"), filepath.Join(work, "reference", "bin")), 0o644); err != nil {
		return nil, err
	}
	t := &terraformBench{o: o, work: work, portals: portals, p: p, rusage: filepath.Join(work, "rusage.log")}
	t.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", reference.EnvSchema+"="+schemaFile,
		wrap.EnvRusage+"="+t.rusage, "CALLINGPORTAL_SITE="+siteID, "CHECKPOINT_DISABLE=1")
	for _, s := range o.stores {
		t.kinds = append(t.kinds, ourKind(s))
	}
	t.kinds = append(t.kinds, kindReference)
	if !o.skipData {
		t.kinds = append(t.kinds, kindData)
	}
	return t, nil
}

// run measures every resource, N and round; the kinds take turns first
// in each round, so the machine's drift falls on all of them alike.
func (t *terraformBench) run(ctx context.Context) (map[tfKey][]sample, error) {
	results := map[tfKey][]sample{}
	steps := 0
	for i := range t.o.sizes {
		steps += len(t.o.resources) * t.o.roundsFor(i) * len(t.kinds) * len(commands)
	}
	step := 0
	for _, res := range t.o.resources {
		for si, n := range t.o.sizes {
			rounds := t.o.roundsFor(si)
			for round := range rounds {
				for i := range t.kinds {
					kind := t.kinds[(i+round)%len(t.kinds)]
					dir := filepath.Join(t.work, "tf", kind+"-"+res)
					if err := writeConfig(dir, kind, res, n); err != nil {
						return nil, err
					}
					for _, c := range commands {
						step++
						t.p.line(fmt.Sprintf("terraform %d/%d: %s N=%d round %d/%d, %s %s", step, steps, res, n, round+1, rounds, kind, c.label))
						s, err := t.command(ctx, dir, kind, c.name)
						if err != nil {
							return nil, fmt.Errorf("%s N=%d %s %s: %w", res, n, kind, c.label, err)
						}
						k := tfKey{res, n, c.name, kind}
						results[k] = append(results[k], s)
					}
				}
			}
		}
	}
	return results, nil
}

func (t *terraformBench) command(ctx context.Context, dir, kind, command string) (sample, error) {
	args := []string{"-chdir=" + dir}
	switch command {
	case "apply":
		args = append(args, "apply", "-auto-approve")
	case "plan":
		args = append(args, "plan", "-detailed-exitcode")
	case "plan-norefresh":
		args = append(args, "plan", "-detailed-exitcode", "-refresh=false")
	case "destroy":
		args = append(args, "destroy", "-auto-approve")
	}
	args = append(args, "-input=false", "-no-color")
	if err := os.WriteFile(t.rusage, nil, 0o644); err != nil {
		return sample{}, err
	}
	var bp *benchPortal
	env := t.env
	if store, ok := strings.CutPrefix(kind, "ours-"); ok {
		bp = t.portals[store]
		env = append(env, "CALLINGPORTAL_ENDPOINT="+bp.url, "CALLINGPORTAL_TOKEN="+bp.token)
	}
	before := 0
	if bp != nil {
		var err error
		if before, err = bp.requests(); err != nil {
			return sample{}, err
		}
	}
	cmd := exec.CommandContext(ctx, t.o.terraform, args...)
	cmd.Env = env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	s := sample{wall: time.Since(start)}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 2 && strings.HasPrefix(command, "plan") {
		return s, fmt.Errorf("%w:\n%s", errNotNoop, tail(out.String()))
	}
	if err != nil {
		return s, fmt.Errorf("%w:\n%s", err, tail(out.String()))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		// wait4 counts terraform and the children it waited for.
		s.tfCPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		s.tfRSS = ru.Maxrss
	}
	if s.starts, s.provCPU, s.provRSS, err = readRusage(t.rusage); err != nil {
		return s, err
	}
	s.tfCPU = max(0, s.tfCPU-s.provCPU)
	if bp != nil {
		after, err := bp.requests()
		if err != nil {
			return s, err
		}
		s.requests = after - before
	}
	return s, nil
}

func tail(s string) string {
	if len(s) > 3000 {
		return "..." + s[len(s)-3000:]
	}
	return s
}

// writeConfig writes the configuration of n resources of res for kind in
// dir; the keys come from a JSON file through a local, as a range of more
// than 1,024 values is refused and a for_each over file() is evaluated again
// for each instance.
func writeConfig(dir, kind, res string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	first := firstAssign
	if res == "users" {
		first = firstUser
	}
	keys := make([]string, n)
	for i := range keys {
		keys[i] = number(first + i)
	}
	b, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "keys.json"), b, 0o644); err != nil {
		return err
	}
	var tf strings.Builder
	tf.WriteString("locals {\n  keys = toset(jsondecode(file(\"${path.module}/keys.json\")))\n}\n\n")
	switch kind {
	case kindData:
		if res == "users" {
			tf.WriteString(`resource "terraform_data" "u" {
  for_each = local.keys
  input = {
    email        = "u${substr(each.value, -5, 5)}@example.com"
    first_name   = "Bench"
    last_name    = "User ${substr(each.value, -5, 5)}"
    phone_number = each.value
  }
}
`)
		} else {
			fmt.Fprintf(&tf, `resource "terraform_data" "a" {
  for_each = local.keys
  input = {
    number     = each.value
    service_id = %q
  }
}
`, serviceID)
		}
	default:
		source := "callingportal/callingportal"
		if kind == kindReference {
			source = "callingportal/reference"
		}
		fmt.Fprintf(&tf, "terraform {\n  required_providers {\n    callingportal = { source = %q }\n  }\n}\n\nprovider \"callingportal\" {}\n\n", source)
		if res == "users" {
			tf.WriteString(`resource "callingportal_user" "u" {
  for_each     = local.keys
  email        = "u${substr(each.value, -5, 5)}@example.com"
  first_name   = "Bench"
  last_name    = "User ${substr(each.value, -5, 5)}"
  phone_number = each.value
}
`)
		} else {
			fmt.Fprintf(&tf, `resource "callingportal_number_assignment" "a" {
  for_each   = local.keys
  number     = each.value
  service_id = %q
}
`, serviceID)
		}
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(tf.String()), 0o644)
}

var rusageMu sync.Mutex

func readRusage(path string) (starts int, cpu time.Duration, rss int64, err error) {
	rusageMu.Lock()
	defer rusageMu.Unlock()
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		fields := strings.Fields(lines.Text())
		if len(fields) != 2 {
			continue
		}
		ns, _ := strconv.ParseInt(fields[0], 10, 64)
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		starts++
		cpu += time.Duration(ns)
		rss = max(rss, kb)
	}
	return starts, cpu, rss, lines.Err()
}
