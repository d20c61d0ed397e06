package refserver

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/fault"
)

// TestDocsAPIIsTrue keeps docs/api.md in step with the code: every route
// and every problem type the server can answer with is documented there,
// with its status.
func TestDocsAPIIsTrue(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/api.md")
	require.NoError(t, err)
	text := string(doc)
	b := newBank(t, "memory")
	for _, rt := range b.srv.routes {
		require.Contains(t, text, "`"+rt.method+" "+rt.pattern+"`", "docs/api.md does not list %s %s", rt.method, rt.pattern)
	}
	// The problem types are the sentinels' codes: every sentinel the server
	// has (its own, the bank's and every subsystem's) but the internal ones,
	// which all answer "internal".
	statuses := map[string]int{"internal": problemType(errInternal).Status}
	for _, s := range fault.Registered() {
		if s.Kind() == fault.Internal {
			continue
		}
		status := problemType(s).Status
		if prev, ok := statuses[s.Code()]; ok {
			require.Equal(t, prev, status, "problem type %s answers with two statuses (%q is %s)", s.Code(), s.Error(), s.Kind())
		}
		statuses[s.Code()] = status
	}
	for code, status := range statuses {
		row := fmt.Sprintf("| `%s` | %d | ", code, status)
		require.True(t, strings.Contains(text, row), "docs/api.md does not document problem type %s (%d)", code, status)
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
