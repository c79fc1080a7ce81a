package adopt

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/cmdflags"
	"github.com/callingportal/terraform-provider-callingportal/internal/provider"
)

// The commands read the provider's environment variables.
const (
	envEndpoint = provider.EnvEndpoint
	envToken    = provider.EnvToken
	envSite     = provider.EnvSite
	envCA       = provider.EnvCACertificate
	envInsecure = provider.EnvInsecureHTTP
)

// requiredVersion is the oldest Terraform that plans an export: import
// blocks came in 1.5.
const requiredVersion = ">= 1.5.0"

// connection holds the flags that say which site to read.
type connection struct {
	endpoint, site, tokenFile string
}

// connectionFlags adds --endpoint, --site and --token-file. There is no
// --token: a secret on the command line shows in `ps`.
func connectionFlags(fs *flag.FlagSet) *connection {
	c := &connection{}
	fs.StringVar(&c.endpoint, "endpoint", "", "portal URL (default $"+envEndpoint+"); a private CA in $"+envCA+" (the PEM), plain http to another machine only with $"+envInsecure+"=true")
	fs.StringVar(&c.site, "site", "", "site to read (default $"+envSite+")")
	fs.StringVar(&c.tokenFile, "token-file", "", "file holding the API token (default: the token in $"+envToken+"); any token of the site will do, as nothing is written")
	return c
}

// read reads the whole site the flags name, stopping at SIGINT.
func (c *connection) read(progress io.Writer) (Site, string, error) {
	endpoint, site, token := or(c.endpoint, envEndpoint), or(c.site, envSite), os.Getenv(envToken)
	if c.tokenFile != "" {
		data, err := os.ReadFile(c.tokenFile)
		if err != nil {
			return Site{}, "", err
		}
		token = strings.TrimSpace(string(data))
	}
	if token == "" {
		return Site{}, "", errors.New("no API token: set $" + envToken + " or give --token-file")
	}
	// As the provider does: a private CA, and plain http to another
	// machine only when asked for.
	cfg := client.Config{Endpoint: endpoint, Token: token, Site: site, CACertificate: os.Getenv(envCA)}
	if v := os.Getenv(envInsecure); v != "" {
		allow, err := strconv.ParseBool(v)
		if err != nil {
			return Site{}, "", fmt.Errorf("$%s is %q: set it to true or false", envInsecure, v)
		}
		cfg.AllowInsecureHTTP = allow
	}
	cl, err := client.New(cfg)
	if errors.Is(err, client.ErrInsecureHTTP) {
		return Site{}, "", fmt.Errorf("%w; to send the token in the clear on purpose, set %s=true", err, envInsecure)
	}
	if err != nil {
		return Site{}, "", err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := Read(ctx, cl, progress)
	return s, endpoint, err
}

func or(flagValue, env string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv(env)
}

// ExportCommand is the "export" command: it writes a configuration with
// import blocks for a live site.
func ExportCommand(args []string, version string, stdout, stderr io.Writer) int {
	fs := cmdflags.New("export", "--out DIR [flags]",
		"Writes a Terraform configuration for a live site: versions.tf with the provider block, and a resource\n"+
			"with an import block for every phone, service, user and number on a phone or service. Then\n"+
			"`terraform plan` in DIR shows only imports.", stderr)
	conn := connectionFlags(fs)
	out := fs.String("out", "", "directory to write into (created when missing; only files an earlier export wrote are replaced)")
	types := fs.String("types", "", "comma-separated types to write, e.g. user,number_assignment (default all: "+strings.Join(shortTypes(), ",")+")")
	prefix := fs.String("prefix", "", "only numbers starting with this E.164 prefix, e.g. +1312555, with their users, phones and services")
	split := fs.Bool("split", false, "one file per type (phones.tf, services.tf, users.tf, number_assignments.tf) instead of main.tf")
	if err := fs.Parse(args); err != nil {
		return cmdflags.ExitCode(err)
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "export: give --out DIR and no other arguments")
		return 2
	}
	opts := ExportOptions{Prefix: *prefix, Split: *split, RequiredVersion: requiredVersion, ProviderVersion: providerConstraint(version)}
	if *types != "" {
		for _, t := range strings.Split(*types, ",") {
			opts.Types = append(opts.Types, "callingportal_"+strings.TrimPrefix(strings.TrimSpace(t), "callingportal_"))
		}
	}
	s, endpoint, err := conn.read(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "export:", err)
		return 1
	}
	opts.Endpoint = endpoint
	n, skipped, err := Export(*out, s, opts)
	if err != nil {
		fmt.Fprintln(stderr, "export:", err)
		return 1
	}
	warnSkipped(stderr, "export", skipped)
	fmt.Fprintf(stdout, "wrote %d resources, each with an import block, to %s\nnext: terraform -chdir=%s plan\n", n, *out, *out)
	return 0
}

// SnapshotCommand is the "snapshot" command: it writes a seed file for a
// local replica of a live site.
func SnapshotCommand(args []string, stdout, stderr io.Writer) int {
	fs := cmdflags.New("snapshot", "--out FILE [flags]",
		"Writes a seed file of a live site, with its numbers, stations, phones, services and users (no tokens, no\n"+
			"PINs), that `serve --seed FILE` loads into a local replica for plan checks in CI.", stderr)
	conn := connectionFlags(fs)
	out := fs.String("out", "", "seed file to write")
	if err := fs.Parse(args); err != nil {
		return cmdflags.ExitCode(err)
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "snapshot: give --out FILE and no other arguments")
		return 2
	}
	s, _, err := conn.read(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "snapshot:", err)
		return 1
	}
	sd, skipped := Snapshot(s)
	if err := WriteSeed(*out, sd); err != nil {
		fmt.Fprintln(stderr, "snapshot:", err)
		return 1
	}
	warnSkipped(stderr, "snapshot", skipped)
	fmt.Fprintf(stdout, "wrote site %s (%d numbers, %d users, %d phones, %d services) to %s\nnext: terraform-provider-callingportal serve --seed %s\n",
		s.Site.ID, len(s.Numbers)-len(skipped), len(sd.Users), len(sd.Phones), len(sd.Services), *out, *out)
	return 0
}

func warnSkipped(stderr io.Writer, cmd string, numbers []string) {
	if len(numbers) > 0 {
		fmt.Fprintf(stderr, "%s: left out %d numbers whose phone or service was created while the site was read (%s): run again to include them\n",
			cmd, len(numbers), strings.Join(numbers, ", "))
	}
}

func shortTypes() []string {
	var short []string
	for _, t := range Types {
		short = append(short, strings.TrimPrefix(t, "callingportal_"))
	}
	return short
}

var release = regexp.MustCompile(`^(\d+\.\d+)\.\d+$`)

// providerConstraint asks for this provider's minor release line, as the
// examples do; a development build asks for the first one.
func providerConstraint(version string) string {
	if m := release.FindStringSubmatch(version); m != nil {
		return "~> " + m[1]
	}
	return "~> 0.1"
}
