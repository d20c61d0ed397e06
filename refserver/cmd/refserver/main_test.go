package main

import (
	"bufio"
	"flag"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/refserver"
)

// TestBinaryServesAndStopsOnSIGTERM runs the real command as a user would and
// checks that SIGTERM ends it cleanly (exit status 0, "stopped" logged).
func TestBinaryServesAndStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "refserver")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())

	cmd := exec.Command(bin, "-addr", addr)
	cmd.Env = append(os.Environ(), "BANKKIT_DATABASE_URL=")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 10*time.Second, 50*time.Millisecond)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "refserver must exit 0 on SIGTERM")

	var log strings.Builder
	for l := range lines {
		log.WriteString(l + "\n")
	}
	require.Contains(t, log.String(), `"msg":"stopped"`)
}

func TestBadFlagsAreReported(t *testing.T) {
	err := run([]string{"-addr", "nonsense"})
	require.ErrorContains(t, err, "listen address")
}

// Every flag names its environment variable, docs/operations.md lists the
// pair in one row, and the variable sets the flag unless the flag is given.
func TestEveryFlagHasADocumentedEnvironmentVariable(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/operations.md")
	require.NoError(t, err)
	var cfg refserver.Config
	var keysFile string
	all := flags(&cfg, &keysFile)
	n := 0
	all.VisitAll(func(f *flag.Flag) {
		n++
		env := envOf(f)
		require.NotEmpty(t, env, "-%s names no environment variable in its usage", f.Name)
		require.Regexp(t, "(?m)^\\| `-"+regexp.QuoteMeta(f.Name)+"` \\| `"+env+"` \\|", string(doc),
			"docs/operations.md has no row for -%s and %s", f.Name, env)

		fromEnv, fromFlag := sampleValues(t, f)
		env1 := func(k string) (string, bool) { return fromEnv, k == env }
		var c refserver.Config
		var k string
		fs := flags(&c, &k)
		require.NoError(t, parse(fs, nil, env1))
		require.Equal(t, fromEnv, fs.Lookup(f.Name).Value.String(), "%s sets -%s", env, f.Name)

		fs = flags(&c, &k)
		require.NoError(t, parse(fs, []string{"-" + f.Name + "=" + fromFlag}, env1))
		require.Equal(t, fromFlag, fs.Lookup(f.Name).Value.String(), "-%s wins over %s", f.Name, env)
	})
	require.Greater(t, n, 10)
}

// sampleValues are two values of f's type, different from its default.
func sampleValues(t *testing.T, f *flag.Flag) (string, string) {
	switch f.Value.(flag.Getter).Get().(type) {
	case bool:
		return "true", "false"
	case int:
		return "7", "11"
	case time.Duration:
		return "7s", "11s"
	case string:
		return "from-env", "from-flag"
	}
	t.Fatalf("-%s: no sample values for its type", f.Name)
	return "", ""
}

func TestABadEnvironmentValueNamesTheVariable(t *testing.T) {
	var cfg refserver.Config
	var keysFile string
	err := parse(flags(&cfg, &keysFile), nil, func(k string) (string, bool) { return "soon", k == "BANKKIT_SHUTDOWN_TIMEOUT" })
	require.ErrorContains(t, err, "BANKKIT_SHUTDOWN_TIMEOUT")
}
