package credit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"github.com/shopspring/decimal"
)

// contractView is what both documents show, as text: one place decides
// what the customer reads, so the HTML and the PDF cannot disagree.
type contractView struct {
	Title    string
	Facts    [][2]string
	Schedule [][]string
}

var scheduleHeader = []string{"No.", "Due date", "Principal", "Interest", "Payment", "Balance"}

func percent(d decimal.Decimal) string {
	return d.Mul(decimal.NewFromInt(100)).Round(4).String() + "%"
}

func (c Contract) view() contractView {
	t := c.Schedule.Terms()
	fee := c.OriginationFee.ValueString() + " " + string(c.OriginationFee.Currency)
	if c.FeeFinanced {
		fee += " (financed: added to the principal)"
	} else {
		fee += " (deducted from the amount paid out)"
	}
	disbursed := t.Disbursed
	if disbursed.Amount.IsZero() {
		disbursed = t.Principal
	}
	prepay := "none"
	if !c.PrepaymentFee.IsZero() {
		prepay = percent(c.PrepaymentFee.Rate) + " of the principal prepaid"
		if !c.PrepaymentFee.Fixed.IsZero() {
			prepay += " plus " + c.PrepaymentFee.Fixed.String()
		}
	}
	v := contractView{
		Title: fmt.Sprintf("Loan contract %s, version %d", c.ID, c.Version),
		Facts: [][2]string{
			{"Contract", c.ID.String()},
			{"Version", fmt.Sprint(c.Version)},
			{"Issued on", c.IssuedOn.String()},
			{"Application", c.ApplicationID.String()},
			{"Customer", c.CustomerID.String()},
			{"Product", c.ProductCode + " - " + c.ProductName},
			{"Amount lent", c.Amount.String()},
			{"Origination fee", fee},
			{"Principal to repay", t.Principal.String()},
			{"Paid out to the customer", disbursed.String()},
			{"Annual interest rate", percent(t.AnnualRate)},
			{"Repayment", fmt.Sprintf("%s, %s interest, %d %s instalments", t.Method, t.InterestMethod, t.Term, t.Frequency)},
			{"Day count", t.DayCount.String()},
			{"Value date", t.Start.String()},
			{"Maturity", c.Schedule.Maturity().String()},
			{"Total interest", c.Schedule.TotalInterest().String()},
			{"Total repayable", c.Schedule.TotalPayable().String()},
			{"Total cost of credit", c.Rates.TotalCost.String()},
			{"APR (annualised rate, IRR)", percent(c.Rates.APR)},
			{"Effective annual rate", percent(c.Rates.EffectiveAnnual)},
			{"Penalty rate on overdue principal", c.PenaltyRate},
			{"Prepayment fee", prepay},
			{"On prepayment", string(c.PrepaymentMode)},
		},
	}
	for _, in := range c.Schedule.Instalments() {
		v.Schedule = append(v.Schedule, []string{fmt.Sprint(in.Number), in.DueDate.String(), in.Principal.ValueString(),
			in.Interest.ValueString(), in.Total().ValueString(), in.Balance.ValueString()})
	}
	return v
}

var htmlContract = template.Must(template.New("contract").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}td.n{text-align:right}</style>
</head>
<body>
<h1>{{.Title}}</h1>
<table>
{{- range .Facts}}
<tr><th scope="row">{{index . 0}}</th><td>{{index . 1}}</td></tr>
{{- end}}
</table>
<h2>Repayment schedule</h2>
<table>
<tr>{{range $.Header}}<th>{{.}}</th>{{end}}</tr>
{{- range .Schedule}}
<tr>{{range .}}<td class="n">{{.}}</td>{{end}}</tr>
{{- end}}
</table>
</body>
</html>
`))

// RenderHTML renders the contract as an HTML document. The same contract
// always renders to the same bytes.
func (c Contract) RenderHTML() ([]byte, error) {
	v := c.view()
	var b bytes.Buffer
	err := htmlContract.Execute(&b, struct {
		contractView
		Header []string
	}{v, scheduleHeader})
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// pdfText keeps what the PDF's core font (Windows-1252) can show and
// writes '?' for the rest: the core fonts have no CJK glyphs, and the
// document must stay readable rather than fail. The HTML form shows every
// character.
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

// RenderPDF renders the contract as a PDF (go-pdf/fpdf, core fonts). The
// document carries no wall-clock time and no random id: its creation and
// modification dates are the contract's issue date, so the same contract
// always renders to the same bytes, and its digest names it.
func (c Contract) RenderPDF() ([]byte, error) {
	v := c.view()
	pdf := fpdf.New("P", "mm", "A4", "")
	day := c.IssuedOn.In(time.UTC)
	pdf.SetCreationDate(day)
	pdf.SetModificationDate(day)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(pdfText(tr, v.Title), false)
	pdf.SetProducer("bankkit credit", false)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.MultiCell(0, 7, pdfText(tr, v.Title), "", "L", false)
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 9)
	for _, f := range v.Facts {
		pdf.CellFormat(62, 5, pdfText(tr, f[0]), "1", 0, "L", false, 0, "")
		pdf.MultiCell(0, 5, pdfText(tr, f[1]), "1", "L", false)
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 6, "Repayment schedule", "", 1, "L", false, 0, "")
	widths := []float64{12, 26, 34, 34, 34, 40}
	header := func() {
		pdf.SetFont("Helvetica", "B", 9)
		for i, h := range scheduleHeader {
			pdf.CellFormat(widths[i], 5, h, "1", 0, "C", false, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 9)
	}
	header()
	for _, row := range v.Schedule {
		if pdf.GetY() > 275 {
			pdf.AddPage()
			header()
		}
		for i, cell := range row {
			pdf.CellFormat(widths[i], 5, cell, "1", 0, "R", false, 0, "")
		}
		pdf.Ln(-1)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("credit: rendering the contract's PDF: %w", err)
	}
	return b.Bytes(), nil
}

// Render renders both documents and sets their digests on c.
func (c *Contract) Render() (Documents, error) {
	h, err := c.RenderHTML()
	if err != nil {
		return Documents{}, err
	}
	p, err := c.RenderPDF()
	if err != nil {
		return Documents{}, err
	}
	c.HTMLSHA256, c.PDFSHA256 = digest(h), digest(p)
	return Documents{HTML: h, PDF: p}, nil
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
