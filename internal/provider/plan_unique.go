package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// The ledger's checks of the values that are unique per site: a user's
// email (regardless of case), and an extension, which rings one user, phone
// or service. They follow the number checks: within the plan (a value
// claimed twice), and against the portal's holders, read once per run (the
// holders picture) and read again by ID before a refusal, so that it names
// the holder as it is now.

// holder is a user, phone or service as the unique checks see it.
type holder struct {
	kind      contract.TargetType
	id        string
	name      string // as messages name it: "user Jane Doe <jane@example.com>", `phone "Lobby Phone"`
	email     string // users only
	extension string
}

// uniqueKey is a unique value: field "email" (folded) or "extension".
type uniqueKey struct{ field, value string }

func keyOf(field, value string) uniqueKey {
	if field == "email" {
		value = contract.FoldEmail(value)
	}
	return uniqueKey{field, value}
}

// kindsFor are the kinds of object among which field is unique.
func kindsFor(field string) []contract.TargetType {
	if field == "email" {
		return []contract.TargetType{contract.TargetUser}
	}
	return []contract.TargetType{contract.TargetUser, contract.TargetPhone, contract.TargetService}
}

// value is h's value of field.
func (h holder) value(field string) string {
	if field == "email" {
		return h.email
	}
	return h.extension
}

// runHolder is a resource of this run that holds a unique value: its ID,
// and what the create half of its replacement repeats (a user's number, a
// target's name in lower case), to tell that create from a new resource.
type runHolder struct{ id, key string }

// uniqueClaim is one resource's intent to take a unique value.
type uniqueClaim struct {
	attr  path.Path
	field string // "email" or "extension"
	value string
	owner string // the resource type
	self  string // the resource's ID; "" on create
	key   string // see runHolder; "" when not known yet
	// replacing is true when the resource is replaced: Terraform plans
	// the create half next, with no prior state, which is the same claim.
	replacing bool
	adopts    adoption // nil: the resource takes over nothing
}

// checkPlannedUnique checks the value that a resource's plan gives field,
// at attr; prior is the value in state (null on create). An unchanged value
// is recorded as held by u.self, in case Terraform replaces the resource.
// Unknown and empty values are the portal's to check at apply.
func (l *planLedger) checkPlannedUnique(ctx context.Context, u uniqueClaim, planned, prior types.String, diags *diag.Diagnostics) {
	if l == nil {
		return
	}
	l.touch()
	switch {
	case planned.IsUnknown() || planned.ValueString() == "":
	case !prior.IsNull() && keyOf(u.field, planned.ValueString()) == keyOf(u.field, prior.ValueString()):
		l.holdingUnique(u.field, planned.ValueString(), u.self, u.key)
	default:
		u.value = planned.ValueString()
		l.checkUnique(ctx, u, diags)
	}
}

// holdingUnique records that a resource of this run, with ID id, holds
// value in field: its Read found it so, or its plan keeps it.
func (l *planLedger) holdingUnique(field, value, id, key string) {
	if l == nil || value == "" {
		return
	}
	l.touch()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.heldUnique[keyOf(field, value)] = runHolder{id: id, key: key}
}

func (l *planLedger) checkUnique(ctx context.Context, u uniqueClaim, diags *diag.Diagnostics) {
	k := keyOf(u.field, u.value)
	holders, err := l.holders(ctx, kindsFor(u.field))
	if err != nil {
		addPortalError(diags, errorAttribute(err, nil, u.attr), "list the site's users, phones and services", err)
		return
	}
	if h, held := holders[k]; held && h.id != u.self {
		if l.takeBack(k, h.id, u) {
			return // the create half of a replacement: its destroy frees the value first
		}
		// Unless the holder is what this create makes, read it again.
		if !u.adopts.of(ctx, h.kind, h.id) {
			still, err := l.portal.ReadHolder(ctx, h.kind, h.id)
			switch {
			case errors.Is(err, client.ErrNotFound):
			case err != nil:
				addPortalError(diags, errorAttribute(err, nil, u.attr), fmt.Sprintf("check %s %q", u.field, u.value), err)
				return
			case keyOf(u.field, still.value(u.field)) == k:
				addPortalError(diags, u.attr, "plan "+u.owner, contract.AlreadyUsed(u.field, u.value, still.name, still.id))
				return
			}
		}
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if other, taken := l.uniqueClaims[k]; taken {
		if other.replanned && other.owner == u.owner && !u.replacing {
			other.replanned = false
			return
		}
		why := "an email belongs to one user only"
		if u.field == "extension" {
			why = "an extension rings one user, phone or service only"
		}
		diags.AddAttributeError(u.attr, capitalized(u.field)+" claimed twice in this plan",
			fmt.Sprintf("Could not plan %s: %s %s is also claimed by a %s resource in this plan; %s.", u.owner, u.field, u.value, other.owner, why))
		return
	}
	l.uniqueClaims[k] = &claim{owner: u.owner, replanned: u.replacing}
}

// takeBack says whether u, a create, is the create half of the replacement
// of the resource of this run that holds k in the portal (holderID): it
// repeats that resource's key, and nothing took the value back before. It
// then counts as that resource's claim.
func (l *planLedger) takeBack(k uniqueKey, holderID string, u uniqueClaim) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.heldUnique[k]
	_, claimed := l.uniqueClaims[k]
	if u.self != "" || !ok || claimed || h.id != holderID || (u.key != "" && !strings.EqualFold(u.key, h.key)) {
		return false
	}
	l.uniqueClaims[k] = &claim{owner: u.owner}
	return true
}

// holders is the picture of the portal's holders of unique values among
// kinds, each kind listed once per run, on the first check that needs it.
func (l *planLedger) holders(ctx context.Context, kinds []contract.TargetType) (map[uniqueKey]holder, error) {
	l.load.Lock()
	defer l.load.Unlock()
	for _, kind := range kinds {
		if l.listed[kind] {
			continue
		}
		all, err := l.portal.Holders(ctx, kind)
		if err != nil {
			return nil, err
		}
		for _, h := range all {
			for _, field := range []string{"email", "extension"} {
				if v := h.value(field); v != "" {
					l.holderPic[keyOf(field, v)] = h
				}
			}
		}
		l.listed[kind] = true
	}
	return l.holderPic, nil
}

// Holders and ReadHolder read users, phones and services for the ledger.
func (p clientPortal) Holders(ctx context.Context, kind contract.TargetType) ([]holder, error) {
	switch kind {
	case contract.TargetUser:
		users, err := p.cl.Users.List(ctx)
		return mapAll(users, userHolder), err
	case contract.TargetPhone:
		phones, err := p.cl.Phones.List(ctx)
		return mapAll(phones, func(ph contract.Phone) holder { return targetHolder(kind, ph.TargetBase) }), err
	default:
		services, err := p.cl.Services.List(ctx)
		return mapAll(services, func(s contract.Service) holder { return targetHolder(kind, s.TargetBase) }), err
	}
}

func (p clientPortal) ReadHolder(ctx context.Context, kind contract.TargetType, id string) (holder, error) {
	switch kind {
	case contract.TargetUser:
		u, err := p.cl.Users.Read(ctx, id)
		return userHolder(u), err
	case contract.TargetPhone:
		ph, err := p.cl.Phones.Read(ctx, id)
		return targetHolder(kind, ph.TargetBase), err
	default:
		s, err := p.cl.Services.Read(ctx, id)
		return targetHolder(kind, s.TargetBase), err
	}
}

func userHolder(u contract.User) holder {
	return holder{kind: contract.TargetUser, id: u.ID, name: "user " + u.DisplayName(), email: u.Email, extension: u.Extension}
}

func targetHolder(kind contract.TargetType, b contract.TargetBase) holder {
	return holder{kind: kind, id: b.ID, name: fmt.Sprintf("%s %q", kind, b.Name), extension: b.Extension}
}

func mapAll[T, U any](items []T, f func(T) U) []U {
	out := make([]U, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}
