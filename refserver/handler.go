package refserver

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/text"
)

// endpoint is a typed handler made uniform for the route table: the shape
// of its request, its response type (the OpenAPI document describes both),
// and the call that decodes a request into the handler's type and runs it.
type endpoint struct {
	in   *shape
	out  reflect.Type
	call func(ctx context.Context, r *http.Request, body []byte) (any, error)
}

// handle adapts a typed handler to the route table. Its request type says
// where each field comes from:
//
//	ID    ledger.ID `path:"id" json:"-"`          // the URL path
//	Limit pageLimit `query:"limit" json:"-"`      // the query string
//	Match string    `header:"If-Match" json:"-"`  // a header
//	Note  string    `json:"note"`                 // the JSON body
//
// or, instead of a JSON body, a field of type upload: the raw body, a file.
// Values from the path, query and headers must be json:"-" when the type
// also takes a JSON body, so no body can set them; a doc tag describes
// them in the OpenAPI document. A value that does not parse, or that breaks
// the text rule (package text: a NUL, another control character, bytes
// that are not UTF-8), is refused naming its field; one in the path names
// no object, so it is not found.
// A JSON body whose fields are all optional may be left out (except a
// PATCH's, which is the change itself).
func handle[Req, Resp any](h func(context.Context, Req) (Resp, error)) endpoint {
	in := shapeOf(reflect.TypeFor[Req]())
	return endpoint{in: in, out: reflect.TypeFor[Resp](), call: func(ctx context.Context, r *http.Request, body []byte) (any, error) {
		var req Req
		if err := in.decode(r, body, reflect.ValueOf(&req).Elem()); err != nil {
			return nil, err
		}
		return h(ctx, req)
	}}
}

// none is the request of a handler that reads nothing, and the response of
// one that answers nothing (204).
type none struct{}

// upload is a request field holding the raw body: an uploaded file.
type upload []byte

// shape is where a request type's fields come from.
type shape struct {
	t        reflect.Type
	params   []param // path, then query, then header values
	file     []int   // index of the upload field; nil if none
	json     bool    // some fields come from a JSON body
	optional bool    // every JSON body field may be left out
}

// param is one field read from the path, the query or a header.
type param struct {
	in, name, doc string
	index         []int
	t             reflect.Type
}

var paramSources = []string{"path", "query", "header"}

// shapeOf reads a request type's shape. A malformed one is a programming
// error, caught when the route table is built.
func shapeOf(t reflect.Type) *shape {
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("refserver: request type %s is not a struct", t))
	}
	s := &shape{t: t, optional: true}
	var exposed []string // params encoding/json would also fill
	var walk func(t reflect.Type, index []int, inJSON bool)
	walk = func(t reflect.Type, index []int, inJSON bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			at := append(slices.Clip(index), i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			visible := inJSON && name != "-"
			switch {
			case paramOf(f) != "":
				if !f.IsExported() || !settable(f.Type) {
					panic(fmt.Sprintf("refserver: %s.%s cannot be read from the %s", t, f.Name, paramOf(f)))
				}
				s.params = append(s.params, param{in: paramOf(f), name: f.Tag.Get(paramOf(f)), doc: f.Tag.Get("doc"), index: at, t: f.Type})
				if visible {
					exposed = append(exposed, f.Name)
				}
			case f.Type == reflect.TypeFor[upload]():
				s.file = at
			case f.Anonymous && f.Type.Kind() == reflect.Struct:
				walk(f.Type, at, visible)
			case f.IsExported() && visible:
				s.json = true
				if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
					s.optional = false
				}
			}
		}
	}
	walk(t, nil, true)
	switch {
	case s.json && len(exposed) > 0:
		panic(fmt.Sprintf("refserver: %s takes a JSON body, so %v must be json:\"-\"", t, exposed))
	case s.json && s.file != nil:
		panic(fmt.Sprintf("refserver: %s takes both a JSON body and a file", t))
	}
	slices.SortStableFunc(s.params, func(a, b param) int {
		return slices.Index(paramSources, a.in) - slices.Index(paramSources, b.in)
	})
	return s
}

// paramOf is where a field is read from: "path", "query", "header" or "".
func paramOf(f reflect.StructField) string {
	for _, in := range paramSources {
		if _, ok := f.Tag.Lookup(in); ok {
			return in
		}
	}
	return ""
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// settable reports whether a parameter of type t can be read from text.
func settable(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64:
		return true
	}
	return false
}

// decode fills v, a value of the shape's type, from a request.
func (s *shape) decode(r *http.Request, body []byte, v reflect.Value) error {
	var query url.Values
	for _, p := range s.params {
		var raw string
		switch p.in {
		case "path":
			raw = r.PathValue(p.name)
		case "query":
			if query == nil {
				query = r.URL.Query()
			}
			raw = query.Get(p.name)
		case "header":
			raw = r.Header.Get(p.name)
		}
		if raw == "" && p.in != "path" {
			continue
		}
		// A path that does not parse names no object.
		sentinel := errInvalidInput
		if p.in == "path" {
			sentinel = errNotFound
		}
		if err := text.Line(sentinel, p.name, raw); err != nil {
			return err
		}
		if err := setText(v.FieldByIndex(p.index), raw); err != nil {
			return fault.Field(sentinel, p.name, err.Error())
		}
	}
	switch {
	case s.file != nil:
		v.FieldByIndex(s.file).SetBytes(body)
	case s.json && len(body) == 0 && s.optional && r.Method != http.MethodPatch:
	case s.json:
		return decodeJSON(body, v.Addr().Interface())
	}
	return nil
}

// setText parses raw into v; its error is the reason the value is refused.
func setText(v reflect.Value, raw string) error {
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		if err := u.UnmarshalText([]byte(raw)); err != nil {
			if v.Type() == reflect.TypeFor[uuid.UUID]() {
				return errors.New("must be an id")
			}
			return err
		}
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return errors.New("must be true or false")
		}
		v.SetBool(b)
	default:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return errors.New("must be a whole number")
		}
		v.SetInt(n)
	}
	return nil
}
