package refserver

import (
	"encoding"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

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
		if params := pathParams(rt.pattern); len(params) > 0 {
			op["parameters"] = params
		}
		for _, q := range rt.query {
			op["parameters"] = append(asSlice(op["parameters"]), map[string]any{
				"name": q.name, "in": "query", "description": q.doc, "schema": map[string]any{"type": "string"},
			})
		}
		if rt.idempotency != idemNone {
			op["parameters"] = append(asSlice(op["parameters"]), map[string]any{
				"name": "Idempotency-Key", "in": "header", "required": rt.idempotency == idemRequired,
				"description": "1–255 printable ASCII characters; a replay returns the first response.",
				"schema":      map[string]any{"type": "string", "minLength": 1, "maxLength": 255},
			})
		}
		if rt.request != nil {
			op["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{"application/json": map[string]any{"schema": g.schemaOf(reflect.TypeOf(rt.request))}},
			}
		}
		if rt.access.public {
			op["security"] = []any{}
		}
		if paths[rt.path()] == nil {
			paths[rt.path()] = map[string]any{}
		}
		paths[rt.path()][strings.ToLower(rt.method)] = op
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
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func pathParams(pattern string) []any {
	var out []any
	for _, m := range pathParam.FindAllStringSubmatch(pattern, -1) {
		out = append(out, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	return out
}

func (g *schemaGen) responses(rt route) map[string]any {
	problem := map[string]any{
		"description": "problem details",
		"content":     map[string]any{"application/problem+json": map[string]any{"schema": ref("Problem")}},
	}
	ok := map[string]any{"description": http.StatusText(rt.status)}
	if rt.response != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schemaOf(reflect.TypeOf(rt.response))}}
	}
	return map[string]any{
		strconv.Itoa(rt.status): ok,
		"default":               problem,
	}
}

var moneySchema = map[string]any{
	"type":                 "object",
	"required":             []string{"value", "currency"},
	"additionalProperties": false,
	"properties": map[string]any{
		"value":    map[string]any{"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "description": "decimal amount as a string, at most the currency's minor-unit places"},
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
	name := t.Name()
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

func (g *schemaGen) inlineStruct(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		props[name] = g.schemaOf(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			required = append(required, name)
		}
	}
	sort.Strings(required)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}
