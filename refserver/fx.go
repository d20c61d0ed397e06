package refserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// Who may publish rates and read the bank's FX books.
var (
	treasury = staff(channel.RoleAdmin, channel.RoleFinance)
	fxBooks  = staff(channel.RoleAdmin, channel.RoleFinance, channel.RoleRiskOfficer)
)

// fxServices builds foreign exchange over the ledger and its store, and
// the bank's FX desk over it.
func (s *Server) fxServices(st stores) error {
	var err error
	if s.fx, err = fx.NewService(s.ledger, st.ledger, fx.WithClock(s.clock)); err != nil {
		return fmt.Errorf("refserver: fx: %w", err)
	}
	s.fxDesk = bank.NewFXDesk(s.bank, s.fx)
	return nil
}

func (s *Server) fxRoutes() []route {
	return tagged("fx", []route{
		{method: "POST", pattern: "/v1/fx/rates",
			summary: "Publish a currency pair's rates (treasury): mid, bank buy and bank sell, in home-currency units per foreign unit, in force from published_at (default now) for a business date (default today)",
			access:  treasury, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.publishRate)},
		{method: "GET", pattern: "/v1/fx/rates",
			summary: "A pair's rate in force now (or at ?at=) and the rates published for a business date (default today)",
			access:  movementReads.andCustomers(), handler: handle(s.readRates)},
		{method: "POST", pattern: "/v1/fx/quotes",
			summary: "Quote a conversion: the rate in force fixed for 30 seconds, bound to the customer who asks",
			access:  tellers.andCustomers(), idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.quoteFX)},
		{method: "POST", pattern: "/v1/fx/conversions",
			summary: "Convert between two accounts in different currencies at a quote's rate (quote_id) or the rate in force, through the bank's FX position accounts; counts against the owner's annual quota",
			access:  tellers.andCustomers(), idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.convertFX)},
		{method: "GET", pattern: "/v1/fx/conversions/{id}", summary: "Read a conversion",
			access: movementReads.andCustomers(), handler: handle(s.getConversion)},
		{method: "GET", pattern: "/v1/fx/positions",
			summary: "The bank's open FX position per currency (positive: long), each foreign position's carrying value, and the realised spread income",
			access:  fxBooks, handler: handle(s.fxPositions)},
		{method: "GET", pattern: "/v1/fx/revaluations/{date}", summary: "The revaluations end of day posted for a business date",
			access: fxBooks, handler: handle(s.fxRevaluations)},
		{method: "GET", pattern: "/v1/fx/totals/reconciliation",
			summary: "Recompute the running FX totals (position, carrying value, spread income per currency) from every conversion and revaluation and list the currencies that differ",
			access:  fxBooks, handler: handle(s.fxReconcile)},
	})
}

// Requests and views of foreign exchange in the API's words.
type (
	publishRateRequest struct {
		Pair         string          `json:"pair" doc:"BASE/QUOTE, the quote currency the home currency (USD/CNY)"`
		Mid          decimal.Decimal `json:"mid"`
		Buy          decimal.Decimal `json:"buy"`
		Sell         decimal.Decimal `json:"sell"`
		Source       string          `json:"source"`
		BusinessDate calendar.Date   `json:"business_date,omitzero"`
		PublishedAt  time.Time       `json:"published_at,omitzero"`
	}
	rateQuery struct {
		Pair string        `query:"pair" doc:"BASE/QUOTE, e.g. USD/CNY"`
		At   time.Time     `query:"at" doc:"the moment whose rate in force is shown (default now)"`
		Date calendar.Date `query:"date" doc:"the business date whose publications are listed (default today)"`
	}
	rateView struct {
		ID           string          `json:"id"`
		Pair         string          `json:"pair"`
		Mid          decimal.Decimal `json:"mid"`
		Buy          decimal.Decimal `json:"buy"`
		Sell         decimal.Decimal `json:"sell"`
		Source       string          `json:"source"`
		BusinessDate calendar.Date   `json:"business_date"`
		PublishedAt  time.Time       `json:"published_at"`
	}
	ratesView struct {
		Pair      string     `json:"pair"`
		InForce   *rateView  `json:"in_force"`
		Published []rateView `json:"published"`
	}
	quoteView struct {
		ID        string          `json:"id"`
		Pair      string          `json:"pair"`
		Side      string          `json:"side"`
		Pays      money.Money     `json:"pays"`
		Receives  money.Money     `json:"receives"`
		Rate      decimal.Decimal `json:"rate"`
		Mid       decimal.Decimal `json:"mid"`
		Source    string          `json:"source"`
		ExpiresAt time.Time       `json:"expires_at"`
		// Cross is the second leg of a quote between two foreign currencies.
		Cross *crossLegView `json:"cross,omitempty"`
	}
	// crossLegView is the second leg of a conversion between two foreign
	// currencies: the purchase of the received currency through the home
	// currency; the conversion's own pair, rate and mid are its first leg.
	crossLegView struct {
		Pair       string          `json:"pair" doc:"the received currency against the home currency (EUR/CNY)"`
		CrossRate  decimal.Decimal `json:"cross_rate" doc:"units received per unit paid: the first leg's buy rate over this leg's sell rate, rounded down to 8 places"`
		Rate       decimal.Decimal `json:"rate" doc:"the bank's sell rate of pair"`
		Mid        decimal.Decimal `json:"mid"`
		HomeAtMid  money.Money     `json:"home_at_mid"`
		RateSource string          `json:"rate_source"`
		RateTime   time.Time       `json:"rate_published_at"`
	}
	conversionView struct {
		ID            string          `json:"id"`
		Status        string          `json:"status"`
		EntryID       string          `json:"entry_id,omitempty"`
		FromAccountID string          `json:"from_account_id"`
		ToAccountID   string          `json:"to_account_id"`
		Pair          string          `json:"pair"`
		Side          string          `json:"side"`
		Pays          money.Money     `json:"pays"`
		Receives      money.Money     `json:"receives"`
		Rate          decimal.Decimal `json:"rate"`
		Mid           decimal.Decimal `json:"mid"`
		Spread        money.Money     `json:"spread_income"`
		RateSource    string          `json:"rate_source"`
		RateTime      time.Time       `json:"rate_published_at"`
		QuoteID       string          `json:"quote_id,omitempty"`
		QuotaAmount   money.Money     `json:"quota_amount"`
		BusinessDate  calendar.Date   `json:"business_date"`
		CreatedAt     time.Time       `json:"created_at"`
		Description   string          `json:"description"`
		ExternalRef   string          `json:"external_ref,omitempty" doc:"the converting client's own reference"`
		Replayed      bool            `json:"replayed"`
		Cross         *crossLegView   `json:"cross,omitempty"`
	}
	totalsView struct {
		Currency string          `json:"currency"`
		Position decimal.Decimal `json:"position"`
		Carrying money.Money     `json:"carrying_value"`
		Income   money.Money     `json:"spread_income"`
	}
	totalsDifferenceView struct {
		Currency   string     `json:"currency"`
		Running    totalsView `json:"running"`
		Recomputed totalsView `json:"recomputed"`
	}
	reconciliationView struct {
		Reconciled  bool                   `json:"reconciled"`
		Differences []totalsDifferenceView `json:"differences"`
	}
	conversionPath struct {
		ID ledger.ID `path:"id"`
	}
	positionView struct {
		Currency string      `json:"currency"`
		Open     money.Money `json:"open"`
		Carrying money.Money `json:"carrying_value"`
	}
	positionsView struct {
		Positions []positionView `json:"positions"`
		Income    money.Money    `json:"spread_income"`
	}
	revaluationView struct {
		Currency   string          `json:"currency"`
		Position   decimal.Decimal `json:"position"`
		ClosingMid decimal.Decimal `json:"closing_mid"`
		Carrying   money.Money     `json:"carrying_value"`
		Value      money.Money     `json:"value"`
		Gain       money.Money     `json:"gain"`
		EntryID    string          `json:"entry_id,omitempty"`
	}
	revaluationsView struct {
		BusinessDate calendar.Date     `json:"business_date"`
		Revaluations []revaluationView `json:"revaluations"`
	}
	revaluationDate struct {
		Date calendar.Date `path:"date"`
	}
)

func rateViewOf(r fx.Rate) rateView {
	return rateView{ID: r.ID.String(), Pair: r.Pair.String(), Mid: r.Mid, Buy: r.Buy, Sell: r.Sell, Source: r.Source,
		BusinessDate: r.BusinessDate, PublishedAt: r.PublishedAt}
}

func optionalID(id ledger.ID) string {
	if id == ledger.NilID {
		return ""
	}
	return id.String()
}

func crossLegOf(l *fx.CrossLeg) *crossLegView {
	if l == nil {
		return nil
	}
	return &crossLegView{Pair: l.Pair.String(), CrossRate: l.CrossRate, Rate: l.Rate, Mid: l.Mid, HomeAtMid: l.HomeAtMid,
		RateSource: l.Source, RateTime: l.PublishedAt}
}

func conversionViewOf(c fx.Conversion, replayed bool) conversionView {
	return conversionView{Cross: crossLegOf(c.Cross), ID: c.ID.String(), Status: string(c.Status), EntryID: optionalID(c.EntryID),
		FromAccountID: c.FromAccountID.String(), ToAccountID: c.ToAccountID.String(), Pair: c.Pair.String(), Side: string(c.Side),
		Pays: c.Pays, Receives: c.Receives, Rate: c.Rate, Mid: c.Mid, Spread: c.Income, RateSource: c.Source, RateTime: c.PublishedAt,
		QuoteID: optionalID(c.QuoteID), QuotaAmount: c.QuotaAmount, BusinessDate: c.BusinessDate, CreatedAt: c.CreatedAt,
		Description: c.Description, ExternalRef: c.ExternalRef.Ref, Replayed: replayed}
}

func (s *Server) publishRate(ctx context.Context, req publishRateRequest) (rateView, error) {
	pair, err := fx.ParsePair(req.Pair)
	if err != nil {
		return rateView{}, err
	}
	r, err := s.fx.PublishRate(ctx, fx.PublishRateRequest{Pair: pair, Mid: req.Mid, Buy: req.Buy, Sell: req.Sell,
		Source: req.Source, BusinessDate: req.BusinessDate, PublishedAt: req.PublishedAt})
	if err != nil {
		return rateView{}, err
	}
	return rateViewOf(r), nil
}

func (s *Server) readRates(ctx context.Context, req rateQuery) (ratesView, error) {
	pair, err := fx.ParsePair(req.Pair)
	if err != nil {
		return ratesView{}, err
	}
	date := req.Date
	if date.IsZero() {
		if date, err = s.ledger.BusinessDate(ctx); err != nil {
			return ratesView{}, err
		}
	}
	published, err := s.fx.Rates(ctx, pair, date)
	if err != nil {
		return ratesView{}, err
	}
	v := ratesView{Pair: pair.String(), Published: make([]rateView, 0, len(published))}
	for _, r := range published {
		v.Published = append(v.Published, rateViewOf(r))
	}
	r, err := s.fx.RateAt(ctx, pair, req.At)
	switch {
	case err == nil:
		in := rateViewOf(r)
		v.InForce = &in
	case !isNoRate(err):
		return ratesView{}, err
	}
	return v, nil
}

func isNoRate(err error) bool { return errors.Is(err, fx.ErrNoRate) }

func (s *Server) quoteFX(ctx context.Context, req bank.QuoteRequest) (quoteView, error) {
	q, err := s.fxDesk.Quote(ctx, req)
	if err != nil {
		return quoteView{}, err
	}
	return quoteView{ID: q.ID.String(), Pair: q.Pair.String(), Side: string(q.Side), Pays: q.Pays, Receives: q.Receives,
		Rate: q.Rate, Mid: q.Mid, Source: q.Source, ExpiresAt: q.ExpiresAt, Cross: crossLegOf(q.Cross)}, nil
}

func (s *Server) convertFX(ctx context.Context, req bank.ConvertRequest) (conversionView, error) {
	r, err := s.fxDesk.Convert(ctx, req)
	if err != nil {
		return conversionView{}, err
	}
	return conversionViewOf(r.Conversion, r.Replayed), nil
}

func (s *Server) getConversion(ctx context.Context, req conversionPath) (conversionView, error) {
	c, err := s.fxDesk.Conversion(ctx, req.ID)
	if err != nil {
		return conversionView{}, err
	}
	return conversionViewOf(c, false), nil
}

func (s *Server) fxPositions(ctx context.Context, _ none) (positionsView, error) {
	ps, err := s.fx.Positions(ctx)
	if err != nil {
		return positionsView{}, err
	}
	income, err := s.fx.Income(ctx)
	if err != nil {
		return positionsView{}, err
	}
	v := positionsView{Positions: make([]positionView, 0, len(ps)), Income: income}
	for _, p := range ps {
		v.Positions = append(v.Positions, positionView{Currency: string(p.Open.Currency), Open: p.Open, Carrying: p.Carrying})
	}
	return v, nil
}

func (s *Server) fxRevaluations(ctx context.Context, req revaluationDate) (revaluationsView, error) {
	rs, err := s.fx.Revaluations(ctx, req.Date)
	if err != nil {
		return revaluationsView{}, err
	}
	v := revaluationsView{BusinessDate: req.Date, Revaluations: make([]revaluationView, 0, len(rs))}
	for _, r := range rs {
		home := func(d decimal.Decimal) money.Money { return money.Money{Amount: d, Currency: r.Home} }
		v.Revaluations = append(v.Revaluations, revaluationView{Currency: string(r.Currency), Position: r.Position,
			ClosingMid: r.ClosingMid, Carrying: home(r.Carrying), Value: home(r.Value), Gain: home(r.Gain), EntryID: optionalID(r.EntryID)})
	}
	return v, nil
}

func (s *Server) fxReconcile(ctx context.Context, _ none) (reconciliationView, error) {
	diffs, err := s.fx.ReconcileTotals(ctx)
	if err != nil {
		return reconciliationView{}, err
	}
	home := s.fx.Home()
	view := func(t fx.Totals) totalsView {
		return totalsView{Currency: string(t.Currency), Position: t.Position,
			Carrying: money.Money{Amount: t.Carrying, Currency: home}, Income: money.Money{Amount: t.Income, Currency: home}}
	}
	v := reconciliationView{Reconciled: len(diffs) == 0, Differences: make([]totalsDifferenceView, 0, len(diffs))}
	for _, d := range diffs {
		v.Differences = append(v.Differences, totalsDifferenceView{Currency: string(d.Currency), Running: view(d.Running), Recomputed: view(d.Recomputed)})
	}
	return v, nil
}
