package refserver

import (
	"encoding/json"
	"net/http"
)

// problemBase prefixes every problem type URI. The URIs are stable
// identifiers that clients switch on; docs/api.md lists them.
const problemBase = "https://bankkit.dev/problems/"

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
}

// FieldError names one input field at fault.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// problemKind is one stable problem type.
type problemKind struct {
	slug   string
	status int
	title  string
}

// The problem types the server answers with. Adding one is additive;
// changing a slug breaks clients.
var (
	probInvalidInput       = problemKind{"invalid-input", http.StatusBadRequest, "The request is invalid"}
	probMalformedJSON      = problemKind{"malformed-json", http.StatusBadRequest, "The request body is not valid JSON for this endpoint"}
	probBodyTooLarge       = problemKind{"body-too-large", http.StatusRequestEntityTooLarge, "The request body is too large"}
	probUnauthenticated    = problemKind{"unauthenticated", http.StatusUnauthorized, "Authentication is required"}
	probForbidden          = problemKind{"forbidden", http.StatusForbidden, "Your role does not allow this"}
	probNotFound           = problemKind{"not-found", http.StatusNotFound, "Not found"}
	probMethodNotAllowed   = problemKind{"method-not-allowed", http.StatusMethodNotAllowed, "Method not allowed"}
	probConflict           = problemKind{"conflict", http.StatusConflict, "The request conflicts with the current state"}
	probPreconditionFailed = problemKind{"precondition-failed", http.StatusPreconditionFailed, "The resource has changed"}
	probIdemRequired       = problemKind{"idempotency-key-required", http.StatusBadRequest, "This request needs an Idempotency-Key header"}
	probIdemInFlight       = problemKind{"idempotency-key-in-flight", http.StatusConflict, "A request with this Idempotency-Key is still in progress"}
	probIdemMismatch       = problemKind{"idempotency-key-reused", http.StatusUnprocessableEntity, "This Idempotency-Key was used with a different request"}
	probUnsupportedMedia   = problemKind{"unsupported-media-type", http.StatusUnsupportedMediaType, "The request body must be application/json"}
	probInternal           = problemKind{"internal", http.StatusInternalServerError, "Internal error"}
	probUnavailable        = problemKind{"unavailable", http.StatusServiceUnavailable, "Temporarily unavailable"}
)

// problemKinds lists every problem type the server can answer with; a test
// checks docs/api.md documents each.
var problemKinds = []problemKind{
	probInvalidInput, probMalformedJSON, probBodyTooLarge, probUnauthenticated, probForbidden,
	probNotFound, probMethodNotAllowed, probConflict, probPreconditionFailed, probIdemRequired,
	probIdemInFlight, probIdemMismatch, probUnsupportedMedia, probInternal, probUnavailable,
	probInsufficientFunds, probAccountFrozen, probAccountDormant, probAccountClosed,
	probAccountNotEmpty, probCurrencyMismatch, probAlreadyReversed, probHoldNotActive,
	probDuplicate, probInvalidTransition, probCustomerNotReady, probInvalidLogin,
	probPreconditionRequired, probTooManyRequests, probInvalidMessage, probTimeDepositLocked,
}

func (k problemKind) problem(detail string, fields ...FieldError) Problem {
	return Problem{Type: problemBase + k.slug, Title: k.title, Status: k.status, Detail: detail, Errors: fields}
}

// writeProblem sends p as application/problem+json, stamped with the
// request id so a client's report can be matched with the server's log.
func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	p.RequestID = RequestID(r.Context())
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
