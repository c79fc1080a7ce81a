package backend_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/postgres/pgtest"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqlite"
)

// serveEnv makes the test binary run the real serve command instead of the
// tests, so the crash test kills a real portal process.
const serveEnv = "CALLINGPORTAL_TEST_RUN_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) == "1" {
		os.Exit(backend.Serve(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(pgtest.Main(m))
}

// startServe starts `serve` as a process on data and returns it with its endpoint.
func startServe(t *testing.T, data string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "--listen", "127.0.0.1:0", "--data", data, "--seed", "demo", "--bootstrap-token", adminToken)
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	endpoint, err := backend.StartServe(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return cmd, endpoint
}

// TestKill9KeepsAcknowledgedWrites writes from several clients while the
// portal is killed with SIGKILL, three times over, and then finds every
// write the portal acknowledged, in a file that passes integrity_check.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "portal.db")
	ctx := context.Background()
	var (
		mu    sync.Mutex
		acked []string
	)
	for round := range 3 {
		cmd, endpoint := startServe(t, data)
		c, err := client.New(client.Config{Endpoint: endpoint, Token: adminToken, Site: "demo", MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		var writers sync.WaitGroup
		for w := range 4 {
			writers.Go(func() {
				for i := 0; ; i++ {
					name := fmt.Sprintf("crash-r%d-w%d-%d", round, w, i)
					if _, err := c.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new(name)}}); err != nil {
						return // the portal is gone: nothing after this was acknowledged
					}
					mu.Lock()
					acked = append(acked, name)
					mu.Unlock()
				}
			})
		}
		time.Sleep(400 * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		writers.Wait()
	}
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kills")
	}

	cmd, endpoint := startServe(t, data)
	c, err := client.New(client.Config{Endpoint: endpoint, Token: adminToken, Site: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	phones, err := c.Phones.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, ph := range phones {
		have[ph.Name] = true
	}
	for _, name := range acked {
		if !have[name] {
			t.Errorf("acknowledged phone %q is missing after kill -9 and restart", name)
		}
	}
	t.Logf("%d acknowledged writes over 3 kills, all present", len(acked))

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
	st, err := sqlite.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Fatalf("integrity_check after kill -9: %v", err)
	}
}
