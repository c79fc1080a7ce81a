package contract

import "fmt"

// The messages below are the portal's words for its capacity and ownership
// rules. The backend answers with them at apply time and the provider's plan
// checks print the same text, so a reviewer reads one explanation whichever
// catches the change first.

// NoStations reports that a change needs more new stations than the site
// has; subject names the change, e.g. "this change" or "this plan".
func NoStations(subject string, needed int, inv Inventory) *Error {
	unit := "stations"
	if needed == 1 {
		unit = "station"
	}
	return &Error{
		Code: CodeNoStationsAvailable,
		Message: fmt.Sprintf("%s needs %d new %s; site %s has %d available (%d in use of %d purchased)",
			subject, needed, unit, inv.Site, inv.Available, inv.InUse, inv.Total),
		Details: map[string]any{"needed": needed, "site": inv.Site, "available": inv.Available, "in_use": inv.InUse, "total": inv.Total},
	}
}

// NotInPool reports a number that the site does not own.
func NotInPool(site, number string) *Error {
	return &Error{Code: CodeNotFound,
		Message: fmt.Sprintf("number %s is not in the number pool of site %s", number, site),
		Details: map[string]any{"kind": "number", "id": number, "site": site}}
}

// HeldByTarget reports a number that a phone or service already holds.
func HeldByTarget(number string, holder TargetType, id, name string) *Error {
	return &Error{Code: CodeNumberUnavailable,
		Message: fmt.Sprintf("number %s is already assigned to %s %q (%s); unassign it there first, or import it with terraform import",
			number, holder, name, id),
		Details: map[string]any{"number": number, "assigned_type": holder, "assigned_id": id, "assigned_name": name}}
}

// HeldByUser reports a number that belongs to a user: the portal frees it
// only when the user is deleted, so it cannot be assigned, moved or unassigned.
func HeldByUser(number, userID, userName string) *Error {
	return &Error{Code: CodeUserNumberLocked,
		Message: fmt.Sprintf("number %s belongs to user %s (%s); a user's number cannot be moved or unassigned, only freed by deleting the user: manage it with callingportal_user",
			number, userName, userID),
		Details: map[string]any{"number": number, "assigned_type": TargetUser, "assigned_id": userID, "assigned_name": userName}}
}

// HolderError explains why a number that is not available cannot be taken.
func HolderError(n Number) *Error {
	if n.AssignedType == TargetUser {
		return HeldByUser(n.Number, n.AssignedID, n.AssignedName)
	}
	return HeldByTarget(n.Number, n.AssignedType, n.AssignedID, n.AssignedName)
}
