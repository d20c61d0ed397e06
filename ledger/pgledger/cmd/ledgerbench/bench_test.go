package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseTPS(t *testing.T) {
	t.Parallel()
	// The tail of a real pgbench 15 report.
	report := `number of transactions actually processed: 128
number of failed transactions: 0 (0.000%)
latency average = 7.541 ms
initial connection time = 38.865 ms
tps = 132.613491 (without initial connection time)
`
	tps, err := parseTPS([]byte(report))
	require.NoError(t, err)
	require.InDelta(t, 132.613491, tps, 1e-9)

	_, err = parseTPS([]byte("tps = 12 (including connections establishing)\n"))
	require.Error(t, err, "only the figure without connection time counts")
}

func TestPercentileNearestRank(t *testing.T) {
	t.Parallel()
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var sorted []time.Duration
	for i := 1; i <= 100; i++ {
		sorted = append(sorted, ms(i))
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.50, ms(50)}, // rank ceil(0.5*100) = 50
		{0.99, ms(99)},
		{1.00, ms(100)},
		{0.001, ms(1)},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, percentile(sorted, tc.q), "q=%v", tc.q)
	}
	require.Zero(t, percentile(nil, 0.5))
}

func TestParseFlagsRefusesBadInput(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-clients", "1,x"},
		{"-clients", "0"},
		{"-batch", "0"},
		{"-accounts", "1"},
		{"-duration", "3s", "-rounds", "4"},
	} {
		_, err := parseFlags(args)
		require.Error(t, err, "%v", args)
	}
	cfg, err := parseFlags([]string{"-clients", "1, 8,32"})
	require.NoError(t, err)
	require.Equal(t, []int{1, 8, 32}, cfg.clients)
}
