// Package wrap is what Terraform starts in a provider's place during the
// benchmark: it runs the real provider binary and logs the rusage wait4
// reports for it, so the harness can tell the provider's CPU time and peak
// memory from terraform's. It imports only the standard library, so that
// it adds little to each start.
package wrap

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
)

// EnvRusage names the file where Wrap logs each provider process's rusage,
// one line each: user+sys nanoseconds and maxrss in KiB.
const EnvRusage = "CALLINGPORTAL_BENCH_RUSAGE"

// Wrap runs the real provider binary, ../real/<same name>, with this
// process's arguments and standard streams, passes signals on, and logs its
// rusage to $CALLINGPORTAL_BENCH_RUSAGE. It returns the provider's exit code.
func Wrap() int {
	dir, name := filepath.Split(os.Args[0])
	real := filepath.Join(dir, "..", "real", name)
	cmd := exec.Command(real, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "bench wrapper:", err)
		return 1
	}
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	_ = cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		if path := os.Getenv(EnvRusage); path != "" {
			if f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644); err == nil {
				fmt.Fprintf(f, "%d %d\n", ru.Utime.Nano()+ru.Stime.Nano(), ru.Maxrss)
				f.Close()
			}
		}
	}
	return cmd.ProcessState.ExitCode()
}
