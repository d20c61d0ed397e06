package memcredit_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit/credittest"
	"github.com/bankkit/bankkit/credit/memcredit"
)

// TestSimulation runs a book of 30 loans through two years of business
// days (522); 10 under the race detector. BANKKIT_CREDIT_SIM_LOANS sets another number of loans and
// BANKKIT_CREDIT_SIM_SEED the seed, for a bigger run:
//
//	BANKKIT_CREDIT_SIM_LOANS=300 go test ./credit/memcredit -run TestSimulation -v -timeout 1h
func TestSimulation(t *testing.T) {
	loans := 30
	if raceOn {
		loans = 10
	}
	credittest.Simulate(t, memcredit.New(), simulation(t, loans))
}

func simulation(t *testing.T, loans int) credittest.Simulation {
	sim := credittest.Simulation{Loans: loans, Days: 522, Seed: 1}
	if v := os.Getenv("BANKKIT_CREDIT_SIM_LOANS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "BANKKIT_CREDIT_SIM_LOANS")
		sim.Loans = n
	}
	if v := os.Getenv("BANKKIT_CREDIT_SIM_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		require.NoError(t, err, "BANKKIT_CREDIT_SIM_SEED")
		sim.Seed = n
	}
	return sim
}
