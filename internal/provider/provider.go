// Package provider is the Terraform provider for the calling portal: users and
// number assignments as resources, inventory and number lists as data
// sources, plan-time checks against the portal's rules, and number functions.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
)

var (
	_ provider.Provider                  = (*callingportalProvider)(nil)
	_ provider.ProviderWithFunctions     = (*callingportalProvider)(nil)
	_ provider.ProviderWithListResources = (*callingportalProvider)(nil)
)

// Environment variables the provider falls back to.
const (
	EnvEndpoint = "CALLINGPORTAL_ENDPOINT"
	EnvToken    = "CALLINGPORTAL_TOKEN"
	EnvSite     = "CALLINGPORTAL_SITE"
	// EnvCACertificate holds the CA certificate itself (PEM), not a file name.
	EnvCACertificate = "CALLINGPORTAL_CA_CERTIFICATE"
	EnvInsecureHTTP  = "CALLINGPORTAL_INSECURE_HTTP"
)

// New returns the provider factory for a release version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &callingportalProvider{version: version} }
}

type callingportalProvider struct {
	version string
}

type providerModel struct {
	Endpoint     types.String `tfsdk:"endpoint"`
	Token        types.String `tfsdk:"token"`
	Site         types.String `tfsdk:"site"`
	MaxRetries   types.Int64  `tfsdk:"max_retries"`
	RetryWaitMax types.String `tfsdk:"retry_wait_max"`
	CACert       types.String `tfsdk:"ca_certificate"`
	InsecureHTTP types.Bool   `tfsdk:"insecure_http"`
}

// providerData is what resources and data sources receive in Configure.
type providerData struct {
	client *client.Client
	// view serves Reads and plan checks from one list per kind of object:
	// a refresh of N resources costs N/1000 requests, not N.
	view   *client.View
	site   string
	ledger *planLedger
	names  *heldNames
}

// providerDataFrom is what the provider configured, as the Configure of a
// resource or data source receives it in data. It is nil while Terraform
// validates a configuration, before the provider is set up.
func providerDataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider: please report it.", data))
		return nil
	}
	return pd
}

func (p *callingportalProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "callingportal"
	resp.Version = p.version
}

func (p *callingportalProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages phone-number assignments and users of a calling portal site.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL of the portal API, without `/v1`, e.g. `https://portal.example.com` or `http://127.0.0.1:8080`. Plain `http://` is refused for any host but this machine (`localhost`, `127.0.0.0/8`, `::1`) unless `insecure_http` is set. Defaults to the `" + EnvEndpoint + "` environment variable.",
				Optional:            true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "API token scoped to the site. Defaults to the `" + EnvToken + "` environment variable. Never stored in state or logged.",
				Optional:            true,
				Sensitive:           true,
			},
			"site": schema.StringAttribute{
				MarkdownDescription: "The site to manage, e.g. `demo`. Defaults to the `" + EnvSite + "` environment variable.",
				Optional:            true,
			},
			"ca_certificate": schema.StringAttribute{
				MarkdownDescription: "The PEM certificate of the authority that signed a private portal's HTTPS certificate (several may be concatenated), e.g. `file(\"portal-ca.pem\")`: the provider then trusts only it, not the system's roots. Defaults to the `" + EnvCACertificate + "` environment variable, which holds the PEM itself, not a file name.",
				Optional:            true,
			},
			"insecure_http": schema.BoolAttribute{
				MarkdownDescription: "Allow a plain `http://` endpoint on another machine, which sends the token unencrypted across the network. Without it such an endpoint is refused; `http://` to this machine is always allowed. Defaults to the `" + EnvInsecureHTTP + "` environment variable (`true` or `false`), else `false`.",
				Optional:            true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How often a request that failed with 429, 502, 503, 504 or a connection error is tried again. Defaults to 4.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 20)},
			},
			"retry_wait_max": schema.StringAttribute{
				MarkdownDescription: "The longest wait between two tries, as a Go duration such as `10s`. The portal's `Retry-After` is honoured up to this bound. Defaults to `10s`.",
				Optional:            true,
				Validators:          []validator.String{durationValidator{}},
			},
		},
	}
}

func (p *callingportalProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	endpoint := settingOrEnv(cfg.Endpoint, EnvEndpoint, "endpoint", "portal endpoint", resp)
	token := settingOrEnv(cfg.Token, EnvToken, "token", "portal API token", resp)
	site := settingOrEnv(cfg.Site, EnvSite, "site", "portal site", resp)
	caCert := optionalSettingOrEnv(cfg.CACert, EnvCACertificate, "ca_certificate", "CA certificate", resp)
	insecureHTTP := boolSettingOrEnv(cfg.InsecureHTTP, EnvInsecureHTTP, "insecure_http", resp)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecrets(ctx, token)

	c := client.Config{
		Endpoint:  endpoint,
		Token:     token,
		Site:      site,
		UserAgent: fmt.Sprintf("terraform-provider-callingportal/%s (+https://registry.terraform.io/providers/callingportal/callingportal; Terraform %s)", p.version, req.TerraformVersion),
		Logger:    func(ctx context.Context) retryablehttp.LeveledLogger { return newTflogAdapter(ctx, token) },
		// Not secret, but not logged whole: the debug line says whether it is set.
		CACertificate:     caCert,
		AllowInsecureHTTP: insecureHTTP,
	}
	if !cfg.MaxRetries.IsNull() {
		c.MaxRetries = int(cfg.MaxRetries.ValueInt64())
		if c.MaxRetries == 0 {
			c.MaxRetries = -1 // the client reads 0 as "default"
		}
	}
	if !cfg.RetryWaitMax.IsNull() {
		c.RetryWaitMax, _ = time.ParseDuration(cfg.RetryWaitMax.ValueString())
	}
	cl, err := client.New(c)
	switch {
	case errors.Is(err, client.ErrInsecureHTTP):
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Plain http to another machine",
			fmt.Sprintf("The endpoint %s is plain http to a host other than this machine: the token would cross the network unencrypted. "+
				"Use https (with ca_certificate for a portal whose certificate a private CA signed), or, to send the token in the clear on purpose, "+
				"set insecure_http = true in the provider block or %s=true.", endpoint, EnvInsecureHTTP))
		return
	case errors.Is(err, client.ErrCACertificate):
		resp.Diagnostics.AddAttributeError(path.Root("ca_certificate"), "Invalid CA certificate",
			fmt.Sprintf("%s. Give the PEM text (-----BEGIN CERTIFICATE----- ...): in HCL file(\"ca.pem\"), in %s the file's content.", err, EnvCACertificate))
		return
	case err != nil:
		resp.Diagnostics.AddError("Cannot configure the calling portal client", err.Error())
		return
	}
	tflog.Debug(ctx, "configured calling portal client", map[string]any{"endpoint": endpoint, "site": site,
		"ca_certificate": caCert != "", "insecure_http": insecureHTTP})
	data := &providerData{client: cl, view: cl.NewView(), site: site, ledger: newPlanLedger(clientPortal{cl}), names: &heldNames{ids: map[string]string{}}}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

// settingOrEnv resolves one provider setting: the configuration wins, then
// the environment variable; unknown or missing values are attribute errors
// that say which variable to set.
func settingOrEnv(v types.String, env, attr, what string, resp *provider.ConfigureResponse) string {
	if v.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Unknown "+what,
			fmt.Sprintf("The provider cannot connect because %s is not known until apply. Set it to a value known at plan time, or unset it and set the %s environment variable.", attr, env))
		return ""
	}
	value := v.ValueString()
	if v.IsNull() {
		value = os.Getenv(env)
	}
	if value == "" {
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Missing "+what,
			fmt.Sprintf("Set %s in the provider block or the %s environment variable.", attr, env))
	}
	return value
}

// optionalSettingOrEnv resolves a setting that may be left out: the
// configuration wins, then the environment variable, else "". An unknown
// value is an attribute error.
func optionalSettingOrEnv(v types.String, env, attr, what string, resp *provider.ConfigureResponse) string {
	if v.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Unknown "+what,
			fmt.Sprintf("The provider cannot connect because %s is not known until apply. Set it to a value known at plan time, or unset it and set the %s environment variable.", attr, env))
		return ""
	}
	if v.IsNull() {
		return os.Getenv(env)
	}
	return v.ValueString()
}

// boolSettingOrEnv resolves a switch: the configuration wins, then the
// environment variable (true or false, as strconv.ParseBool reads it),
// else false.
func boolSettingOrEnv(v types.Bool, env, attr string, resp *provider.ConfigureResponse) bool {
	if v.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Unknown "+attr,
			fmt.Sprintf("The provider cannot connect because %s is not known until apply. Set it to true or false, or unset it and set the %s environment variable.", attr, env))
		return false
	}
	if !v.IsNull() {
		return v.ValueBool()
	}
	s := os.Getenv(env)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Invalid "+env,
			fmt.Sprintf("The environment variable %s is %q: set it to true or false, or unset it.", env, s))
	}
	return b
}

func (p *callingportalProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewUserResource,
		NewNumberAssignmentResource,
		NewServiceResource,
		NewPhoneResource,
	}
}

func (p *callingportalProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewStationInventoryDataSource,
		NewNumbersDataSource,
		NewNumberDataSource,
		NewUserDataSource,
		NewUsersDataSource,
		NewServiceDataSource,
		NewServicesDataSource,
		NewPhoneDataSource,
		NewPhonesDataSource,
	}
}

// ListResources serve `terraform query` (Terraform 1.14 and later): the
// site's objects by identity, to import them.
func (p *callingportalProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewUserListResource,
		NewNumberAssignmentListResource,
	}
}

func (p *callingportalProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		NewNormalizeNumberFunction,
	}
}
