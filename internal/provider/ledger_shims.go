package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// These forward a resource's plan check to providerData.checkPlannedNumber
// while the ledger does not hold its own portal reader. Once it does, the
// resources call r.ledger.checkPlannedNumber and this file goes.

func (r *userResource) checkPlannedNumber(ctx context.Context, attr path.Path, owner string, planned, prior types.String, holderID string, diags *diag.Diagnostics) {
	(&providerData{client: r.client, ledger: r.ledger}).checkPlannedNumber(ctx, attr, owner, planned, prior, holderID, diags)
}

func (r *numberAssignmentResource) checkPlannedNumber(ctx context.Context, attr path.Path, owner string, planned, prior types.String, holderID string, diags *diag.Diagnostics) {
	(&providerData{client: r.client, ledger: r.ledger}).checkPlannedNumber(ctx, attr, owner, planned, prior, holderID, diags)
}
