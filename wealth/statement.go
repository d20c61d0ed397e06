package wealth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Statement is a customer's holdings statement for a month: the
// positions at the period's end valued at each product's latest NAV on or
// before it, and the orders that traded in the period.
type Statement struct {
	CustomerID ID            `json:"customer_id"`
	Month      string        `json:"month"` // YYYY-MM
	From       calendar.Date `json:"from"`
	To         calendar.Date `json:"to"` // the month's last day, or today for the month in progress
	Positions  []Position    `json:"positions"`
	Orders     []Order       `json:"orders"`
	// Totals per currency of the positions.
	Totals []StatementTotal `json:"totals"`
}

// StatementTotal adds up the positions in one currency.
type StatementTotal struct {
	Currency    money.Currency `json:"currency"`
	Cost        money.Money    `json:"cost"`
	MarketValue money.Money    `json:"market_value"`
	Unrealised  money.Money    `json:"unrealised"`
}

// Statement builds the customer's statement for month ("2026-03") as of
// today: a month in progress ends today. Positions at a past month's end
// are today's holdings with the units and cost of orders traded since
// taken back out (or, for redemptions, put back); cash-management income
// credited since is not taken out, as a holding keeps only its total.
func (s *Service) Statement(ctx context.Context, customer ID, month string) (Statement, error) {
	if customer == NilID {
		return Statement{}, invalid("customer_id", "is required")
	}
	first, err := calendar.ParseDate(month + "-01")
	if err != nil || len(month) != 7 {
		return Statement{}, invalid("month", "must be YYYY-MM")
	}
	today, err := s.businessDate(ctx)
	if err != nil {
		return Statement{}, err
	}
	if first.After(today) {
		return Statement{}, invalid("month", "%s has not begun", month)
	}
	end := first.EndOfMonth()
	if end.After(today) {
		end = today
	}
	st := Statement{CustomerID: customer, Month: month, From: first, To: end, Positions: []Position{}, Orders: []Order{}, Totals: []StatementTotal{}}
	var later []Order
	err = s.eachOrder(ctx, OrderFilter{CustomerID: customer}, func(o Order) error {
		switch {
		case o.Status != OrderConfirmed && o.Status != OrderPaid:
			if !o.Trade.Before(first) && !o.Trade.After(end) {
				st.Orders = append(st.Orders, o)
			}
		case o.Trade.After(end):
			later = append(later, o)
		case !o.Trade.Before(first):
			st.Orders = append(st.Orders, o)
		}
		return nil
	})
	if err != nil {
		return Statement{}, err
	}
	var pos []Position
	snap, taken, err := s.store.Snapshot(ctx, customer, month)
	if err != nil {
		return Statement{}, err
	}
	if taken && end == first.EndOfMonth() {
		// The month-end snapshot: the holdings as the month's last end of
		// day left them, nothing to take out or put back.
		later = nil
		for _, h := range snap {
			p, err := s.store.Product(ctx, h.ProductID)
			if err != nil {
				return Statement{}, err
			}
			ps, err := s.position(ctx, p, h, end)
			if err != nil {
				return Statement{}, err
			}
			pos = append(pos, ps)
		}
	} else if pos, err = s.Positions(ctx, customer, end); err != nil {
		return Statement{}, err
	}
	totals := map[money.Currency]*StatementTotal{}
	for _, p := range pos {
		for _, o := range later {
			if o.ProductID != p.ProductID {
				continue
			}
			if o.Kind == Subscription {
				p.Units = p.Units.Sub(o.Units)
				p.Cost, _ = p.Cost.Sub(o.Cost)
			} else {
				p.Units = p.Units.Add(o.Units)
				p.Cost, _ = p.Cost.Add(o.Cost)
			}
		}
		if !p.Units.IsPositive() {
			continue
		}
		if !p.NAV.IsZero() {
			p.Valuation = p.Holding.Value(p.NAV, p.NAVDate)
		} else {
			p.MarketValue, p.Unrealised = p.Cost, money.Zero(p.Currency)
		}
		st.Positions = append(st.Positions, p)
		t := totals[p.Currency]
		if t == nil {
			z := money.Zero(p.Currency)
			t = &StatementTotal{Currency: p.Currency, Cost: z, MarketValue: z, Unrealised: z}
			totals[p.Currency] = t
		}
		t.Cost, _ = t.Cost.Add(p.Cost)
		t.MarketValue, _ = t.MarketValue.Add(p.MarketValue)
		t.Unrealised, _ = t.Unrealised.Add(p.Unrealised)
	}
	for _, t := range totals {
		st.Totals = append(st.Totals, *t)
	}
	sort.Slice(st.Totals, func(i, j int) bool { return st.Totals[i].Currency < st.Totals[j].Currency })
	return st, nil
}

type statementView struct {
	Title     string
	Facts     [][2]string
	Positions [][]string
	Orders    [][]string
	Totals    [][]string
}

var (
	positionHeader = []string{"Product", "Units", "NAV", "NAV date", "Cost", "Market value", "Unrealised", "Realised"}
	orderHeader    = []string{"Trade date", "Product", "Kind", "Status", "Amount", "Units", "NAV", "Fee", "Proceeds"}
	totalHeader    = []string{"Currency", "Cost", "Market value", "Unrealised"}
)

func (st Statement) view(codes map[ID]string) statementView {
	v := statementView{
		Title: fmt.Sprintf("Wealth statement %s", st.Month),
		Facts: [][2]string{{"Customer", st.CustomerID.String()}, {"Period", st.From.String() + " to " + st.To.String()}},
	}
	for _, p := range st.Positions {
		nav, navDate := "-", "-"
		if !p.NAV.IsZero() {
			nav, navDate = p.NAV.StringFixed(NAVPlaces), p.NAVDate.String()
		}
		v.Positions = append(v.Positions, []string{p.ProductCode, p.Units.String(), nav, navDate, p.Cost.String(),
			p.MarketValue.String(), p.Unrealised.String(), p.Realised.String()})
	}
	for _, o := range st.Orders {
		amount, fee, proceeds := o.Amount.String(), o.Fee.String(), "-"
		if o.Kind == Redemption {
			amount, proceeds = "-", o.Proceeds.String()
		}
		nav := "-"
		if !o.NAV.IsZero() {
			nav = o.NAV.StringFixed(NAVPlaces)
		}
		v.Orders = append(v.Orders, []string{o.Trade.String(), codes[o.ProductID], string(o.Kind), string(o.Status), amount,
			o.Units.String(), nav, fee, proceeds})
	}
	for _, t := range st.Totals {
		v.Totals = append(v.Totals, []string{string(t.Currency), t.Cost.String(), t.MarketValue.String(), t.Unrealised.String()})
	}
	return v
}

// codes names the statement's products by code.
func (s *Service) codes(ctx context.Context, st Statement) (map[ID]string, error) {
	out := map[ID]string{}
	for _, o := range st.Orders {
		if _, ok := out[o.ProductID]; ok {
			continue
		}
		p, err := s.store.Product(ctx, o.ProductID)
		if err != nil {
			return nil, err
		}
		out[p.ID] = p.Code
	}
	return out, nil
}

var htmlStatement = template.Must(template.New("statement").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;padding:2px 6px}td{text-align:right}</style>
</head>
<body>
<h1>{{.Title}}</h1>
<table>
{{- range .Facts}}
<tr><th scope="row">{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{- end}}
</table>
<h2>Holdings</h2>
<table>
<tr>{{range .PositionHeader}}<th>{{.}}</th>{{end}}</tr>
{{- range .Positions}}
<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{- end}}
</table>
<h2>Totals</h2>
<table>
<tr>{{range .TotalHeader}}<th>{{.}}</th>{{end}}</tr>
{{- range .Totals}}
<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{- end}}
</table>
<h2>Orders traded in the period</h2>
<table>
<tr>{{range .OrderHeader}}<th>{{.}}</th>{{end}}</tr>
{{- range .Orders}}
<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{- end}}
</table>
</body>
</html>
`))

// StatementDocument is a rendered statement and the SHA-256 of its bytes.
type StatementDocument struct {
	ContentType string
	Body        []byte
	SHA256      string
}

func document(contentType string, b []byte) StatementDocument {
	sum := sha256.Sum256(b)
	return StatementDocument{ContentType: contentType, Body: b, SHA256: hex.EncodeToString(sum[:])}
}

// StatementHTML renders the customer's statement for month as HTML.
func (s *Service) StatementHTML(ctx context.Context, customer ID, month string) (StatementDocument, error) {
	st, err := s.Statement(ctx, customer, month)
	if err != nil {
		return StatementDocument{}, err
	}
	codes, err := s.codes(ctx, st)
	if err != nil {
		return StatementDocument{}, err
	}
	var b bytes.Buffer
	err = htmlStatement.Execute(&b, struct {
		statementView
		PositionHeader, OrderHeader, TotalHeader []string
	}{st.view(codes), positionHeader, orderHeader, totalHeader})
	if err != nil {
		return StatementDocument{}, err
	}
	return document("text/html; charset=utf-8", b.Bytes()), nil
}

func pdfText(tr func(string) string, s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xff || !unicode.IsPrint(r) {
			r = '?'
		}
		b.WriteRune(r)
	}
	return tr(b.String())
}

// StatementPDF renders the customer's statement for month as PDF (A4,
// the core Helvetica font; text outside Latin-1 is shown as "?"). The
// document is dated the period's end, so the same statement renders to
// the same bytes.
func (s *Service) StatementPDF(ctx context.Context, customer ID, month string) (StatementDocument, error) {
	st, err := s.Statement(ctx, customer, month)
	if err != nil {
		return StatementDocument{}, err
	}
	codes, err := s.codes(ctx, st)
	if err != nil {
		return StatementDocument{}, err
	}
	v := st.view(codes)
	pdf := fpdf.New("L", "mm", "A4", "")
	day := st.To.In(time.UTC)
	pdf.SetCreationDate(day)
	pdf.SetModificationDate(day)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(pdfText(tr, v.Title), false)
	pdf.SetProducer("bankkit wealth", false)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 8, pdfText(tr, v.Title), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 9)
	for _, f := range v.Facts {
		pdf.CellFormat(40, 5, pdfText(tr, f[0]), "1", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5, pdfText(tr, f[1]), "1", 1, "L", false, 0, "")
	}
	table := func(title string, header []string, rows [][]string) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(0, 7, title, "", 1, "L", false, 0, "")
		w := 277.0 / float64(len(header))
		pdf.SetFont("Helvetica", "B", 8)
		for _, h := range header {
			pdf.CellFormat(w, 5, h, "1", 0, "C", false, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 8)
		for _, r := range rows {
			for _, c := range r {
				pdf.CellFormat(w, 5, pdfText(tr, c), "1", 0, "R", false, 0, "")
			}
			pdf.Ln(-1)
		}
	}
	table("Holdings", positionHeader, v.Positions)
	table("Totals", totalHeader, v.Totals)
	table("Orders traded in the period", orderHeader, v.Orders)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return StatementDocument{}, err
	}
	return document("application/pdf", b.Bytes()), nil
}
