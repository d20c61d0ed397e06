package credit_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit"
)

// On the 600-at-50:1, 20-PDO scale: 600 points are odds of 50, PD 1/51 =
// 0.019608; 620 doubles the odds to 100, PD 1/101 = 0.009901; 580 halves
// them to 25, PD 1/26 = 0.038462; 610 is 50 × √2 = 70.71, PD 1/71.71 =
// 0.013945.
func TestPDOnTheScale(t *testing.T) {
	t.Parallel()
	sc := credit.DefaultScorecard()
	for score, pd := range map[int]string{600: "0.019608", 620: "0.009901", 580: "0.038462", 610: "0.013945",
		-100000: "1.000000", 100000: "0.000000"} {
		require.Equal(t, pd, sc.PD(score).StringFixed(6), "score %d", score)
	}
}

func TestDefaultScorecardIsValidAndPriced(t *testing.T) {
	t.Parallel()
	sc := credit.DefaultScorecard()
	require.Equal(t, 600, sc.BaseScore)
	require.Equal(t, 20, sc.PDO)
	require.NoError(t, credit.DefaultPricing().Validate(sc))
	p := credit.DefaultPricing()
	delete(p, "C")
	requireField(t, p.Validate(sc), "pricing.C")
}

func TestScorecardFileIsChecked(t *testing.T) {
	t.Parallel()
	const good = `{"name": "t", "version": "1", "base_score": 600, "base_odds": "50", "pdo": 20, "cut_off": 500,
		"grades": [{"grade": "A", "min_score": 600}, {"grade": "B", "min_score": 0}],
		"characteristics": [
			{"name": "dti", "input": "application.debt_to_income", "reason": "R1", "description": "d", "missing_points": 0,
			 "bins": [{"below": "0.3", "points": 50}, {"points": 10}]},
			{"name": "purpose", "input": "application.purpose", "reason": "R2", "description": "p", "missing_points": 0,
			 "bins": [{"values": ["car"], "points": 40}, {"points": 20}]}]}`
	_, err := credit.ParseScorecard([]byte(good))
	require.NoError(t, err)
	for _, tc := range []struct{ from, to, field string }{
		{`"pdo": 20`, `"pdo": 0`, "pdo"},
		{`"base_odds": "50"`, `"base_odds": "0"`, "base_odds"},
		{`"min_score": 0`, `"min_score": 700`, "grades[1].min_score"},
		{`"application.debt_to_income"`, `"application.shoe_size"`, "characteristics[0].input"},
		{`{"below": "0.3", "points": 50}, {"points": 10}`, `{"below": "0.3", "points": 50}, {"below": "0.5", "points": 10}`, "characteristics[0].bins[1].below"},
		{`{"below": "0.3", "points": 50}, {"points": 10}`, `{"points": 50}, {"points": 10}`, "characteristics[0].bins[0].below"},
		{`{"values": ["car"], "points": 40}, {"points": 20}`, `{"points": 40}, {"values": ["car"], "points": 20}`, "characteristics[1].bins[0].values"},
		{`"name": "purpose"`, `"name": "dti"`, "characteristics[1].name"},
		{`"cut_off": 500`, `"cut_off": 500, "cutoff": 1`, "scorecard"},
	} {
		require.Contains(t, good, tc.from)
		_, err := credit.ParseScorecard([]byte(strings.Replace(good, tc.from, tc.to, 1)))
		requireField(t, err, tc.field)
	}
}
