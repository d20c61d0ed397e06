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

	"github.com/bankkit/bankkit/fault"
)

// maxBodyBytes bounds every request body.
const maxBodyBytes = 1 << 20

// readBody reads a request body of at most maxBodyBytes. A body that says
// it is not JSON is refused when the endpoint takes JSON.
func readBody(w http.ResponseWriter, r *http.Request, takesJSON bool) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && takesJSON && !isJSON(ct) {
		return nil, fmt.Errorf("%w: Content-Type is %s", errUnsupportedMediaType, ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, fmt.Errorf("%w: the body exceeds %d bytes", errBodyTooLarge, maxErr.Limit)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: reading the body: %v", errInvalidInput, err)
	}
	return body, nil
}

// isJSON reports whether a Content-Type names JSON.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// decodeJSON decodes exactly one JSON value into v, refusing unknown
// fields, so a client cannot set fields the endpoint does not take
// (balance, status, customer_id ...), and repeated keys at any depth. Its
// errors name the field at fault where one can be named.
func decodeJSON(body []byte, v any) error {
	if key := firstRepeatedKey(body); key != "" {
		return fault.Field(errMalformedJSON, key, "repeats a key of its object (keys match whatever their case)")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: the body must hold a single JSON value", errMalformedJSON)
		}
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return fault.Field(errMalformedJSON, typeErr.Field,
			fmt.Sprintf("must be %s, not a JSON %s", jsonKind(typeErr.Type.Kind()), typeErr.Value))
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("%w: syntax error at byte %d: %v", errMalformedJSON, syntaxErr.Offset, err)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w: the body is empty", errMalformedJSON)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the body ends in the middle of a JSON value", errMalformedJSON)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fault.Field(errMalformedJSON, strings.Trim(f, `"`), "unknown field")
	}
	// An error from a field's own UnmarshalJSON (money, dates): name the
	// field it came from.
	if field := failingField(body, v); field != "" {
		return fault.Field(errInvalidInput, field, err.Error())
	}
	return fmt.Errorf("%w: %v", errInvalidInput, err)
}

// failingField finds which top-level field of body made decoding into a
// value like v fail, by decoding the fields one at a time. encoding/json
// does not say which field an UnmarshalJSON error (a money amount given as
// a number, a bad date) came from, and clients need the field named.
func failingField(body []byte, v any) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer {
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

func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Bool:
		return "a boolean"
	}
	return "a number"
}
