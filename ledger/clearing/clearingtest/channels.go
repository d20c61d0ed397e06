package clearingtest

import (
	"bytes"
	"encoding/xml"
	"sync"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// beijing is a wall time in Beijing (UTC+8), where the channels' hours
// are kept, as the UTC instant the bank's clock reads.
func beijing(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, clearing.Beijing).UTC()
}

// The suite's days: 2026-03-06 is a Friday, 03-07 and 03-08 the weekend,
// 03-09 a Monday and 03-10 a holiday of the suite's calendar.
var (
	friday  = func(h, m int) time.Time { return beijing(2026, time.March, 6, h, m) }
	monday  = func(h, m int) time.Time { return beijing(2026, time.March, 9, h, m) }
	holiday = calendar.MustDate(2026, time.March, 10)
)

// channelFixture is f with the CNAPS default channels on the suite's
// calendar, the clock at t.
func channelFixture(t *testing.T, f *fixture, at time.Time) *fixture {
	t.Helper()
	cal, err := calendar.NewBusinessCalendar(calendar.WithHolidays(holiday))
	require.NoError(t, err)
	f.Clock.Set(at)
	return newFixtureOver(t, f, clearing.WithChannels(clearing.DefaultChannels(cal)))
}

func (f *fixture) outWith(from ledger.ID, amount string, urgent bool, key string) clearing.Transfer {
	f.T.Helper()
	t, err := f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{
		FromAccountID: from, Amount: cny(amount), IdempotencyKey: key, Urgent: urgent,
		To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"},
	})
	require.NoError(f.T, err)
	return t
}

// channelAccounts returns channel's settlement and clearing suspense in CNY.
func (f *fixture) channelAccounts(channel string) (settlement, suspense ledger.Account) {
	f.T.Helper()
	s, c, err := f.clr.ChannelAccounts(f.Ctx, channel, money.CNY)
	require.NoError(f.T, err)
	return s, c
}

func (f *fixture) sendDue() []clearing.Batch {
	f.T.Helper()
	bs, err := f.clr.SendDue(f.Ctx)
	require.NoError(f.T, err)
	return bs
}

func batchChannels(bs []clearing.Batch) []string {
	out := []string{}
	for _, b := range bs {
		out = append(out, b.Channel)
	}
	return out
}

var channelTests = []test{
	{Name: "channels route by amount and urgency, charge their fees and hold the money in their own suspense", Run: func(t *testing.T, f *fixture) {
		f = channelFixture(t, f, monday(10, 30)) // a business day, every channel open
		a := f.funded("c1", "200000.00")
		now := f.Clock.Now()

		small := f.outWith(a.ID, "3000.00", false, "small")     // <= 5,000.00: online
		mid := f.outWith(a.ID, "20000.00", false, "mid")        // between: bulk
		large := f.outWith(a.ID, "50000.00", false, "large")    // at the bulk limit: large-value
		urgent := f.outWith(a.ID, "100.00", true, "urgent")     // urgent: large-value
		justBelow := f.outWith(a.ID, "49999.99", false, "just") // below the bulk limit: bulk

		require.Equal(t, "IBPS", small.Channel)
		require.Equal(t, "BEPS", mid.Channel)
		require.Equal(t, "HVPS", large.Channel)
		require.Equal(t, "HVPS", urgent.Channel)
		require.True(t, urgent.Urgent)
		require.Equal(t, "BEPS", justBelow.Channel)
		require.Contains(t, large.Route, "50000.00 CNY or more")
		require.Contains(t, urgent.Route, "urgent")
		// Real-time channels take them now; bulk waits for its 13:00 cut.
		require.True(t, small.SendAfter.Equal(now))
		require.True(t, large.SendAfter.Equal(now))
		require.True(t, mid.SendAfter.Equal(monday(13, 0)), "got %s", mid.SendAfter)

		// Fees: IBPS 0.00, BEPS 1.00, HVPS 5.00 a payment.
		require.True(t, small.Fee.Equal(cny("0.00")))
		require.True(t, mid.Fee.Equal(cny("1.00")))
		require.True(t, large.Fee.Equal(cny("5.00")))
		// Debits: 3,000.00 + (20,000.00 + 1.00) + (50,000.00 + 5.00)
		//  + (100.00 + 5.00) + (49,999.99 + 1.00) = 123,111.99;
		// 200,000.00 - 123,111.99 = 76,888.01.
		f.RequireBalance(a.ID, "76888.01")
		// Fees income: 1.00 + 5.00 + 5.00 + 1.00 = 12.00.
		f.RequireBalance(f.chart(money.CNY, ledger.CodeFeesIncome).ID, "12.00")
		_, hvps := f.channelAccounts("HVPS")
		_, beps := f.channelAccounts("BEPS")
		_, ibps := f.channelAccounts("IBPS")
		f.RequireBalance(hvps.ID, "-50100.00")  // 50,000.00 + 100.00
		f.RequireBalance(beps.ID, "-69999.99")  // 20,000.00 + 49,999.99
		f.RequireBalance(ibps.ID, "-3000.00")   // 3,000.00
		f.RequireBalance(f.suspense.ID, "0.00") // the shared one is not used
		e, err := f.Svc.Entry(f.Ctx, mid.EntryID)
		require.NoError(t, err)
		requirePostings(t, []ledger.Posting{
			{AccountID: a.ID, Side: ledger.Debit, Amount: cny("20001.00")},
			{AccountID: beps.ID, Side: ledger.Credit, Amount: cny("20000.00")},
			{AccountID: f.chart(money.CNY, ledger.CodeFeesIncome).ID, Side: ledger.Credit, Amount: cny("1.00")},
		}, e.Postings)
		got, err := f.clr.Transfer(f.Ctx, mid.ID)
		require.NoError(t, err)
		require.Equal(t, mid, got)
		f.RequireTrialBalanced()
	}},
	{Name: "a bulk transfer after a cut-off waits for the next batch; the status says when it will be sent", Run: func(t *testing.T, f *fixture) {
		f = channelFixture(t, f, monday(12, 59))
		a := f.funded("c1", "100000.00")
		before := f.outWith(a.ID, "20000.00", false, "before")
		f.Clock.Set(monday(13, 1)) // the 13:00 cut-off has passed
		after := f.outWith(a.ID, "30000.00", false, "after")
		require.True(t, before.SendAfter.Equal(monday(13, 0)))
		require.True(t, after.SendAfter.Equal(monday(16, 0)), "got %s", after.SendAfter)
		require.Contains(t, after.Route, "waits for the next window at 2026-03-09 16:00 CST")
		p, why := after.Progress()
		require.Equal(t, clearing.ProgressQueued, p)
		require.Contains(t, why, "to be sent at 2026-03-09T08:00:00Z")

		// At 13:01 only the first is due: one BEPS batch, named for its
		// channel, with it alone.
		sent := f.sendDue()
		require.Equal(t, []string{"BEPS"}, batchChannels(sent))
		require.Equal(t, []ledger.ID{before.ID}, sent[0].TransferIDs)
		msgs := f.net.messages()
		require.Len(t, msgs, 1)
		require.Equal(t, "BEPS", msgs[0].Channel)
		// The header names the channel as the clearing system, and the
		// message still reads as a pacs.008 with the batch in it.
		var hdr struct {
			Prtry string `xml:"FIToFICstmrCdtTrf>GrpHdr>SttlmInf>ClrSys>Prtry"`
		}
		require.NoError(t, xml.Unmarshal(msgs[0].XML, &hdr))
		require.Equal(t, "BEPS", hdr.Prtry)
		parsed, err := iso20022.ParseCreditTransfer(bytes.NewReader(msgs[0].XML))
		require.NoError(t, err)
		require.Equal(t, sent[0].MessageID, parsed.Header.MessageID)
		require.Len(t, parsed.Transactions, 1)
		require.Equal(t, before.EndToEndID, parsed.Transactions[0].EndToEndID)
		require.Equal(t, clearing.StatusPending, f.transferStatus(after.ID))
		require.Empty(t, f.sendDue(), "nothing more is due before 16:00")

		f.Clock.Set(monday(16, 0))
		sent = f.sendDue()
		require.Equal(t, []string{"BEPS"}, batchChannels(sent))
		require.Equal(t, []ledger.ID{after.ID}, sent[0].TransferIDs)

		// After the last cut-off of a Friday, the next is Monday's first.
		f.Clock.Set(friday(16, 30))
		late := f.outWith(a.ID, "10000.00", false, "late")
		require.True(t, late.SendAfter.Equal(monday(10, 0)), "got %s", late.SendAfter)
	}},
	{Name: "large-value after its hours waits for the next business day's opening; online goes around the clock", Run: func(t *testing.T, f *fixture) {
		f = channelFixture(t, f, friday(17, 0)) // HVPS closes at 17:00
		a := f.funded("c1", "300000.00")
		large := f.outWith(a.ID, "80000.00", false, "large")
		// Saturday, Sunday, then Monday 08:30 opens.
		require.True(t, large.SendAfter.Equal(monday(8, 30)), "got %s", large.SendAfter)
		f.Clock.Set(monday(17, 30))
		tuesday := f.outWith(a.ID, "90000.00", true, "tue")
		// Tuesday 2026-03-10 is the suite's holiday: Wednesday 08:30.
		require.True(t, tuesday.SendAfter.Equal(beijing(2026, time.March, 11, 8, 30)), "got %s", tuesday.SendAfter)

		f.Clock.Set(beijing(2026, time.March, 7, 3, 0)) // Saturday 03:00
		o1 := f.outWith(a.ID, "1000.00", false, "o1")
		o2 := f.outWith(a.ID, "2000.00", false, "o2")
		require.Equal(t, "IBPS", o1.Channel)
		require.True(t, o1.SendAfter.Equal(f.Clock.Now()))
		sent := f.sendDue()
		// One message per online payment; HVPS is closed, nothing of it goes.
		require.Equal(t, []string{"IBPS", "IBPS"}, batchChannels(sent))
		require.Equal(t, []ledger.ID{o1.ID}, sent[0].TransferIDs)
		require.Equal(t, []ledger.ID{o2.ID}, sent[1].TransferIDs)
		require.Equal(t, clearing.StatusPending, f.transferStatus(large.ID))

		f.Clock.Set(monday(8, 30))
		sent = f.sendDue()
		require.Equal(t, []string{"HVPS"}, batchChannels(sent))
		require.Equal(t, []ledger.ID{large.ID}, sent[0].TransferIDs)
	}},
	{Name: "status through a channel: sent, settled to the channel's settlement account, returned and rejected with the reason", Run: func(t *testing.T, f *fixture) {
		f = channelFixture(t, f, monday(10, 0))
		a := f.funded("c1", "300000.00")
		t1 := f.outWith(a.ID, "60000.00", false, "t1")
		t2 := f.outWith(a.ID, "70000.00", false, "t2")
		t3 := f.outWith(a.ID, "1000.00", false, "t3")
		sent := f.sendDue()
		require.Equal(t, []string{"HVPS", "HVPS", "IBPS"}, batchChannels(sent))
		got, err := f.clr.Transfer(f.Ctx, t1.ID)
		require.NoError(t, err)
		p, why := got.Progress()
		require.Equal(t, clearing.ProgressSent, p)
		require.Equal(t, "sent to HVPS", why)

		settlement, suspense := f.channelAccounts("HVPS")
		_, err = f.clr.Settle(f.Ctx, sent[0].ID)
		require.NoError(t, err)
		// 60,000.00 moved from HVPS suspense to HVPS settlement; t2's
		// 70,000.00 is still in flight.
		f.RequireBalance(suspense.ID, "-70000.00")
		f.RequireBalance(settlement.ID, "-60000.00")
		got, err = f.clr.Transfer(f.Ctx, t1.ID)
		require.NoError(t, err)
		p, _ = got.Progress()
		require.Equal(t, clearing.ProgressSettled, p)

		// The clearing house rejects t2: back to c1 from HVPS suspense.
		_, err = f.clr.Receive(f.Ctx, statusReport("STS-1", []groupStatus{{msgID: sent[1].MessageID, status: "RJCT", reason: "AC01"}}))
		require.NoError(t, err)
		f.RequireBalance(suspense.ID, "0.00")
		got, err = f.clr.Transfer(f.Ctx, t2.ID)
		require.NoError(t, err)
		p, why = got.Progress()
		require.Equal(t, clearing.ProgressRejected, p)
		require.Contains(t, why, "AC01")

		// The beneficiary's bank returns settled t1: from HVPS settlement.
		_, err = f.clr.Receive(f.Ctx, returnOf(t, "RET-1", iso20022.ReasonClosedAccount, t1))
		require.NoError(t, err)
		f.RequireBalance(settlement.ID, "0.00")
		got, err = f.clr.Transfer(f.Ctx, t1.ID)
		require.NoError(t, err)
		p, why = got.Progress()
		require.Equal(t, clearing.ProgressReturned, p)
		require.Equal(t, "AC04: returned by the suite", why)
		// The HVPS fees of the returned and the rejected transfer come back
		// with them: 300,000.00 - 1,000.00 (t3, still sent, no IBPS fee).
		f.RequireBalance(a.ID, "299000.00")
		f.RequireBalance(f.chart(money.CNY, ledger.CodeFeesIncome).ID, "0.00")
		require.Equal(t, clearing.StatusBatched, f.transferStatus(t3.ID))
		f.RequireTrialBalanced()
	}},
	{Name: "a return or rejection refunds the channel fee with the principal, once", Run: func(t *testing.T, f *fixture) {
		f = channelFixture(t, f, monday(10, 0))
		a := f.funded("c1", "100000.00")
		fees := f.chart(money.CNY, ledger.CodeFeesIncome)
		bulk := f.outWith(a.ID, "20000.00", false, "bulk")   // BEPS, fee 1.00
		large := f.outWith(a.ID, "60000.00", false, "large") // HVPS, fee 5.00
		// 100,000.00 - 20,001.00 - 60,005.00 = 19,994.00.
		f.RequireBalance(a.ID, "19994.00")
		f.RequireBalance(fees.ID, "6.00")
		f.Clock.Set(monday(13, 0))
		sent := f.sendDue()
		require.Equal(t, []string{"HVPS", "BEPS"}, batchChannels(sent))
		_, bepsSuspense := f.channelAccounts("BEPS")
		hvpsSettlement, _ := f.channelAccounts("HVPS")
		_, err := f.clr.Settle(f.Ctx, sent[0].ID)
		require.NoError(t, err)

		// The clearing house rejects the bulk payment: 20,000.00 from BEPS
		// suspense and the 1.00 fee from fees income, in one entry.
		_, err = f.clr.Receive(f.Ctx, statusReport("STS-F", []groupStatus{{msgID: sent[1].MessageID, status: "RJCT", reason: "AC01"}}))
		require.NoError(t, err)
		f.RequireBalance(a.ID, "39995.00") // 19,994.00 + 20,001.00
		f.RequireBalance(fees.ID, "5.00")
		f.RequireBalance(bepsSuspense.ID, "0.00")
		got, err := f.clr.Transfer(f.Ctx, bulk.ID)
		require.NoError(t, err)
		e, err := f.Svc.Entry(f.Ctx, got.ReturnEntryID)
		require.NoError(t, err)
		requirePostings(t, []ledger.Posting{
			{AccountID: bepsSuspense.ID, Side: ledger.Debit, Amount: cny("20000.00")},
			{AccountID: fees.ID, Side: ledger.Debit, Amount: cny("1.00")},
			{AccountID: a.ID, Side: ledger.Credit, Amount: cny("20001.00")},
		}, e.Postings)
		require.Equal(t, "1.00", e.Metadata["fee_refunded"])

		// The beneficiary's bank returns the settled large-value payment:
		// 60,000.00 from HVPS settlement and the 5.00 fee.
		_, err = f.clr.Receive(f.Ctx, returnOf(t, "RET-F1", iso20022.ReasonClosedAccount, large))
		require.NoError(t, err)
		f.RequireBalance(a.ID, "100000.00")
		f.RequireBalance(fees.ID, "0.00")
		f.RequireBalance(hvpsSettlement.ID, "0.00")

		// The same return again, as the same message and as a new one with
		// the same reason, and the rejection again: nothing more posts.
		_, err = f.clr.Receive(f.Ctx, returnOf(t, "RET-F1", iso20022.ReasonClosedAccount, large))
		require.NoError(t, err)
		r, err := f.clr.Receive(f.Ctx, returnOf(t, "RET-F2", iso20022.ReasonClosedAccount, large))
		require.NoError(t, err)
		require.Len(t, r.Returned, 1, "the same return by another message finishes the first, harmlessly")
		_, err = f.clr.Receive(f.Ctx, statusReport("STS-F2", []groupStatus{{msgID: sent[1].MessageID, status: "RJCT", reason: "AC01"}}))
		require.NoError(t, err)
		f.RequireBalance(a.ID, "100000.00")
		f.RequireBalance(fees.ID, "0.00")
		f.RequireTrialBalanced()
	}},
	{Name: "without channels, and in currencies channels do not clear, transfers go to the single network", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "100000.00")
		plain := f.out(a.ID, "80000.00", "plain")
		require.Empty(t, plain.Channel)
		require.True(t, plain.SendAfter.IsZero())
		require.True(t, plain.Fee.Equal(cny("0.00")))
		g := channelFixture(t, f, monday(10, 0))
		require.Empty(t, g.sendDue(), "a transfer of no channel is not a channel's")
		b, err := g.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		require.Empty(t, b.Channel)
		require.Equal(t, []ledger.ID{plain.ID}, b.TransferIDs)
		routed := g.outWith(a.ID, "10.00", false, "routed")
		_, err = g.clr.CutBatch(f.Ctx, money.CNY)
		require.ErrorIs(t, err, ledger.ErrNotFound, "CutBatch leaves channel transfers to SendDue")
		require.Equal(t, "IBPS", routed.Channel)
		_, err = g.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{FromAccountID: a.ID, Amount: usd("10.00"), Urgent: true,
			To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}})
		require.Error(t, err, "no channel clears USD, so urgent cannot be honoured")
	}},
	{Name: "a channel's per-item limit refuses a larger payment and nothing posts", Run: func(t *testing.T, f *fixture) {
		cal, err := calendar.NewBusinessCalendar()
		require.NoError(t, err)
		cs := clearing.DefaultChannels(cal)
		cs.List[0].MaxPerItem = decimal.RequireFromString("1000000.00") // HVPS
		f.Clock.Set(monday(10, 0))
		g := newFixtureOver(t, f, clearing.WithChannels(cs))
		a := g.funded("c1", "2000000.00")
		_, err = g.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{FromAccountID: a.ID, Amount: cny("1000000.01"),
			To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}})
		requireInvalid(t, err, "amount")
		g.RequireBalance(a.ID, "2000000.00")
		ok := g.outWith(a.ID, "1000000.00", false, "at-limit")
		require.Equal(t, "HVPS", ok.Channel)
	}},
	{Name: "a channel configuration that cannot route is refused", Run: func(t *testing.T, f *fixture) {
		cal, err := calendar.NewBusinessCalendar()
		require.NoError(t, err)
		bad := []struct {
			field string
			edit  func(*clearing.Channels)
		}{
			{"channels.small_amount", func(c *clearing.Channels) { c.SmallAmount = decimal.RequireFromString("50000.00") }},
			{"channels.list", func(c *clearing.Channels) { c.List = c.List[:2] }},
			{"channels.list[1].cutoffs", func(c *clearing.Channels) { c.List[1].Cutoffs = nil }},
			{"channels.list[0].fee", func(c *clearing.Channels) { c.List[0].Fee = decimal.RequireFromString("0.001") }},
			{"channels.list[2].code", func(c *clearing.Channels) { c.List[2].Code = "HVPS" }},
			{"channels.calendar", func(c *clearing.Channels) { c.Calendar = nil }},
		}
		for _, tc := range bad {
			cs := clearing.DefaultChannels(cal)
			tc.edit(&cs)
			_, err := clearing.NewService(f.Svc, f.cstore, f.recon, f.net, clearing.WithBankIdentity(testBIC, ""), clearing.WithChannels(cs))
			requireInvalid(t, err, tc.field)
		}
	}},
	{Name: "concurrent transfers and sends put every due channel transfer in exactly one message of its channel", Run: func(t *testing.T, f *fixture) {
		f = channelFixture(t, f, monday(13, 0)) // HVPS open, a BEPS cut-off now
		a := f.funded("c1", "1000000.00")
		amounts := []string{"1000.00", "20000.00", "60000.00"} // IBPS, BEPS, HVPS
		var wg sync.WaitGroup
		for i := range 24 {
			wg.Go(func() {
				_, err := f.clr.TransferOut(f.Ctx, clearing.TransferOutRequest{FromAccountID: a.ID, Amount: cny(amounts[i%3]),
					To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}})
				assertNoError(t, err)
			})
			if i%6 == 0 {
				wg.Go(func() {
					_, err := f.clr.SendDue(f.Ctx)
					assertNoError(t, err)
				})
			}
		}
		wg.Wait()
		f.sendDue() // whatever the racing sends left
		seen := map[string]string{}
		perChannel := map[string]int{}
		for _, m := range f.net.messages() {
			parsed, err := iso20022.ParseCreditTransfer(bytes.NewReader(m.XML))
			require.NoError(t, err)
			if m.Channel != "BEPS" {
				require.Len(t, parsed.Transactions, 1, "a real-time message carries one payment")
			}
			for _, tx := range parsed.Transactions {
				require.NotContains(t, seen, tx.EndToEndID, "sent twice")
				seen[tx.EndToEndID] = m.Channel
				perChannel[m.Channel]++
			}
		}
		require.Equal(t, map[string]int{"IBPS": 8, "BEPS": 8, "HVPS": 8}, perChannel)
		// 8 x (1,000.00 + 0.00) + 8 x (20,000.00 + 1.00) + 8 x (60,000.00 + 5.00)
		//  = 8,000.00 + 160,008.00 + 480,040.00 = 648,048.00 debited.
		f.RequireBalance(a.ID, "351952.00")
		f.RequireTrialBalanced()
	}},
}
