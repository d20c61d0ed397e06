package refserver

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/fault"
	"net/http"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/bankkit/bankkit/risk"
)

func (s *Server) riskRoutes() []route {
	return tagged("risk", []route{
		{method: "GET", pattern: "/v1/risk/starter-rules", summary: "The starter rule set shipped with bankkit, as a draft body to create (docs/risk.md)",
			access: riskOfficers, handler: handle(s.starterRules)},
		{method: "POST", pattern: "/v1/risk/rule-sets/check", summary: "Compile a rule-set draft without saving it: 200, or 400 naming the rule and the line and column of the error",
			access: riskOfficers, idempotency: idemOptional, handler: handle(s.checkRuleSet)},
		{method: "POST", pattern: "/v1/risk/rule-sets", summary: "Save a new draft version of the rule set (compiled at save: a rule that does not compile, names an unknown field or aggregate, or exceeds its budget is refused with its position)",
			access: riskOfficers, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.createRuleSet)},
		{method: "GET", pattern: "/v1/risk/rule-sets", summary: "Rule-set versions, newest first",
			access: riskOfficers, handler: handle(s.listRuleSets)},
		{method: "GET", pattern: "/v1/risk/rule-sets/{id}", summary: "One rule-set version",
			access: riskOfficers, handler: handle(s.getRuleSet)},
		{method: "PUT", pattern: "/v1/risk/rule-sets/{id}", summary: "Replace a draft's rules, aggregates and thresholds (drafts only)",
			access: riskOfficers, handler: handle(s.updateRuleSet)},
		{method: "POST", pattern: "/v1/risk/rule-sets/{id}/shadow", summary: "Run a draft in shadow on live traffic: its outcomes recorded, not enforced",
			access: riskOfficers, idempotency: idemOptional, handler: handle(s.shadowRuleSet)},
		{method: "POST", pattern: "/v1/risk/rule-sets/{id}/publish", summary: "Publish a draft or the shadow: it decides from now; the version published before retires",
			access: riskOfficers, idempotency: idemOptional, handler: handle(s.publishRuleSet)},
		{method: "GET", pattern: "/v1/risk/comparison", summary: "How the shadow version decided the transactions it ran on, against the live decisions of the same transactions",
			access: riskOfficers, handler: handle(s.compareShadow)},
		{method: "GET", pattern: "/v1/risk/decisions", summary: "Decisions, newest first: filter by transaction, version, mode, outcome",
			access: riskOfficers, handler: handle(s.listDecisions)},
		{method: "GET", pattern: "/v1/risk/decisions/{id}", summary: "One decision: the version, the rules that fired with their scores, failures, snoozes and the aggregate figures (why a transaction was blocked)",
			access: riskOfficers, handler: handle(s.getDecision)},
		{method: "POST", pattern: "/v1/risk/snoozes", summary: "Silence a rule for a customer or account until a time (at most 90 days)",
			access: riskOfficers, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.snooze)},
		{method: "GET", pattern: "/v1/risk/snoozes", summary: "Snoozes in force",
			access: riskOfficers, handler: handle(s.listSnoozes)},
		{method: "DELETE", pattern: "/v1/risk/snoozes/{id}", summary: "End a snooze",
			access: riskOfficers, status: http.StatusNoContent, handler: handle(s.unsnooze)},
		{method: "GET", pattern: "/v1/risk/alerts", summary: "Alerts by id: filter by customer or case",
			access: riskOfficers, handler: handle(s.listAlerts)},
		{method: "GET", pattern: "/v1/risk/alerts/{id}", summary: "One alert",
			access: riskOfficers, handler: handle(s.getAlert)},
		{method: "GET", pattern: "/v1/risk/cases", summary: "The case inbox: filter by status, assignee, customer",
			access: riskOfficers, handler: handle(s.listCases)},
		{method: "GET", pattern: "/v1/risk/case-stats", summary: "Cases by status and the mean time to close",
			access: riskOfficers, handler: handle(s.caseStats)},
		{method: "GET", pattern: "/v1/risk/cases/{id}", summary: "One case with its alerts, comments, attachments and time to close",
			access: riskOfficers, handler: handle(s.getCase)},
		{method: "POST", pattern: "/v1/risk/cases/{id}/updates", summary: "Assign, comment, attach by reference, move (investigating, escalated) or close a case with its outcome (confirmed, false_positive, valuable)",
			access: riskOfficers, idempotency: idemOptional, handler: handle(s.updateCase)},
		{method: "POST", pattern: "/v1/risk/cases/{id}/suspicious-report", summary: "Draft the suspicious-transaction report of a case closed as confirmed",
			access: riskOfficers, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.draftSuspicious)},
		{method: "GET", pattern: "/v1/risk/suspicious-reports/{id}", summary: "A suspicious-transaction report",
			access: riskOfficers, handler: handle(s.getSuspicious)},
		{method: "POST", pattern: "/v1/risk/suspicious-reports/{id}/filing", summary: "File a suspicious-transaction report through the filer",
			access: riskOfficers, idempotency: idemOptional, handler: handle(s.fileSuspicious)},
		{method: "GET", pattern: "/v1/risk/large-value-reports/{date}", summary: "The large-value transaction report of a business date (PBoC thresholds), computed once and kept",
			access: riskOfficers, handler: handle(s.largeValue)},
		{method: "POST", pattern: "/v1/risk/large-value-reports/{date}/filing", summary: "File a business date's large-value report through the filer",
			access: riskOfficers, idempotency: idemOptional, handler: handle(s.fileLargeValue)},
		{method: "POST", pattern: "/v1/risk/indicators", summary: "Define a limit or key risk indicator over a published figure, with warning and breach thresholds",
			access: riskOfficers, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.defineIndicator)},
		{method: "PUT", pattern: "/v1/risk/indicators/{id}/thresholds", summary: "Change a limit's or indicator's warning and breach thresholds (held for a second member of staff); the next check compares with them",
			access: riskOfficers, idempotency: idemOptional, handler: handle(s.setThresholds)},
		{method: "GET", pattern: "/v1/risk/indicators", summary: "Indicators with their last value and level, and the figures published",
			access: riskOfficers, handler: handle(s.listIndicators)},
		{method: "POST", pattern: "/v1/risk/indicators/check", summary: "Check every indicator now: crossings raise one alert each and clear when back inside",
			access: riskOfficers, idempotency: idemOptional, handler: handle(s.checkIndicators)},
		{method: "POST", pattern: "/v1/risk/observer/run", summary: "Evaluate the ledger's events and the staff audit trail's records not yet evaluated (the background observer's step, on demand)",
			access: riskOfficers, idempotency: idemOptional, handler: handle(s.runObserver)},
	})
}

// Requests and views of risk in the API's words.
type (
	riskID struct {
		ID risk.ID `path:"id"`
	}
	riskIDDraft struct {
		ID          risk.ID          `path:"id" json:"-"`
		Description string           `json:"description,omitempty"`
		Rules       []risk.Rule      `json:"rules"`
		Aggregates  []risk.Aggregate `json:"aggregates,omitempty"`
		Thresholds  risk.Thresholds  `json:"thresholds"`
		TimeZone    string           `json:"time_zone,omitempty"`
	}
	ruleSetList struct {
		Items []risk.RuleSet `json:"items"`
	}
	checkView struct {
		OK bool `json:"ok"`
	}
	comparisonQuery struct {
		ShadowVersion int       `query:"shadow_version" doc:"the shadow version to compare (required)"`
		Since         time.Time `query:"since" doc:"from (default 24 hours ago)"`
		Until         time.Time `query:"until" doc:"to (default now)"`
	}
	decisionQuery struct {
		TransactionID risk.ID `query:"transaction_id" doc:"the decisions of one transaction (its ledger entry id)"`
		Version       int     `query:"version"`
		Mode          string  `query:"mode" doc:"screened, observed or shadow"`
		Outcome       string  `query:"outcome" doc:"approve, review, block_and_review or decline"`
		page
	}
	snoozeRequest struct {
		Rule   string    `json:"rule"`
		Entity string    `json:"entity" doc:"a customer id or an account id"`
		Until  time.Time `json:"until"`
		Reason string    `json:"reason,omitempty"`
	}
	alertQuery struct {
		CustomerID string  `query:"customer_id"`
		CaseID     risk.ID `query:"case_id"`
		page
	}
	caseQuery struct {
		Status     string `query:"status" doc:"open, investigating, escalated or closed"`
		Assignee   string `query:"assignee"`
		CustomerID string `query:"customer_id"`
		page
	}
	caseView struct {
		risk.Case
		TimeToCloseSeconds int64 `json:"time_to_close_seconds,omitempty"`
	}
	caseUpdateRequest struct {
		ID         risk.ID             `path:"id" json:"-"`
		Assignee   *string             `json:"assignee,omitempty"`
		Comment    string              `json:"comment,omitempty"`
		Attachment *risk.AttachmentRef `json:"attachment,omitempty"`
		Status     risk.CaseStatus     `json:"status,omitempty"`
		Outcome    risk.CaseOutcome    `json:"outcome,omitempty"`
	}
	strRequest struct {
		ID        risk.ID `path:"id" json:"-"`
		Narrative string  `json:"narrative"`
	}
	reportDate struct {
		Date calendar.Date `path:"date"`
	}
	indicatorList struct {
		Items   []risk.Indicator `json:"items"`
		Figures []string         `json:"figures"`
	}
	crossingsView struct {
		Crossings []risk.Crossing `json:"crossings"`
	}
	indicatorRequest struct {
		Name        string         `json:"name"`
		Description string         `json:"description,omitempty"`
		Figure      string         `json:"figure" doc:"a published figure (GET /v1/risk/indicators lists them)"`
		Direction   risk.Direction `json:"direction" doc:"above (a limit) or below (a floor)"`
		Warning     string         `json:"warning" doc:"decimal"`
		Breach      string         `json:"breach" doc:"decimal"`
	}
	thresholdsRequest struct {
		ID      risk.ID `path:"id" json:"-"`
		Warning string  `json:"warning" doc:"decimal"`
		Breach  string  `json:"breach" doc:"decimal"`
	}
	observerView struct {
		// Delivered counts the ledger's movements evaluated.
		Delivered int `json:"delivered"`
		// StaffActions counts the staff audit trail's records evaluated.
		StaffActions int `json:"staff_actions"`
	}
)

func who(ctx context.Context) string { return bank.CallerOf(ctx).Username }

func (s *Server) starterRules(_ context.Context, _ none) (risk.Draft, error) {
	return risk.StarterRules(), nil
}

func (s *Server) checkRuleSet(_ context.Context, d risk.Draft) (checkView, error) {
	if err := s.riskState.svc.Check(d); err != nil {
		return checkView{}, err
	}
	return checkView{OK: true}, nil
}

func (s *Server) createRuleSet(ctx context.Context, d risk.Draft) (risk.RuleSet, error) {
	return s.riskState.svc.CreateDraft(ctx, d, who(ctx))
}

func (s *Server) listRuleSets(ctx context.Context, req page) (ruleSetList, error) {
	sets, err := s.riskState.svc.RuleSets(ctx, req.Limit.n())
	return ruleSetList{Items: sets}, err
}

func (s *Server) getRuleSet(ctx context.Context, req riskID) (risk.RuleSet, error) {
	return s.riskState.svc.RuleSet(ctx, req.ID)
}

func (s *Server) updateRuleSet(ctx context.Context, req riskIDDraft) (risk.RuleSet, error) {
	return s.riskState.svc.UpdateDraft(ctx, req.ID, risk.Draft{Description: req.Description, Rules: req.Rules,
		Aggregates: req.Aggregates, Thresholds: req.Thresholds, TimeZone: req.TimeZone}, who(ctx))
}

func (s *Server) shadowRuleSet(ctx context.Context, req riskID) (risk.RuleSet, error) {
	return s.riskState.svc.Shadow(ctx, req.ID, who(ctx))
}

func (s *Server) publishRuleSet(ctx context.Context, req riskID) (risk.RuleSet, error) {
	return s.riskState.svc.Publish(ctx, req.ID, who(ctx))
}

func (s *Server) compareShadow(ctx context.Context, req comparisonQuery) (risk.Comparison, error) {
	now := s.clock.Now()
	if req.Until.IsZero() {
		req.Until = now.Add(time.Second)
	}
	if req.Since.IsZero() {
		req.Since = req.Until.Add(-24 * time.Hour)
	}
	return s.riskState.svc.Compare(ctx, req.ShadowVersion, req.Since, req.Until)
}

func (s *Server) listDecisions(ctx context.Context, req decisionQuery) (list[risk.Decision], error) {
	ds, err := s.riskState.svc.Decisions(ctx, risk.DecisionFilter{TransactionID: req.TransactionID, Version: req.Version,
		Mode: risk.Mode(req.Mode), Outcome: risk.Outcome(req.Outcome), After: risk.ID(req.After), Limit: req.Limit.n()})
	if err != nil {
		return list[risk.Decision]{}, err
	}
	return pageOf(ds, req.Limit.n(), func(d risk.Decision) risk.ID { return d.ID }), nil
}

// pageOf is a page of items with the cursor of the next when it is full.
func pageOf[T any](items []T, limit int, id func(T) risk.ID) list[T] {
	l := list[T]{Items: items}
	if l.Items == nil {
		l.Items = []T{}
	}
	if len(items) == limit && limit > 0 {
		l.Next = id(items[len(items)-1]).String()
	}
	return l
}

func (s *Server) getDecision(ctx context.Context, req riskID) (risk.Decision, error) {
	return s.riskState.svc.Decision(ctx, req.ID)
}

func (s *Server) snooze(ctx context.Context, req snoozeRequest) (risk.Snooze, error) {
	return s.riskState.svc.Snooze(ctx, risk.SnoozeRequest{Rule: req.Rule, Entity: req.Entity, Until: req.Until, Reason: req.Reason}, who(ctx))
}

func (s *Server) listSnoozes(ctx context.Context, _ none) (list[risk.Snooze], error) {
	zs, err := s.riskState.svc.Snoozes(ctx)
	return list[risk.Snooze]{Items: zs}, err
}

func (s *Server) unsnooze(ctx context.Context, req riskID) (none, error) {
	return none{}, s.riskState.svc.Unsnooze(ctx, req.ID)
}

func (s *Server) listAlerts(ctx context.Context, req alertQuery) (list[risk.Alert], error) {
	as, err := s.riskState.svc.Alerts(ctx, risk.AlertFilter{CustomerID: req.CustomerID, CaseID: req.CaseID, After: risk.ID(req.After), Limit: req.Limit.n()})
	if err != nil {
		return list[risk.Alert]{}, err
	}
	return pageOf(as, req.Limit.n(), func(a risk.Alert) risk.ID { return a.ID }), nil
}

func (s *Server) getAlert(ctx context.Context, req riskID) (risk.Alert, error) {
	return s.riskState.svc.Alert(ctx, req.ID)
}

func caseViewOf(c risk.Case) caseView {
	return caseView{Case: c, TimeToCloseSeconds: int64(c.TimeToClose() / time.Second)}
}

func (s *Server) listCases(ctx context.Context, req caseQuery) (list[caseView], error) {
	cs, err := s.riskState.svc.Cases(ctx, risk.CaseFilter{Status: risk.CaseStatus(req.Status), Assignee: req.Assignee,
		CustomerID: req.CustomerID, After: risk.ID(req.After), Limit: req.Limit.n()})
	if err != nil {
		return list[caseView]{}, err
	}
	vs := make([]caseView, len(cs))
	for i, c := range cs {
		vs[i] = caseViewOf(c)
	}
	return pageOf(vs, req.Limit.n(), func(c caseView) risk.ID { return c.ID }), nil
}

func (s *Server) caseStats(ctx context.Context, _ none) (risk.CaseStats, error) {
	return s.riskState.svc.Stats(ctx)
}

func (s *Server) getCase(ctx context.Context, req riskID) (caseView, error) {
	c, err := s.riskState.svc.Case(ctx, req.ID)
	return caseViewOf(c), err
}

func (s *Server) updateCase(ctx context.Context, req caseUpdateRequest) (caseView, error) {
	c, err := s.riskState.svc.UpdateCase(ctx, req.ID, risk.CaseUpdate{Assignee: req.Assignee, Comment: req.Comment,
		Attachment: req.Attachment, Status: req.Status, Outcome: req.Outcome}, who(ctx))
	return caseViewOf(c), err
}

func (s *Server) draftSuspicious(ctx context.Context, req strRequest) (risk.SuspiciousReport, error) {
	return s.riskState.svc.DraftSuspiciousReport(ctx, req.ID, req.Narrative, who(ctx))
}

func (s *Server) getSuspicious(ctx context.Context, req riskID) (risk.SuspiciousReport, error) {
	return s.riskState.svc.SuspiciousReport(ctx, req.ID)
}

func (s *Server) fileSuspicious(ctx context.Context, req riskID) (risk.SuspiciousReport, error) {
	return s.riskState.svc.FileSuspiciousReport(ctx, req.ID)
}

func (s *Server) largeValue(ctx context.Context, req reportDate) (risk.LargeValueReport, error) {
	return s.riskState.svc.LargeValueReport(ctx, req.Date)
}

func (s *Server) fileLargeValue(ctx context.Context, req reportDate) (risk.LargeValueReport, error) {
	return s.riskState.svc.FileLargeValueReport(ctx, req.Date)
}

func (s *Server) defineIndicator(ctx context.Context, req indicatorRequest) (risk.Indicator, error) {
	r := risk.IndicatorRequest{Name: req.Name, Description: req.Description, Figure: req.Figure, Direction: req.Direction}
	var err error
	if r.Warning, err = decimal.NewFromString(req.Warning); err != nil {
		return risk.Indicator{}, fault.Field(risk.ErrInvalidInput, "warning", "must be a decimal number")
	}
	if r.Breach, err = decimal.NewFromString(req.Breach); err != nil {
		return risk.Indicator{}, fault.Field(risk.ErrInvalidInput, "breach", "must be a decimal number")
	}
	return s.riskState.svc.DefineIndicator(ctx, r)
}

func (s *Server) setThresholds(ctx context.Context, req thresholdsRequest) (risk.Indicator, error) {
	warning, err := decimal.NewFromString(req.Warning)
	if err != nil {
		return risk.Indicator{}, fault.Field(risk.ErrInvalidInput, "warning", "must be a decimal number")
	}
	breach, err := decimal.NewFromString(req.Breach)
	if err != nil {
		return risk.Indicator{}, fault.Field(risk.ErrInvalidInput, "breach", "must be a decimal number")
	}
	return s.riskState.svc.SetThresholds(ctx, req.ID, warning, breach)
}

func (s *Server) listIndicators(ctx context.Context, _ none) (indicatorList, error) {
	is, err := s.riskState.svc.Indicators(ctx)
	return indicatorList{Items: is, Figures: s.riskState.figures.names()}, err
}

func (s *Server) checkIndicators(ctx context.Context, _ none) (crossingsView, error) {
	cs, err := s.riskState.svc.CheckIndicators(ctx)
	if cs == nil {
		cs = []risk.Crossing{}
	}
	return crossingsView{Crossings: cs}, err
}

func (s *Server) runObserver(ctx context.Context, _ none) (observerView, error) {
	n, m, err := s.deliverToRisk(ctx)
	return observerView{Delivered: n, StaffActions: m}, err
}
