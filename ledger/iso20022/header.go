package iso20022

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// SettlementMethod says how the instructing and instructed agents settle
// (SttlmInf/SttlmMtd).
type SettlementMethod string

// Settlement methods of the standard.
const (
	SettlementClearing         SettlementMethod = "CLRG" // through a clearing system
	SettlementInstructedAgent  SettlementMethod = "INDA" // on the instructed agent's books
	SettlementInstructingAgent SettlementMethod = "INGA" // on the instructing agent's books
	SettlementCoverMethod      SettlementMethod = "COVE" // by a separate cover payment
)

// Valid reports whether m is one of the standard's settlement methods.
func (m SettlementMethod) Valid() bool {
	switch m {
	case SettlementClearing, SettlementInstructedAgent, SettlementInstructingAgent, SettlementCoverMethod:
		return true
	}
	return false
}

// GroupHeader is the header of a clearing message (GrpHdr): what the whole
// message says about its transactions. NumberOfTransactions and TotalAmount
// are control totals: they must agree with the transactions, which catches
// a batch that lost or gained a payment on its way.
type GroupHeader struct {
	MessageID            string           // MsgId: unique per sender, at most 35 characters
	CreatedAt            time.Time        // CreDtTm
	NumberOfTransactions int              // NbOfTxs
	TotalAmount          money.Money      // TtlIntrBkSttlmAmt (pacs.008) or TtlRtrdIntrBkSttlmAmt (pacs.004)
	SettlementDate       calendar.Date    // IntrBkSttlmDt: the day the money moves between the banks
	SettlementMethod     SettlementMethod // SttlmInf/SttlmMtd
	// ClearingSystem names the clearing system or channel the message goes
	// through (SttlmInf/ClrSys/Prtry), such as a CNAPS channel; optional.
	ClearingSystem string
}

// check holds the header to the standard and its control totals to the
// transaction amounts. total names the total's element in this message.
func (h GroupHeader) check(path, total string, amounts []money.Money, strict bool) error {
	if err := checkID(path+"/MsgId", h.MessageID, true, strict); err != nil {
		return err
	}
	if err := checkDateTime(path+"/CreDtTm", h.CreatedAt); err != nil {
		return err
	}
	if h.NumberOfTransactions != len(amounts) {
		return invalid(path+"/NbOfTxs", "says %d transactions, the message has %d", h.NumberOfTransactions, len(amounts))
	}
	if err := checkAmount(path+"/"+total, h.TotalAmount, true); err != nil {
		return err
	}
	sum := money.Zero(h.TotalAmount.Currency)
	for _, a := range amounts {
		s, err := sum.Add(a)
		if err != nil {
			return invalid(path+"/"+total, "is in %s but a transaction is in %s: a batch carries one currency", h.TotalAmount.Currency, a.Currency)
		}
		sum = s
	}
	if !sum.Equal(h.TotalAmount) {
		return invalid(path+"/"+total, "is %s, the transactions add up to %s", h.TotalAmount, sum)
	}
	if !h.SettlementDate.Valid() {
		return invalid(path+"/IntrBkSttlmDt", "missing or not a valid date")
	}
	if !h.SettlementMethod.Valid() {
		return invalid(path+"/SttlmInf/SttlmMtd", "%q is not CLRG, INDA, INGA or COVE", string(h.SettlementMethod))
	}
	return checkID(path+"/SttlmInf/ClrSys/Prtry", h.ClearingSystem, false, strict)
}

// groupHeaderXML is GrpHdr of pacs.008 and pacs.004, in schema order. Only
// one of the two totals is set.
type groupHeaderXML struct {
	MsgID                 string     `xml:"MsgId"`
	CreDtTm               string     `xml:"CreDtTm"`
	NbOfTxs               string     `xml:"NbOfTxs"`
	TtlIntrBkSttlmAmt     *amountXML `xml:"TtlIntrBkSttlmAmt,omitempty"`
	TtlRtrdIntrBkSttlmAmt *amountXML `xml:"TtlRtrdIntrBkSttlmAmt,omitempty"`
	IntrBkSttlmDt         string     `xml:"IntrBkSttlmDt,omitempty"`
	SttlmInf              struct {
		SttlmMtd string `xml:"SttlmMtd"`
		ClrSys   *struct {
			Prtry string `xml:"Prtry"`
		} `xml:"ClrSys,omitempty"`
	} `xml:"SttlmInf"`
}

func headerToXML(h GroupHeader) groupHeaderXML {
	x := groupHeaderXML{
		MsgID:         h.MessageID,
		CreDtTm:       formatDateTime(h.CreatedAt),
		NbOfTxs:       itoa(h.NumberOfTransactions),
		IntrBkSttlmDt: h.SettlementDate.String(),
	}
	x.SttlmInf.SttlmMtd = string(h.SettlementMethod)
	if h.ClearingSystem != "" {
		x.SttlmInf.ClrSys = &struct {
			Prtry string `xml:"Prtry"`
		}{h.ClearingSystem}
	}
	return x
}

// headerFromXML reads the typed values of a header. A message may give the
// settlement date per transaction instead of in the header: txDates are
// those, and when the header has none they must all agree. A message that
// leaves out the optional total gets the sum of its transactions.
func headerFromXML(path string, x *groupHeaderXML, total *amountXML, totalName string, txDates []string, amounts []money.Money) (GroupHeader, error) {
	if x == nil {
		return GroupHeader{}, invalid(path, "missing")
	}
	h := GroupHeader{MessageID: x.MsgID, SettlementMethod: SettlementMethod(trim(x.SttlmInf.SttlmMtd))}
	if x.SttlmInf.ClrSys != nil {
		h.ClearingSystem = trim(x.SttlmInf.ClrSys.Prtry)
	}
	var err error
	if h.CreatedAt, err = parseDateTime(path+"/CreDtTm", x.CreDtTm); err != nil {
		return GroupHeader{}, err
	}
	if h.NumberOfTransactions, err = parseCount(path+"/NbOfTxs", x.NbOfTxs); err != nil {
		return GroupHeader{}, err
	}
	if total != nil {
		if h.TotalAmount, err = parseAmount(path+"/"+totalName, total, true); err != nil {
			return GroupHeader{}, err
		}
	} else if len(amounts) > 0 {
		h.TotalAmount = money.Zero(amounts[0].Currency)
		for _, a := range amounts {
			if h.TotalAmount, err = h.TotalAmount.Add(a); err != nil {
				return GroupHeader{}, fmt.Errorf("%w: %s: transactions in several currencies without a total", ErrUnsupportedMessage, path)
			}
		}
	}
	if h.SettlementDate, err = settlementDate(path, x.IntrBkSttlmDt, txDates); err != nil {
		return GroupHeader{}, err
	}
	return h, nil
}

// settlementDate is the header's IntrBkSttlmDt or, when it has none, the
// date all transactions give.
func settlementDate(path, header string, txDates []string) (calendar.Date, error) {
	if trim(header) != "" || len(txDates) == 0 {
		return parseDate(path+"/IntrBkSttlmDt", header)
	}
	first, err := calendar.ParseDate(trim(txDates[0]))
	if err != nil || !first.Valid() {
		return calendar.Date{}, invalid(path+"/IntrBkSttlmDt", "missing, and not given in the first transaction")
	}
	for _, s := range txDates[1:] {
		if d, err := calendar.ParseDate(trim(s)); err != nil || d != first {
			return calendar.Date{}, invalid(path+"/IntrBkSttlmDt", "missing, and the transactions settle on different days")
		}
	}
	return first, nil
}

func trim(s string) string { return strings.TrimSpace(s) }
func itoa(n int) string    { return strconv.Itoa(n) }
