package provider

import (
	"errors"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// summaries name each portal error code the way a plan reviewer reads it.
var summaries = map[contract.Code]string{
	contract.CodeNotFound:             "Not found in the portal",
	contract.CodeConflict:             "Conflicts with the portal",
	contract.CodeNoStationsAvailable:  "No stations available",
	contract.CodeNumberUnavailable:    "Number unavailable",
	contract.CodeUserNumberLocked:     "Number belongs to a user",
	contract.CodeValidationFailed:     "Rejected by the portal",
	contract.CodeUnauthorized:         "Portal token not accepted",
	contract.CodeForbidden:            "Portal token not allowed here",
	contract.CodeRateLimited:          "Portal rate limit",
	contract.CodePreconditionFailed:   "Changed in the portal meanwhile",
	contract.CodeIdempotencyKeyReused: "Portal request conflict",
}

// portalMessage is the portal's own explanation of err. The "field: " prefix
// of validation messages is dropped: the diagnostic points at the attribute.
func portalMessage(err error) string {
	var pe *contract.Error
	if !errors.As(err, &pe) {
		return err.Error()
	}
	if field, ok := pe.Details["field"].(string); ok && pe.Code == contract.CodeValidationFailed {
		return strings.TrimPrefix(pe.Message, field+": ")
	}
	return pe.Message
}

// addPortalError reports err on attr (or on the resource when attr is empty)
// with a summary for its code, what was being done, and the portal's message.
func addPortalError(diags *diag.Diagnostics, attr path.Path, action string, err error) {
	summary, ok := summaries[contract.CodeOf(err)]
	if !ok {
		summary = "Calling portal error"
	}
	detail := "Could not " + action + ": " + portalMessage(err)
	if attr.Equal(path.Empty()) {
		diags.AddError(summary, detail)
		return
	}
	diags.AddAttributeError(attr, summary, detail)
}

// errorAttribute is the attribute a portal error is about: the one its
// "field" detail names, looked up in fields (the portal's field name → the
// resource's attribute); numberAttr for a broken number rule (not in the
// pool, held by another, no station for it); else none: the resource as a
// whole, as for a network or token failure.
func errorAttribute(err error, fields map[string]string, numberAttr path.Path) path.Path {
	var pe *contract.Error
	if !errors.As(err, &pe) {
		return path.Empty()
	}
	if field, ok := pe.Details["field"].(string); ok {
		if attr, ok := fields[field]; ok {
			return path.Root(attr)
		}
	}
	switch pe.Code {
	case contract.CodeNumberUnavailable, contract.CodeUserNumberLocked, contract.CodeNoStationsAvailable:
		return numberAttr
	case contract.CodeNotFound:
		if pe.Details["kind"] == "number" {
			return numberAttr
		}
	}
	return path.Empty()
}
