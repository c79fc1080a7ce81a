package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/callingportal/terraform-provider-callingportal/internal/adopt"
	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/seed"
)

// The seeded site: 20,000 numbers and as many stations. Numbers
// +13125500000 to +13125509999 are the CSV export's (prefix +1312550);
// Terraform assigns from +13125510000 and makes users from +13125515000
// (N up to 5,000 each); the backend's assign pairs use +13125519000 and up.
// On PostgreSQL a second site, bench2, holds +13125519000 to +13125519999
// for the cells of two sites and two portals.
const (
	siteID      = "bench"
	serviceID   = "svc_benchservice"
	site2ID     = "bench2"
	service2ID  = "svc_benchsecond2"
	twinPortal  = "postgres, second portal"
	exportQuery = "prefix=%2B1312550"
	firstAssign = 10000
	firstUser   = 15000
	firstPair   = 19000
)

func number(i int) string { return fmt.Sprintf("+131255%05d", i) }

// benchSeed is a site whose pool is numbers from..to, with as many
// stations, and one service that holds none.
func benchSeed(site, service string, from, to int) seed.Seed {
	return seed.Seed{
		Site:   seed.SiteSeed{ID: site, Name: "Benchmark " + site, StationsPurchased: to - from + 1},
		Ranges: []contract.NumberRange{{From: number(from), To: number(to)}},
		Services: []seed.Service{{ID: service, ServiceInput: contract.ServiceInput{
			TargetInput: contract.TargetInput{Name: new("Bench Hunt Group")}, Type: new("hunt_group")}, Numbers: []string{}}},
	}
}

// benchPortal is a running portal, the admin token the harness uses, and
// the site (and its service) that the backend's requests go to.
type benchPortal struct {
	store         string
	url           string
	token         string
	site, service string
	p             *backend.Portal
}

// onSite is bp's portal with the requests going to another site.
func (bp *benchPortal) onSite(site, service string) *benchPortal {
	other := *bp
	other.site, other.service = site, service
	return &other
}

// startPortals starts one portal per store on a fresh store seeded with the
// bench site; on PostgreSQL also the site bench2 and a second portal on the
// same database (under the key twinPortal). close stops them and any
// PostgreSQL cluster.
func startPortals(ctx context.Context, stores []string, work string, p *progress) (map[string]*benchPortal, func(), error) {
	portals := map[string]*benchPortal{}
	var stops []func()
	closeAll := func() {
		for _, bp := range portals {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_ = bp.p.Close(sctx)
			cancel()
		}
		for _, stop := range stops {
			stop()
		}
	}
	seedPath := filepath.Join(work, "seed.json")
	if err := adopt.WriteSeed(seedPath, benchSeed(siteID, serviceID, 0, 19999)); err != nil {
		return portals, closeAll, err
	}
	token := rand.Text()
	for _, store := range stores {
		cfg := backend.Config{Listen: "127.0.0.1:0", Seed: seedPath, BootstrapToken: token}
		switch store {
		case "sqlite":
			cfg.DataPath = filepath.Join(work, "portal.db")
		case "postgres":
			p.line("starting PostgreSQL (initdb, pg_ctl) in a temp dir")
			url, stop, err := startPostgres(ctx, work)
			if stop != nil {
				stops = append(stops, stop)
			}
			if err != nil {
				return portals, closeAll, err
			}
			cfg.DatabaseURL = url
		default:
			return portals, closeAll, fmt.Errorf("unknown store %q (sqlite, postgres)", store)
		}
		p.line("starting the portal on " + store + " (seeding 20,000 numbers)")
		bp, err := backend.Start(ctx, cfg)
		if err != nil {
			return portals, closeAll, fmt.Errorf("portal on %s: %w", store, err)
		}
		portals[store] = &benchPortal{store: store, url: bp.URL, token: token, site: siteID, service: serviceID, p: bp}
		if store != "postgres" {
			continue
		}
		p.line("seeding the site bench2 and starting a second portal on the same PostgreSQL database")
		second := benchSeed(site2ID, service2ID, firstPair, firstPair+999)
		if err := bp.Store().Update(ctx, second.Apply); err != nil {
			return portals, closeAll, fmt.Errorf("seed %s: %w", site2ID, err)
		}
		cfg.Seed = ""
		twin, err := backend.Start(ctx, cfg)
		if err != nil {
			return portals, closeAll, fmt.Errorf("second portal on %s: %w", store, err)
		}
		portals[twinPortal] = &benchPortal{store: store, url: twin.URL, token: token, site: site2ID, service: service2ID, p: twin}
	}
	return portals, closeAll, nil
}

var metricLine = regexp.MustCompile(`^callingportal_http_requests_total\{method="([A-Z]+)",route="([^"]*)",status="\d+"\} (\d+)$`)

// requests is how many requests the portal has answered, its metrics
// route left out.
func (bp *benchPortal) requests() (int, error) {
	resp, err := http.Get(bp.url + "/v1/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	total := 0
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		m := metricLine.FindStringSubmatch(lines.Text())
		if m == nil || strings.HasSuffix(m[2], "/metrics") {
			continue
		}
		n, _ := strconv.Atoi(m[3])
		total += n
	}
	return total, lines.Err()
}

// havePostgres says plainly what is missing when the PostgreSQL binaries are.
func havePostgres() error {
	for _, bin := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("the PostgreSQL benchmark needs the PostgreSQL 15+ server binaries initdb, pg_ctl and postgres on PATH, and %s is missing; install them or run with -stores sqlite", bin)
		}
	}
	return nil
}

// startPostgres starts a private cluster under work on a free loopback
// port, as pgtest does, but durable (fsync on, the default), as a portal's
// database would be; as root it runs as the postgres user.
func startPostgres(ctx context.Context, work string) (url string, stop func(), err error) {
	dir := filepath.Join(work, "pg")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", nil, err
	}
	var as []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return "", nil, fmt.Errorf("PostgreSQL does not run as root and there is no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", nil, err
		}
		if err := os.Chmod(work, 0o755); err != nil {
			return "", nil, err
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) error {
		args = append(append([]string(nil), as...), args...)
		out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	data, logFile := filepath.Join(dir, "data"), filepath.Join(dir, "postgres.log")
	if err := run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-instructions", "-E", "UTF8"); err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port //nolint:forcetypeassert // a TCP listener's address
	ln.Close()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=200", port, dir)
	if err := run("pg_ctl", "start", "-D", data, "-l", logFile, "-w", "-t", "60", "-o", opts); err != nil {
		log, _ := os.ReadFile(logFile)
		return "", nil, fmt.Errorf("%w\n%s", err, log)
	}
	stop = func() { _ = run("pg_ctl", "stop", "-D", data, "-m", "fast", "-w") }
	base := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/", port)
	conn, err := pgx.Connect(ctx, base+"postgres?sslmode=disable")
	if err != nil {
		return "", stop, err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE bench"); err != nil {
		return "", stop, err
	}
	return base + "bench?sslmode=disable", stop, nil
}

// machine is what the table ran on.
type machine struct {
	cpu              string
	cores            int
	memory           string
	goVersion        string
	terraformVersion string
	date             string
	load             string
}

func describeMachine(terraform string) machine {
	m := machine{cores: runtime.NumCPU(), goVersion: runtime.Version(), date: time.Now().UTC().Format("2006-01-02 15:04 MST")}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.Atoi(f[1])
				m.memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	m.load = loadAverage()
	var v struct {
		Version string `json:"terraform_version"`
	}
	if out, err := exec.Command(terraform, "version", "-json").Output(); err == nil && json.Unmarshal(out, &v) == nil {
		m.terraformVersion = v.Version
	}
	return m
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func (m machine) String() string {
	return fmt.Sprintf("%s, %d cores, %s memory, %s, Terraform %s, %s, load average %s",
		m.cpu, m.cores, m.memory, m.goVersion, m.terraformVersion, m.date, m.load)
}

var errNotNoop = errors.New("a no-op plan found changes")
