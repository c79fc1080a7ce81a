package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/tlstest"
)

// tlsPortal is a demo portal on SQLite serving HTTPS with a certificate
// for 127.0.0.1 that a throwaway CA signed; caPEM is that CA.
type tlsPortal struct {
	*testPortal
	caPEM string
}

// newTLSPortal starts a tlsPortal for t, as newTestPortal starts a plain one.
func newTLSPortal(t *testing.T) *tlsPortal {
	t.Helper()
	ca := tlstest.NewCA(t, "callingportal test CA")
	cfg := backend.Config{Listen: "127.0.0.1:0", Seed: "demo", BootstrapToken: testToken,
		DataPath: filepath.Join(t.TempDir(), "portal.db")}
	cfg.TLSCertFile, cfg.TLSKeyFile = ca.ServerFiles(t, "127.0.0.1")
	p, err := backend.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start portal: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("stop portal: %v", err)
		}
	})
	c, err := client.New(client.Config{Endpoint: p.URL, Token: testToken, Site: "demo", CACertificate: string(ca.PEM)})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return &tlsPortal{testPortal: &testPortal{Portal: p, client: c}, caPEM: string(ca.PEM)}
}

// configureProvider runs the provider's Configure on attrs (the other
// attributes null), as Terraform calls it, in the environment the test set.
func configureProvider(t *testing.T, attrs map[string]tftypes.Value) provider.ConfigureResponse {
	t.Helper()
	ctx := t.Context()
	p := New("test")()
	var schemaResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &schemaResp)
	typ, ok := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the provider schema is not an object")
	}
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
		if v, ok := attrs[name]; ok {
			values[name] = v
		}
	}
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: tftypes.NewValue(typ, values)}}, &resp)
	return resp
}

// clearProviderEnv unsets the provider's environment variables for t.
func clearProviderEnv(t *testing.T) {
	for _, env := range []string{EnvEndpoint, EnvToken, EnvSite, EnvCACertificate, EnvInsecureHTTP} {
		t.Setenv(env, "")
	}
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// connection is the provider block's endpoint, token and site.
func connection(endpoint string) map[string]tftypes.Value {
	return map[string]tftypes.Value{"endpoint": str(endpoint), "token": str(testToken), "site": str("demo")}
}

// TestProviderConfigure_caCertificate: the provider configured with the
// portal's CA, in the provider block or the environment, reads a TLS
// portal; without it the read fails on the certificate, and a CA that is not
// PEM is an error on ca_certificate.
func TestProviderConfigure_caCertificate(t *testing.T) {
	clearProviderEnv(t)
	p := newTLSPortal(t)
	readInventory := func(resp provider.ConfigureResponse) error {
		t.Helper()
		if resp.Diagnostics.HasError() {
			t.Fatalf("Configure: %v", resp.Diagnostics)
		}
		pd, ok := resp.DataSourceData.(*providerData)
		if !ok {
			t.Fatalf("DataSourceData is %T", resp.DataSourceData)
		}
		_, err := pd.client.Inventory.Read(t.Context())
		return err
	}

	attrs := connection(p.URL)
	attrs["ca_certificate"] = str(p.caPEM)
	if err := readInventory(configureProvider(t, attrs)); err != nil {
		t.Errorf("ca_certificate in the provider block: %v", err)
	}

	attrs = connection(p.URL)
	attrs["max_retries"] = tftypes.NewValue(tftypes.Number, 0)
	if err := readInventory(configureProvider(t, attrs)); err == nil || !strings.Contains(err.Error(), "give the CA certificate that signed it") {
		t.Errorf("no CA: err = %v, want the certificate refused", err)
	}
	t.Setenv(EnvCACertificate, p.caPEM)
	if err := readInventory(configureProvider(t, attrs)); err != nil {
		t.Errorf("the CA in %s: %v", EnvCACertificate, err)
	}

	attrs["ca_certificate"] = str("portal-ca.pem")
	resp := configureProvider(t, attrs)
	if d := resp.Diagnostics.Errors(); len(d) != 1 || !strings.Contains(d[0].Detail(), `file("ca.pem")`) ||
		!attributeIs(d[0], "ca_certificate") {
		t.Errorf("a file name for ca_certificate: %v", resp.Diagnostics)
	}
}

// TestProviderConfigure_plainHTTP: plain http to another machine is an error
// on endpoint that names the opt-in, unless insecure_http or its
// environment variable allows it; http to this machine is always fine.
func TestProviderConfigure_plainHTTP(t *testing.T) {
	for _, tc := range []struct {
		name     string
		endpoint string
		insecure *bool  // insecure_http in the provider block
		env      string // CALLINGPORTAL_INSECURE_HTTP
		want     string // "" = configured; else the error's summary
	}{
		{"another machine", "http://portal.example.com", nil, "", "Plain http to another machine"},
		{"another machine by address", "http://192.0.2.10:8080", nil, "", "Plain http to another machine"},
		{"allowed in the block", "http://portal.example.com", new(true), "", ""},
		{"allowed in the environment", "http://portal.example.com", nil, "true", ""},
		{"the block wins over the environment", "http://portal.example.com", new(false), "true", "Plain http to another machine"},
		{"the environment says no", "http://portal.example.com", nil, "false", "Plain http to another machine"},
		{"the environment is not a bool", "http://portal.example.com", nil, "yes please", "Invalid " + EnvInsecureHTTP},
		{"localhost", "http://localhost:8080", nil, "", ""},
		{"127.0.0.1", "http://127.0.0.1:8080", nil, "", ""},
		{"::1", "http://[::1]:8080", nil, "", ""},
		{"https", "https://portal.example.com", nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearProviderEnv(t)
			t.Setenv(EnvInsecureHTTP, tc.env)
			attrs := connection(tc.endpoint)
			if tc.insecure != nil {
				attrs["insecure_http"] = tftypes.NewValue(tftypes.Bool, *tc.insecure)
			}
			resp := configureProvider(t, attrs)
			errs := resp.Diagnostics.Errors()
			switch {
			case tc.want == "" && len(errs) > 0:
				t.Fatalf("Configure: %v", resp.Diagnostics)
			case tc.want == "":
			case len(errs) != 1 || errs[0].Summary() != tc.want:
				t.Fatalf("Configure: %v, want one error %q", resp.Diagnostics, tc.want)
			case tc.want == "Plain http to another machine" && (!attributeIs(errs[0], "endpoint") ||
				!strings.Contains(errs[0].Detail(), "insecure_http = true") || !strings.Contains(errs[0].Detail(), EnvInsecureHTTP+"=true")):
				t.Errorf("the refusal does not name the attribute and the opt-in: %v", errs[0])
			}
			if strings.Contains(fmt.Sprint(resp.Diagnostics), testToken) {
				t.Errorf("a diagnostic shows the token: %v", resp.Diagnostics)
			}
		})
	}
}

// attributeIs says whether d is about the attribute name.
func attributeIs(d diag.Diagnostic, name string) bool {
	withPath, ok := d.(diag.DiagnosticWithPath)
	return ok && withPath.Path().Equal(path.Root(name))
}

// TestAccProvider_caCertificate: without ca_certificate the plan of a TLS
// portal fails on the portal's certificate, plain http to another machine
// fails naming the opt-in, and with ca_certificate Terraform reads the portal.
func TestAccProvider_caCertificate(t *testing.T) {
	testAccPreCheck(t)
	p := newTLSPortal(t)
	block := func(endpoint, extra string) string {
		return fmt.Sprintf(`
provider "callingportal" {
  endpoint    = %q
  token       = %q
  site        = "demo"
  max_retries = 0
%s
}

data "callingportal_station_inventory" "this" {}
`, endpoint, testToken, extra)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      block(p.URL, ""),
				ExpectError: regexp.MustCompile(`signed by an authority this client does not\s+trust`),
			},
			{
				Config:      block("http://portal.example.com", ""),
				ExpectError: regexp.MustCompile(`(?s)Plain http to another machine.*insecure_http = true`),
			},
			{
				// Last, as the destroy after the steps runs this configuration.
				Config: block(p.URL, fmt.Sprintf("  ca_certificate = %q", p.caPEM)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.callingportal_station_inventory.this", tfjsonpath.New("available"), knownvalue.Int64Exact(43)),
				},
			},
		},
	})
}
