package customertest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

func testLinkedAccounts(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	c := e.create(zhang())
	for _, l := range []struct {
		account string
		rel     customer.Relationship
	}{{"acct-2", customer.RelationshipJointOwner}, {"acct-1", customer.RelationshipOwner}, {"acct-3", customer.RelationshipAuthorisedUser}} {
		_, err := e.svc.LinkAccount(e.ctx, c.ID, l.account, l.rel)
		require.NoError(t, err)
	}
	_, err := e.svc.LinkAccount(e.ctx, c.ID, "acct-1", customer.RelationshipJointOwner)
	require.ErrorIs(t, err, customer.ErrDuplicate)
	_, err = e.svc.LinkAccount(e.ctx, customer.NewID(), "acct-9", customer.RelationshipOwner)
	require.ErrorIs(t, err, customer.ErrNotFound)
	_, err = e.svc.LinkAccount(e.ctx, c.ID, "acct-9", "beneficiary")
	requireField(t, err, "relationship")
	_, err = e.svc.LinkAccount(e.ctx, c.ID, "acct 9", customer.RelationshipOwner)
	requireField(t, err, "account_id")
	_, err = e.svc.LinkAccount(e.ctx, customer.NilID, "acct-9", customer.RelationshipOwner)
	requireField(t, err, "customer_id")

	links, err := e.svc.Accounts(e.ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, []customer.AccountLink{
		{CustomerID: c.ID, AccountID: "acct-1", Relationship: customer.RelationshipOwner, LinkedAt: start},
		{CustomerID: c.ID, AccountID: "acct-2", Relationship: customer.RelationshipJointOwner, LinkedAt: start},
		{CustomerID: c.ID, AccountID: "acct-3", Relationship: customer.RelationshipAuthorisedUser, LinkedAt: start},
	}, links)

	require.NoError(t, e.svc.UnlinkAccount(e.ctx, c.ID, "acct-2"))
	require.ErrorIs(t, e.svc.UnlinkAccount(e.ctx, c.ID, "acct-2"), customer.ErrNotFound)
	links, err = e.svc.Accounts(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, links, 2)
}

func testDocuments(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	a, b := e.create(zhang()), e.create(traveller(1))
	day := calendar.MustParseDate

	idCard, err := e.svc.AddDocument(e.ctx, a.ID, customer.NewDocument{Type: customer.DocumentPRCResidentID, Number: prcID1,
		IssuingCountry: "CN", IssuedOn: day("2016-04-01"), ExpiresOn: day("2026-04-01"), Primary: true})
	require.NoError(t, err)
	require.Equal(t, "110105********002X", idCard.Number)
	require.Equal(t, customer.KYCPending, idCard.Verification)
	require.True(t, idCard.Primary)

	old, err := e.svc.AddDocument(e.ctx, b.ID, customer.NewDocument{Type: customer.DocumentPassport, Number: "p00000001",
		IssuingCountry: "GBR", IssuedOn: day("2015-01-01"), ExpiresOn: day("2025-01-01"), Primary: true})
	require.NoError(t, err)
	require.Equal(t, "GB", old.IssuingCountry, "stored as alpha-2")
	expiredSecondary, err := e.svc.AddDocument(e.ctx, a.ID, customer.NewDocument{Type: customer.DocumentDrivingLicence,
		Number: "DL12345", IssuingCountry: "CN", IssuedOn: day("2010-01-01"), ExpiresOn: day("2020-01-01")})
	require.NoError(t, err)
	require.False(t, expiredSecondary.Primary)

	due := func() []customer.ID {
		docs, err := e.svc.KYCReviewDue(e.ctx, customer.Page{})
		require.NoError(t, err)
		var out []customer.ID
		for _, d := range docs {
			out = append(out, d.ID)
		}
		return out
	}
	require.Equal(t, []customer.ID{old.ID}, due(), "only an expired primary document")

	// The ID card expires on 2026-04-01: due from the day after.
	e.clock.Set(day("2026-04-01").In(time.UTC).Add(12 * time.Hour))
	require.Equal(t, []customer.ID{old.ID}, due())
	e.clock.Set(day("2026-04-02").In(time.UTC))
	require.Equal(t, []customer.ID{idCard.ID, old.ID}, due())

	// A new primary passport replaces the expired primary for b.
	fresh, err := e.svc.AddDocument(e.ctx, b.ID, customer.NewDocument{Type: customer.DocumentPassport, Number: "P00000002",
		IssuingCountry: "GB", IssuedOn: day("2025-02-01"), ExpiresOn: day("2035-02-01"), Primary: true})
	require.NoError(t, err)
	require.Equal(t, []customer.ID{idCard.ID}, due())
	docs, err := e.svc.Documents(e.ctx, b.ID)
	require.NoError(t, err)
	require.Len(t, docs, 2)
	require.False(t, docs[0].Primary)
	require.True(t, docs[1].Primary)
	require.Equal(t, fresh.ID, docs[1].ID)

	// Making the old one primary again demotes the new one.
	_, err = e.svc.SetPrimaryDocument(e.ctx, old.ID)
	require.NoError(t, err)
	docs, err = e.svc.Documents(e.ctx, b.ID)
	require.NoError(t, err)
	require.True(t, docs[0].Primary)
	require.False(t, docs[1].Primary)

	v, err := e.svc.VerifyDocument(e.ctx, idCard.ID, customer.KYCVerified)
	require.NoError(t, err)
	require.Equal(t, customer.KYCVerified, v.Verification)
	_, err = e.svc.VerifyDocument(e.ctx, idCard.ID, customer.KYCVerified)
	require.ErrorIs(t, err, customer.ErrInvalidTransition)
	_, err = e.svc.VerifyDocument(e.ctx, customer.NewID(), customer.KYCVerified)
	require.ErrorIs(t, err, customer.ErrNotFound)
	_, err = e.svc.VerifyDocument(e.ctx, idCard.ID, "ok")
	requireField(t, err, "verification")

	valid := customer.NewDocument{Type: customer.DocumentPassport, Number: "E12345678", IssuingCountry: "CN",
		IssuedOn: day("2020-01-01"), ExpiresOn: day("2030-01-01")}
	bad := []struct {
		field  string
		mutate func(d *customer.NewDocument)
	}{
		{"document.type", func(d *customer.NewDocument) { d.Type = "LIBRARY_CARD" }},
		{"document.number", func(d *customer.NewDocument) { d.Number = "E1" }},
		{"document.number", func(d *customer.NewDocument) { d.Type, d.Number = customer.DocumentPRCResidentID, "110105194912310021" }},
		{"document.issuing_country", func(d *customer.NewDocument) { d.IssuingCountry = "" }},
		{"document.issuing_country", func(d *customer.NewDocument) {
			d.Type, d.Number, d.IssuingCountry = customer.DocumentPRCResidentID, prcID1, "GB"
		}},
		{"document.issued_on", func(d *customer.NewDocument) { d.IssuedOn = calendar.Date{} }},
		{"document.issued_on", func(d *customer.NewDocument) { d.IssuedOn = day("2027-01-01") }},
		{"document.expires_on", func(d *customer.NewDocument) { d.ExpiresOn = day("2019-12-31") }},
	}
	for _, tt := range bad {
		d := valid
		tt.mutate(&d)
		_, err := e.svc.AddDocument(e.ctx, a.ID, d)
		requireField(t, err, tt.field)
	}
	_, err = e.svc.AddDocument(e.ctx, customer.NewID(), valid)
	require.ErrorIs(t, err, customer.ErrNotFound)
	docs, err = e.svc.Documents(e.ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, docs, 2, "nothing stored by the refused documents")
}

func testConsent(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	c := e.create(zhang())
	day := calendar.MustParseDate

	has := func(p customer.Purpose, ch customer.Channel) bool {
		ok, err := e.svc.HasConsent(e.ctx, c.ID, p, ch)
		require.NoError(t, err)
		return ok
	}
	require.False(t, has(customer.PurposeMarketing, customer.ChannelSMS), "no consent by default")

	_, err := e.svc.GrantConsent(e.ctx, c.ID, customer.ConsentRequest{Purpose: customer.PurposeMarketing, Channel: customer.ChannelSMS,
		Source: "app", ValidUntil: day("2026-06-30")})
	require.NoError(t, err)
	e.clock.Advance(time1h)
	_, err = e.svc.GrantConsent(e.ctx, c.ID, customer.ConsentRequest{Purpose: customer.PurposeDataSharing, Channel: customer.ChannelEmail, Source: "branch/0012"})
	require.NoError(t, err)
	require.True(t, has(customer.PurposeMarketing, customer.ChannelSMS))
	require.False(t, has(customer.PurposeMarketing, customer.ChannelEmail), "consent is per channel")

	e.clock.Advance(time1h)
	_, err = e.svc.WithdrawConsent(e.ctx, c.ID, customer.ConsentRequest{Purpose: customer.PurposeDataSharing, Channel: customer.ChannelEmail, Source: "call centre"})
	require.NoError(t, err)
	require.False(t, has(customer.PurposeDataSharing, customer.ChannelEmail))

	// The grant lapses after its last valid day.
	e.clock.Set(day("2026-06-30").In(time.UTC).Add(23 * time.Hour))
	require.True(t, has(customer.PurposeMarketing, customer.ChannelSMS))
	e.clock.Set(day("2026-07-01").In(time.UTC))
	require.False(t, has(customer.PurposeMarketing, customer.ChannelSMS))

	history, err := e.svc.ConsentHistory(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, history, 3, "a history, not a flag")
	require.Equal(t, []bool{true, true, false}, []bool{history[0].Granted, history[1].Granted, history[2].Granted})
	require.Equal(t, start.Add(2*time1h), history[2].At)
	require.Equal(t, "call centre", history[2].Source)
	require.Equal(t, day("2026-06-30"), history[0].ValidUntil)

	var changes []customer.ConsentChanged
	for _, ev := range e.events() {
		if ev.Type == customer.EventConsentChanged {
			changes = append(changes, payload[customer.ConsentChanged](t, ev, customer.EventConsentChanged, c.ID))
		}
	}
	require.Equal(t, []customer.ConsentChanged{
		{CustomerID: c.ID, Purpose: customer.PurposeMarketing, Channel: customer.ChannelSMS, Granted: true, ValidUntil: day("2026-06-30")},
		{CustomerID: c.ID, Purpose: customer.PurposeDataSharing, Channel: customer.ChannelEmail, Granted: true},
		{CustomerID: c.ID, Purpose: customer.PurposeDataSharing, Channel: customer.ChannelEmail, Granted: false},
	}, changes)

	bad := []struct {
		field string
		r     customer.ConsentRequest
		grant bool
	}{
		{"purpose", customer.ConsentRequest{Purpose: "spam", Channel: customer.ChannelSMS, Source: "app"}, true},
		{"channel", customer.ConsentRequest{Purpose: customer.PurposeMarketing, Channel: "fax", Source: "app"}, true},
		{"source", customer.ConsentRequest{Purpose: customer.PurposeMarketing, Channel: customer.ChannelSMS}, true},
		{"source", customer.ConsentRequest{Purpose: customer.PurposeMarketing, Channel: customer.ChannelSMS, Source: "app\x00"}, true},
		{"valid_until", customer.ConsentRequest{Purpose: customer.PurposeMarketing, Channel: customer.ChannelSMS, Source: "app", ValidUntil: day("2026-01-01")}, true},
		{"valid_until", customer.ConsentRequest{Purpose: customer.PurposeMarketing, Channel: customer.ChannelSMS, Source: "app", ValidUntil: day("2027-01-01")}, false},
	}
	for _, b := range bad {
		var err error
		if b.grant {
			_, err = e.svc.GrantConsent(e.ctx, c.ID, b.r)
		} else {
			_, err = e.svc.WithdrawConsent(e.ctx, c.ID, b.r)
		}
		requireField(t, err, b.field)
	}
	_, err = e.svc.GrantConsent(e.ctx, customer.NewID(), customer.ConsentRequest{Purpose: customer.PurposeMarketing, Channel: customer.ChannelSMS, Source: "app"})
	require.ErrorIs(t, err, customer.ErrNotFound)
	history, err = e.svc.ConsentHistory(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, history, 3, "refused requests store nothing")
}

func testInteractions(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore)
	c := e.create(zhang())
	var want []customer.ID
	for i := range 7 {
		in, err := e.svc.LogInteraction(e.ctx, c.ID, customer.NewInteraction{Channel: customer.ChannelPhone,
			Topic: "card", Summary: "asked about the annual fee\nexplained the waiver", StaffID: "agent-" + string(rune('a'+i))})
		require.NoError(t, err)
		want = append(want, in.ID)
		e.clock.Advance(time.Minute)
	}
	first, err := e.svc.Interactions(e.ctx, c.ID, customer.Page{Limit: 4})
	require.NoError(t, err)
	rest, err := e.svc.Interactions(e.ctx, c.ID, customer.Page{After: first[3].ID, Limit: 4})
	require.NoError(t, err)
	var got []customer.ID
	for _, in := range append(first, rest...) {
		got = append(got, in.ID)
	}
	require.Equal(t, want, got)
	require.Equal(t, "agent-a", first[0].StaffID)
	require.Equal(t, start, first[0].At)
	require.Equal(t, "asked about the annual fee\nexplained the waiver", first[0].Summary)

	bad := []struct {
		field string
		n     customer.NewInteraction
	}{
		{"channel", customer.NewInteraction{Channel: "telepathy", Topic: "t", Summary: "s", StaffID: "x"}},
		{"topic", customer.NewInteraction{Channel: customer.ChannelPhone, Summary: "s", StaffID: "x"}},
		{"summary", customer.NewInteraction{Channel: customer.ChannelPhone, Topic: "t", StaffID: "x"}},
		{"staff_id", customer.NewInteraction{Channel: customer.ChannelPhone, Topic: "t", Summary: "s"}},
		{"topic", customer.NewInteraction{Channel: customer.ChannelPhone, Topic: "t\x00", Summary: "s", StaffID: "x"}},
		{"topic", customer.NewInteraction{Channel: customer.ChannelPhone, Topic: "two\nlines", Summary: "s", StaffID: "x"}},
		{"summary", customer.NewInteraction{Channel: customer.ChannelPhone, Topic: "t", Summary: "s\x00", StaffID: "x"}},
		{"staff_id", customer.NewInteraction{Channel: customer.ChannelPhone, Topic: "t", Summary: "s", StaffID: "x\x1b"}},
	}
	for _, b := range bad {
		_, err := e.svc.LogInteraction(e.ctx, c.ID, b.n)
		requireField(t, err, b.field)
	}
	_, err = e.svc.LogInteraction(e.ctx, customer.NewID(), customer.NewInteraction{Channel: customer.ChannelPhone, Topic: "t", Summary: "s", StaffID: "x"})
	require.ErrorIs(t, err, customer.ErrNotFound)
	all, err := e.svc.Interactions(e.ctx, c.ID, customer.Page{})
	require.NoError(t, err)
	require.Len(t, all, 7)
}

func testComplaints(t *testing.T, newStore func(*testing.T) customer.Store) {
	e := newEnv(t, newStore, customer.WithComplaintSLA(5))
	c := e.create(zhang())
	day := calendar.MustParseDate

	// Opened Monday 2026-03-02; five business days later is Monday 2026-03-09.
	k, err := e.svc.OpenComplaint(e.ctx, c.ID, customer.NewComplaint{Category: customer.CategoryFees,
		Description: "charged twice for the card fee", Channel: customer.ChannelApp})
	require.NoError(t, err)
	require.Equal(t, customer.ComplaintOpen, k.Status)
	require.Equal(t, day("2026-03-09"), k.DueOn)
	// Opened on Friday 2026-03-06, due the next Friday.
	e.clock.Set(day("2026-03-06").In(time.UTC).Add(10 * time.Hour))
	k2, err := e.svc.OpenComplaint(e.ctx, c.ID, customer.NewComplaint{Category: customer.CategoryService,
		Description: "rude staff", Channel: customer.ChannelBranch})
	require.NoError(t, err)
	require.Equal(t, day("2026-03-13"), k2.DueOn)

	overdue := func() []customer.ID {
		ks, err := e.svc.OverdueComplaints(e.ctx, customer.Page{})
		require.NoError(t, err)
		var out []customer.ID
		for _, k := range ks {
			out = append(out, k.ID)
		}
		return out
	}
	e.clock.Set(day("2026-03-09").In(time.UTC).Add(17 * time.Hour))
	require.Empty(t, overdue(), "due today is not yet overdue")
	e.clock.Set(day("2026-03-10").In(time.UTC).Add(9 * time.Hour))
	require.Equal(t, []customer.ID{k.ID}, overdue())

	k, err = e.svc.AssignComplaint(e.ctx, k.ID, "agent-5")
	require.NoError(t, err)
	require.Equal(t, customer.ComplaintInProgress, k.Status)
	require.Equal(t, "agent-5", k.Assignee)
	require.Equal(t, []customer.ID{k.ID}, overdue(), "in progress is still overdue")

	_, err = e.svc.CloseComplaint(e.ctx, k.ID, 4)
	require.ErrorIs(t, err, customer.ErrInvalidTransition, "close needs a resolution first")
	k, err = e.svc.ResolveComplaint(e.ctx, k.ID, "refunded the second fee")
	require.NoError(t, err)
	require.Equal(t, customer.ComplaintResolved, k.Status)
	require.Equal(t, "refunded the second fee", k.Resolution)
	require.Empty(t, overdue())

	k, err = e.svc.CloseComplaint(e.ctx, k.ID, 4)
	require.NoError(t, err)
	require.Equal(t, customer.ComplaintClosed, k.Status)
	require.Equal(t, 4, k.Satisfaction)

	// Reopened on Tuesday 2026-03-10: a fresh due date five business days on.
	k, err = e.svc.ReopenComplaint(e.ctx, k.ID)
	require.NoError(t, err)
	require.Equal(t, customer.ComplaintOpen, k.Status)
	require.Equal(t, 1, k.Reopened)
	require.Equal(t, day("2026-03-17"), k.DueOn)
	require.Equal(t, int64(5), k.Version)
	_, err = e.svc.ReopenComplaint(e.ctx, k.ID)
	require.ErrorIs(t, err, customer.ErrInvalidTransition)

	stored, err := e.svc.Complaint(e.ctx, k.ID)
	require.NoError(t, err)
	require.Equal(t, k, stored)
	list, err := e.svc.Complaints(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, k.ID, list[0].ID)

	_, err = e.svc.OpenComplaint(e.ctx, c.ID, customer.NewComplaint{Category: "weather", Description: "d", Channel: customer.ChannelApp})
	requireField(t, err, "category")
	_, err = e.svc.OpenComplaint(e.ctx, c.ID, customer.NewComplaint{Category: customer.CategoryFees, Channel: customer.ChannelApp})
	requireField(t, err, "description")
	for _, bad := range []string{"fee\x00", "fee\vcharged", "fee \u0085", "fee \xff"} {
		_, err = e.svc.OpenComplaint(e.ctx, c.ID, customer.NewComplaint{Category: customer.CategoryFees, Description: bad, Channel: customer.ChannelApp})
		requireField(t, err, "description")
		_, err = e.svc.ResolveComplaint(e.ctx, k2.ID, bad)
		requireField(t, err, "resolution")
	}
	_, err = e.svc.OpenComplaint(e.ctx, c.ID, customer.NewComplaint{Category: customer.CategoryFees, Description: "d", Channel: "x"})
	requireField(t, err, "channel")
	_, err = e.svc.OpenComplaint(e.ctx, customer.NewID(), customer.NewComplaint{Category: customer.CategoryFees, Description: "d", Channel: customer.ChannelApp})
	require.ErrorIs(t, err, customer.ErrNotFound)
	_, err = e.svc.AssignComplaint(e.ctx, k2.ID, "")
	requireField(t, err, "assignee")
	_, err = e.svc.ResolveComplaint(e.ctx, k2.ID, "")
	requireField(t, err, "resolution")
	_, err = e.svc.CloseComplaint(e.ctx, k2.ID, 6)
	requireField(t, err, "satisfaction")
	_, err = e.svc.AssignComplaint(e.ctx, customer.NewID(), "agent")
	require.ErrorIs(t, err, customer.ErrNotFound)
	list, err = e.svc.Complaints(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, k2, list[1], "refused steps change nothing")
}
