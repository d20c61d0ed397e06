package refserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
)

// maxBodyBytes bounds every JSON request body.
const maxBodyBytes = 1 << 20

// readBody reads a request body of at most maxBodyBytes. A body that says
// it is not JSON is refused when the endpoint takes one.
func readBody(w http.ResponseWriter, r *http.Request, takesJSON bool) ([]byte, *Problem) {
	if ct := r.Header.Get("Content-Type"); ct != "" && takesJSON && !isJSON(ct) {
		p := probUnsupportedMedia.problem("Content-Type is " + ct)
		return nil, &p
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		p := jsonProblem(err, nil, nil)
		return nil, &p
	}
	return body, nil
}

// isJSON reports whether a Content-Type names JSON.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// strictUnmarshal decodes exactly one JSON value, refusing unknown fields,
// so a client cannot set fields the endpoint does not take (balance,
// status, customer_id ...).
func strictUnmarshal(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errTrailingData
	}
	return nil
}

var errTrailingData = errors.New("the body must hold a single JSON value")

// failingField finds which top-level field of body made decoding into a
// value like v fail, by decoding the fields one at a time. encoding/json
// does not say which field an UnmarshalJSON error (a money amount given as
// a number, a bad date) came from, and clients need the field named.
func failingField(body []byte, v any) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil || v == nil {
		return ""
	}
	t := reflect.TypeOf(v)
	if t.Kind() != reflect.Pointer {
		return ""
	}
	for name, raw := range fields {
		one, _ := json.Marshal(map[string]json.RawMessage{name: raw})
		if json.Unmarshal(one, reflect.New(t.Elem()).Interface()) != nil {
			return name
		}
	}
	return ""
}

// jsonProblem turns a decoding error into a problem naming the field where
// one can be named.
func jsonProblem(err error, body []byte, v any) Problem {
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &maxErr):
		return probBodyTooLarge.problem(fmt.Sprintf("the body exceeds %d bytes", maxErr.Limit))
	case errors.As(err, &typeErr):
		field := typeErr.Field
		return probMalformedJSON.problem(err.Error(),
			FieldError{Field: field, Message: fmt.Sprintf("must be %s, not a JSON %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)})
	case errors.As(err, &syntaxErr):
		return probMalformedJSON.problem(fmt.Sprintf("syntax error at byte %d: %v", syntaxErr.Offset, err))
	case errors.Is(err, io.EOF):
		return probMalformedJSON.problem("the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return probMalformedJSON.problem("the body ends in the middle of a JSON value")
	case errors.Is(err, errTrailingData):
		return probMalformedJSON.problem(err.Error())
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		field := strings.Trim(f, `"`)
		return probMalformedJSON.problem(msg, FieldError{Field: field, Message: "unknown field"})
	}
	// An error from a field's own UnmarshalJSON (money, dates): name the
	// field it came from.
	if field := failingField(body, v); field != "" {
		return probInvalidInput.problem(msg, FieldError{Field: field, Message: msg})
	}
	return probInvalidInput.problem(msg)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "a boolean"
	}
	return "a number"
}
