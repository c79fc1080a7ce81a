package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestProviderDataFrom(t *testing.T) {
	configured := &providerData{site: "demo"}
	for _, tc := range []struct {
		name   string
		data   any
		want   *providerData
		errors int
	}{
		{"not configured yet", nil, nil, 0},
		{"configured", configured, configured, 0},
		{"something else", "demo", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			if got := providerDataFrom(tc.data, &diags); got != tc.want {
				t.Errorf("providerDataFrom(%v) = %v, want %v", tc.data, got, tc.want)
			}
			if diags.ErrorsCount() != tc.errors {
				t.Errorf("diagnostics %v, want %d errors", diags, tc.errors)
			}
		})
	}
}

// TestModelsMatchSchemas saves each resource's and data source's model as
// state under its schema, as Terraform's calls do: a model that lacks an
// attribute of its schema, or has one the schema lacks, fails here rather
// than in a plan.
func TestModelsMatchSchemas(t *testing.T) {
	ctx := t.Context()
	// Each gives an empty state under the schema of r or d.
	resourceState := func(r resource.Resource) tfsdk.State {
		var resp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &resp)
		return tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	}
	dataSourceState := func(d datasource.DataSource) tfsdk.State {
		var resp datasource.SchemaResponse
		d.Schema(ctx, datasource.SchemaRequest{}, &resp)
		return tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	}
	for _, tc := range []struct {
		name  string
		state tfsdk.State
		model any
	}{
		{"resource callingportal_user", resourceState(NewUserResource()), userModel{Timeouts: noTimeouts()}},
		{"resource callingportal_number_assignment", resourceState(NewNumberAssignmentResource()), numberAssignmentModel{Timeouts: noTimeouts()}},
		{"data source callingportal_user", dataSourceState(NewUserDataSource()), userDataSourceModel{}},
		{"data source callingportal_users", dataSourceState(NewUsersDataSource()), usersDataSourceModel{Users: []userDataSourceModel{{}}}},
		{"resource callingportal_service", resourceState(NewServiceResource()), serviceModel{targetModel: targetModel{Timeouts: noTimeouts()}}},
		{"resource callingportal_phone", resourceState(NewPhoneResource()), phoneModel{targetModel: targetModel{Timeouts: noTimeouts()}}},
		{"data source callingportal_number", dataSourceState(NewNumberDataSource()), numberModel{}},
		{"data source callingportal_numbers", dataSourceState(NewNumbersDataSource()), numbersDataSourceModel{Numbers: []numberModel{{}}}},
		{"data source callingportal_station_inventory", dataSourceState(NewStationInventoryDataSource()), stationInventoryDataSourceModel{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diags := tc.state.Set(ctx, tc.model); diags.HasError() {
				t.Errorf("the model %T does not match the schema: %v", tc.model, diags)
			}
		})
	}
}
