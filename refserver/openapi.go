package refserver

import (
	"encoding"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// openAPI builds the OpenAPI 3.1 document from the route table, so the
// document cannot drift from what the server serves: a route exists in the
// document exactly when it is registered, with the request and response
// shapes of the Go types its handler reads and writes.
func openAPI(routes []route) map[string]any {
	g := &schemaGen{components: map[string]any{}, names: map[reflect.Type]string{}}
	g.components["Money"] = moneySchema
	g.components["Problem"] = g.schemaOf(reflect.TypeFor[Problem]())

	paths := map[string]map[string]any{}
	for _, rt := range routes {
		op := map[string]any{
			"operationId": rt.operationID(),
			"summary":     rt.summary,
			"tags":        []string{rt.tag},
			"responses":   g.responses(rt),
		}
		var params []any
		for _, p := range rt.handler.in.params {
			params = append(params, map[string]any{
				"name": p.name, "in": p.in, "required": p.in == "path", "description": p.doc, "schema": paramSchema(p.t),
			})
		}
		if rt.idempotency != idemNone {
			params = append(params, map[string]any{
				"name": "Idempotency-Key", "in": "header", "required": rt.idempotency == idemRequired,
				"description": "1–255 printable ASCII characters; a replay returns the first response.",
				"schema":      map[string]any{"type": "string", "minLength": 1, "maxLength": 255},
			})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if body := g.requestBody(rt); body != nil {
			op["requestBody"] = body
		}
		if rt.access.public {
			op["security"] = []any{}
		}
		if strings.HasPrefix(rt.pattern, atmDevicePrefix) {
			op["security"] = []any{map[string]any{"atmDevice": []any{}}} // the device's own credential
		}
		if paths[rt.pattern] == nil {
			paths[rt.pattern] = map[string]any{}
		}
		paths[rt.pattern][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "bankkit reference server",
			"version":     "v1",
			"description": "The reference retail bank's HTTP API. Money is {\"value\": \"<decimal string>\", \"currency\": \"<ISO 4217>\"}; errors are RFC 9457 problem+json.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.components,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
				"atmDevice": map[string]any{"type": "apiKey", "in": "header", "name": "X-ATM-Token",
					"description": "an ATM's own credential, issued when it is registered"},
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}

// requestBody describes what a route reads from the body: the JSON of its
// request type, or a file.
func (g *schemaGen) requestBody(rt route) map[string]any {
	in := rt.handler.in
	switch {
	case in.json:
		return map[string]any{
			"required": !in.optional || rt.method == http.MethodPatch,
			"content":  map[string]any{"application/json": map[string]any{"schema": g.schemaOf(in.t)}},
		}
	case in.file != nil:
		file := map[string]any{"schema": map[string]any{"type": "string"}}
		return map[string]any{"required": true, "content": map[string]any{"application/xml": file, "text/csv": file}}
	}
	return nil
}

// paramSchema describes a path, query or header value: text, read as its
// type reads it.
func paramSchema(t reflect.Type) map[string]any {
	switch {
	case t == uuidType:
		return map[string]any{"type": "string", "format": "uuid"}
	case t == dateType:
		return map[string]any{"type": "string", "format": "date"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return map[string]any{"type": "integer"}
	}
	return map[string]any{"type": "string"}
}

func (g *schemaGen) responses(rt route) map[string]any {
	problem := map[string]any{
		"description": "problem details",
		"content":     map[string]any{"application/problem+json": map[string]any{"schema": ref("Problem")}},
	}
	status := rt.successStatus()
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case rt.handler.out.Implements(rawDocumentType):
		doc := reflect.Zero(rt.handler.out).Interface().(rawDocument)
		media := []string{doc.mediaType()}
		if several, has := doc.(interface{ mediaTypes() []string }); has {
			media = several.mediaTypes()
		}
		content := map[string]any{}
		for _, m := range media {
			content[m] = map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}
		}
		ok["content"] = content
	case status != http.StatusNoContent:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schemaOf(rt.handler.out)}}
	}
	return map[string]any{
		strconv.Itoa(status): ok,
		"default":            problem,
	}
}

var moneySchema = map[string]any{
	"type":                 "object",
	"required":             []string{"value", "currency"},
	"additionalProperties": false,
	"properties": map[string]any{
		"value":    map[string]any{"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "description": "decimal amount as a string, at most the currency's minor-unit places; an amount the API takes has at most 14 digits (CNY 999999999999.99)"},
		"currency": map[string]any{"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"},
	},
}

type schemaGen struct {
	components map[string]any
	names      map[reflect.Type]string
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

var (
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	timeType      = reflect.TypeFor[time.Time]()
	dateType      = reflect.TypeFor[calendar.Date]()
	moneyType     = reflect.TypeFor[money.Money]()
	durationType  = reflect.TypeFor[time.Duration]()
	uuidType      = reflect.TypeFor[uuid.UUID]()
)

func (g *schemaGen) schemaOf(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case moneyType:
		return ref("Money")
	case dateType:
		return map[string]any{"type": "string", "format": "date"}
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case durationType:
		return map[string]any{"type": "string"}
	case uuidType:
		return map[string]any{"type": "string", "format": "uuid"}
	}
	if t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schemaOf(t.Elem())}
	case reflect.Struct:
		return g.structSchema(t)
	}
	return map[string]any{}
}

func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	if name, ok := g.names[t]; ok {
		return ref(name)
	}
	name := componentName(t)
	if name == "" {
		return g.inlineStruct(t)
	}
	if _, taken := g.components[name]; taken {
		// Two packages use the same type name: qualify the later one.
		pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	g.names[t] = name
	g.components[name] = g.inlineStruct(t)
	return ref(name)
}

// componentName is a type's name as an OpenAPI component, which allows
// no brackets or slashes: a generic type's name takes its arguments' short
// names ("list[…/refserver.accountView]" reads "list_accountView").
func componentName(t reflect.Type) string {
	base, args, generic := strings.Cut(t.Name(), "[")
	if !generic {
		return base
	}
	names := []string{base}
	for _, a := range strings.Split(strings.TrimSuffix(args, "]"), ",") {
		names = append(names, a[strings.LastIndex(a, ".")+1:])
	}
	return strings.Join(names, "_")
}

// inlineStruct describes a struct. A field is required unless it is a
// pointer or tagged omitempty or omitzero: for a request type, the tag
// says whether the server needs the field. Fields tagged oneof:"<group>"
// are alternatives: exactly one of them is required (a type has at most
// one such group).
func (g *schemaGen) inlineStruct(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	oneOf := map[string][]string{}
	g.fields(t, props, &required, oneOf)
	sort.Strings(required)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	if len(oneOf) > 1 {
		panic(fmt.Sprintf("refserver: %s has more than one oneof group", t))
	}
	for _, members := range oneOf {
		var alternatives []any
		for _, m := range members {
			alternatives = append(alternatives, map[string]any{"required": []string{m}})
		}
		s["oneOf"] = alternatives
	}
	return s
}

// fields describes the JSON fields of t as encoding/json sees them: an
// embedded struct's fields are the outer one's.
func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string, oneOf map[string][]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-":
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			g.fields(f.Type, props, required, oneOf)
			continue
		case !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		schema := g.schemaOf(f.Type)
		if doc := f.Tag.Get("doc"); doc != "" {
			schema["description"] = doc
		}
		props[name] = schema
		if group, ok := f.Tag.Lookup("oneof"); ok {
			oneOf[group] = append(oneOf[group], name)
		} else if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}
