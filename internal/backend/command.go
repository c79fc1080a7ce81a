package backend

import (
	"bufio"
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/cmdflags"
)

// endpointLine starts the line of serve's output that gives its address.
const endpointLine = "endpoint: "

// StartServe starts cmd, a `serve` process, and returns the endpoint it
// prints, for a test or tool that runs the portal as a process of its own
// (to kill it, say). The rest of cmd's output is read and dropped. If serve
// prints no endpoint, the process is killed.
func StartServe(cmd *exec.Cmd) (endpoint string, err error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if endpoint, ok := strings.CutPrefix(strings.TrimSpace(lines.Text()), endpointLine); ok {
			go func() {
				for lines.Scan() {
				}
			}()
			return endpoint, nil
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return "", fmt.Errorf("serve printed no endpoint: %v", cmp.Or(lines.Err(), io.ErrUnexpectedEOF))
}

// EnvBootstrapToken is read when --bootstrap-token is not given.
const EnvBootstrapToken = "CALLINGPORTAL_BOOTSTRAP_TOKEN"

// EnvDatabaseURL is read when --database is not given.
const EnvDatabaseURL = "CALLINGPORTAL_DATABASE_URL"

// storeFlags adds the flags that choose the store: --database, else --data.
// Neither flag default is the environment: usage output would print the
// database password.
func storeFlags(fs *flag.FlagSet, cfg *Config) {
	fs.StringVar(&cfg.DatabaseURL, "database", "", "PostgreSQL URL of a database to use instead of --data (or set $"+EnvDatabaseURL+")")
	fs.StringVar(&cfg.DataPath, "data", "./callingportal.db", "SQLite data file, created when missing")
}

// parseFlags parses args, then takes the database from the environment if
// --database was not given.
func parseFlags(fs *flag.FlagSet, args []string, cfg *Config) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = os.Getenv(EnvDatabaseURL)
	}
	return nil
}

// storeName names cfg's store for people: the file, or the database URL
// without its password.
func storeName(cfg Config) string {
	if cfg.DatabaseURL == "" {
		return "data " + cfg.DataPath
	}
	if u, err := url.Parse(cfg.DatabaseURL); err == nil && u.Scheme != "" {
		return "database " + u.Redacted()
	}
	return "a PostgreSQL database"
}

// Serve is the "serve" command: it runs the portal until SIGINT or SIGTERM.
func Serve(args []string, stdout, stderr io.Writer) int {
	fs := cmdflags.New("serve", "[flags]",
		"Runs the bundled portal: the API under /v1 and the web page, on a SQLite file or a PostgreSQL\n"+
			"database, until SIGINT or SIGTERM; over HTTPS with --tls-cert and --tls-key. Give the bootstrap\n"+
			"admin token in $"+EnvBootstrapToken+" rather than --bootstrap-token, which `ps` shows to every\n"+
			"user of the machine.", stderr)
	cfg := Config{}
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	fs.StringVar(&cfg.TLSCertFile, "tls-cert", "", "PEM certificate (chain) file: serve HTTPS instead of HTTP; needs --tls-key")
	fs.StringVar(&cfg.TLSKeyFile, "tls-key", "", "PEM private key file of --tls-cert")
	storeFlags(fs, &cfg)
	fs.StringVar(&cfg.Seed, "seed", "", `seed a new store: "demo" or a seed JSON file`)
	// Not a flag default: usage output would print the secret.
	fs.StringVar(&cfg.BootstrapToken, "bootstrap-token", "", "admin token to create in a new store (or set $"+EnvBootstrapToken+")")
	fs.Float64Var(&cfg.RateLimit, "rate-limit", 100, "requests per second per token (0 = unlimited)")
	fs.IntVar(&cfg.Burst, "burst", 200, "requests a token may send at once before the rate limit applies")
	if err := parseFlags(fs, args, &cfg); err != nil {
		return cmdflags.ExitCode(err)
	}
	if cfg.BootstrapToken == "" {
		cfg.BootstrapToken = os.Getenv(EnvBootstrapToken)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := Start(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "serve:", err)
		return 1
	}
	fmt.Fprintf(stdout, "callingportal: serving %s/v1 (%s)\n", p.URL, storeName(cfg))
	fmt.Fprintf(stdout, "  %s%s\n", endpointLine, p.URL)
	if p.Site != "" {
		fmt.Fprintf(stdout, "  site:     %s (seeded from %s)\n", p.Site, cfg.Seed)
	} else {
		fmt.Fprintf(stdout, "  sites:    %s\n", strings.Join(p.Sites, ", "))
	}
	switch {
	case cfg.BootstrapToken == "":
	case p.BootstrapTokenValid:
		fmt.Fprintln(stdout, "  token:    the --bootstrap-token value is an admin token")
	default:
		fmt.Fprintln(stdout, "  token:    --bootstrap-token ignored: the store is not new; issue a token with the command below")
	}
	if cfg.DatabaseURL != "" {
		fmt.Fprintf(stdout, "  a token:  %s token --database URL --site SITE\n", os.Args[0])
	} else {
		fmt.Fprintf(stdout, "  a token:  %s token --data %s --site SITE\n", os.Args[0], cfg.DataPath)
	}
	fmt.Fprintf(stdout, "  API:      %s/v1/openapi.json\n", p.URL)
	fmt.Fprintf(stdout, "  web page: %s/ (sign in with a site token)\n", p.URL)

	<-ctx.Done()
	fmt.Fprintln(stdout, "callingportal: shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Close(shutdown); err != nil {
		fmt.Fprintln(stderr, "serve: shutdown:", err)
		return 1
	}
	return 0
}

// Token is the "token" command: it issues a token in the portal's store and
// prints its secret, the only time the secret is shown.
func Token(args []string, stdout, stderr io.Writer) int {
	fs := cmdflags.New("token", "--site SITE | --admin [flags]",
		"Issues an API token in the portal's store (the file or database serve uses) and prints its\n"+
			"secret, the only time it is shown.", stderr)
	var cfg Config
	storeFlags(fs, &cfg)
	site := fs.String("site", "", "site the token acts on")
	admin := fs.Bool("admin", false, "an admin token: every site, sites and tokens")
	name := fs.String("name", "cli", "a name to recognise the token by")
	if err := parseFlags(fs, args, &cfg); err != nil {
		return cmdflags.ExitCode(err)
	}
	if (*site == "") == !*admin {
		fmt.Fprintln(stderr, "token: give either --site SITE or --admin")
		return 2
	}
	secret, err := IssueToken(context.Background(), cfg, *name, *site, *admin)
	if err != nil {
		fmt.Fprintln(stderr, "token:", err)
		return 1
	}
	fmt.Fprintln(stdout, secret)
	return 0
}
