package refserver

import (
	"net/http"

	"github.com/bankkit/bankkit/fault"
)

// The server's own errors: what it refuses before a request reaches the
// bank or a subsystem. Their messages are written for the client, who
// reads them in a problem's detail.
var (
	errInvalidInput           = fault.New(fault.Invalid, "invalid-input", "invalid input")
	errMalformedJSON          = fault.New(fault.Invalid, "malformed-json", "the request body is not valid JSON for this endpoint")
	errIdempotencyKeyRequired = fault.New(fault.Invalid, "idempotency-key-required", "this request needs an Idempotency-Key header")
	errUnauthenticated        = fault.New(fault.Unauthenticated, "unauthenticated", "authentication is required")
	errNotFound               = fault.New(fault.NotFound, "not-found", "not found")
	errForbidden              = fault.New(fault.Forbidden, "forbidden", "forbidden")
	errConflict               = fault.New(fault.Conflict, "conflict", "conflict")
	errTooManyLogins          = fault.New(fault.TooManyRequests, "too-many-requests", "too many login attempts from this address; wait and retry")
	errUnavailable            = fault.New(fault.Unavailable, "unavailable", "temporarily unavailable")
	errInternal               = fault.New(fault.Internal, "internal", "internal error")

	errMethodNotAllowed     = withStatus(http.StatusMethodNotAllowed, fault.Invalid, "method-not-allowed", "method not allowed")
	errBodyTooLarge         = withStatus(http.StatusRequestEntityTooLarge, fault.Invalid, "body-too-large", "the request body is too large")
	errUnsupportedMediaType = withStatus(http.StatusUnsupportedMediaType, fault.Invalid, "unsupported-media-type", "the request body must be application/json")
	errPreconditionRequired = withStatus(http.StatusPreconditionRequired, fault.PreconditionFailed, "precondition-required", "If-Match is required")
)

// finerStatus is the status of each of the server's problem types whose
// kind's status is too coarse for HTTP; withStatus fills it.
var finerStatus = map[string]int{}

// withStatus declares one of the server's own sentinels that answers with
// status rather than its kind's.
func withStatus(status int, kind fault.Kind, code, msg string) error {
	finerStatus[code] = status
	return fault.New(kind, code, msg)
}

// kindStatus is the HTTP status of each kind of error.
var kindStatus = [...]int{
	fault.Internal:           http.StatusInternalServerError,
	fault.Invalid:            http.StatusBadRequest,
	fault.Unauthenticated:    http.StatusUnauthorized,
	fault.Forbidden:          http.StatusForbidden,
	fault.NotFound:           http.StatusNotFound,
	fault.Conflict:           http.StatusConflict,
	fault.PreconditionFailed: http.StatusPreconditionFailed,
	fault.Unprocessable:      http.StatusUnprocessableEntity,
	fault.TooManyRequests:    http.StatusTooManyRequests,
	fault.Unavailable:        http.StatusServiceUnavailable,
}

// statusOf is the status a sentinel answers with.
func statusOf(s *fault.Error) int {
	if status, ok := finerStatus[s.Code()]; ok {
		return status
	}
	if int(s.Kind()) < len(kindStatus) {
		return kindStatus[s.Kind()]
	}
	return http.StatusInternalServerError
}
