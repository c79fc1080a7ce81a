package provider

import (
	"context"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*numbersDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*numbersDataSource)(nil)
)

// NewNumbersDataSource lists the site's numbers and gives the portal's CSV
// export of the same numbers.
func NewNumbersDataSource() datasource.DataSource { return &numbersDataSource{} }

type numbersDataSource struct {
	client *client.Client
}

type numbersDataSourceModel struct {
	Status types.String `tfsdk:"status"`
	numberFilterModel
	Numbers []numberModel `tfsdk:"numbers"`
	CSV     types.String  `tfsdk:"csv"`
}

// numberFilterModel is the filters by holder and prefix that the
// callingportal_numbers data source and the callingportal_number_assignment
// list resource share (see numberFilters); null matches all.
type numberFilterModel struct {
	AssignedType types.String `tfsdk:"assigned_type"`
	AssignedID   types.String `tfsdk:"assigned_id"`
	Prefix       types.String `tfsdk:"prefix"`
}

func (d *numbersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_numbers"
}

func (d *numbersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := map[string]schema.Attribute{
		"status": schema.StringAttribute{
			MarkdownDescription: "Only numbers with this status: `available` or `assigned`.",
			Optional:            true,
			Validators: []validator.String{
				stringvalidator.OneOf(string(contract.StatusAvailable), string(contract.StatusAssigned)),
			},
		},
		"numbers": schema.ListNestedAttribute{
			MarkdownDescription: "The matching numbers in E.164 order; an empty list when none match.",
			Computed:            true,
			NestedObject:        schema.NestedAttributeObject{Attributes: numberAttributes()},
		},
		"csv": schema.StringAttribute{
			MarkdownDescription: "The portal's CSV export of the matching numbers, byte for byte as the portal's " +
				"Export gives it: a header row `" + strings.Join(contract.CSVHeader, ",") + "`, then one row per number, " +
				"with empty fields where `numbers` has null. Write it to a file with the `local_file` resource, " +
				"or read it with `csvdecode`. So that a spreadsheet never runs a name as a formula, a field that starts " +
				"with `=`, `+`, `-`, `@`, a tab, a carriage return or a single quote has a single quote put in front " +
				"(as OWASP recommends for CSV injection): `=SUM(A1)` is written `'=SUM(A1)`; take one leading `'` off " +
				"a field to get the value back, as `numbers` has it. The `number` column is the exception and always " +
				"exact: it only ever holds canonical E.164 (`+` and digits), which no spreadsheet runs as a formula.",
			Computed: true,
		},
	}
	for name, f := range numberFilters(contract.TargetUser, contract.TargetPhone, contract.TargetService) {
		attributes[name] = schema.StringAttribute{MarkdownDescription: f.description, Optional: true, Validators: f.validators}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the numbers of the site's pool, in E.164 order, with what each is assigned to, " +
			"and the portal's CSV export of the same numbers. The filters combine: a number is listed when it " +
			"matches every filter that is set.",
		Attributes: attributes,
	}
}

func (d *numbersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *numbersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state numbersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// One export gives both attributes, so numbers and csv are always the
	// same snapshot of the pool.
	var export strings.Builder
	if err := d.client.Numbers.Export(ctx, state.filter(), &export); err != nil {
		addPortalError(&resp.Diagnostics, path.Empty(), "export the site's numbers", err)
		return
	}
	numbers, err := contract.ReadCSV(strings.NewReader(export.String()))
	if err != nil {
		addPortalError(&resp.Diagnostics, path.Empty(), "read the site's numbers export", err)
		return
	}
	state.Numbers = newNumberModels(numbers)
	state.CSV = types.StringValue(export.String())
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// filter is the portal's filter for the configured filters; null matches all.
func (m numbersDataSourceModel) filter() contract.NumberFilter {
	f := m.numberFilterModel.filter()
	f.Status = contract.NumberStatus(m.Status.ValueString())
	return f
}

// filter is the portal's filter for the configured filters; null matches all.
func (m numberFilterModel) filter() contract.NumberFilter {
	return contract.NumberFilter{
		AssignedType: contract.TargetType(m.AssignedType.ValueString()),
		AssignedID:   m.AssignedID.ValueString(),
		Prefix:       m.Prefix.ValueString(),
	}
}

// filterAttribute is an optional string filter of a list: its description
// and validators, for each schema package's own StringAttribute.
type filterAttribute struct {
	description string
	validators  []validator.String
}

// numberFilters are the filters of numberFilterModel; holders are the kinds
// of holder that assigned_type accepts.
func numberFilters(holders ...contract.TargetType) map[string]filterAttribute {
	kinds := make([]string, len(holders))
	for i, h := range holders {
		kinds[i] = string(h)
	}
	return map[string]filterAttribute{
		"assigned_type": {
			description: "Only numbers held by this kind of target: " + orList(kinds, "`") + ".",
			validators:  []validator.String{stringvalidator.OneOf(kinds...)},
		},
		"assigned_id": {
			description: "Only numbers held by the " + orList(kinds, "") + " with this ID, such as `svc_k3j9x2m4q7ab`. " +
				"An ID that holds no number matches none.",
			validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"prefix": {
			description: "Only numbers that start with this prefix: `+` followed by digits, such as `+1312555`.",
			validators: []validator.String{
				stringvalidator.RegexMatches(contract.PrefixPattern, "must be + followed by 1 to 15 digits, such as +1312555"),
			},
		},
	}
}

// orList joins values, each between quote marks: "`a`, `b` or `c`".
func orList(values []string, quote string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = quote + v + quote
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// newNumberModels maps a list of numbers; none gives an empty list, never null.
func newNumberModels(numbers []contract.Number) []numberModel {
	models := make([]numberModel, 0, len(numbers))
	for _, n := range numbers {
		models = append(models, newNumberModel(n))
	}
	return models
}
