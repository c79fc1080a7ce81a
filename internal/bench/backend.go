package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// backendRow is one line of the backend table.
type backendRow struct {
	workload, target string
	clients          int
	rps              float64 // requests (pairs for assign) per second
	p50, p99         time.Duration
	errors           int
	bytes            int
}

// The backend workloads, as requests of the API.
var workloads = []struct{ name, label string }{
	{"read", "read one number"},
	{"list", "list one page (100)"},
	{"export", "CSV export, 10,000 numbers"},
	{"assign", "assign + unassign pair"},
}

func runBackend(ctx context.Context, o options, work string, portals map[string]*benchPortal, p *progress) ([]backendRow, error) {
	var rows []backendRow
	fsync, err := fsyncRate(filepath.Join(work, "fsync.tmp"), o.duration)
	if err != nil {
		return nil, err
	}
	rows = append(rows, backendRow{workload: "fsync", target: "disk (write 4 KiB + fsync)", clients: 1, rps: fsync})
	for _, w := range workloads {
		size := 0
		for _, store := range o.stores {
			bp := portals[store]
			for _, c := range o.clients {
				p.line(fmt.Sprintf("backend: %s on %s, %d clients", w.label, store, c))
				row, err := measure(ctx, []*benchPortal{bp}, w.name, c, o.duration)
				if err != nil {
					return nil, fmt.Errorf("%s on %s: %w", w.label, store, err)
				}
				row.target = "portal, " + store
				size = row.bytes
				rows = append(rows, row)
			}
		}
		if w.name == "assign" {
			scaled, err := scaleOut(ctx, o, portals, p)
			rows = append(rows, scaled...)
			if err != nil {
				return rows, err
			}
			continue
		}
		if size == 0 {
			continue
		}
		bare, stop, err := bareHandler(size)
		if err != nil {
			return nil, err
		}
		for _, c := range o.clients {
			p.line(fmt.Sprintf("backend: bare net/http, %d-byte body, %d clients", size, c))
			row, err := measure(ctx, []*benchPortal{bare}, w.name, c, o.duration)
			if err != nil {
				stop()
				return nil, err
			}
			row.target = "bare net/http"
			rows = append(rows, row)
		}
		stop()
	}
	return rows, nil
}

// scaleOut measures the assign pairs on PostgreSQL with the clients split
// between two sites of one portal, and between two portals on one database
// that serve a site each: beside one portal on one site, they say whether
// the site's row lock or the machine bounds the writes.
func scaleOut(ctx context.Context, o options, portals map[string]*benchPortal, p *progress) ([]backendRow, error) {
	pg, twin := portals["postgres"], portals[twinPortal]
	if pg == nil || twin == nil {
		return nil, nil
	}
	var rows []backendRow
	for _, cell := range []struct {
		target  string
		targets []*benchPortal
	}{
		{"1 portal, postgres, 2 sites", []*benchPortal{pg, pg.onSite(site2ID, service2ID)}},
		{"2 portals, postgres, a site each", []*benchPortal{pg, twin}},
	} {
		for _, c := range o.clients {
			if c < len(cell.targets) {
				continue
			}
			p.line(fmt.Sprintf("backend: assign + unassign pair, %s, %d clients", cell.target, c))
			row, err := measure(ctx, cell.targets, "assign", c, o.duration)
			if err != nil {
				return rows, fmt.Errorf("pairs, %s: %w", cell.target, err)
			}
			row.target = cell.target
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// bareHandler serves a body of size bytes on every path: the ceiling for
// HTTP on this machine.
func bareHandler(size int) (*benchPortal, func(), error) {
	body := bytes.Repeat([]byte("x"), size)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &benchPortal{url: "http://" + ln.Addr().String(), site: siteID}, func() { _ = srv.Close() }, nil
}

// measure runs clients concurrent loops of the workload for d, client w
// against targets[w % len(targets)], and returns their throughput and
// latency percentiles, all targets together.
func measure(ctx context.Context, targets []*benchPortal, workload string, clients int, d time.Duration) (backendRow, error) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxIdleConns: clients}}
	defer hc.CloseIdleConnections()
	do := func(bp *benchPortal, method, url string, body []byte) (int, error) {
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+bp.token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s %s: %s", method, url, resp.Status)
		}
		return int(n), err
	}
	op := func(worker int) (int, error) {
		bp := targets[worker%len(targets)]
		base := bp.url + "/v1/sites/" + bp.site + "/numbers"
		switch workload {
		case "read":
			return do(bp, http.MethodGet, base+"/%2B"+number(42)[1:], nil)
		case "list":
			return do(bp, http.MethodGet, base+"?limit=100", nil)
		case "export":
			return do(bp, http.MethodGet, base+"/export.csv?"+exportQuery, nil)
		default:
			n := base + "/" + "%2B" + number(firstPair + worker)[1:] + "/assignment"
			if _, err := do(bp, http.MethodPut, n, fmt.Appendf(nil, `{"type":"service","id":%q}`, bp.service)); err != nil {
				return 0, err
			}
			return do(bp, http.MethodDelete, n, nil)
		}
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      int
		size      int
		firstErr  error
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := range clients {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			var last error
			for time.Now().Before(deadline) {
				t0 := time.Now()
				n, err := op(w)
				if err != nil {
					bad++
					last = err
					continue
				}
				mine = append(mine, time.Since(t0))
				mu.Lock()
				size = n
				mu.Unlock()
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			errs += bad
			if firstErr == nil {
				firstErr = last
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(latencies) == 0 {
		return backendRow{}, fmt.Errorf("no request succeeded: %v", firstErr)
	}
	slices.Sort(latencies)
	pct := func(q float64) time.Duration { return latencies[min(len(latencies)-1, int(q*float64(len(latencies))))] }
	return backendRow{workload: workload, clients: clients, rps: float64(len(latencies)) / elapsed.Seconds(),
		p50: pct(0.50), p99: pct(0.99), errors: errs, bytes: size}, nil
}

// fsyncRate is how many write+fsync pairs of 4 KiB the disk under path does
// per second: the ceiling for durable commits, one at a time.
func fsyncRate(path string, d time.Duration) (float64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer os.Remove(path)
	defer f.Close()
	buf := bytes.Repeat([]byte{1}, 4096)
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		if _, err := f.WriteAt(buf, 0); err != nil {
			return 0, err
		}
		if err := f.Sync(); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
