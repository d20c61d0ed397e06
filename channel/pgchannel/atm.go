package pgchannel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/money"
)

var _ channel.ATMStore = (*Store)(nil)

const (
	atmsPkey           = "atms_pkey"
	atmCredentialKey   = "atms_credential_hash_key"
	replenishmentsPkey = "atm_replenishments_pkey"
	atmColumns         = `id, credential_hash, branch, address, latitude, longitude, model, cassettes, cash_accounts,
		state, fault_code, last_heartbeat, open_ticket, created_at`
	atmWithdrawalColumns = `device_id, txn_id, id, account_id, currency, amount, state, hold_id, plan, dispensed, reason,
		created_at, updated_at, settled_at`
	replenishmentColumns = `id, device_id, state, scheduled_for, lines, returned, posted, created_at, loaded_at, confirmed_at`
	atmTicketColumns     = `id, device_id, code, opened_at, closed_at, updated_at`
)

type cassetteJSON struct {
	Currency     money.Currency  `json:"currency"`
	Denomination decimal.Decimal `json:"denomination"`
	Capacity     int             `json:"capacity"`
	Count        int             `json:"count"`
	LowAt        int             `json:"low_at"`
}

type noteJSON struct {
	Denomination decimal.Decimal `json:"denomination"`
	Count        int             `json:"count"`
}

type lineJSON struct {
	Currency     money.Currency  `json:"currency"`
	Denomination decimal.Decimal `json:"denomination"`
	Count        int             `json:"count"`
}

type atmRow struct {
	ID             string          `db:"id"`
	CredentialHash []byte          `db:"credential_hash"`
	Branch         string          `db:"branch"`
	Address        string          `db:"address"`
	Latitude       decimal.Decimal `db:"latitude"`
	Longitude      decimal.Decimal `db:"longitude"`
	Model          string          `db:"model"`
	Cassettes      []byte          `db:"cassettes"`
	CashAccounts   []byte          `db:"cash_accounts"`
	State          string          `db:"state"`
	FaultCode      string          `db:"fault_code"`
	LastHeartbeat  sql.NullTime    `db:"last_heartbeat"`
	OpenTicket     uuid.NullUUID   `db:"open_ticket"`
	CreatedAt      time.Time       `db:"created_at"`
}

func (r atmRow) atm() (channel.ATM, error) {
	a := channel.ATM{ID: r.ID, Branch: r.Branch, Address: r.Address, Latitude: r.Latitude, Longitude: r.Longitude,
		Model: r.Model, State: channel.ATMState(r.State), FaultCode: r.FaultCode, LastHeartbeat: timeOf(r.LastHeartbeat),
		OpenTicket: r.OpenTicket.UUID, CreatedAt: r.CreatedAt.UTC()}
	copy(a.CredentialHash[:], r.CredentialHash)
	var cs []cassetteJSON
	if err := json.Unmarshal(r.Cassettes, &cs); err != nil {
		return channel.ATM{}, fmt.Errorf("pgchannel: cassettes of %s: %w", r.ID, err)
	}
	for _, c := range cs {
		a.Cassettes = append(a.Cassettes, channel.Cassette(c))
	}
	if err := json.Unmarshal(r.CashAccounts, &a.CashAccounts); err != nil {
		return channel.ATM{}, fmt.Errorf("pgchannel: cash accounts of %s: %w", r.ID, err)
	}
	return a, nil
}

func cassettesJSON(a channel.ATM) ([]byte, error) {
	cs := make([]cassetteJSON, 0, len(a.Cassettes))
	for _, c := range a.Cassettes {
		cs = append(cs, cassetteJSON(c))
	}
	return json.Marshal(cs)
}

func notesJSON(ns []channel.NoteCount) ([]byte, error) {
	out := make([]noteJSON, 0, len(ns))
	for _, n := range ns {
		out = append(out, noteJSON(n))
	}
	return json.Marshal(out)
}

func notesOf(b []byte) ([]channel.NoteCount, error) {
	var ns []noteJSON
	if err := json.Unmarshal(b, &ns); err != nil {
		return nil, err
	}
	var out []channel.NoteCount
	for _, n := range ns {
		out = append(out, channel.NoteCount(n))
	}
	return out, nil
}

func linesJSON(ls []channel.ReplenishmentLine) ([]byte, error) {
	out := make([]lineJSON, 0, len(ls))
	for _, l := range ls {
		out = append(out, lineJSON(l))
	}
	return json.Marshal(out)
}

func linesOf(b []byte) ([]channel.ReplenishmentLine, error) {
	var ls []lineJSON
	if err := json.Unmarshal(b, &ls); err != nil {
		return nil, err
	}
	var out []channel.ReplenishmentLine
	for _, l := range ls {
		out = append(out, channel.ReplenishmentLine(l))
	}
	return out, nil
}

func nullUUID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

// CreateATM implements channel.ATMStore.
func (s *Store) CreateATM(ctx context.Context, a channel.ATM) error {
	cs, err := cassettesJSON(a)
	if err != nil {
		return err
	}
	accts, err := json.Marshal(a.CashAccounts)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO channel.atms (`+atmColumns+`, counts)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		a.ID, a.CredentialHash[:], a.Branch, a.Address, a.Latitude, a.Longitude, a.Model, cs, accts,
		string(a.State), a.FaultCode, nullTime(a.LastHeartbeat), nullUUID(a.OpenTicket), a.CreatedAt, countsOf(a))
	switch {
	case pgtx.IsUniqueViolation(err, atmsPkey):
		return fmt.Errorf("%w: device %s", channel.ErrDuplicate, a.ID)
	case pgtx.IsUniqueViolation(err, atmCredentialKey):
		return fmt.Errorf("%w: device credential", channel.ErrDuplicate)
	}
	return err
}

func (s *Store) atmWhere(ctx context.Context, q sqlx.QueryerContext, where string, key any) (channel.ATM, error) {
	var r atmRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+atmColumns+` FROM channel.atms WHERE `+where, key)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.ATM{}, notFound("device", key)
	}
	if err != nil {
		return channel.ATM{}, err
	}
	return r.atm()
}

// ATM implements channel.ATMStore.
func (s *Store) ATM(ctx context.Context, id string) (channel.ATM, error) {
	return s.atmWhere(ctx, s.db, "id = $1", id)
}

// ATMByCredential implements channel.ATMStore.
func (s *Store) ATMByCredential(ctx context.Context, h channel.TokenHash) (channel.ATM, error) {
	a, err := s.atmWhere(ctx, s.db, "credential_hash = $1", h[:])
	if errors.Is(err, channel.ErrNotFound) {
		return channel.ATM{}, notFound("device with credential", h)
	}
	return a, err
}

// ListATMs implements channel.ATMStore.
func (s *Store) ListATMs(ctx context.Context) ([]channel.ATM, error) {
	var rows []atmRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+atmColumns+` FROM channel.atms ORDER BY id`); err != nil {
		return nil, err
	}
	out := make([]channel.ATM, 0, len(rows))
	for _, r := range rows {
		a, err := r.atm()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// writeATM stores a device's changeable fields in tx.
func writeATM(ctx context.Context, tx *sqlx.Tx, a channel.ATM) error {
	cs, err := cassettesJSON(a)
	if err != nil {
		return err
	}
	accts, err := json.Marshal(a.CashAccounts)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE channel.atms SET branch = $2, address = $3, latitude = $4, longitude = $5,
		model = $6, cassettes = $7, cash_accounts = $8, state = $9, fault_code = $10, last_heartbeat = $11, open_ticket = $12,
		counts = $13
		WHERE id = $1`, a.ID, a.Branch, a.Address, a.Latitude, a.Longitude, a.Model, cs, accts, string(a.State), a.FaultCode,
		nullTime(a.LastHeartbeat), nullUUID(a.OpenTicket), countsOf(a))
	return err
}

// updateATMWhere is UpdateATM and HeartbeatATM: the device's row locked,
// fn, the row and the tickets written, in one transaction.
func (s *Store) updateATMWhere(ctx context.Context, where string, key any, fn func(channel.ATM) (channel.ATM, []channel.ATMTicket, error)) (channel.ATM, error) {
	var next channel.ATM
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		old, err := s.atmWhere(ctx, tx, where+" FOR UPDATE", key)
		if err != nil {
			return err
		}
		var tickets []channel.ATMTicket
		if next, tickets, err = fn(old.Clone()); err != nil {
			return err
		}
		next.ID, next.CredentialHash, next.CreatedAt = old.ID, old.CredentialHash, old.CreatedAt
		if err := writeATM(ctx, tx, next); err != nil {
			return err
		}
		for _, t := range tickets {
			if _, err := tx.ExecContext(ctx, `INSERT INTO channel.atm_tickets (`+atmTicketColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (id) DO UPDATE SET closed_at = EXCLUDED.closed_at, updated_at = EXCLUDED.updated_at`,
				t.ID, next.ID, t.Code, t.OpenedAt, nullTime(t.ClosedAt), t.UpdatedAt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return channel.ATM{}, err
	}
	return next, nil
}

// UpdateATM implements channel.ATMStore.
func (s *Store) UpdateATM(ctx context.Context, id string, fn func(channel.ATM) (channel.ATM, []channel.ATMTicket, error)) (channel.ATM, error) {
	return s.updateATMWhere(ctx, "id = $1", id, fn)
}

// HeartbeatATM implements channel.ATMStore.
func (s *Store) HeartbeatATM(ctx context.Context, h channel.TokenHash, fn func(channel.ATM) (channel.ATM, []channel.ATMTicket, error)) (channel.ATM, error) {
	a, err := s.updateATMWhere(ctx, "credential_hash = $1", h[:], fn)
	if errors.Is(err, channel.ErrNotFound) {
		return channel.ATM{}, notFound("device with credential", h)
	}
	return a, err
}

// AsyncHeartbeats commits the heartbeats that change nothing but the time
// (TouchATM) without waiting for the WAL flush. Such a heartbeat is soft
// state: a crash may forget the last few, and the device looks offline
// until its next one, seconds later. Heartbeats that change the state,
// open or close a ticket, or are refused take the locked, synchronous way
// whatever this says. PostgreSQL only (CockroachDB and YugabyteDB do not
// have the setting).
func AsyncHeartbeats() Option {
	return func(s *Store) { s.asyncHeartbeats = true }
}

// countsOf is the counts column: the cassettes' counts in order.
func countsOf(a channel.ATM) pq.Int64Array {
	out := make(pq.Int64Array, len(a.Cassettes))
	for i, k := range a.Cassettes {
		out[i] = int64(k.Count)
	}
	return out
}

// TouchATM implements channel.ATMStore: one UPDATE, committed on its own.
func (s *Store) TouchATM(ctx context.Context, h channel.TokenHash, st channel.ATMState, code string, counts []int, freshSince, at time.Time) (channel.ATM, bool, error) {
	var want any // NULL: counts not reported
	if counts != nil {
		c := make(pq.Int64Array, len(counts))
		for i, n := range counts {
			c[i] = int64(n)
		}
		want = c
	}
	from := ""
	if s.asyncHeartbeats {
		// set_config(..., true) lasts for the statement's own transaction,
		// up to and including its commit.
		from = " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS async"
	}
	var r atmRow
	err := sqlx.GetContext(ctx, s.db, &r, `UPDATE channel.atms
		SET last_heartbeat = CASE WHEN last_heartbeat < $2 THEN $2 ELSE last_heartbeat END`+from+`
		WHERE credential_hash = $1 AND state = $3 AND fault_code = $4 AND ($5::integer[] IS NULL OR counts = $5::integer[])
			AND last_heartbeat >= $6
		RETURNING `+atmColumns, h[:], at, string(st), code, want, freshSince)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.ATM{}, false, nil
	}
	if err != nil {
		return channel.ATM{}, false, err
	}
	a, err := r.atm()
	return a, err == nil, err
}

// RotateATMCredential implements channel.ATMStore.
func (s *Store) RotateATMCredential(ctx context.Context, id string, h channel.TokenHash) error {
	res, err := s.db.ExecContext(ctx, `UPDATE channel.atms SET credential_hash = $2 WHERE id = $1`, id, h[:])
	if pgtx.IsUniqueViolation(err, atmCredentialKey) {
		return fmt.Errorf("%w: device credential", channel.ErrDuplicate)
	}
	return oneRow(res, err)(notFound("device", id))
}

type atmWithdrawalRow struct {
	DeviceID  string          `db:"device_id"`
	TxnID     string          `db:"txn_id"`
	ID        uuid.UUID       `db:"id"`
	AccountID string          `db:"account_id"`
	Currency  money.Currency  `db:"currency"`
	Amount    decimal.Decimal `db:"amount"`
	State     string          `db:"state"`
	HoldID    string          `db:"hold_id"`
	Plan      []byte          `db:"plan"`
	Dispensed []byte          `db:"dispensed"`
	Reason    string          `db:"reason"`
	CreatedAt time.Time       `db:"created_at"`
	UpdatedAt time.Time       `db:"updated_at"`
	SettledAt sql.NullTime    `db:"settled_at"`
}

func (r atmWithdrawalRow) withdrawal() (channel.ATMWithdrawal, error) {
	w := channel.ATMWithdrawal{ID: r.ID, DeviceID: r.DeviceID, TxnID: r.TxnID, AccountID: r.AccountID,
		Amount: money.Money{Amount: r.Amount, Currency: r.Currency}, State: channel.ATMWithdrawalState(r.State),
		HoldID: r.HoldID, Reason: r.Reason, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), SettledAt: timeOf(r.SettledAt)}
	var err error
	if w.Plan, err = notesOf(r.Plan); err != nil {
		return w, fmt.Errorf("pgchannel: plan of withdrawal %s: %w", r.ID, err)
	}
	if w.Dispensed, err = notesOf(r.Dispensed); err != nil {
		return w, fmt.Errorf("pgchannel: notes of withdrawal %s: %w", r.ID, err)
	}
	return w, nil
}

// CreateATMWithdrawal implements channel.ATMStore.
func (s *Store) CreateATMWithdrawal(ctx context.Context, w channel.ATMWithdrawal) (channel.ATMWithdrawal, bool, error) {
	plan, err := notesJSON(w.Plan)
	if err != nil {
		return channel.ATMWithdrawal{}, false, err
	}
	disp, err := notesJSON(w.Dispensed)
	if err != nil {
		return channel.ATMWithdrawal{}, false, err
	}
	var (
		stored  channel.ATMWithdrawal
		created bool
	)
	err = pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM channel.atms WHERE id = $1`, w.DeviceID); err != nil {
			return err
		}
		if n == 0 {
			return notFound("device", w.DeviceID)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO channel.atm_withdrawals (`+atmWithdrawalColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (device_id, txn_id) DO NOTHING`,
			w.DeviceID, w.TxnID, w.ID, w.AccountID, w.Amount.Currency, w.Amount.Amount, string(w.State), w.HoldID,
			plan, disp, w.Reason, w.CreatedAt, w.UpdatedAt, nullTime(w.SettledAt))
		if err != nil {
			return err
		}
		rows, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = rows == 1
		stored, err = s.withdrawalWhere(ctx, tx, "", w.DeviceID, w.TxnID)
		return err
	})
	if err != nil {
		return channel.ATMWithdrawal{}, false, err
	}
	return stored, created, nil
}

func (s *Store) withdrawalWhere(ctx context.Context, q sqlx.QueryerContext, suffix, deviceID, txnID string) (channel.ATMWithdrawal, error) {
	var r atmWithdrawalRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+atmWithdrawalColumns+` FROM channel.atm_withdrawals
		WHERE device_id = $1 AND txn_id = $2`+suffix, deviceID, txnID)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.ATMWithdrawal{}, notFound("withdrawal", deviceID+"/"+txnID)
	}
	if err != nil {
		return channel.ATMWithdrawal{}, err
	}
	return r.withdrawal()
}

// ATMWithdrawal implements channel.ATMStore.
func (s *Store) ATMWithdrawal(ctx context.Context, deviceID, txnID string) (channel.ATMWithdrawal, error) {
	return s.withdrawalWhere(ctx, s.db, "", deviceID, txnID)
}

// UpdateATMWithdrawal implements channel.ATMStore.
func (s *Store) UpdateATMWithdrawal(ctx context.Context, deviceID, txnID string, fn func(channel.ATMWithdrawal, channel.ATM) (channel.ATMWithdrawal, channel.ATM, error)) (channel.ATMWithdrawal, error) {
	var next channel.ATMWithdrawal
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		a, err := s.atmWhere(ctx, tx, "id = $1 FOR UPDATE", deviceID)
		if errors.Is(err, channel.ErrNotFound) {
			return notFound("withdrawal", deviceID+"/"+txnID)
		}
		if err != nil {
			return err
		}
		w, err := s.withdrawalWhere(ctx, tx, " FOR UPDATE", deviceID, txnID)
		if err != nil {
			return err
		}
		nw, na, err := fn(w.Clone(), a.Clone())
		if err != nil {
			return err
		}
		nw.ID, nw.DeviceID, nw.TxnID, nw.CreatedAt = w.ID, w.DeviceID, w.TxnID, w.CreatedAt
		na.ID, na.CredentialHash, na.CreatedAt = a.ID, a.CredentialHash, a.CreatedAt
		plan, err := notesJSON(nw.Plan)
		if err != nil {
			return err
		}
		disp, err := notesJSON(nw.Dispensed)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE channel.atm_withdrawals SET state = $3, hold_id = $4, plan = $5,
			dispensed = $6, reason = $7, updated_at = $8, settled_at = $9 WHERE device_id = $1 AND txn_id = $2`,
			deviceID, txnID, string(nw.State), nw.HoldID, plan, disp, nw.Reason, nw.UpdatedAt, nullTime(nw.SettledAt)); err != nil {
			return err
		}
		if err := writeATM(ctx, tx, na); err != nil {
			return err
		}
		next = nw
		return nil
	})
	if err != nil {
		return channel.ATMWithdrawal{}, err
	}
	return next, nil
}

// ListATMWithdrawals implements channel.ATMStore.
func (s *Store) ListATMWithdrawals(ctx context.Context, f channel.ATMWithdrawalFilter) ([]channel.ATMWithdrawal, error) {
	q := `SELECT ` + atmWithdrawalColumns + ` FROM channel.atm_withdrawals WHERE device_id = $1 AND created_at >= $2`
	if f.Unsettled {
		q += ` AND settled_at IS NULL AND state IN ('dispensed', 'partial', 'failed')`
	}
	since := f.Since
	if since.IsZero() {
		since = time.Unix(0, 0)
	}
	var rows []atmWithdrawalRow
	if err := s.db.SelectContext(ctx, &rows, q+` ORDER BY created_at, id`, f.DeviceID, since); err != nil {
		return nil, err
	}
	out := make([]channel.ATMWithdrawal, 0, len(rows))
	for _, r := range rows {
		w, err := r.withdrawal()
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

type replenishmentRow struct {
	ID           uuid.UUID    `db:"id"`
	DeviceID     string       `db:"device_id"`
	State        string       `db:"state"`
	ScheduledFor time.Time    `db:"scheduled_for"`
	Lines        []byte       `db:"lines"`
	Returned     []byte       `db:"returned"`
	Posted       bool         `db:"posted"`
	CreatedAt    time.Time    `db:"created_at"`
	LoadedAt     sql.NullTime `db:"loaded_at"`
	ConfirmedAt  sql.NullTime `db:"confirmed_at"`
}

func (r replenishmentRow) replenishment() (channel.Replenishment, error) {
	out := channel.Replenishment{ID: r.ID, DeviceID: r.DeviceID, State: channel.ReplenishmentState(r.State),
		ScheduledFor: calendar.DateOf(r.ScheduledFor), Posted: r.Posted, CreatedAt: r.CreatedAt.UTC(),
		LoadedAt: timeOf(r.LoadedAt), ConfirmedAt: timeOf(r.ConfirmedAt)}
	var err error
	if out.Lines, err = linesOf(r.Lines); err != nil {
		return out, fmt.Errorf("pgchannel: lines of replenishment %s: %w", r.ID, err)
	}
	if out.Returned, err = linesOf(r.Returned); err != nil {
		return out, fmt.Errorf("pgchannel: returned notes of replenishment %s: %w", r.ID, err)
	}
	return out, nil
}

// CreateReplenishment implements channel.ATMStore.
func (s *Store) CreateReplenishment(ctx context.Context, r channel.Replenishment) error {
	lines, err := linesJSON(r.Lines)
	if err != nil {
		return err
	}
	ret, err := linesJSON(r.Returned)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO channel.atm_replenishments (`+replenishmentColumns+`)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM channel.atms WHERE id = $2)`,
		r.ID, r.DeviceID, string(r.State), r.ScheduledFor.String(), lines, ret, r.Posted, r.CreatedAt,
		nullTime(r.LoadedAt), nullTime(r.ConfirmedAt))
	if pgtx.IsUniqueViolation(err, replenishmentsPkey) {
		return fmt.Errorf("%w: replenishment %s", channel.ErrDuplicate, r.ID)
	}
	return oneRow(res, err)(notFound("device", r.DeviceID))
}

func (s *Store) replenishmentWhere(ctx context.Context, q sqlx.QueryerContext, suffix string, id uuid.UUID) (channel.Replenishment, error) {
	var r replenishmentRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+replenishmentColumns+` FROM channel.atm_replenishments WHERE id = $1`+suffix, id)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Replenishment{}, notFound("replenishment", id)
	}
	if err != nil {
		return channel.Replenishment{}, err
	}
	return r.replenishment()
}

// Replenishment implements channel.ATMStore.
func (s *Store) Replenishment(ctx context.Context, id uuid.UUID) (channel.Replenishment, error) {
	return s.replenishmentWhere(ctx, s.db, "", id)
}

// ListReplenishments implements channel.ATMStore.
func (s *Store) ListReplenishments(ctx context.Context, deviceID string) ([]channel.Replenishment, error) {
	var rows []replenishmentRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+replenishmentColumns+` FROM channel.atm_replenishments
		WHERE device_id = $1 ORDER BY id`, deviceID); err != nil {
		return nil, err
	}
	out := make([]channel.Replenishment, 0, len(rows))
	for _, r := range rows {
		x, err := r.replenishment()
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// UpdateReplenishment implements channel.ATMStore.
func (s *Store) UpdateReplenishment(ctx context.Context, id uuid.UUID, fn func(channel.Replenishment, channel.ATM) (channel.Replenishment, channel.ATM, error)) (channel.Replenishment, error) {
	var next channel.Replenishment
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		// The device is locked first, as every step that changes it does:
		// read the order's device, lock it, then the order.
		var deviceID string
		err := tx.GetContext(ctx, &deviceID, `SELECT device_id FROM channel.atm_replenishments WHERE id = $1`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("replenishment", id)
		}
		if err != nil {
			return err
		}
		a, err := s.atmWhere(ctx, tx, "id = $1 FOR UPDATE", deviceID)
		if err != nil {
			return err
		}
		r, err := s.replenishmentWhere(ctx, tx, " FOR UPDATE", id)
		if err != nil {
			return err
		}
		nr, na, err := fn(r.Clone(), a.Clone())
		if err != nil {
			return err
		}
		nr.ID, nr.DeviceID, nr.CreatedAt = r.ID, r.DeviceID, r.CreatedAt
		na.ID, na.CredentialHash, na.CreatedAt = a.ID, a.CredentialHash, a.CreatedAt
		lines, err := linesJSON(nr.Lines)
		if err != nil {
			return err
		}
		ret, err := linesJSON(nr.Returned)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE channel.atm_replenishments SET state = $2, scheduled_for = $3, lines = $4,
			returned = $5, posted = $6, loaded_at = $7, confirmed_at = $8 WHERE id = $1`,
			id, string(nr.State), nr.ScheduledFor.String(), lines, ret, nr.Posted, nullTime(nr.LoadedAt), nullTime(nr.ConfirmedAt)); err != nil {
			return err
		}
		if err := writeATM(ctx, tx, na); err != nil {
			return err
		}
		next = nr
		return nil
	})
	if err != nil {
		return channel.Replenishment{}, err
	}
	return next, nil
}

type atmTicketRow struct {
	ID        uuid.UUID    `db:"id"`
	DeviceID  string       `db:"device_id"`
	Code      string       `db:"code"`
	OpenedAt  time.Time    `db:"opened_at"`
	ClosedAt  sql.NullTime `db:"closed_at"`
	UpdatedAt time.Time    `db:"updated_at"`
}

// ListATMTickets implements channel.ATMStore.
func (s *Store) ListATMTickets(ctx context.Context, deviceID string) ([]channel.ATMTicket, error) {
	var rows []atmTicketRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+atmTicketColumns+` FROM channel.atm_tickets
		WHERE $1 = '' OR device_id = $1 ORDER BY opened_at, id`, deviceID); err != nil {
		return nil, err
	}
	out := make([]channel.ATMTicket, 0, len(rows))
	for _, r := range rows {
		out = append(out, channel.ATMTicket{ID: r.ID, DeviceID: r.DeviceID, Code: r.Code, OpenedAt: r.OpenedAt.UTC(),
			ClosedAt: timeOf(r.ClosedAt), UpdatedAt: r.UpdatedAt.UTC()})
	}
	return out, nil
}
