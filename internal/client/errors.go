package client

import "github.com/callingportal/terraform-provider-callingportal/internal/contract"

// Errors returned by the client are *contract.Error values decoded from the
// portal's answer (code, message, details), so callers branch with errors.Is
// on these sentinels and read details with errors.As.
var (
	ErrNotFound             = contract.ErrNotFound
	ErrConflict             = contract.ErrConflict
	ErrNoStationsAvailable  = contract.ErrNoStationsAvailable
	ErrNumberUnavailable    = contract.ErrNumberUnavailable
	ErrUserNumberLocked     = contract.ErrUserNumberLocked
	ErrValidationFailed     = contract.ErrValidationFailed
	ErrPreconditionFailed   = contract.ErrPreconditionFailed
	ErrUnauthorized         = &contract.Error{Code: contract.CodeUnauthorized}
	ErrForbidden            = &contract.Error{Code: contract.CodeForbidden}
	ErrRateLimited          = &contract.Error{Code: contract.CodeRateLimited}
	ErrIdempotencyKeyReused = &contract.Error{Code: contract.CodeIdempotencyKeyReused}
)
