// Package bench is the benchmark harness behind `make bench` (issue 13): in
// one run it measures Terraform commands at N resources against the bundled
// portal on SQLite and PostgreSQL, beside the same N of terraform_data
// (Terraform's floor) and of the no-I/O reference provider (package
// reference, the floor of any framework provider), in rounds that alternate
// the kinds; then the backend's throughput beside a bare net/http handler
// and the disk's fsync rate. It prints a table, saves it as Markdown with
// the machine it ran on, and draws an SVG chart of time per resource.
//
// CPU time and peak memory come from wait4: terraform's from the command
// itself, the providers' from a wrapper that Terraform starts in the
// provider's place (this program under the provider's name, see Wrap),
// which runs the real binary and logs its rusage.
package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// options are the command's flags.
type options struct {
	sizes     []int
	rounds    []int // per size; the last repeats
	resources []string
	stores    []string
	clients   []int
	duration  time.Duration
	out       string
	root      string
	profile   string
	skipTF    bool
	skipHTTP  bool
	skipData  bool
	terraform string
}

// Run is the bench command: flags in args, the table on stdout, progress
// and errors on stderr. It returns the exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: bench [flags]\n\nRuns the benchmark table of issue 13 and writes it (Markdown and an SVG chart) to --out.\n\nFlags:")
		fs.PrintDefaults()
	}
	var o options
	sizes := fs.String("sizes", "100,1000,5000", "resource counts N, comma-separated")
	rounds := fs.String("rounds", "3", "rounds per N, comma-separated in the order of -sizes (the last repeats); each round alternates the order of the kinds, and the table shows medians")
	resources := fs.String("resources", "assignments,users", "resource kinds: assignments, users")
	stores := fs.String("stores", "sqlite,postgres", "portal stores: sqlite, postgres")
	clients := fs.String("clients", "1,8,32", "concurrent clients of the backend benchmark")
	fs.DurationVar(&o.duration, "duration", 3*time.Second, "how long each backend measurement runs")
	quick := fs.Bool("quick", false, "the smallest size only: -sizes 100 -rounds 1 -duration 500ms")
	fs.StringVar(&o.out, "out", "docs/bench", "directory for latest.md and time-per-resource.svg; empty writes nothing")
	fs.StringVar(&o.root, "root", ".", "the repository, whose provider and reference provider are built")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of this process (the portal, in-process, and the load clients) to FILE")
	fs.BoolVar(&o.skipTF, "skip-terraform", false, "leave out the Terraform table")
	fs.BoolVar(&o.skipHTTP, "skip-backend", false, "leave out the backend table")
	fs.BoolVar(&o.skipData, "skip-terraform-data", false, "leave out terraform_data (Terraform's floor), which at N = 5,000 takes as long as a provider")
	fs.StringVar(&o.terraform, "terraform", "terraform", "the Terraform CLI")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *quick {
		*sizes, *rounds, o.duration = "100", "1", 500*time.Millisecond
	}
	var err error
	if o.sizes, err = ints(*sizes); err != nil {
		fmt.Fprintln(stderr, "bench: -sizes:", err)
		return 2
	}
	if o.clients, err = ints(*clients); err != nil {
		fmt.Fprintln(stderr, "bench: -clients:", err)
		return 2
	}
	if o.rounds, err = ints(*rounds); err != nil {
		fmt.Fprintln(stderr, "bench: -rounds:", err)
		return 2
	}
	o.resources, o.stores = strings.Split(*resources, ","), strings.Split(*stores, ",")
	if err := run(context.Background(), o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "\nbench:", err)
		return 1
	}
	return 0
}

// roundsFor is how many rounds size i of -sizes runs.
func (o options) roundsFor(i int) int { return o.rounds[min(i, len(o.rounds)-1)] }

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	start := time.Now()
	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, s := range o.stores {
		if s == "postgres" {
			if err := havePostgres(); err != nil {
				return err
			}
		}
	}
	work, err := os.MkdirTemp("", "callingportal-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	p := newProgress(stderr)
	m := describeMachine(o.terraform)
	p.line("machine: " + m.String())

	portals, closePortals, err := startPortals(ctx, o.stores, work, p)
	defer closePortals()
	if err != nil {
		return err
	}
	var report report
	report.machine = m
	report.options = o
	if !o.skipTF {
		tf, err := newTerraformBench(ctx, o, work, portals, p)
		if err != nil {
			return err
		}
		if report.terraform, err = tf.run(ctx); err != nil {
			return err
		}
	}
	if !o.skipHTTP {
		if report.backend, err = runBackend(ctx, o, work, portals, p); err != nil {
			return err
		}
	}
	report.took = time.Since(start)
	p.done()
	text := report.markdown()
	fmt.Fprint(stdout, text)
	if o.out == "" {
		return nil
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(o.out, "latest.md"), []byte(text), 0o644); err != nil {
		return err
	}
	if len(report.terraform) > 0 {
		if err := os.WriteFile(filepath.Join(o.out, "time-per-resource.svg"), []byte(report.svg()), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "bench: wrote %s and its chart in %s\n", filepath.Join(o.out, "latest.md"), time.Since(start).Round(time.Second))
	return nil
}

// build builds a main package of the repository to out.
func build(root, pkg, out string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// progress is the line that says what runs now: rewritten in place on a
// terminal, one line per step elsewhere.
type progress struct {
	w     io.Writer
	tty   bool
	start time.Time
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) line(s string) {
	s = fmt.Sprintf("[%s] %s", time.Since(p.start).Round(time.Second), s)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", s)
		return
	}
	fmt.Fprintln(p.w, s)
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
