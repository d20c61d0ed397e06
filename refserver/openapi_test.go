package refserver

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOpenAPIIsDerivedFromTheHandlers checks the document says what the
// handlers read and write: every schema it refers to exists, and each
// operation's parameters and bodies are those of its handler's types.
func TestOpenAPIIsDerivedFromTheHandlers(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	doc := b.must(200, b.do("GET", "/openapi.json", "", nil)).body
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				name, found := strings.CutPrefix(ref, "#/components/schemas/")
				require.True(t, found, ref)
				require.Contains(t, schemas, name, "a $ref to a schema that is not there")
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)

	paths := doc["paths"].(map[string]any)
	op := func(method, path string) map[string]any {
		return paths[path].(map[string]any)[method].(map[string]any)
	}
	params := func(o map[string]any) map[string]string {
		out := map[string]string{}
		for _, p := range o["parameters"].([]any) {
			p := p.(map[string]any)
			out[p["name"].(string)] = p["in"].(string)
		}
		return out
	}
	require.Equal(t, map[string]string{"id": "path", "from": "query", "to": "query", "limit": "query", "after": "query"},
		params(op("get", "/v1/accounts/{id}/transactions")))
	require.Equal(t, map[string]string{"id": "path", "If-Match": "header"}, params(op("patch", "/v1/customers/{id}")))
	require.Equal(t, map[string]string{"id": "path", "Idempotency-Key": "header"}, params(op("post", "/v1/holds/{id}/capture")))

	capture := op("post", "/v1/holds/{id}/capture")["requestBody"].(map[string]any)
	require.Equal(t, true, capture["required"])
	ref := capture["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)["$ref"].(string)
	props := schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)["properties"].(map[string]any)
	require.Len(t, props, 3, "the embedded request's fields, and not the path's id")
	require.Contains(t, props, "to_account_id")

	reversal := op("post", "/v1/transfers/{id}/reversal")["requestBody"].(map[string]any)
	require.Equal(t, false, reversal["required"], "a body of optional fields may be left out")
	require.Contains(t, op("post", "/v1/clearing/inbound")["requestBody"].(map[string]any)["content"], "application/xml")
	require.NotContains(t, op("post", "/v1/auth/logout")["responses"].(map[string]any)["204"], "content")
	require.Contains(t, schemas, "list_accountView")
}
