package memledger_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

type countingNetwork struct {
	mu   sync.Mutex
	sent int
}

func (n *countingNetwork) Send(context.Context, clearing.OutboundMessage) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent++
	return nil
}

func newFuzzClearing(t testing.TB) (*memledger.Store, *ledger.Service, *clearing.Service, *countingNetwork) {
	store := memledger.New()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := ledger.NewService(store, ledger.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetupChart(context.Background(), money.CNY); err != nil {
		t.Fatal(err)
	}
	net := &countingNetwork{}
	clr, err := clearing.NewService(svc, store, store, net, clearing.WithBankIdentity("BKKTCNSHXXX", ""), clearing.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	return store, svc, clr, net
}

const fuzzCredits = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-02T08:00:00Z</CreDtTm><NbOfTxs>1</NbOfTxs>
<TtlIntrBkSttlmAmt Ccy="CNY">5.00</TtlIntrBkSttlmAmt><IntrBkSttlmDt>2026-03-02</IntrBkSttlmDt>
<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<CdtTrfTxInf><PmtId><EndToEndId>E1</EndToEndId></PmtId><IntrBkSttlmAmt Ccy="CNY">5.00</IntrBkSttlmAmt>
<ChrgBr>SLEV</ChrgBr><CdtrAcct><Id><Othr><Id>6200000000000000</Id></Othr></Id></CdtrAcct></CdtTrfTxInf>
</FIToFICstmrCdtTrf></Document>`

const fuzzReturn = `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.004.001.09"><PmtRtr>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-03-02T08:00:00Z</CreDtTm><NbOfTxs>1</NbOfTxs>
<TtlRtrdIntrBkSttlmAmt Ccy="CNY">5.00</TtlRtrdIntrBkSttlmAmt><IntrBkSttlmDt>2026-03-02</IntrBkSttlmDt>
<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<TxInf><RtrId>X</RtrId><OrgnlEndToEndId>E1</OrgnlEndToEndId><RtrdIntrBkSttlmAmt Ccy="CNY">5.00</RtrdIntrBkSttlmAmt>
<RtrRsnInf><Rsn><Cd>AC01</Cd></Rsn></RtrRsnInf></TxInf></PmtRtr></Document>`

// FuzzReceive: whatever the clearing house sends, Receive does not panic;
// a refused message posts and sends nothing, an accepted one leaves the
// books balanced.
func FuzzReceive(f *testing.F) {
	f.Add([]byte(fuzzCredits))
	f.Add([]byte(fuzzReturn))
	f.Add([]byte("<Document/>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, svc, clr, net := newFuzzClearing(t)
		ctx := context.Background()
		r, err := clr.Receive(ctx, data)
		tb, tbErr := svc.TrialBalance(ctx, money.CNY)
		if tbErr != nil {
			t.Fatal(tbErr)
		}
		if !tb.Difference.IsZero() {
			t.Fatalf("trial balance off by %s", tb.Difference)
		}
		if err != nil {
			if net.sent != 0 || !tb.Debits.IsZero() {
				t.Fatalf("refused message (%v) changed something: %d sent, debits %s", err, net.sent, tb.Debits)
			}
			return
		}
		if r.Kind == clearing.KindCreditTransfer && len(r.Returned) > 0 && net.sent != 1 {
			t.Fatalf("%d returns, %d messages sent", len(r.Returned), net.sent)
		}
	})
}

// FuzzImportCSV: a CSV statement either is refused and records nothing, or
// every booked line ends up matched or a break.
func FuzzImportCSV(f *testing.F) {
	f.Add([]byte("value_date,amount,currency,direction,reference,description\n2026-03-02,1.00,CNY,C,R1,x\n"))
	f.Add([]byte("value_date,amount,currency,direction,reference,description\n2026-03-01,2.50,CNY,D,,\n2026-03-02,1.25,CNY,D,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		store, svc, clr, _ := newFuzzClearing(t)
		ctx := context.Background()
		nostro, err := svc.ChartAccount(ctx, money.CNY, ledger.CodeSettlement)
		if err != nil {
			t.Fatal(err)
		}
		r, err := clr.ImportCSV(ctx, nostro.ID, "s1", data, false)
		if err != nil {
			if !errors.Is(err, ledger.ErrInvalidInput) && !errors.Is(err, ledger.ErrCurrencyMismatch) {
				t.Fatalf("refused with an unexpected error: %v", err)
			}
			if _, err := store.ReconReport(ctx, nostro.ID, "s1"); !errors.Is(err, ledger.ErrNotFound) {
				t.Fatalf("a refused statement left a report: %v", err)
			}
			return
		}
		entries, err := iso20022.ParseCSVStatement(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("imported a statement the parser refuses: %v", err)
		}
		// Against an empty ledger every line is a break on the statement.
		if len(r.Matches) != 0 || len(r.UnmatchedStatement) != len(entries) {
			t.Fatalf("%d lines: %d matches, %d breaks", len(entries), len(r.Matches), len(r.UnmatchedStatement))
		}
		stored, err := clr.ImportCSV(ctx, nostro.ID, "s1", data, false)
		if err != nil || !stored.Replayed || stored.ID != r.ID {
			t.Fatalf("re-import: %v, replayed %v", err, stored.Replayed)
		}
	})
}
