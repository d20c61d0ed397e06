package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/credittest"
	"github.com/bankkit/bankkit/credit/pgcredit"
	"github.com/bankkit/bankkit/money"
)

// templateDays are the days the template loans are disbursed on (every
// business day from 2 to 27 March 2026): each copy of a template falls due
// on its day of the month, so on a given date about one loan in twenty is
// due, as in a book lent out evenly over the month.
func templateDays() []calendar.Date {
	var out []calendar.Date
	for d := calendar.MustParseDate("2026-03-02"); !d.After(calendar.MustParseDate("2026-03-27")); d = d.AddDays(1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, d)
		}
	}
	return out
}

// benchLedger is a ledger port that takes every entry, once per key, and
// sums the bank's accounts by chart code; a demand account holds plenty
// unless it is one of the dry ones. It measures credit's side of the end
// of day (reads, writes, outbox), not the ledger's.
type benchLedger struct {
	mu     sync.Mutex
	keys   map[string]bool
	chart  map[string]decimal.Decimal
	dry    map[credit.ID]bool
	posted int
}

func newBenchLedger() *benchLedger {
	return &benchLedger{keys: map[string]bool{}, chart: map[string]decimal.Decimal{}, dry: map[credit.ID]bool{}}
}

func (l *benchLedger) OpenLoanAccount(context.Context, credit.LoanAccountRequest) (credit.ID, error) {
	return credit.NewID(), nil
}

func (l *benchLedger) CheckDemandAccount(context.Context, credit.ID, credit.ID, money.Currency) error {
	return nil
}

func (l *benchLedger) Post(_ context.Context, e credit.LedgerEntry) (credit.EntryRef, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.keys[e.Key] {
		l.keys[e.Key] = true
		l.posted++
		for _, g := range e.Legs {
			if g.Chart == "" {
				continue
			}
			a := g.Amount.Amount
			if g.Side == credit.Debit {
				a = a.Neg()
			}
			l.chart[g.Chart] = l.chart[g.Chart].Add(a)
		}
	}
	return credit.EntryRef(e.Key), nil
}

func (l *benchLedger) Balance(_ context.Context, account credit.ID) (money.Money, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dry[account] {
		return money.MustParse("0", "CNY"), nil
	}
	return money.MustParse("100000000.00", "CNY"), nil
}

func (l *benchLedger) charts() map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]string{}
	for k, v := range l.chart {
		out[k] = v.StringFixed(2)
	}
	return out
}

// book is a scratch book of loans and the Service over it.
type book struct {
	db     *sqlx.DB
	svc    *credit.Service
	clock  *calendar.ManualClock
	ledger *benchLedger
}

// newBook migrates db and makes a Service over it with the bench ledger;
// opts are the end of day's options.
func newBook(ctx context.Context, db *sqlx.DB, opts ...credit.Option) (*book, error) {
	if err := pgcredit.Migrate(ctx, db); err != nil {
		return nil, err
	}
	b := &book{db: db, clock: calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)), ledger: newBenchLedger()}
	var err error
	b.svc, err = credit.NewService(pgcredit.New(db), append([]credit.Option{credit.WithClock(b.clock), credit.WithLedger(b.ledger),
		credit.WithCustomers(customers{}), credit.WithBureau(bureau{})}, opts...)...)
	return b, err
}

type customers struct{}

func (customers) Facts(context.Context, credit.ID) (credit.CustomerFacts, error) {
	return credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1986-05-20")}, nil
}

type bureau struct{}

func (bureau) Report(context.Context, credit.ID) (credit.BureauReport, error) {
	return credit.BureauReport{Hit: true, Score: 720, RevolvingUtilisation: decimal.RequireFromString("0.1")}, nil
}

// seedChunk is how many loans one seeding statement copies.
const seedChunk = 50_000

// seed makes one template loan (20,000.00 over 12 months) through the
// Service on each of templateDays, every third one's demand account dry
// (it never pays), and copies them in SQL with new ids to n loans in all,
// in id order round the templates. The copies share their template's
// contract, so the scratch book drops the one-loan-per-contract
// constraint. Not measured.
func (b *book) seed(ctx context.Context, n int) error {
	p, err := b.svc.CreateProduct(ctx, credittest.Product("BENCH"))
	if err != nil {
		return err
	}
	days := templateDays()
	var templates []credit.ID
	for i, d := range days {
		b.clock.Set(d.In(time.UTC).Add(10 * time.Hour))
		c := credit.NewID()
		a, err := b.svc.Submit(ctx, credit.NewApplication{CustomerID: c, ProductID: p.ID, Amount: money.MustParse("20000.00", "CNY"),
			Term: 12, Purpose: credit.PurposeCar, MonthlyIncome: money.MustParse("20000.00", "CNY"),
			MonthlyDebt: money.MustParse("0", "CNY"), Maker: "bench"})
		if err == nil {
			a, err = b.svc.Score(ctx, a.ID)
		}
		if err == nil {
			_, err = b.svc.Decide(ctx, a.ID, credit.DecisionRequest{Step: 1, Approver: "officer", Role: "loan_officer", Verdict: credit.Approve})
		}
		var cs []credit.Contract
		if err == nil {
			cs, err = b.svc.Contracts(ctx, a.ID)
		}
		acct := credit.NewID()
		if i%3 == 2 {
			b.ledger.dry[acct] = true
		}
		var l credit.Loan
		if err == nil {
			_, l, err = b.svc.AcceptContract(ctx, cs[0].ID, credit.AcceptRequest{Version: 1, Channel: credit.ChannelMobile, By: "c",
				DisbursementAccount: acct})
		}
		if err == nil {
			_, err = b.svc.Disburse(ctx, l.ID, money.Money{})
		}
		if err != nil {
			return fmt.Errorf("template loan %d: %w", i, err)
		}
		templates = append(templates, l.ID)
	}
	if n < len(templates) {
		return fmt.Errorf("want at least %d loans (one per template)", len(templates))
	}
	if _, err := b.db.ExecContext(ctx, `ALTER TABLE credit.loans DROP CONSTRAINT loans_contract_key`); err != nil {
		return err
	}
	for done := len(templates); done < n; {
		batch := min(seedChunk, n-done)
		if _, err := b.db.ExecContext(ctx, `INSERT INTO credit.loans (id, contract_id, customer_id, product_id, status, currency,
			principal, disbursed, outstanding, advance, account, version, body, created_at, updated_at, bucket, days_past_due,
			classification, grade, pd, booked_on, closed_on, written_off_on, as_of, accrual, recognised)
			SELECT x.id, l.contract_id, x.customer_id, l.product_id, l.status, l.currency, l.principal, l.disbursed,
				l.outstanding, l.advance, l.account, l.version,
				jsonb_set(jsonb_set(l.body, '{id}', to_jsonb(x.id::text)), '{customer_id}', to_jsonb(x.customer_id::text)),
				l.created_at, l.updated_at, l.bucket, l.days_past_due, l.classification, l.grade, l.pd, l.booked_on, l.closed_on,
				l.written_off_on, l.as_of, l.accrual, l.recognised
			FROM (SELECT gen_random_uuid() AS id, gen_random_uuid() AS customer_id, i FROM generate_series(1, $2) i) x
			JOIN credit.loans l ON l.id = ($1::uuid[])[1 + x.i % array_length($1::uuid[], 1)]`,
			uuids(templates), batch); err != nil {
			return err
		}
		done += batch
	}
	_, err = b.db.ExecContext(ctx, `VACUUM ANALYZE credit.loans`)
	return err
}

func uuids(ids []credit.ID) string {
	s := "{"
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += id.String()
	}
	return s + "}"
}

// run runs the end of day for date with the clock at 20:00 on it.
func (b *book) run(ctx context.Context, date calendar.Date) (credit.EndOfDay, time.Duration, error) {
	b.clock.Set(date.In(time.UTC).Add(20 * time.Hour))
	start := time.Now()
	r, err := b.svc.RunEndOfDay(ctx, date)
	return r, time.Since(start), err
}

// digest counts the loans by what the end of day leaves on them
// (instalments paid, standing, money), ids and times aside, read through
// the Store (so with what the quiet end of day keeps beside the record):
// two books seeded alike and run alike have equal digests.
func (b *book) digest(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	after := credit.NilID
	for {
		loans, err := b.svc.Loans(ctx, credit.LoanFilter{}, credit.Page{After: after, Limit: credit.MaxPageLimit})
		if err != nil {
			return nil, err
		}
		for _, l := range loans {
			k, err := json.Marshal(map[string]any{"paid": l.Paid, "standing": l.Standing, "outstanding": l.Outstanding,
				"advance": l.Advance, "repayments": l.Repayments, "pending": l.Pending, "schedule": l.Schedule})
			if err != nil {
				return nil, err
			}
			out[string(k)]++
		}
		if len(loans) < credit.MaxPageLimit {
			return out, nil
		}
		after = loans[len(loans)-1].ID
	}
}
