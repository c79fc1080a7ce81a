package contract

import (
	"errors"
	"fmt"
	"net/http"
)

// Code is a stable, machine-readable error code. The API sends it as "code"
// and the client turns it back into a sentinel error.
type Code string

const (
	CodeNotFound             Code = "not_found"
	CodeConflict             Code = "conflict"
	CodeNoStationsAvailable  Code = "no_stations_available"
	CodeNumberUnavailable    Code = "number_unavailable"
	CodeUserNumberLocked     Code = "user_number_locked"
	CodeValidationFailed     Code = "validation_failed"
	CodeUnauthorized         Code = "unauthorized"
	CodeForbidden            Code = "forbidden"
	CodeRateLimited          Code = "rate_limited"
	CodePreconditionFailed   Code = "precondition_failed"
	CodeIdempotencyKeyReused Code = "idempotency_key_reused"
	CodeInternal             Code = "internal"
)

// Error is a rule the request broke. Details carry the figures and names a
// caller needs to explain it (e.g. the holder of a number, the field at fault).
type Error struct {
	Code    Code           `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Is lets errors.Is match two portal errors by code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code && t.Message == ""
}

// Sentinels to match with errors.Is: they carry only a code.
var (
	ErrNotFound            = &Error{Code: CodeNotFound}
	ErrConflict            = &Error{Code: CodeConflict}
	ErrNoStationsAvailable = &Error{Code: CodeNoStationsAvailable}
	ErrNumberUnavailable   = &Error{Code: CodeNumberUnavailable}
	ErrUserNumberLocked    = &Error{Code: CodeUserNumberLocked}
	ErrValidationFailed    = &Error{Code: CodeValidationFailed}
	ErrPreconditionFailed  = &Error{Code: CodePreconditionFailed}
)

// httpStatus is the HTTP status the API answers each code with.
var httpStatus = map[Code]int{
	CodeValidationFailed:     http.StatusUnprocessableEntity,
	CodeNotFound:             http.StatusNotFound,
	CodeConflict:             http.StatusConflict,
	CodeNoStationsAvailable:  http.StatusConflict,
	CodeNumberUnavailable:    http.StatusConflict,
	CodeUserNumberLocked:     http.StatusConflict,
	CodeIdempotencyKeyReused: http.StatusConflict,
	CodePreconditionFailed:   http.StatusPreconditionFailed,
	CodeUnauthorized:         http.StatusUnauthorized,
	CodeForbidden:            http.StatusForbidden,
	CodeRateLimited:          http.StatusTooManyRequests,
	CodeInternal:             http.StatusInternalServerError,
}

// StatusOf is the HTTP status of err's code: 500 for anything that is not
// a portal error.
func StatusOf(err error) int {
	if status, ok := httpStatus[CodeOf(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// CodeOf returns the code of a portal error, or CodeInternal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// NotFound reports a missing object, e.g. NotFound("user", "usr_1").
func NotFound(kind, id string) *Error {
	return &Error{Code: CodeNotFound, Message: fmt.Sprintf("%s %q not found", kind, id),
		Details: map[string]any{"kind": kind, "id": id}}
}

// Invalid reports a field that breaks a format or value rule.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: CodeValidationFailed, Message: field + ": " + fmt.Sprintf(format, args...),
		Details: map[string]any{"field": field}}
}

// Conflict reports a uniqueness or state conflict on a field.
func Conflict(field, format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Message: fmt.Sprintf(format, args...),
		Details: map[string]any{"field": field}}
}

// AlreadyUsed reports a value of field that is unique per site and that
// holder (e.g. "user Jane Doe <jane@example.com>", `phone "Lobby Phone"`),
// whose ID is id, already has.
func AlreadyUsed(field, value, holder, id string) *Error {
	return Conflict(field, "%s %q is already used by %s (%s)", field, value, holder, id)
}

// StaleVersion reports an If-Match that no longer matches the object.
func StaleVersion(kind, id string, have, want int64) *Error {
	return &Error{Code: CodePreconditionFailed,
		Message: fmt.Sprintf("%s %q changed since it was read (version %d, If-Match %d): read it again", kind, id, have, want),
		Details: map[string]any{"kind": kind, "id": id, "version": have}}
}
