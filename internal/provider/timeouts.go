package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Every managed resource accepts timeouts = { create, read, update, delete }:
// one deadline for the whole operation, every try and every wait between
// tries included. The client bounds a single request: with the provider's
// defaults, at most 5 tries (max_retries 4) of at most 1 minute each and 4
// waits of at most 10 s (retry_wait_max), 5m40s in all. A read sends one
// request (or the pages of one shared list), so it defaults to 10 minutes;
// a create, update or delete sends at most two (a read and a write), so
// they default to 20 minutes. A deadline passed is reported by
// operationDeadline's finish, naming the timeout to raise.
const (
	defaultCreateTimeout = 20 * time.Minute
	defaultReadTimeout   = 10 * time.Minute
	defaultUpdateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 20 * time.Minute
)

// operation is a CRUD method, as the timeouts attribute names it.
type operation string

const (
	opCreate operation = "create"
	opRead   operation = "read"
	opUpdate operation = "update"
	opDelete operation = "delete"
)

// operations are the timeouts' attributes, in the order the docs list them.
var operations = []struct {
	op       operation
	verb     string // "creating", as in "creating the user"
	fallback time.Duration
	note     string
}{
	{opCreate, "creating", defaultCreateTimeout, ""},
	{opRead, "reading", defaultReadTimeout, " A read happens on every refresh, so during `terraform plan` too."},
	{opUpdate, "updating", defaultUpdateTimeout, ""},
	{opDelete, "deleting", defaultDeleteTimeout, " It is read from state: a new value applies once an apply has saved it, before the destroy."},
}

// timeoutsAttrTypes is the object type of the timeouts attribute.
var timeoutsAttrTypes = map[string]attr.Type{
	string(opCreate): types.StringType,
	string(opRead):   types.StringType,
	string(opUpdate): types.StringType,
	string(opDelete): types.StringType,
}

// timeoutsAttribute is the timeouts attribute of a resource whose objects
// messages call what, e.g. "user": a nested attribute, as the
// terraform-plugin-framework-timeouts module recommends for new providers,
// built here so that each timeout states its default and must be positive.
func timeoutsAttribute(what string) schema.Attribute {
	attrs := make(map[string]schema.Attribute, len(operations))
	for _, o := range operations {
		attrs[string(o.op)] = schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("How long %s the %s may take in all, every try and wait between tries included, "+
				"as a duration such as `30s`, `10m` or `1h`. Defaults to `%s`.%s",
				o.verb, what, durationString(o.fallback), o.note),
			Optional:   true,
			Validators: []validator.String{durationValidator{}},
		}
	}
	return schema.SingleNestedAttribute{
		MarkdownDescription: "How long each operation on the " + what + " may take before it fails, " +
			"e.g. `timeouts = { create = \"30m\" }`. With the provider's `max_retries` and `retry_wait_max` defaults, one request " +
			"takes at most 5m40s (5 tries of up to 1 minute, 4 waits of up to 10s); a read sends one, the other operations at most two, " +
			"so the defaults (`10m` to read, `20m` otherwise) outlast every retry. Raise the timeouts if you raise those settings. " +
			"Changing only `timeouts` sends nothing to the portal.",
		Optional:   true,
		Attributes: attrs,
		CustomType: timeouts.Type{ObjectType: types.ObjectType{AttrTypes: timeoutsAttrTypes}},
	}
}

// noTimeouts is the timeouts of a resource whose configuration sets none,
// as a model built from the portal's answer starts with.
func noTimeouts() timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(timeoutsAttrTypes)}
}

// errOperationTimeout is the cause of an operation context whose own
// deadline passed, as opposed to Terraform cancelling the run.
var errOperationTimeout = errors.New("operation timeout")

// attributeGetter is a plan or a state, to read the timeouts from.
type attributeGetter interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// operationDeadline bounds one CRUD method of a resource of type typeName
// (e.g. callingportal_user) by the op timeout that from holds (the plan for
// create and update, the state for read and delete), or its default. The
// method runs under the returned context and defers finish, which releases
// it and, if the deadline passed and the method failed, replaces its errors
// with one that says which timeout ran out and how to raise it, keeping
// what failed in its detail. An unparsable timeout, which validation
// refuses first, falls back to the default with an error.
func operationDeadline(ctx context.Context, from attributeGetter, typeName string, op operation, diags *diag.Diagnostics) (context.Context, func()) {
	var t timeouts.Value
	diags.Append(from.GetAttribute(ctx, path.Root("timeouts"), &t)...)
	d := timeoutOf(ctx, t, op, diags)
	opCtx, cancel := context.WithTimeoutCause(ctx, d, errOperationTimeout)
	return opCtx, func() {
		timedOut := errors.Is(context.Cause(opCtx), errOperationTimeout)
		cancel()
		if timedOut && diags.HasError() {
			*diags = timeoutDiagnostics(*diags, typeName, op, d)
		}
	}
}

// timeoutOf is the op timeout in t, or its default when t does not set it.
func timeoutOf(ctx context.Context, t timeouts.Value, op operation, diags *diag.Diagnostics) time.Duration {
	if t.IsNull() || t.IsUnknown() {
		return defaultTimeout(op)
	}
	var (
		d   time.Duration
		got diag.Diagnostics
	)
	switch op {
	case opCreate:
		d, got = t.Create(ctx, defaultCreateTimeout)
	case opRead:
		d, got = t.Read(ctx, defaultReadTimeout)
	case opUpdate:
		d, got = t.Update(ctx, defaultUpdateTimeout)
	default:
		d, got = t.Delete(ctx, defaultDeleteTimeout)
	}
	diags.Append(got...)
	if d <= 0 {
		return defaultTimeout(op)
	}
	return d
}

func defaultTimeout(op operation) time.Duration {
	for _, o := range operations {
		if o.op == op {
			return o.fallback
		}
	}
	return defaultCreateTimeout
}

// verbing is op as in "creating the user".
func verbing(op operation) string {
	for _, o := range operations {
		if o.op == op {
			return o.verb
		}
	}
	return string(op)
}

// timeoutDiagnostics is diags with its errors, which a deadline of d cut
// short, replaced by one error that names the operation and the timeout.
func timeoutDiagnostics(diags diag.Diagnostics, typeName string, op operation, d time.Duration) diag.Diagnostics {
	var (
		kept   diag.Diagnostics
		causes []string
	)
	for _, dg := range diags {
		if dg.Severity() != diag.SeverityError {
			kept.Append(dg)
			continue
		}
		causes = append(causes, strings.TrimSuffix(dg.Detail(), "."))
	}
	verb := string(op) + "d"
	detail := fmt.Sprintf("%s this %s did not finish within timeouts.%s (%s): the portal did not answer in time, "+
		"counting every try and the waits between them.", capitalized(verbing(op)), typeName, op, durationString(d))
	if len(causes) > 0 {
		detail += " Last error: " + strings.Join(causes, "; ") + "."
	}
	switch op {
	case opCreate:
		detail += " The portal may still have created it after the provider stopped waiting: if the next apply finds it there already, import it."
	case opUpdate, opDelete:
		detail += fmt.Sprintf(" The portal may still have %s it after the provider stopped waiting: the next plan shows what it holds.", verb)
	}
	detail += fmt.Sprintf(" If the portal is only slow, raise the timeout, e.g. timeouts = { %s = \"%s\" }; "+
		"if it does not answer, check that it is up and reachable.", op, durationString(2*d))
	kept.AddAttributeError(path.Root("timeouts").AtName(string(op)),
		fmt.Sprintf("%s timed out after %s", capitalized(string(op)), durationString(d)), detail)
	return kept
}

// durationString is d as a user writes it: 20m, not 20m0s.
func durationString(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// onlyTimeoutsChange says whether plan differs from state in timeouts
// alone: an update that then has nothing to send to the portal.
func onlyTimeoutsChange(plan tfsdk.Plan, state tfsdk.State) bool {
	var p, s map[string]tftypes.Value
	if plan.Raw.As(&p) != nil || state.Raw.As(&s) != nil || len(p) != len(s) {
		return false
	}
	for name, v := range p {
		if name == "timeouts" {
			continue
		}
		if sv, ok := s[name]; !ok || !v.Equal(sv) {
			return false
		}
	}
	return true
}
