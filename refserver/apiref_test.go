package refserver

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
)

const apiReferenceFile = "../docs/api-reference.md"

// TestAPIReferenceIsCurrent keeps docs/api-reference.md, the field-by-field
// reference of every endpoint, what the route table and the OpenAPI
// document say. BANKKIT_UPDATE_DOCS=1 writes the file instead of checking
// it.
func TestAPIReferenceIsCurrent(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	doc := b.must(200, b.do("GET", "/openapi.json", "", nil)).body
	want := apiReference(b.srv.routes, doc)
	if os.Getenv("BANKKIT_UPDATE_DOCS") == "1" {
		require.NoError(t, os.WriteFile(apiReferenceFile, []byte(want), 0o644))
		return
	}
	got, err := os.ReadFile(apiReferenceFile)
	require.NoError(t, err)
	require.True(t, string(got) == want,
		"docs/api-reference.md is stale: run BANKKIT_UPDATE_DOCS=1 go test ./refserver -run TestAPIReferenceIsCurrent")
}

// apiReference renders the reference: the routes by subsystem, in the
// order of the route table, each with its access, parameters, request and
// response fields.
func apiReference(routes []route, doc map[string]any) string {
	r := referenceWriter{schemas: doc["components"].(map[string]any)["schemas"].(map[string]any)}
	r.line("# refserver API reference")
	r.line("")
	r.line("Every endpoint of the reference server, field by field. This file is generated from the route table")
	r.line("and the OpenAPI document (`GET /openapi.json`) by `TestAPIReferenceIsCurrent`, which fails when it is")
	r.line("stale; do not edit it, run `BANKKIT_UPDATE_DOCS=1 go test ./refserver -run TestAPIReferenceIsCurrent`.")
	r.line("The conventions (money, dates, lists, errors, idempotency) and the problem types are in")
	r.line("[api.md](api.md).")
	r.line("")
	r.line("In the tables, `a.b` is field `b` of object `a` and `a[].b` field `b` of each element of array `a`.")
	r.line("A request field marked **yes** is required: the server refuses a request without it (a test")
	r.line("checks each against the server's validation); **one of** marks alternatives, exactly one of")
	r.line("which is sent. `money` is `{\"value\": \"<decimal string>\", \"currency\": \"<ISO 4217>\"}`.")
	paths := doc["paths"].(map[string]any)
	var tags []string
	for _, rt := range routes {
		if !slices.Contains(tags, rt.tag) {
			tags = append(tags, rt.tag)
		}
	}
	for _, tag := range tags {
		r.line("")
		r.line("## " + tag)
		for _, rt := range routes {
			if rt.tag == tag {
				r.operation(rt, paths[rt.pattern].(map[string]any)[strings.ToLower(rt.method)].(map[string]any))
			}
		}
	}
	return r.String()
}

type referenceWriter struct {
	strings.Builder
	schemas map[string]any
}

func (r *referenceWriter) line(s string) { r.WriteString(strings.TrimRight(s, " ") + "\n") }

func (r *referenceWriter) operation(rt route, op map[string]any) {
	r.line("")
	r.line(fmt.Sprintf("### `%s %s`", rt.method, rt.pattern))
	r.line("")
	r.line(rt.summary + ".")
	r.line("")
	idem := map[idemMode]string{idemNone: "not taken", idemOptional: "optional", idemRequired: "**required**"}[rt.idempotency]
	r.line(fmt.Sprintf("Who: %s. Idempotency-Key: %s. Success: %d.", accessText(rt.access), idem, rt.successStatus()))

	if params, ok := op["parameters"].([]any); ok {
		var rows [][]string
		for _, p := range params {
			p := p.(map[string]any)
			if p["name"] == "Idempotency-Key" {
				continue
			}
			typ, _ := r.typeOf(p["schema"].(map[string]any))
			rows = append(rows, []string{"`" + p["name"].(string) + "`", p["in"].(string), typ, yes(p["required"] == true), p["description"].(string)})
		}
		if len(rows) > 0 {
			r.table("Parameters:", []string{"name", "in", "type", "required", "notes"}, rows)
		}
	}
	if body, ok := op["requestBody"].(map[string]any); ok {
		content := body["content"].(map[string]any)
		if media, ok := content["application/json"].(map[string]any); ok {
			title := "Request body (JSON):"
			if body["required"] != true {
				title = "Request body (JSON, may be left out):"
			}
			var rows [][]string
			r.fields(media["schema"].(map[string]any), "", &rows, nil)
			r.table(title, []string{"field", "type", "required", "notes"}, rows)
		} else {
			media := slices.Sorted(func(yield func(string) bool) {
				for m := range content {
					if !yield(m) {
						return
					}
				}
			})
			r.line("")
			r.line("Request body: the file itself (`" + strings.Join(media, "`, `") + "`).")
		}
	}
	status := fmt.Sprint(rt.successStatus())
	resp := op["responses"].(map[string]any)[status].(map[string]any)
	content, ok := resp["content"].(map[string]any)
	if !ok {
		r.line("")
		r.line(fmt.Sprintf("Response %s: no body.", status))
		return
	}
	if _, isJSON := content["application/json"]; !isJSON {
		media := slices.Sorted(maps.Keys(content))
		r.line("")
		r.line(fmt.Sprintf("Response %s: a file (`%s`).", status, strings.Join(media, "`, `")))
		return
	}
	var rows [][]string
	r.fields(content["application/json"].(map[string]any)["schema"].(map[string]any), "", &rows, nil)
	for i := range rows {
		rows[i] = slices.Delete(rows[i], 2, 3) // a response has no "required" column
	}
	r.table(fmt.Sprintf("Response %s:", status), []string{"field", "type", "notes"}, rows)
}

func (r *referenceWriter) table(title string, header []string, rows [][]string) {
	r.line("")
	r.line(title)
	r.line("")
	r.line("| " + strings.Join(header, " | ") + " |")
	r.line(strings.Repeat("|---", len(header)) + "|")
	for _, row := range rows {
		r.line("| " + strings.Join(row, " | ") + " |")
	}
}

// fields appends a row per field of an object schema, and of the objects
// inside it; seen stops a type that contains itself.
func (r *referenceWriter) fields(s map[string]any, prefix string, rows *[][]string, seen []string) {
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if slices.Contains(seen, name) {
			return
		}
		seen = append(seen, name)
		s = r.schemas[name].(map[string]any)
	}
	props, _ := s["properties"].(map[string]any)
	required, _ := s["required"].([]any)
	var alternatives []any
	if oneOf, ok := s["oneOf"].([]any); ok {
		for _, alt := range oneOf {
			alternatives = append(alternatives, alt.(map[string]any)["required"].([]any)...)
		}
	}
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := props[name].(map[string]any)
		typ, inner := r.typeOf(p)
		need := yes(slices.Contains(required, any(name)))
		if slices.Contains(alternatives, any(name)) {
			need = "**one of**"
		}
		note, _ := p["description"].(string)
		*rows = append(*rows, []string{"`" + prefix + name + "`", typ, need, note})
		if inner != nil {
			sub := prefix + name + "."
			if strings.HasPrefix(typ, "array") {
				sub = prefix + name + "[]."
			}
			r.fields(inner, sub, rows, seen)
		}
	}
}

// typeOf names a schema's type for a reader, and returns the object schema
// whose fields are listed under it, if any.
func (r *referenceWriter) typeOf(s map[string]any) (string, map[string]any) {
	if ref, ok := s["$ref"].(string); ok {
		if ref == "#/components/schemas/Money" {
			return "money", nil
		}
		return "object", s
	}
	switch s["type"] {
	case "array":
		items := s["items"].(map[string]any)
		typ, inner := r.typeOf(items)
		if inner != nil {
			return "array of objects", inner
		}
		return "array of " + typ, nil
	case "object":
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			typ, _ := r.typeOf(ap)
			return "map of " + typ, nil
		}
		return "object", s
	case nil:
		return "any", nil
	}
	if f, ok := s["format"].(string); ok {
		return fmt.Sprintf("%s (%s)", s["type"], f), nil
	}
	return s["type"].(string), nil
}

func yes(b bool) string {
	if b {
		return "**yes**"
	}
	return ""
}

// accessText says who may call a route, as docs/api.md's table does.
func accessText(a access) string {
	if a.public {
		return "anyone"
	}
	var who []string
	for _, role := range a.roles {
		who = append(who, string(role))
	}
	if len(a.roles) == len(channel.Roles()) {
		who = []string{"all staff"}
	}
	if a.customer {
		who = append(who, "customers (their own objects)")
	}
	return strings.Join(who, ", ")
}
