package bench

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

type report struct {
	machine   machine
	options   options
	terraform map[tfKey][]sample
	backend   []backendRow
	took      time.Duration
}

// median is the median of each field over the rounds.
func median(ss []sample) sample {
	pick := func(f func(sample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return sample{
		wall:     time.Duration(pick(func(s sample) float64 { return float64(s.wall) })),
		tfCPU:    time.Duration(pick(func(s sample) float64 { return float64(s.tfCPU) })),
		provCPU:  time.Duration(pick(func(s sample) float64 { return float64(s.provCPU) })),
		tfRSS:    int64(pick(func(s sample) float64 { return float64(s.tfRSS) })),
		provRSS:  int64(pick(func(s sample) float64 { return float64(s.provRSS) })),
		starts:   int(pick(func(s sample) float64 { return float64(s.starts) })),
		requests: int(pick(func(s sample) float64 { return float64(s.requests) })),
	}
}

func (r report) kinds() []string {
	var out []string
	for _, s := range r.options.stores {
		out = append(out, ourKind(s))
	}
	return append(out, kindReference, kindData)
}

func (r report) markdown() string {
	var b strings.Builder
	b.WriteString("# Benchmark: `make bench`\n\n")
	fmt.Fprintf(&b, "Machine: %s. The run took %s (sizes %v, rounds %v, backend cells of %s).\n\n",
		r.machine, r.took.Round(time.Second), r.options.sizes, r.options.rounds, r.options.duration)
	if len(r.terraform) > 0 {
		b.WriteString("## Terraform\n\n")
		b.WriteString("Medians over the rounds; each round alternates which kind goes first. `×ref` is the wall time over the no-I/O reference provider's, " +
			"`ms/res` wall time per resource. CPU and peak memory (maxrss) of terraform and of the provider processes (all of a command's starts: " +
			"CPU summed, memory the largest); terraform's maxrss is wait4's, the largest of terraform and its children. `req` is what the portal served.\n\n")
		b.WriteString("| resource | N | command | kind | wall s | ×ref | ms/res | terraform CPU s | provider CPU s | starts | terraform MiB | provider MiB | req |\n")
		b.WriteString("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, res := range r.options.resources {
			for _, n := range r.options.sizes {
				for _, c := range commands {
					ref, haveRef := r.terraform[tfKey{res, n, c.name, kindReference}]
					for _, kind := range r.kinds() {
						ss, ok := r.terraform[tfKey{res, n, c.name, kind}]
						if !ok {
							continue
						}
						m := median(ss)
						ratio := "-"
						if haveRef {
							ratio = fmt.Sprintf("%.2f", m.wall.Seconds()/median(ref).wall.Seconds())
						}
						req := "-"
						if strings.HasPrefix(kind, "ours-") {
							req = fmt.Sprint(m.requests)
						}
						prov, provMiB := fmt.Sprintf("%.2f", m.provCPU.Seconds()), fmt.Sprintf("%.0f", float64(m.provRSS)/1024)
						if kind == kindData {
							prov, provMiB = "-", "-"
						}
						fmt.Fprintf(&b, "| %s | %d | %s | %s | %.2f | %s | %.2f | %.2f | %s | %d | %.0f | %s | %s |\n",
							res, n, c.label, kind, m.wall.Seconds(), ratio, float64(m.wall.Milliseconds())/float64(n),
							m.tfCPU.Seconds(), prov, m.starts, float64(m.tfRSS)/1024, provMiB, req)
					}
				}
			}
		}
		b.WriteString("\n")
		r.startTable(&b)
	}
	if len(r.backend) > 0 {
		b.WriteString("## Backend\n\n")
		b.WriteString("Requests per second (pairs per second for assign + unassign) and latency, at each number of concurrent clients, " +
			"for " + r.options.duration.String() + " each; the bare net/http handler serves a body of the same size, and fsync is one client's write+fsync loop.\n\n")
		b.WriteString("| workload | target | clients | per s | p50 ms | p99 ms | errors | body bytes |\n")
		b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		labels := map[string]string{"fsync": "fsync"}
		for _, w := range workloads {
			labels[w.name] = w.label
		}
		for _, row := range r.backend {
			fmt.Fprintf(&b, "| %s | %s | %d | %.0f | %.2f | %.2f | %d | %d |\n", labels[row.workload], row.target, row.clients, row.rps,
				ms(row.p50), ms(row.p99), row.errors, row.bytes)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// startTable shows one provider start: a no-op plan -refresh=false at the
// smallest N, its CPU per start and its peak memory.
func (r report) startTable(b *strings.Builder) {
	if len(r.options.sizes) == 0 {
		return
	}
	n := slices.Min(r.options.sizes)
	fmt.Fprintf(b, "Provider start, from `plan -refresh=false` at N = %d: CPU per start and peak memory.\n\n", n)
	b.WriteString("| resource | kind | starts | CPU ms per start | MiB | ×ref CPU | ×ref MiB |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, res := range r.options.resources {
		ref, ok := r.terraform[tfKey{res, n, "plan-norefresh", kindReference}]
		if !ok {
			continue
		}
		rm := median(ref)
		per := func(m sample) float64 { return float64(m.provCPU.Microseconds()) / 1000 / float64(max(1, m.starts)) }
		for _, kind := range r.kinds() {
			ss, ok := r.terraform[tfKey{res, n, "plan-norefresh", kind}]
			if !ok || kind == kindData {
				continue
			}
			m := median(ss)
			fmt.Fprintf(b, "| %s | %s | %d | %.1f | %.0f | %.2f | %.2f |\n", res, kind, m.starts, per(m), float64(m.provRSS)/1024,
				per(m)/per(rm), float64(m.provRSS)/float64(rm.provRSS))
		}
	}
	b.WriteString("\n")
}

// svg draws ms per resource against N (log scale) for apply and the no-op
// plan of each resource: ours on each store beside the two floors.
func (r report) svg() string {
	const pw, ph, ml, mt, mb, mr = 360.0, 240.0, 56.0, 40.0, 40.0, 16.0
	panels := [][2]string{}
	for _, res := range r.options.resources {
		panels = append(panels, [2]string{res, "apply"}, [2]string{res, "plan"})
	}
	cols := 2
	rows := (len(panels) + cols - 1) / cols
	width, height := float64(cols)*(pw+ml+mr), float64(rows)*(ph+mt+mb)+40
	colors := map[string]string{"ours-sqlite": "#d62728", "ours-postgres": "#9467bd", kindReference: "#1f77b4", kindData: "#2ca02c"}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	sizes := slices.Clone(r.options.sizes)
	slices.Sort(sizes)
	labels := map[string]string{"apply": "apply", "plan": "no-op plan (refresh)"}
	for i, pnl := range panels {
		x0 := float64(i%cols)*(pw+ml+mr) + ml
		y0 := float64(i/cols)*(ph+mt+mb) + mt
		series := map[string][]float64{}
		top := 0.0
		for _, kind := range r.kinds() {
			for _, n := range sizes {
				ss, ok := r.terraform[tfKey{pnl[0], n, pnl[1], kind}]
				v := math.NaN()
				if ok {
					v = float64(median(ss).wall.Microseconds()) / 1000 / float64(n)
					top = max(top, v)
				}
				series[kind] = append(series[kind], v)
			}
		}
		top = niceCeil(top)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-weight="bold">%s: %s, ms per resource</text>`+"\n", x0, y0-14, pnl[0], labels[pnl[1]])
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="none" stroke="#999"/>`+"\n", x0, y0, pw, ph)
		for t := 0; t <= 4; t++ {
			y := y0 + ph - float64(t)/4*ph
			fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#eee"/><text x="%.0f" y="%.1f" text-anchor="end">%.3g</text>`+"\n",
				x0, y, x0+pw, y, x0-4, y+4, top*float64(t)/4)
		}
		xAt := func(j int) float64 {
			if len(sizes) == 1 {
				return x0 + pw/2
			}
			lo, hi := math.Log10(float64(sizes[0])), math.Log10(float64(sizes[len(sizes)-1]))
			return x0 + 20 + (math.Log10(float64(sizes[j]))-lo)/(hi-lo)*(pw-40)
		}
		for j, n := range sizes {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">N = %d</text>`+"\n", xAt(j), y0+ph+16, n)
		}
		for _, kind := range r.kinds() {
			var pts []string
			for j, v := range series[kind] {
				if math.IsNaN(v) || top == 0 {
					continue
				}
				x, y := xAt(j), y0+ph-v/top*ph
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", x, y, colors[kind])
			}
			if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(pts, " "), colors[kind])
			}
		}
	}
	x := ml
	for _, kind := range r.kinds() {
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" fill="%s"/><text x="%.0f" y="%.0f">%s</text>`+"\n", x, height-24, colors[kind], x+16, height-14, kind)
		x += 130
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
