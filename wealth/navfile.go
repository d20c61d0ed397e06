package wealth

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/text"
)

// NAVFileHeader is the header line of the issuer's NAV file: the columns,
// in this order. A line gives one product's publication for one business
// date:
//
//	product_code     the product's code
//	date             the business date, YYYY-MM-DD
//	nav              the NAV (4 decimal places at most); empty or 1 for
//	                 cash management
//	accumulated_nav  the accumulated NAV, optional
//	income_per_10k   cash management: the income per 10,000 units
//	                 (4 places at most); empty otherwise
//	yield_7d         cash management: the issuer's 7-day annualised yield
//	                 as a fraction (0.01734 is 1.734%), optional; empty
//	                 otherwise
var NAVFileHeader = []string{"product_code", "date", "nav", "accumulated_nav", "income_per_10k", "yield_7d"}

// MaxNAVFileLines bounds the lines of a NAV file, the header included.
const MaxNAVFileLines = 10001

// NAVFileLine is one publication of a NAV file.
type NAVFileLine struct {
	Line           int // in the file; the header is line 1
	ProductCode    string
	Date           calendar.Date
	NAV            decimal.Decimal // zero when empty
	AccumulatedNAV decimal.Decimal
	IncomePer10K   decimal.Decimal
	Yield7D        decimal.Decimal
}

// lineField is the field of a file's line as errors name it:
// "lines[3].nav" for the nav column of line 3.
func lineField(line int, col string) string {
	if col == "" {
		return fmt.Sprintf("lines[%d]", line)
	}
	return fmt.Sprintf("lines[%d].%s", line, col)
}

func lineError(err error, line int, col, format string, args ...any) error {
	return fault.Field(err, lineField(line, col), fmt.Sprintf("line %d: ", line)+fmt.Sprintf(format, args...))
}

// atLine names the line in a field error of a publication's check
// ("nav" becomes "lines[3].nav"); other errors are returned as they are.
func atLine(err error, line int) error {
	var fe *fault.FieldError
	if errors.As(err, &fe) {
		return fault.Field(fe.Err, lineField(line, fe.Field), fmt.Sprintf("line %d: %s", line, fe.Reason))
	}
	return err
}

var plainDecimal = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,12})?$`)

// ParseNAVFile reads an issuer's NAV file: UTF-8 CSV (a byte-order mark
// is skipped), the header NAVFileHeader, then one line per publication;
// blank lines are skipped. Numbers are plain decimals (no sign, no
// exponent, no thousands separator). The error names the line and the
// column at fault ("lines[3].nav", wrapping ErrInvalidInput); a file with
// no publication is refused.
func ParseNAVFile(data []byte) ([]NAVFileLine, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var out []NAVFileLine
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, lineError(ErrInvalidInput, max(pe.StartLine, 1), "", "%s", pe.Err)
		}
		if err != nil {
			return nil, err // a csv.Reader over bytes fails only with a ParseError
		}
		line, _ := r.FieldPos(0)
		if line > MaxNAVFileLines {
			return nil, lineError(ErrInvalidInput, line, "", "a file has at most %d lines", MaxNAVFileLines)
		}
		if len(rec) != len(NAVFileHeader) {
			return nil, lineError(ErrInvalidInput, line, "", "has %d columns, not %d (%s)", len(rec), len(NAVFileHeader), strings.Join(NAVFileHeader, ","))
		}
		if out == nil && line == 1 {
			for i, h := range NAVFileHeader {
				if strings.TrimSpace(rec[i]) != h {
					return nil, lineError(ErrInvalidInput, 1, "", "column %d of the header is %q, not %q", i+1, rec[i], h)
				}
			}
			out = []NAVFileLine{}
			continue
		}
		if out == nil {
			return nil, lineError(ErrInvalidInput, line, "", "the file must start with the header %s", strings.Join(NAVFileHeader, ","))
		}
		l, err := parseNAVLine(line, rec)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	if out == nil {
		return nil, lineError(ErrInvalidInput, 1, "", "the file must start with the header %s", strings.Join(NAVFileHeader, ","))
	}
	if len(out) == 0 {
		return nil, lineError(ErrInvalidInput, 2, "", "the file has no publication")
	}
	return out, nil
}

func parseNAVLine(line int, rec []string) (NAVFileLine, error) {
	l := NAVFileLine{Line: line, ProductCode: strings.TrimSpace(rec[0])}
	if err := checkCode(l.ProductCode); err != nil {
		var fe *fault.FieldError
		if errors.As(err, &fe) {
			return l, lineError(ErrInvalidInput, line, "product_code", "%s", fe.Reason)
		}
		return l, atLine(err, line)
	}
	raw := strings.TrimSpace(rec[1])
	d, err := calendar.ParseDate(raw)
	if err != nil || !d.Valid() {
		return l, lineError(ErrInvalidInput, line, "date", "%q is not a date (YYYY-MM-DD)", raw)
	}
	l.Date = d
	for i, dst := range []*decimal.Decimal{&l.NAV, &l.AccumulatedNAV, &l.IncomePer10K, &l.Yield7D} {
		col := NAVFileHeader[2+i]
		raw := strings.TrimSpace(rec[2+i])
		if raw == "" {
			*dst = decimal.Zero
			continue
		}
		if !plainDecimal.MatchString(raw) {
			return l, lineError(ErrInvalidInput, line, col, "%q is not a non-negative decimal like 1.0250", raw)
		}
		*dst = decimal.RequireFromString(raw)
	}
	if strings.TrimSpace(rec[2]) != "" && !l.NAV.IsPositive() {
		return l, lineError(ErrInvalidInput, line, "nav", "must be positive")
	}
	return l, nil
}

// PublishNAVFile publishes every line of an issuer's NAV file (see
// ParseNAVFile and NAVFileHeader) all or nothing: each line is checked as
// PublishNAV checks a publication (the product by its code, a trading
// day, the values), no product and date may appear twice in the file or
// be published already, and then every NAV is stored in one operation.
// A cash-management line's 7-day yield counts the file's earlier dates.
// The first error names the line and column (ErrInvalidInput, or
// ErrDuplicate for a date published already); nothing is published then.
func (s *Service) PublishNAVFile(ctx context.Context, data []byte, publishedBy string) ([]NAV, error) {
	if publishedBy == "" || len(publishedBy) > 100 {
		return nil, invalid("published_by", "must be 1-100 bytes")
	}
	if err := text.Line(ErrInvalidInput, "published_by", publishedBy); err != nil {
		return nil, err
	}
	lines, err := ParseNAVFile(data)
	if err != nil {
		return nil, err
	}
	products := map[string]Product{}
	seen := map[string]int{}
	for _, l := range lines {
		p, ok := products[l.ProductCode]
		if !ok {
			p, err = s.store.ProductByCode(ctx, l.ProductCode)
			if errors.Is(err, ErrNotFound) {
				return nil, lineError(ErrInvalidInput, l.Line, "product_code", "no product %s", l.ProductCode)
			}
			if err != nil {
				return nil, err
			}
			products[l.ProductCode] = p
		}
		k := l.ProductCode + "/" + l.Date.String()
		if first, dup := seen[k]; dup {
			return nil, lineError(ErrInvalidInput, l.Line, "date", "%s for %s is on line %d too", l.ProductCode, l.Date, first)
		}
		seen[k] = l.Line
		if _, err := s.store.NAV(ctx, p.ID, l.Date); err == nil {
			return nil, lineError(ErrDuplicate, l.Line, "date", "a NAV of %s for %s is published", l.ProductCode, l.Date)
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	// In date order per product, so that a yield counts the file's
	// earlier days; the result in the file's order.
	order := make([]int, len(lines))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := strings.Compare(lines[a].ProductCode, lines[b].ProductCode); c != 0 {
			return c
		}
		return lines[a].Date.Compare(lines[b].Date)
	})
	navs := make([]NAV, len(lines))
	events := make([]event.Envelope, len(lines))
	today, err := s.businessDate(ctx)
	if err != nil {
		return nil, err
	}
	var pending []NAV
	for _, i := range order {
		l := lines[i]
		n, e, err := s.buildNAV(ctx, products[l.ProductCode], NAVRequest{Date: l.Date, Value: l.NAV, AccumulatedNAV: l.AccumulatedNAV,
			IncomePer10K: l.IncomePer10K, IssuerYield7D: l.Yield7D, PublishedBy: publishedBy}, today, pending)
		if err != nil {
			return nil, atLine(err, l.Line)
		}
		navs[i], events[i] = n, e
		pending = append(pending, n)
	}
	if err := s.store.PublishNAVs(ctx, navs, events); err != nil {
		return nil, err
	}
	return navs, nil
}
