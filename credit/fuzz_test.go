package credit_test

import (
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
)

// Any terms either are refused or give a schedule whose principal sums to
// the amount and whose balance ends at zero; rates, prepayments and
// repricing of it never panic, and a prepayment keeps the sum.
func FuzzSchedule(f *testing.F) {
	f.Add(int64(10000000), int64(60000), 12, uint8(0), uint8(0), 0, 0, 0, 0, 6, int64(2000000))
	f.Add(int64(12000000), int64(43500), 12, uint8(1), uint8(1), 40, 10, 2, 1, 3, int64(100))
	f.Add(int64(1), int64(1000000), 600, uint8(3), uint8(2), 3000000, -5, 0, 0, 1, int64(1))
	f.Fuzz(func(t *testing.T, amount, rate int64, term int, method, freq uint8, startDays, firstDueDays, gp, gi, after int, prepay int64) {
		methods := []credit.RepaymentMethod{credit.Annuity, credit.EqualPrincipal, credit.InterestOnly, credit.Bullet}
		freqs := []credit.Frequency{credit.Monthly, credit.Biweekly, credit.Weekly}
		start := calendar.MustParseDate("2000-01-01").AddDays(startDays % 3_000_000)
		terms := credit.Terms{Principal: money.Money{Amount: decimal.New(amount, -2), Currency: "CNY"},
			AnnualRate: decimal.New(rate, -6), Term: term, Method: methods[int(method)%4],
			InterestMethod: credit.Declining, DayCount: money.ActActISDA, Frequency: freqs[int(freq)%3],
			Start: start, GracePrincipal: gp, GraceInterest: gi}
		if firstDueDays != 0 {
			terms.FirstDue = start.AddDays(firstDueDays % 200)
		}
		if method >= 4 && method%2 == 0 {
			terms.InterestMethod = credit.Flat
		}
		s, err := credit.NewSchedule(terms, nil)
		if err != nil {
			return
		}
		sum := decimal.Zero
		for _, in := range s.Instalments() {
			sum = sum.Add(in.Principal.Amount)
		}
		if !sum.Equal(terms.Principal.Amount) || !s.Instalments()[s.Len()-1].Balance.IsZero() {
			t.Fatalf("%+v: principal sums to %s", terms, sum)
		}
		_, _ = s.Rates()
		_, _ = s.Reprice(start.AddDays(after*10), decimal.New(rate/2, -6), nil)
		p, err := s.Prepay(after, money.Money{Amount: decimal.New(prepay, -2), Currency: "CNY"}, credit.ReduceTerm, nil)
		if err != nil {
			return
		}
		sum = decimal.Zero
		for _, in := range p.Instalments() {
			sum = sum.Add(in.Principal.Amount).Add(in.Prepaid.Amount)
		}
		if !sum.Equal(terms.Principal.Amount) {
			t.Fatalf("%+v: after prepaying %d after %d, principal sums to %s", terms, prepay, after, sum)
		}
	})
}

// A scorecard file either is refused or scores its own PD without panic.
func FuzzParseScorecard(f *testing.F) {
	f.Add([]byte(`{"name":"t","version":"1","base_score":600,"base_odds":"50","pdo":20,"cut_off":0,
		"grades":[{"grade":"A","min_score":0}],
		"characteristics":[{"name":"x","input":"bureau.score","reason":"R","description":"d","bins":[{"points":1}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := credit.ParseScorecard(data)
		if err != nil {
			return
		}
		pd := sc.PD(sc.BaseScore)
		if pd.IsNegative() || pd.GreaterThan(decimal.NewFromInt(1)) {
			t.Fatalf("PD %s", pd)
		}
	})
}

// A schedule read from JSON either is refused or writes back what it
// read, and its principal and prepayments sum to the principal.
func FuzzScheduleJSON(f *testing.F) {
	s, err := credit.NewSchedule(credit.Terms{Principal: money.MustParse("1000.00", "CNY"), AnnualRate: decimal.RequireFromString("0.12"),
		Term: 3, Method: credit.Annuity, InterestMethod: credit.Declining, DayCount: money.Act365Fixed, Frequency: credit.Monthly,
		Start: calendar.MustParseDate("2026-01-31")}, nil)
	if err != nil {
		f.Fatal(err)
	}
	seed, err := json.Marshal(s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		var got credit.Schedule
		if err := json.Unmarshal(data, &got); err != nil {
			return
		}
		sum := decimal.Zero
		for _, in := range got.Instalments() {
			sum = sum.Add(in.Principal.Amount).Add(in.Prepaid.Amount)
		}
		if !sum.Equal(got.Terms().Principal.Amount) {
			t.Fatalf("principal sums to %s", sum)
		}
		out, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var again credit.Schedule
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("its own JSON is refused: %v", err)
		}
	})
}
