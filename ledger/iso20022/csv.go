package iso20022

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bankkit/bankkit/money"
)

// csvColumns are the columns of a CSV statement, as its header row names
// them; ParseCSVStatement documents them.
var csvColumns = []string{"value_date", "amount", "currency", "direction", "reference", "description"}

// ParseCSVStatement reads a statement in bankkit's simple CSV format, for
// banks that send no camt.053. The file is UTF-8 (a leading byte order mark
// is ignored), comma-separated with RFC 4180 quoting, at most
// MaxMessageSize bytes. The first row names the columns below, each once,
// in any order; names are matched without regard to case or surrounding
// spaces. Every further row is one booked entry:
//
//	value_date   the value date, YYYY-MM-DD
//	amount       a plain decimal greater than zero, with no more decimal
//	             places than the currency has ("1250.00", "300")
//	currency     the ISO 4217 code
//	direction    C for a credit to the account, D for a debit
//	reference    the end-to-end reference of the payment, at most 35
//	             characters; may be empty
//	description  free text, at most 140 characters; may be empty
//
// For example:
//
//	value_date,amount,currency,direction,reference,description
//	2026-11-27,1250.00,CNY,C,INV-2026-114,"Invoice 114, November"
//
// Each row becomes an Entry with StatusBooked, the value date, the amount
// and direction, and one TransactionDetails holding the reference as
// EndToEndID, the amount, and the description as its one remittance line,
// so that camt.053 and CSV statements reconcile alike. The file is refused
// whole at the first bad row; the error wraps ErrInvalidMessage and names
// the line and the column, as in "line 7, column 2 (amount)".
func ParseCSVStatement(r io.Reader) ([]Entry, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxMessageSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading: %w", ErrInvalidMessage, err)
	}
	if len(data) > MaxMessageSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidMessage, MaxMessageSize)
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: line 1: missing header row", ErrInvalidMessage)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	cols, err := csvColumnIndex(header)
	if err != nil {
		return nil, err
	}
	var entries []Entry
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return entries, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
		}
		e, err := csvEntry(cr, cols, record)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
}

// csvColumnIndex maps each of csvColumns to its position in the header.
func csvColumnIndex(header []string) (map[string]int, error) {
	known := make(map[string]bool, len(csvColumns))
	for _, c := range csvColumns {
		known[c] = true
	}
	cols := make(map[string]int, len(header))
	for i, name := range header {
		name = strings.ToLower(strings.TrimSpace(name))
		if !known[name] {
			return nil, fmt.Errorf("%w: line 1, column %d: unknown column %q, want %s", ErrInvalidMessage, i+1, name, strings.Join(csvColumns, ","))
		}
		if _, dup := cols[name]; dup {
			return nil, fmt.Errorf("%w: line 1, column %d: column %q appears twice", ErrInvalidMessage, i+1, name)
		}
		cols[name] = i
	}
	for _, c := range csvColumns {
		if _, ok := cols[c]; !ok {
			return nil, fmt.Errorf("%w: line 1: missing column %q", ErrInvalidMessage, c)
		}
	}
	return cols, nil
}

// csvEntry reads one row. Errors name the row's line (where it starts in
// the file) and the column, by position and by name.
func csvEntry(cr *csv.Reader, cols map[string]int, record []string) (Entry, error) {
	field := func(name string) string { return record[cols[name]] }
	where := func(name string) string {
		line, _ := cr.FieldPos(cols[name])
		return fmt.Sprintf("line %d, column %d (%s)", line, cols[name]+1, name)
	}
	valueDate, err := parseDate(where("value_date"), field("value_date"))
	if err != nil {
		return Entry{}, err
	}
	value := strings.TrimSpace(field("amount"))
	if digits(value) > maxAmountDigits {
		return Entry{}, invalid(where("amount"), "more than %d digits", maxAmountDigits)
	}
	currency, err := money.ParseCurrency(strings.TrimSpace(field("currency")))
	if err != nil {
		return Entry{}, invalid(where("currency"), "%w", err)
	}
	amount, err := money.Parse(value, string(currency))
	if err != nil {
		return Entry{}, invalid(where("amount"), "%w", err)
	}
	if !amount.IsPositive() {
		return Entry{}, invalid(where("amount"), "%s must be greater than zero; the direction column gives the sign", value)
	}
	var direction CreditDebit
	switch strings.TrimSpace(field("direction")) {
	case "C":
		direction = Credit
	case "D":
		direction = Debit
	default:
		return Entry{}, invalid(where("direction"), "%q is not C or D", field("direction"))
	}
	reference, description := field("reference"), field("description")
	if err := checkText(where("reference"), reference, maxIDLength, false, false); err != nil {
		return Entry{}, err
	}
	if err := checkText(where("description"), description, maxRemittanceLength, false, false); err != nil {
		return Entry{}, err
	}
	amount = normalized(amount)
	d := TransactionDetails{EndToEndID: reference, Amount: amount}
	if description != "" {
		d.RemittanceInfo = []string{description}
	}
	return Entry{
		Amount:    amount,
		Direction: direction,
		Status:    StatusBooked,
		ValueDate: valueDate,
		Details:   []TransactionDetails{d},
	}, nil
}
