package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
)

// A small fleet's day ends with every device's ledger balance equal to its
// cassettes, through faults, partial and failed dispenses, repeated
// reports and replenishments.
func TestSimulatedDayBalances(t *testing.T) {
	for _, storage := range []string{"memory", "postgres"} {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			o := options{memory: true, devices: 4, customers: 3, rounds: 25, seed: 7,
				faultRate: 0.1, partialRate: 0.2, failRate: 0.1, retryRate: 0.3}
			if storage == "postgres" {
				_, o.dbURL = pgtest.NewWithURL(t)
			}
			simulate(t, o)
		})
	}
}

func simulate(t *testing.T, o options) {
	var out bytes.Buffer
	require.NoError(t, run(o, &out))
	s := out.String()
	require.Contains(t, s, "every device's ledger balance equals its cassettes (4 devices, differences 0)")
	require.NotContains(t, s, "partial 0,", "the run exercised partial dispenses")
	require.NotContains(t, s, "sent twice 0)", "the run exercised repeated reports")
	require.Regexp(t, `replenishments ([5-9]|\d\d)`, s, "the run replenished beyond the first loads")
}
