package client

import "github.com/callingportal/terraform-provider-callingportal/internal/portal"

// Errors returned by the client are *portal.Error values decoded from the
// portal's answer (code, message, details), so callers branch with errors.Is
// on these sentinels and read details with errors.As.
var (
	ErrNotFound             = portal.ErrNotFound
	ErrConflict             = portal.ErrConflict
	ErrNoStationsAvailable  = portal.ErrNoStationsAvailable
	ErrNumberUnavailable    = portal.ErrNumberUnavailable
	ErrUserNumberLocked     = portal.ErrUserNumberLocked
	ErrValidationFailed     = portal.ErrValidationFailed
	ErrPreconditionFailed   = portal.ErrPreconditionFailed
	ErrUnauthorized         = &portal.Error{Code: portal.CodeUnauthorized}
	ErrForbidden            = &portal.Error{Code: portal.CodeForbidden}
	ErrRateLimited          = &portal.Error{Code: portal.CodeRateLimited}
	ErrIdempotencyKeyReused = &portal.Error{Code: portal.CodeIdempotencyKeyReused}
)
