package refserver

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocsAPIIsTrue keeps docs/api.md in step with the code: every route
// and every problem type the server can answer with is documented there.
func TestDocsAPIIsTrue(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/api.md")
	require.NoError(t, err)
	text := string(doc)
	b := newBank(t, "memory")
	for _, rt := range b.srv.routes {
		require.Contains(t, text, "`"+rt.method+" "+rt.pattern+"`", "docs/api.md does not list %s %s", rt.method, rt.pattern)
	}
	seen := map[string]bool{}
	for _, k := range problemKinds {
		require.False(t, seen[k.slug], "problem type %s defined twice", k.slug)
		seen[k.slug] = true
		require.True(t, strings.Contains(text, "| `"+k.slug+"` | "), "docs/api.md does not document problem type %s", k.slug)
	}
}

func TestWrongMethodIsAProblem(t *testing.T) {
	t.Parallel()
	b := newBank(t, "memory")
	r := b.do("DELETE", "/v1/deposits", testAdminToken, nil)
	require.Equal(t, 405, r.status)
	require.Equal(t, "method-not-allowed", r.problemType())
	require.Contains(t, r.header.Get("Allow"), "POST")
	r = b.do("GET", "/v1/nothing-here", testAdminToken, nil)
	require.Equal(t, 404, r.status)
	require.Equal(t, "not-found", r.problemType())
}
