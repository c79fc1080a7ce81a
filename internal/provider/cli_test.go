package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/postgres/pgtest"
)

// Tests in this file run the real Terraform CLI against the provider built as
// its own binary, the way users run it: with a dev_overrides CLI config and
// no `terraform init`.

var (
	buildOnce   sync.Once
	providerDir string // holds the built provider binary
	buildErr    error
)

// TestMain runs the tests, then stops the PostgreSQL cluster if a test
// whose portal runs on PostgreSQL started one, and removes the provider
// binary that the CLI tests built.
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if providerDir != "" {
		os.RemoveAll(providerDir)
	}
	os.Exit(code)
}

// cli is a Terraform working directory wired to the built provider.
type cli struct {
	dir, work string
	env       []string
}

// newCLI builds the provider once per test binary and gives t a working
// directory. The tests that use it are acceptance tests: without TF_ACC it
// skips t, before building or starting anything.
func newCLI(t *testing.T) *cli {
	t.Helper()
	testAccPreCheck(t)
	t.Parallel()
	buildOnce.Do(func() {
		if providerDir, buildErr = os.MkdirTemp("", "callingportal-provider-"); buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(providerDir, "terraform-provider-callingportal"),
			"github.com/callingportal/terraform-provider-callingportal").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build provider: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	c := &cli{dir: t.TempDir()}
	c.work = filepath.Join(c.dir, "work")
	rc := filepath.Join(c.dir, "terraformrc")
	writeFile(t, rc, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"callingportal/callingportal\" = %q\n  }\n  direct {}\n}\n", providerDir))
	c.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1")
	return c
}

// write puts the configuration body in main.tf, after the required_providers
// block that dev_overrides needs.
func (c *cli) write(t *testing.T, body string) {
	t.Helper()
	writeFile(t, filepath.Join(c.work, "main.tf"), `terraform {
  required_providers {
    callingportal = { source = "callingportal/callingportal" }
  }
}
`+body)
}

// run runs terraform in the working directory; apply and plan run without
// prompts or colour, flags before the other arguments.
func (c *cli) run(args ...string) (string, error) {
	var flags []string
	if args[0] == "apply" || args[0] == "plan" {
		flags = []string{"-no-color", "-input=false"}
	}
	all := append([]string{"-chdir=" + c.work, args[0]}, flags...)
	cmd := exec.Command(terraformCLI(), append(all, args[1:]...)...)
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// terraformCLI is the CLI the tests run: TF_ACC_TERRAFORM_PATH, as for
// terraform-plugin-testing (e.g. OpenTofu), else terraform on PATH.
func terraformCLI() string {
	if path := os.Getenv("TF_ACC_TERRAFORM_PATH"); path != "" {
		return path
	}
	return "terraform"
}

var (
	cliVersionOnce sync.Once
	cliVersion     *version.Version
	cliVersionErr  error
)

// skipBelow skips t, saying why, when the CLI is older than minimum, the
// version that brought a feature the test needs: as tfversion.SkipBelow
// does for the tests that terraform-plugin-testing runs.
func skipBelow(t *testing.T, minimum, feature string) {
	t.Helper()
	cliVersionOnce.Do(func() {
		out, err := exec.Command(terraformCLI(), "version", "-json").Output()
		if err != nil {
			cliVersionErr = fmt.Errorf("%s version -json: %w", terraformCLI(), err)
			return
		}
		var v struct {
			Version string `json:"terraform_version"`
		}
		if cliVersionErr = json.Unmarshal(out, &v); cliVersionErr == nil {
			cliVersion, cliVersionErr = version.NewVersion(v.Version)
		}
	})
	if cliVersionErr != nil {
		t.Fatal(cliVersionErr)
	}
	if cliVersion.Core().LessThan(version.Must(version.NewVersion(minimum))) {
		t.Skipf("needs %s, which came in Terraform %s; this CLI is %s", feature, minimum, cliVersion)
	}
}

// expectNoChanges fails t unless a plan finds nothing to change.
func (c *cli) expectNoChanges(t *testing.T) {
	t.Helper()
	out, err := c.run("plan", "-detailed-exitcode")
	if err != nil || !strings.Contains(out, "No changes.") {
		t.Fatalf("plan after apply is not empty: %v\n%s", err, out)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSecretsNeverLeak applies and plans a user with a voicemail PIN, with
// TF_LOG=trace, and finds neither the PIN nor the API token in the log, the
// state, or any plan or apply output, while the portal did get the PIN.
func TestSecretsNeverLeak(t *testing.T) {
	c := newCLI(t)
	skipBelow(t, "1.11.0", "write-only attributes")
	p := startPortal(t)
	const pin = "908172"
	logPath := filepath.Join(c.dir, "terraform.log")
	c.env = append(c.env, "TF_LOG=trace", "TF_LOG_PATH="+logPath, "TF_VAR_pin="+pin,
		"CALLINGPORTAL_ENDPOINT="+p.URL, "CALLINGPORTAL_TOKEN="+testToken, "CALLINGPORTAL_SITE=demo")
	c.write(t, `
provider "callingportal" {}

variable "pin" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "callingportal_user" "u" {
  email                    = "secret.keeper@example.com"
  first_name               = "Secret"
  last_name                = "Keeper"
  phone_number             = "+13125550150"
  voicemail_pin_wo         = var.pin
  voicemail_pin_wo_version = 1
}
`)
	var outputs []string
	for _, args := range [][]string{{"apply", "-auto-approve"}, {"plan"}, {"show", "-json"}} {
		out, err := c.run(args...)
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", args[0], err, out)
		}
		outputs = append(outputs, out)
	}
	u, err := p.client.Users.FindByEmail(t.Context(), "secret.keeper@example.com")
	if err != nil || !u.VoicemailPINSet {
		t.Fatalf("the portal did not get the PIN: %+v, %v", u, err)
	}
	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logged), "configured calling portal client") {
		t.Fatal("the trace log holds no lines of the provider's own: the test would prove nothing")
	}
	state, err := os.ReadFile(filepath.Join(c.work, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	places := map[string]string{"trace log": string(logged), "state": string(state), "apply output": outputs[0], "plan output": outputs[1], "show -json": outputs[2]}
	for place, text := range places {
		for name, secret := range map[string]string{"voicemail PIN": pin, "API token": testToken} {
			if strings.Contains(text, secret) {
				t.Errorf("the %s appears in the %s", name, place)
			}
		}
	}
}

// TestUserChangedBetweenPlanAndApply: a saved plan made before someone edits
// the user in the portal never overwrites that edit, and never ends in
// "Provider produced inconsistent result": applying it fails and says why,
// and a new plan shows the edit. The update is conditional on the user's
// version in private state; a state without one (written before the
// provider kept it, or edited by hand) gets the same answer.
func TestUserChangedBetweenPlanAndApply(t *testing.T) {
	for _, tc := range []struct {
		name           string
		withoutVersion bool
	}{
		{"version in state", false},
		{"state without the version", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			p := startPortal(t)
			user := func(lastName string) string {
				return p.config(fmt.Sprintf(`
resource "callingportal_user" "u" {
  email        = "edited@example.com"
  first_name   = "Ed"
  last_name    = %q
  phone_number = "+13125550150"
}`, lastName))
			}
			c.write(t, user("Ited"))
			if out, err := c.run("apply", "-auto-approve"); err != nil {
				t.Fatalf("apply: %v\n%s", err, out)
			}
			plan := []string{"plan", "-out=tfplan"}
			if tc.withoutVersion {
				c.dropPrivateState(t)
				// A refresh would save the version again.
				plan = append(plan, "-refresh=false")
			}
			c.write(t, user("Itor"))
			if out, err := c.run(plan...); err != nil {
				t.Fatalf("plan: %v\n%s", err, out)
			}
			u, err := p.client.Users.FindByEmail(t.Context(), "edited@example.com")
			if err == nil {
				_, err = p.client.Users.Update(t.Context(), u.ID, contract.UserInput{FirstName: ptrTo("Edwin")}, 0)
			}
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.run("apply", "tfplan")
			if err == nil || !strings.Contains(out, "User changed in the portal since the plan") || strings.Contains(out, "inconsistent result") {
				t.Fatalf("applying a stale plan: %v\n%s", err, out)
			}
			if u, _ := p.client.Users.Read(t.Context(), u.ID); u.FirstName != "Edwin" || u.LastName != "Ited" {
				t.Fatalf("the stale plan changed the user: %+v", u)
			}
			out, err = c.run("plan")
			if err != nil || !strings.Contains(out, `"Edwin" -> "Ed"`) {
				t.Fatalf("a new plan does not show the edit: %v\n%s", err, out)
			}
		})
	}
}

// dropPrivateState removes every resource's private state from the state
// file, as a provider that keeps none would have written it.
func (c *cli) dropPrivateState(t *testing.T) {
	t.Helper()
	file := filepath.Join(c.work, "terraform.tfstate")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var whole map[string]any
	if err := json.Unmarshal(raw, &whole); err != nil {
		t.Fatal(err)
	}
	dropped := 0
	resources, _ := whole["resources"].([]any)
	for _, r := range resources {
		r, _ := r.(map[string]any)
		instances, _ := r["instances"].([]any)
		for _, inst := range instances {
			if inst, _ := inst.(map[string]any); inst["private"] != nil {
				delete(inst, "private")
				dropped++
			}
		}
	}
	if dropped == 0 {
		t.Fatal("the state holds no private state to drop: the test would prove nothing")
	}
	out, err := json.MarshalIndent(whole, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, file, string(out))
}

func ptrTo(s string) *string { return &s }
