package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The load program runs end to end (briefly, in memory) and reports a line
// per client count with no failed requests.
func TestLoadProgramRuns(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run("", true, "1,2", 300*time.Millisecond, 4, &out))
	require.Contains(t, out.String(), "transfers/s")
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	require.Len(t, lines, 4)
	require.Regexp(t, `^\s+2\s+\d+\s+\S+\s+\S+\s+0$`, string(lines[3]))
}
