package pgcredit_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit/credittest"
	"github.com/bankkit/bankkit/credit/pgcredit"
)

// TestSimulation runs a book of 5 loans through two years of business
// days (522) on PostgreSQL (memcredit runs 30); 3 under the race
// detector. BANKKIT_CREDIT_SIM_LOANS
// and BANKKIT_CREDIT_SIM_SEED set another size and seed.
func TestSimulation(t *testing.T) {
	t.Parallel()
	sim := credittest.Simulation{Loans: 5, Days: 522, Seed: 2}
	if raceOn {
		sim.Loans = 3
	}
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
	credittest.Simulate(t, pgcredit.New(newDB(t)), sim)
}
