package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/refserver"
)

func TestExampleAgainstTheReferenceServer(t *testing.T) {
	const token = "bk_example_admin_token_0123456789abcdef"
	srv, err := refserver.New(context.Background(), refserver.Config{Addr: "127.0.0.1:0", AdminToken: token,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	defer srv.Close()
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), ts.URL, token, &out))
	require.Contains(t, out.String(), "logged in as a customer")
	require.Contains(t, out.String(), "transfer posted")
	require.Contains(t, out.String(), "current balance 3800.00 CNY")
	require.Contains(t, out.String(), "savings balance 1200.00 CNY")
	require.Regexp(t, `national id shown as E\w?\*{4,}`, out.String(), "the national id must come back masked")
}
