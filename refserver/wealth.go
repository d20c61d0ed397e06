package refserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/bankkit/bankkit/refserver/wealthport"
	"github.com/bankkit/bankkit/wealth"
)

// Who may do what with wealth-management products.
var (
	// wealthDesk lists products, publishes NAVs and certifies
	// professional investors.
	wealthDesk = staff(channel.RoleAdmin, channel.RoleWealthOps)
	// wealthReaders read the catalogue, customers' assessments, orders
	// and holdings.
	wealthReaders = staff(channel.RoleAdmin, channel.RoleWealthOps, channel.RoleTeller, channel.RoleSupport, channel.RoleFinance)
	// wealthSellers place and cancel orders for a customer at a branch.
	wealthSellers = staff(channel.RoleAdmin, channel.RoleWealthOps, channel.RoleTeller)
	// wealthAuditors reconcile the wealth books with the ledger.
	wealthAuditors = staff(channel.RoleAdmin, channel.RoleWealthOps, channel.RoleFinance)
)

func (s *Server) wealthRoutes() []route {
	return tagged("wealth", []route{
		{method: "GET", pattern: "/v1/wealth/products", summary: "The wealth-management catalogue (products for professional investors only to staff and certified customers)",
			access: wealthReaders.andCustomers(), handler: handle(s.listWealthProducts)},
		{method: "POST", pattern: "/v1/wealth/products", summary: "List a wealth-management product (cash management, open-ended or closed-ended)",
			access: wealthDesk, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.createWealthProduct)},
		{method: "GET", pattern: "/v1/wealth/products/{id}", summary: "Read a product with its latest NAV",
			access: wealthReaders.andCustomers(), handler: handle(s.getWealthProduct)},
		{method: "POST", pattern: "/v1/wealth/products/{id}/status", summary: "Set a product's sales status: pre_sale, open, paused or closed (closed is final)",
			access: wealthDesk, idempotency: idemOptional, handler: handle(s.setWealthStatus)},
		{method: "POST", pattern: "/v1/wealth/products/{id}/navs", summary: "Publish the NAV (or, for cash management, the income per 10,000 units) of a business date; once per date",
			access: wealthDesk, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.publishNAV)},
		{method: "POST", pattern: "/v1/wealth/navs/file", summary: "Upload an issuer's NAV file (CSV: product_code,date,nav,accumulated_nav,income_per_10k,yield_7d): every line published, or none, the error naming the line and column",
			access: wealthDesk, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.uploadNAVFile)},
		{method: "GET", pattern: "/v1/wealth/products/{id}/navs", summary: "A product's NAV history, oldest first (from, to: at most 366 days)",
			access: wealthReaders.andCustomers(), handler: handle(s.navHistory)},
		{method: "GET", pattern: "/v1/wealth/questionnaire", summary: "The risk-assessment questionnaire: questions, answers and scores",
			access: wealthReaders.andCustomers(), handler: handle(s.wealthQuestionnaire)},
		{method: "POST", pattern: "/v1/customers/{id}/wealth/assessment", summary: "Answer the questionnaire: the customer's risk level C1-C5 and its expiry",
			access: wealthSellers.andCustomers(), idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.assessCustomer)},
		{method: "GET", pattern: "/v1/customers/{id}/wealth/assessment", summary: "The customer's current risk assessment and the purchases refused for suitability",
			access: wealthReaders.andCustomers(), handler: handle(s.customerAssessment)},
		{method: "POST", pattern: "/v1/customers/{id}/wealth/professional", summary: "Certify (or withdraw) the customer as a professional investor",
			access: wealthDesk, idempotency: idemOptional, handler: handle(s.certifyProfessional)},
		{method: "POST", pattern: "/v1/wealth/subscriptions", summary: "Subscribe an amount: held on the demand account now, taken at the trade date's NAV",
			access: wealthSellers.andCustomers(), idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.subscribe)},
		{method: "POST", pattern: "/v1/wealth/redemptions", summary: "Redeem units (first in, first out; fast: T+0 for cash management up to the daily limit)",
			access: wealthSellers.andCustomers(), idempotency: idemRequired, status: http.StatusCreated, handler: handle(s.redeem)},
		{method: "POST", pattern: "/v1/wealth/orders/{id}/cancel", summary: "Cancel a pending subscription in full before its cut-off (or within cooling-off) and release its hold",
			access: wealthSellers.andCustomers(), idempotency: idemRequired, handler: handle(s.cancelWealthOrder)},
		{method: "GET", pattern: "/v1/wealth/orders/{id}", summary: "Read an order",
			access: wealthReaders.andCustomers(), handler: handle(s.getWealthOrder)},
		{method: "GET", pattern: "/v1/customers/{id}/wealth/orders", summary: "The customer's orders, oldest first",
			access: wealthReaders.andCustomers(), handler: handle(s.customerWealthOrders)},
		{method: "GET", pattern: "/v1/customers/{id}/wealth/holdings", summary: "The customer's holdings: units, cost, market value at the latest NAV on or before date, realised and unrealised gain",
			access: wealthReaders.andCustomers(), handler: handle(s.customerHoldings)},
		{method: "GET", pattern: "/v1/customers/{id}/wealth/statements/{month}", summary: "The customer's holdings statement for a month (YYYY-MM) as HTML or, with format=pdf, PDF",
			access: wealthReaders.andCustomers(), handler: handle(s.wealthStatement)},
		{method: "GET", pattern: "/v1/wealth/reconciliation", summary: "The wealth books against the ledger: each product's and the bank's holdings cost and money owed against the custody and settlement accounts",
			access: wealthAuditors, handler: handle(s.wealthReconciliation)},
	})
}

type (
	wealthProductView struct {
		ID               string             `json:"id"`
		Code             string             `json:"code"`
		Name             string             `json:"name"`
		Issuer           string             `json:"issuer"`
		Currency         money.Currency     `json:"currency"`
		Type             wealth.ProductType `json:"type"`
		Risk             string             `json:"risk" doc:"R1-R5"`
		ProfessionalOnly bool               `json:"professional_only"`
		MinFirst         money.Money        `json:"min_first"`
		MinAdditional    money.Money        `json:"min_additional"`
		Step             money.Money        `json:"step"`
		UnitPlaces       int32              `json:"unit_places"`
		MinHoldingUnits  decimal.Decimal    `json:"min_holding_units"`
		SubscriptionFee  decimal.Decimal    `json:"subscription_fee"`
		RedemptionFees   []wealth.FeeTier   `json:"redemption_fees"`
		ManagementFee    decimal.Decimal    `json:"management_fee"`
		CustodyFee       decimal.Decimal    `json:"custody_fee"`
		SettlementDays   int                `json:"settlement_days"`
		FastLimit        money.Money        `json:"fast_limit"`
		IncomeMode       wealth.IncomeMode  `json:"income_mode,omitempty"`
		CutOffMinutes    int                `json:"cut_off_minutes"`
		CoolingOffHours  int                `json:"cooling_off_hours"`
		WindowOpen       calendar.Date      `json:"window_open,omitzero"`
		WindowClose      calendar.Date      `json:"window_close,omitzero"`
		Establishment    calendar.Date      `json:"establishment,omitzero"`
		Maturity         calendar.Date      `json:"maturity,omitzero"`
		Benchmark        decimal.Decimal    `json:"benchmark"`
		MinRaise         *money.Money       `json:"min_raise,omitempty"`
		Documents        []wealth.Document  `json:"documents"`
		Status           wealth.SalesStatus `json:"status"`
		Phase            wealth.Phase       `json:"phase"`
		LatestNAV        *wealthNAVView     `json:"latest_nav,omitempty"`
	}
	wealthNAVView struct {
		Date         calendar.Date   `json:"date"`
		NAV          decimal.Decimal `json:"nav"`
		IncomePer10K decimal.Decimal `json:"income_per_10k"`
		Yield7D      decimal.Decimal `json:"yield_7d" doc:"7-day annualised yield of a cash-management product, 0.01734 is 1.734%"`
		// From the issuer's NAV file, when it gives them.
		AccumulatedNAV decimal.Decimal `json:"accumulated_nav,omitzero" doc:"the issuer's accumulated NAV, when published"`
		IssuerYield7D  decimal.Decimal `json:"issuer_yield_7d,omitzero" doc:"the 7-day yield as the issuer's file states it"`
		PublishedAt    time.Time       `json:"published_at"`
		PublishedBy    string          `json:"published_by"`
	}
	wealthNAVFileUpload struct {
		File upload
	}
	wealthPublishedNAVView struct {
		ProductID wealth.ID `json:"product_id"`
		wealthNAVView
	}
	wealthProductPath struct {
		ID wealth.ID `path:"id"`
	}
	wealthProductsQuery struct {
		page
	}
	wealthStatusRequest struct {
		ID     wealth.ID          `path:"id" json:"-"`
		Status wealth.SalesStatus `json:"status"`
	}
	wealthNAVRequest struct {
		ID           wealth.ID       `path:"id" json:"-"`
		Date         calendar.Date   `json:"date"`
		NAV          decimal.Decimal `json:"nav,omitzero" doc:"open- and closed-ended products; 4 decimal places at most"`
		IncomePer10K decimal.Decimal `json:"income_per_10k,omitzero" doc:"cash-management products: the day's income per 10,000 units"`
	}
	wealthNAVQuery struct {
		ID   wealth.ID     `path:"id"`
		From calendar.Date `query:"from"`
		To   calendar.Date `query:"to"`
	}
	wealthAssessRequest struct {
		ID      wealth.ID         `path:"id" json:"-"`
		Answers map[string]string `json:"answers" doc:"question id -> answer id, every question once"`
	}
	wealthAssessmentView struct {
		CustomerID      string           `json:"customer_id"`
		QuestionnaireID string           `json:"questionnaire_id"`
		Score           int              `json:"score"`
		Level           string           `json:"level" doc:"C1-C5"`
		Professional    bool             `json:"professional"`
		AssessedOn      calendar.Date    `json:"assessed_on"`
		Expires         calendar.Date    `json:"expires"`
		Current         bool             `json:"current"`
		Refusals        []wealth.Refusal `json:"refusals"`
	}
	wealthProfessionalRequest struct {
		ID           wealth.ID `path:"id" json:"-"`
		Professional bool      `json:"professional,omitempty" doc:"true certifies; false (the default) withdraws the certification"`
	}
	wealthSubscribeRequest struct {
		Key    string `header:"Idempotency-Key" json:"-"`
		StepUp string `header:"X-Step-Up" json:"-" doc:"customers: a step-up proof for this purchase when the product's risk level is above the bank's step-up level (R3)"`
		wealthPurchaseBody
	}
	// wealthPurchaseBody is a subscription's body, which a wealth.purchase
	// step-up proof is bound to.
	wealthPurchaseBody struct {
		CustomerID wealth.ID   `json:"customer_id"`
		ProductID  wealth.ID   `json:"product_id"`
		AccountID  wealth.ID   `json:"account_id" doc:"the customer's demand account"`
		Amount     money.Money `json:"amount"`
	}
	wealthRedeemRequest struct {
		Key        string          `header:"Idempotency-Key" json:"-"`
		CustomerID wealth.ID       `json:"customer_id"`
		ProductID  wealth.ID       `json:"product_id"`
		AccountID  wealth.ID       `json:"account_id" doc:"the customer's demand account the proceeds go to"`
		Units      decimal.Decimal `json:"units"`
		Fast       bool            `json:"fast,omitempty" doc:"T+0 redemption of a cash-management product, up to its daily limit"`
	}
	wealthOrderPath struct {
		ID wealth.ID `path:"id"`
	}
	wealthOrderView struct {
		ID             string             `json:"id"`
		CustomerID     string             `json:"customer_id"`
		ProductID      string             `json:"product_id"`
		Kind           wealth.OrderKind   `json:"kind"`
		Status         wealth.OrderStatus `json:"status"`
		AccountID      string             `json:"account_id"`
		Amount         money.Money        `json:"amount"`
		Units          decimal.Decimal    `json:"units"`
		Fast           bool               `json:"fast"`
		PlacedAt       time.Time          `json:"placed_at"`
		TradeDate      calendar.Date      `json:"trade_date"`
		CancelBy       time.Time          `json:"cancel_by"`
		NAV            decimal.Decimal    `json:"nav"`
		Net            money.Money        `json:"net"`
		Fee            money.Money        `json:"fee"`
		Refund         money.Money        `json:"refund"`
		Gross          money.Money        `json:"gross"`
		Proceeds       money.Money        `json:"proceeds"`
		Cost           money.Money        `json:"cost"`
		SettlementDate calendar.Date      `json:"settlement_date,omitzero"`
		Reason         string             `json:"reason,omitempty"`
		replay         bool
	}
	customerWealthQuery struct {
		ID wealth.ID `path:"id"`
		page
	}
	wealthHoldingsQuery struct {
		ID   wealth.ID     `path:"id"`
		Date calendar.Date `query:"date" doc:"value at the latest NAV on or before this date (default: the business date)"`
	}
	holdingView struct {
		ProductID   string          `json:"product_id"`
		ProductCode string          `json:"product_code"`
		ProductName string          `json:"product_name"`
		Units       decimal.Decimal `json:"units"`
		Reserved    decimal.Decimal `json:"reserved" doc:"units in pending redemptions"`
		Cost        money.Money     `json:"cost"`
		NAV         decimal.Decimal `json:"nav"`
		NAVDate     calendar.Date   `json:"nav_date,omitzero"`
		MarketValue money.Money     `json:"market_value"`
		Realised    money.Money     `json:"realised"`
		Unrealised  money.Money     `json:"unrealised"`
		Income      money.Money     `json:"income" doc:"cash-management income credited in total"`
		Accrued     money.Money     `json:"accrued" doc:"income accrued for monthly payment, not yet paid"`
	}
)

func (v wealthOrderView) replayed() bool { return v.replay }

func wealthProductOf(p wealth.Product) wealthProductView {
	v := wealthProductView{ID: p.ID.String(), Code: p.Code, Name: p.Name, Issuer: p.Issuer, Currency: p.Currency, Type: p.Type,
		Risk: p.RiskName(), ProfessionalOnly: p.ProfessionalOnly, MinFirst: p.MinFirst, MinAdditional: p.MinAdditional, Step: p.Step,
		UnitPlaces: p.UnitPlaces, MinHoldingUnits: p.MinHoldingUnits, SubscriptionFee: p.SubscriptionFee, RedemptionFees: nonNil(p.RedemptionFees),
		ManagementFee: p.ManagementFee, CustodyFee: p.CustodyFee, SettlementDays: p.SettlementDays, FastLimit: p.FastLimit,
		IncomeMode: p.IncomeMode, CutOffMinutes: p.CutOff, CoolingOffHours: int(p.CoolingOff / time.Hour), WindowOpen: p.WindowOpen,
		WindowClose: p.WindowClose, Establishment: p.Establishment, Maturity: p.Maturity, Benchmark: p.Benchmark,
		Documents: nonNil(p.Documents), Status: p.Status, Phase: p.Phase}
	if p.Type == wealth.ClosedEnded && p.MinRaise.Currency != "" {
		m := p.MinRaise
		v.MinRaise = &m
	}
	return v
}

func wealthNAVOf(n wealth.NAV) wealthNAVView {
	return wealthNAVView{Date: n.Date, NAV: n.Value, IncomePer10K: n.IncomePer10K, Yield7D: n.Yield7D, AccumulatedNAV: n.AccumulatedNAV,
		IssuerYield7D: n.IssuerYield7D, PublishedAt: n.PublishedAt.UTC(), PublishedBy: n.PublishedBy}
}

func wealthOrderOf(o wealth.Order) wealthOrderView {
	return wealthOrderView{ID: o.ID.String(), CustomerID: o.CustomerID.String(), ProductID: o.ProductID.String(), Kind: o.Kind, Status: o.Status,
		AccountID: o.Account.String(), Amount: o.Amount, Units: o.Units, Fast: o.Fast, PlacedAt: o.PlacedAt.UTC(), TradeDate: o.Trade,
		CancelBy: o.CancelBy.UTC(), NAV: o.NAV, Net: o.Net, Fee: o.Fee, Refund: o.Refund, Gross: o.Gross, Proceeds: o.Proceeds,
		Cost: o.Cost, SettlementDate: o.Settlement, Reason: o.Reason}
}

// callerCustomer is the customer a customer's token acts for; NilID for
// staff.
func callerCustomer(ctx context.Context) wealth.ID {
	c := bank.CallerOf(ctx)
	if c.Kind != channel.KindCustomer {
		return wealth.NilID
	}
	id, err := wealth.ParseID(c.CustomerID)
	if err != nil {
		return wealth.NewID() // matches nobody's objects
	}
	return id
}

// ownCustomer refuses a customer asking about another customer: not found.
func ownCustomer(ctx context.Context, id wealth.ID) error {
	if me := callerCustomer(ctx); me != wealth.NilID && me != id {
		return fmt.Errorf("%w: customer %s", errNotFound, id)
	}
	return nil
}

// seesProfessional reports whether the caller may see products for
// professional investors: staff, or a certified customer.
func (s *Server) seesProfessional(ctx context.Context) bool {
	me := callerCustomer(ctx)
	if me == wealth.NilID {
		return true
	}
	a, err := s.wealth.Assessment(ctx, me)
	return err == nil && a.Professional
}

func (s *Server) listWealthProducts(ctx context.Context, q wealthProductsQuery) (list[wealthProductView], error) {
	ps, err := s.wealth.Products(ctx, wealth.Page{After: q.After.id(), Limit: q.Limit.n()}, s.seesProfessional(ctx))
	if err != nil {
		return list[wealthProductView]{}, err
	}
	out := list[wealthProductView]{Items: make([]wealthProductView, 0, len(ps))}
	for _, p := range ps {
		out.Items = append(out.Items, wealthProductOf(p))
	}
	if len(ps) == q.Limit.n() {
		out.Next = ps[len(ps)-1].ID.String()
	}
	return out, nil
}

func (s *Server) createWealthProduct(ctx context.Context, req wealth.ProductSpec) (wealthProductView, error) {
	p, err := s.wealth.CreateProduct(ctx, req)
	if err != nil {
		return wealthProductView{}, err
	}
	return wealthProductOf(p), nil
}

// visibleProduct reads a product the caller may see.
func (s *Server) visibleProduct(ctx context.Context, id wealth.ID) (wealth.Product, error) {
	p, err := s.wealth.Product(ctx, id)
	if err != nil {
		return p, err
	}
	if p.ProfessionalOnly && !s.seesProfessional(ctx) {
		return wealth.Product{}, fmt.Errorf("%w: product %s", errNotFound, id)
	}
	return p, nil
}

func (s *Server) getWealthProduct(ctx context.Context, req wealthProductPath) (wealthProductView, error) {
	p, err := s.visibleProduct(ctx, req.ID)
	if err != nil {
		return wealthProductView{}, err
	}
	v := wealthProductOf(p)
	today, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return wealthProductView{}, err
	}
	if n, err := s.wealth.LatestNAV(ctx, p.ID, today); err == nil {
		nv := wealthNAVOf(n)
		v.LatestNAV = &nv
	}
	return v, nil
}

func (s *Server) setWealthStatus(ctx context.Context, req wealthStatusRequest) (wealthProductView, error) {
	p, err := s.wealth.SetStatus(ctx, req.ID, req.Status)
	if err != nil {
		return wealthProductView{}, err
	}
	return wealthProductOf(p), nil
}

func (s *Server) publishNAV(ctx context.Context, req wealthNAVRequest) (wealthNAVView, error) {
	n, err := s.wealth.PublishNAV(ctx, wealth.NAVRequest{ProductID: req.ID, Date: req.Date, Value: req.NAV, IncomePer10K: req.IncomePer10K,
		PublishedBy: bank.CallerOf(ctx).Username})
	if err != nil {
		return wealthNAVView{}, err
	}
	return wealthNAVOf(n), nil
}

func (s *Server) uploadNAVFile(ctx context.Context, req wealthNAVFileUpload) (list[wealthPublishedNAVView], error) {
	if err := requireFile(req.File); err != nil {
		return list[wealthPublishedNAVView]{}, err
	}
	ns, err := s.wealth.PublishNAVFile(ctx, req.File, bank.CallerOf(ctx).Username)
	if err != nil {
		return list[wealthPublishedNAVView]{}, err
	}
	out := list[wealthPublishedNAVView]{Items: make([]wealthPublishedNAVView, 0, len(ns))}
	for _, n := range ns {
		out.Items = append(out.Items, wealthPublishedNAVView{ProductID: n.ProductID, wealthNAVView: wealthNAVOf(n)})
	}
	return out, nil
}

func (s *Server) navHistory(ctx context.Context, q wealthNAVQuery) (list[wealthNAVView], error) {
	if _, err := s.visibleProduct(ctx, q.ID); err != nil {
		return list[wealthNAVView]{}, err
	}
	ns, err := s.wealth.NAVHistory(ctx, q.ID, q.From, q.To)
	if err != nil {
		return list[wealthNAVView]{}, err
	}
	out := list[wealthNAVView]{Items: make([]wealthNAVView, 0, len(ns))}
	for _, n := range ns {
		out.Items = append(out.Items, wealthNAVOf(n))
	}
	return out, nil
}

func (s *Server) wealthQuestionnaire(context.Context, none) (*wealth.Questionnaire, error) {
	return s.wealth.Questionnaire(), nil
}

func (s *Server) assessmentOf(ctx context.Context, a wealth.Assessment) (wealthAssessmentView, error) {
	refusals, err := s.wealth.Refusals(ctx, a.CustomerID)
	if err != nil {
		return wealthAssessmentView{}, err
	}
	today, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return wealthAssessmentView{}, err
	}
	return wealthAssessmentView{CustomerID: a.CustomerID.String(), QuestionnaireID: a.QuestionnaireID, Score: a.Score, Level: a.LevelName(),
		Professional: a.Professional, AssessedOn: a.AssessedOn, Expires: a.Expires, Current: a.Current(today),
		Refusals: nonNil(refusals)}, nil
}

// wealthCustomer checks the caller may act for the customer and that the
// customer exists.
func (s *Server) wealthCustomer(ctx context.Context, id wealth.ID) error {
	if err := ownCustomer(ctx, id); err != nil {
		return err
	}
	_, err := s.bank.Customer(ctx, id)
	return err
}

func (s *Server) assessCustomer(ctx context.Context, req wealthAssessRequest) (wealthAssessmentView, error) {
	if err := s.wealthCustomer(ctx, req.ID); err != nil {
		return wealthAssessmentView{}, err
	}
	a, err := s.wealth.Assess(ctx, req.ID, req.Answers)
	if err != nil {
		return wealthAssessmentView{}, err
	}
	return s.assessmentOf(ctx, a)
}

func (s *Server) customerAssessment(ctx context.Context, req customerPath) (wealthAssessmentView, error) {
	if err := ownCustomer(ctx, req.ID); err != nil {
		return wealthAssessmentView{}, err
	}
	a, err := s.wealth.Assessment(ctx, req.ID)
	if err != nil {
		return wealthAssessmentView{}, err
	}
	return s.assessmentOf(ctx, a)
}

func (s *Server) certifyProfessional(ctx context.Context, req wealthProfessionalRequest) (wealthAssessmentView, error) {
	a, err := s.wealth.Certify(ctx, req.ID, req.Professional)
	if err != nil {
		return wealthAssessmentView{}, err
	}
	return s.assessmentOf(ctx, a)
}

// wealthOrderKey scopes the request's Idempotency-Key to its caller: the order
// key the customer's orders are unique by.
func wealthOrderKey(ctx context.Context, key string) string {
	sum := sha256.Sum256([]byte(bank.CallerOf(ctx).IdentityID.String() + ":" + key))
	return hex.EncodeToString(sum[:])
}

func wealthPlacedOf(pl wealth.Placed, err error) (wealthOrderView, error) {
	if err != nil {
		return wealthOrderView{}, err
	}
	v := wealthOrderOf(pl.Order)
	v.replay = pl.Replayed
	return v, nil
}

func (s *Server) subscribe(ctx context.Context, req wealthSubscribeRequest) (wealthOrderView, error) {
	if err := ownCustomer(ctx, req.CustomerID); err != nil {
		return wealthOrderView{}, err
	}
	p, err := s.visibleProduct(ctx, req.ProductID)
	if err != nil {
		return wealthOrderView{}, err
	}
	// A customer buying above the bank's step-up risk level proves it is
	// them for exactly this purchase; the proof is spent here, once, so it
	// cannot be replayed for another (staff selling at the counter need
	// none).
	if caller := bank.CallerOf(ctx); caller.Kind == channel.KindCustomer && s.online.WealthPurchaseNeedsStepUp(p.Risk) {
		if err := s.online.ConsumeStepUp(ctx, caller, req.StepUp, channel.ActionWealthPurchase, req.params()); err != nil {
			return wealthOrderView{}, err
		}
	}
	return wealthPlacedOf(s.wealth.Subscribe(ctx, wealth.SubscribeRequest{CustomerID: req.CustomerID, ProductID: req.ProductID,
		Account: req.AccountID, Amount: req.Amount, Key: wealthOrderKey(ctx, req.Key)}))
}

func (s *Server) redeem(ctx context.Context, req wealthRedeemRequest) (wealthOrderView, error) {
	if err := ownCustomer(ctx, req.CustomerID); err != nil {
		return wealthOrderView{}, err
	}
	return wealthPlacedOf(s.wealth.Redeem(ctx, wealth.RedeemRequest{CustomerID: req.CustomerID, ProductID: req.ProductID,
		Account: req.AccountID, Units: req.Units, Fast: req.Fast, Key: wealthOrderKey(ctx, req.Key)}))
}

func (s *Server) cancelWealthOrder(ctx context.Context, req wealthOrderPath) (wealthOrderView, error) {
	o, err := s.wealth.Cancel(ctx, callerCustomer(ctx), req.ID)
	if err != nil {
		return wealthOrderView{}, err
	}
	return wealthOrderOf(o), nil
}

func (s *Server) getWealthOrder(ctx context.Context, req wealthOrderPath) (wealthOrderView, error) {
	o, err := s.wealth.Order(ctx, callerCustomer(ctx), req.ID)
	if err != nil {
		return wealthOrderView{}, err
	}
	return wealthOrderOf(o), nil
}

func (s *Server) customerWealthOrders(ctx context.Context, q customerWealthQuery) (list[wealthOrderView], error) {
	if err := ownCustomer(ctx, q.ID); err != nil {
		return list[wealthOrderView]{}, err
	}
	os, err := s.wealth.Orders(ctx, wealth.OrderFilter{CustomerID: q.ID}, wealth.Page{After: q.After.id(), Limit: q.Limit.n()})
	if err != nil {
		return list[wealthOrderView]{}, err
	}
	out := list[wealthOrderView]{Items: make([]wealthOrderView, 0, len(os))}
	for _, o := range os {
		out.Items = append(out.Items, wealthOrderOf(o))
	}
	if len(os) == q.Limit.n() {
		out.Next = os[len(os)-1].ID.String()
	}
	return out, nil
}

func (s *Server) customerHoldings(ctx context.Context, q wealthHoldingsQuery) (list[holdingView], error) {
	if err := ownCustomer(ctx, q.ID); err != nil {
		return list[holdingView]{}, err
	}
	d := q.Date
	if d.IsZero() {
		var err error
		if d, err = s.ledger.BusinessDate(ctx); err != nil {
			return list[holdingView]{}, err
		}
	}
	ps, err := s.wealth.Positions(ctx, q.ID, d)
	if err != nil {
		return list[holdingView]{}, err
	}
	out := list[holdingView]{Items: make([]holdingView, 0, len(ps))}
	for _, p := range ps {
		out.Items = append(out.Items, holdingView{ProductID: p.ProductID.String(), ProductCode: p.ProductCode, ProductName: p.ProductName,
			Units: p.Units, Reserved: p.Reserved, Cost: p.Cost, NAV: p.NAV, NAVDate: p.NAVDate, MarketValue: p.MarketValue,
			Realised: p.Realised, Unrealised: p.Unrealised, Income: p.Income, Accrued: p.Accrued})
	}
	return out, nil
}

// document is a response that is a file, not JSON: its bytes are the
// body.
type document struct {
	ContentType string
	Body        []byte
}

func (d document) mediaType() string { return d.ContentType }
func (d document) document() []byte  { return d.Body }

// mediaTypes lists what a statement may be, for the OpenAPI document.
func (document) mediaTypes() []string { return []string{"text/html; charset=utf-8", "application/pdf"} }

type wealthStatementQuery struct {
	ID     wealth.ID `path:"id"`
	Month  string    `path:"month"`
	Format string    `query:"format" doc:"html (the default) or pdf"`
}

func (s *Server) wealthStatement(ctx context.Context, q wealthStatementQuery) (document, error) {
	if err := ownCustomer(ctx, q.ID); err != nil {
		return document{}, err
	}
	var d wealth.StatementDocument
	var err error
	switch q.Format {
	case "", "html":
		d, err = s.wealth.StatementHTML(ctx, q.ID, q.Month)
	case "pdf":
		d, err = s.wealth.StatementPDF(ctx, q.ID, q.Month)
	default:
		return document{}, fault.Field(errInvalidInput, "format", "must be html or pdf")
	}
	if err != nil {
		return document{}, err
	}
	return document{ContentType: d.ContentType, Body: d.Body}, nil
}

func (s *Server) wealthReconciliation(ctx context.Context, _ none) (wealth.Reconciliation, error) {
	return s.wealth.Reconcile(ctx)
}

// wealthService builds the wealth subsystem over its store, with the
// ledger and the customers behind its ports, trading on the bank's
// calendar.
func (s *Server) wealthService(st stores, cal *calendar.BusinessCalendar) error {
	var err error
	s.wealthCalendar = cal
	s.wealth, err = wealth.NewService(st.wealth, wealth.WithClock(s.clock), wealth.WithCalendar(cal), wealth.WithBusinessDate(s.ledger),
		wealth.WithLedger(wealthport.New(s.ledger)), wealth.WithCustomers(wealthport.NewCustomers(s.customer)))
	if err != nil {
		return fmt.Errorf("refserver: wealth: %w", err)
	}
	return nil
}

// params are what a wealth.purchase step-up proof is bound to.
func (b wealthPurchaseBody) params() channel.ActionParams {
	return channel.WealthPurchaseParams(b.CustomerID.String(), b.ProductID.String(), b.AccountID.String(), b.Amount)
}
