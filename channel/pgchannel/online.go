package pgchannel

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/money"
)

var _ channel.OnlineStore = (*Store)(nil)

const (
	stepUpsPkey       = "step_ups_pkey"
	stepUpTokenKey    = "step_ups_token_hash_key"
	payeesPkey        = "payees_pkey"
	payeeAccountKey   = "payees_account_key"
	reservationsPkey  = "limit_reservations_pkey"
	factorColumns     = `identity_id, secret, created_at, confirmed_at, last_step, failures, locked_until, recovery`
	deviceColumns     = `identity_id, id, public_key, name, first_seen, last_seen, revoked_at`
	stepUpColumns     = `id, token_hash, identity_id, session_id, action, params_hash, created_at, expires_at, used_at`
	payeeColumns      = `id, customer_id, name, account_id, bank_code, account_number, created_at, cooling_until`
	reservationColumn = `idempotency_key, customer_id, channel, currency, amount, day, month, created_at`
)

type recoveryJSON struct {
	Hash   string     `json:"hash"`
	UsedAt *time.Time `json:"used_at"`
}

type factorRow struct {
	IdentityID  uuid.UUID    `db:"identity_id"`
	Secret      []byte       `db:"secret"`
	CreatedAt   time.Time    `db:"created_at"`
	ConfirmedAt sql.NullTime `db:"confirmed_at"`
	LastStep    int64        `db:"last_step"`
	Failures    int          `db:"failures"`
	LockedUntil sql.NullTime `db:"locked_until"`
	Recovery    []byte       `db:"recovery"`
}

func (r factorRow) factor() (channel.SecondFactor, error) {
	f := channel.SecondFactor{IdentityID: r.IdentityID, Secret: r.Secret, CreatedAt: r.CreatedAt.UTC(),
		ConfirmedAt: timeOf(r.ConfirmedAt), LastStep: r.LastStep, Failures: r.Failures, LockedUntil: timeOf(r.LockedUntil)}
	var rs []recoveryJSON
	if err := json.Unmarshal(r.Recovery, &rs); err != nil {
		return channel.SecondFactor{}, fmt.Errorf("pgchannel: recovery codes of %s: %w", r.IdentityID, err)
	}
	for _, x := range rs {
		var c channel.RecoveryCode
		b, err := hex.DecodeString(x.Hash)
		if err != nil || len(b) != len(c.Hash) {
			return channel.SecondFactor{}, fmt.Errorf("pgchannel: recovery code of %s: bad hash", r.IdentityID)
		}
		copy(c.Hash[:], b)
		if x.UsedAt != nil {
			c.UsedAt = x.UsedAt.UTC()
		}
		f.Recovery = append(f.Recovery, c)
	}
	return f, nil
}

func recoveryOf(cs []channel.RecoveryCode) ([]byte, error) {
	rs := make([]recoveryJSON, 0, len(cs))
	for _, c := range cs {
		x := recoveryJSON{Hash: hex.EncodeToString(c.Hash[:])}
		if !c.UsedAt.IsZero() {
			t := c.UsedAt
			x.UsedAt = &t
		}
		rs = append(rs, x)
	}
	return json.Marshal(rs)
}

func timeOf(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// CreateSecondFactor implements channel.OnlineStore.
func (s *Store) CreateSecondFactor(ctx context.Context, f channel.SecondFactor) error {
	rec, err := recoveryOf(f.Recovery)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO channel.second_factors (`+factorColumns+`)
		VALUES ($1, $2, $3, NULL, 0, 0, NULL, $4)
		ON CONFLICT (identity_id) DO UPDATE SET secret = EXCLUDED.secret, created_at = EXCLUDED.created_at,
			last_step = 0, failures = 0, locked_until = NULL, recovery = EXCLUDED.recovery
		WHERE channel.second_factors.confirmed_at IS NULL`, f.IdentityID, f.Secret, f.CreatedAt, rec)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	return fmt.Errorf("%w: a confirmed second factor exists", channel.ErrDuplicate)
}

func (s *Store) factorWhere(ctx context.Context, q sqlx.QueryerContext, suffix string, id uuid.UUID) (channel.SecondFactor, error) {
	var r factorRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT `+factorColumns+` FROM channel.second_factors WHERE identity_id = $1`+suffix, id)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.SecondFactor{}, notFound("second factor of", id)
	}
	if err != nil {
		return channel.SecondFactor{}, err
	}
	return r.factor()
}

// SecondFactor implements channel.OnlineStore.
func (s *Store) SecondFactor(ctx context.Context, identityID uuid.UUID) (channel.SecondFactor, error) {
	return s.factorWhere(ctx, s.db, "", identityID)
}

// UpdateSecondFactor implements channel.OnlineStore.
func (s *Store) UpdateSecondFactor(ctx context.Context, identityID uuid.UUID, fn func(channel.SecondFactor) (channel.SecondFactor, error)) (channel.SecondFactor, error) {
	var next channel.SecondFactor
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		old, err := s.factorWhere(ctx, tx, " FOR UPDATE", identityID)
		if err != nil {
			return err
		}
		if next, err = fn(old); err != nil {
			return err
		}
		next.IdentityID, next.Secret, next.CreatedAt = old.IdentityID, old.Secret, old.CreatedAt
		rec, err := recoveryOf(next.Recovery)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE channel.second_factors SET confirmed_at = $2, last_step = $3,
			failures = $4, locked_until = $5, recovery = $6 WHERE identity_id = $1`,
			identityID, nullTime(next.ConfirmedAt), next.LastStep, next.Failures, nullTime(next.LockedUntil), rec)
		return err
	})
	if err != nil {
		return channel.SecondFactor{}, err
	}
	return next, nil
}

// DeleteSecondFactor implements channel.OnlineStore.
func (s *Store) DeleteSecondFactor(ctx context.Context, identityID uuid.UUID) error {
	return oneRow(s.db.ExecContext(ctx, `DELETE FROM channel.second_factors WHERE identity_id = $1`, identityID))(
		notFound("second factor of", identityID))
}

// oneRow turns an Exec's result into notFound when it changed no row.
func oneRow(res sql.Result, err error) func(notFound error) error {
	return func(nf error) error {
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return nf
		}
		return nil
	}
}

type deviceRow struct {
	IdentityID uuid.UUID    `db:"identity_id"`
	ID         string       `db:"id"`
	PublicKey  []byte       `db:"public_key"`
	Name       string       `db:"name"`
	FirstSeen  time.Time    `db:"first_seen"`
	LastSeen   time.Time    `db:"last_seen"`
	RevokedAt  sql.NullTime `db:"revoked_at"`
}

func (r deviceRow) device() channel.Device {
	return channel.Device{IdentityID: r.IdentityID, ID: r.ID, PublicKey: r.PublicKey, Name: r.Name,
		FirstSeen: r.FirstSeen.UTC(), LastSeen: r.LastSeen.UTC(), RevokedAt: timeOf(r.RevokedAt)}
}

// PutDevice implements channel.OnlineStore.
func (s *Store) PutDevice(ctx context.Context, d channel.Device) error {
	res, err := s.db.ExecContext(ctx, `INSERT INTO channel.devices (`+deviceColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, NULL)
		ON CONFLICT (identity_id, id) DO UPDATE SET public_key = EXCLUDED.public_key, name = EXCLUDED.name,
			first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen, revoked_at = NULL
		WHERE channel.devices.revoked_at IS NOT NULL`,
		d.IdentityID, d.ID, []byte(d.PublicKey), d.Name, d.FirstSeen, d.LastSeen)
	return oneRow(res, err)(fmt.Errorf("%w: device %q is bound", channel.ErrDuplicate, d.ID))
}

func (s *Store) deviceQuery(ctx context.Context, query string, id string, args ...any) (channel.Device, error) {
	var r deviceRow
	err := s.db.GetContext(ctx, &r, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Device{}, notFound("device", id)
	}
	if err != nil {
		return channel.Device{}, err
	}
	return r.device(), nil
}

// Device implements channel.OnlineStore.
func (s *Store) Device(ctx context.Context, identityID uuid.UUID, id string) (channel.Device, error) {
	return s.deviceQuery(ctx, `SELECT `+deviceColumns+` FROM channel.devices WHERE identity_id = $1 AND id = $2`, id, identityID, id)
}

// TouchDevice implements channel.OnlineStore.
func (s *Store) TouchDevice(ctx context.Context, identityID uuid.UUID, id string, at time.Time) (channel.Device, error) {
	return s.deviceQuery(ctx, `UPDATE channel.devices SET last_seen = GREATEST(last_seen, $3)
		WHERE identity_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING `+deviceColumns, id, identityID, id, at)
}

// ListDevices implements channel.OnlineStore.
func (s *Store) ListDevices(ctx context.Context, identityID uuid.UUID) ([]channel.Device, error) {
	var rows []deviceRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+deviceColumns+` FROM channel.devices WHERE identity_id = $1
		ORDER BY first_seen, id`, identityID); err != nil {
		return nil, err
	}
	out := make([]channel.Device, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.device())
	}
	return out, nil
}

// RevokeDevice implements channel.OnlineStore.
func (s *Store) RevokeDevice(ctx context.Context, identityID uuid.UUID, id string, at time.Time) (channel.Device, error) {
	return s.deviceQuery(ctx, `UPDATE channel.devices SET revoked_at = COALESCE(revoked_at, $3)
		WHERE identity_id = $1 AND id = $2 RETURNING `+deviceColumns, id, identityID, id, at)
}

type stepUpRow struct {
	ID         uuid.UUID    `db:"id"`
	TokenHash  []byte       `db:"token_hash"`
	IdentityID uuid.UUID    `db:"identity_id"`
	SessionID  uuid.UUID    `db:"session_id"`
	Action     string       `db:"action"`
	ParamsHash []byte       `db:"params_hash"`
	CreatedAt  time.Time    `db:"created_at"`
	ExpiresAt  time.Time    `db:"expires_at"`
	UsedAt     sql.NullTime `db:"used_at"`
}

// CreateStepUp implements channel.OnlineStore.
func (s *Store) CreateStepUp(ctx context.Context, su channel.StepUp) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel.step_ups (`+stepUpColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)`, su.ID, su.TokenHash[:], su.IdentityID, su.SessionID,
		string(su.Action), su.ParamsHash[:], su.CreatedAt, su.ExpiresAt)
	if pgtx.IsUniqueViolation(err, stepUpsPkey) || pgtx.IsUniqueViolation(err, stepUpTokenKey) {
		return fmt.Errorf("%w: step-up exists", channel.ErrDuplicate)
	}
	return err
}

// UseStepUp implements channel.OnlineStore.
func (s *Store) UseStepUp(ctx context.Context, h channel.TokenHash, at time.Time) (channel.StepUp, error) {
	var r stepUpRow
	err := s.db.GetContext(ctx, &r, `UPDATE channel.step_ups SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL
		RETURNING `+stepUpColumns, h[:], at)
	if errors.Is(err, sql.ErrNoRows) {
		var exists bool
		if err := s.db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM channel.step_ups WHERE token_hash = $1)`, h[:]); err != nil {
			return channel.StepUp{}, err
		}
		if exists {
			return channel.StepUp{}, fmt.Errorf("%w: step-up used already", channel.ErrConflict)
		}
		return channel.StepUp{}, notFound("step-up", h)
	}
	if err != nil {
		return channel.StepUp{}, err
	}
	su := channel.StepUp{ID: r.ID, IdentityID: r.IdentityID, SessionID: r.SessionID, Action: channel.Action(r.Action),
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), UsedAt: timeOf(r.UsedAt)}
	copy(su.TokenHash[:], r.TokenHash)
	copy(su.ParamsHash[:], r.ParamsHash)
	return su, nil
}

type payeeRow struct {
	ID            uuid.UUID `db:"id"`
	CustomerID    string    `db:"customer_id"`
	Name          string    `db:"name"`
	AccountID     string    `db:"account_id"`
	BankCode      string    `db:"bank_code"`
	AccountNumber string    `db:"account_number"`
	CreatedAt     time.Time `db:"created_at"`
	CoolingUntil  time.Time `db:"cooling_until"`
}

func (r payeeRow) payee() channel.Payee {
	return channel.Payee{ID: r.ID, CustomerID: r.CustomerID, Name: r.Name, AccountID: r.AccountID, BankCode: r.BankCode,
		AccountNumber: r.AccountNumber, CreatedAt: r.CreatedAt.UTC(), CoolingUntil: r.CoolingUntil.UTC()}
}

// CreatePayee implements channel.OnlineStore.
func (s *Store) CreatePayee(ctx context.Context, p channel.Payee) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel.payees (`+payeeColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		p.ID, p.CustomerID, p.Name, p.AccountID, p.BankCode, p.AccountNumber, p.CreatedAt, p.CoolingUntil)
	switch {
	case pgtx.IsUniqueViolation(err, payeesPkey):
		return fmt.Errorf("%w: payee %s exists", channel.ErrDuplicate, p.ID)
	case pgtx.IsUniqueViolation(err, payeeAccountKey):
		return fmt.Errorf("%w: a payee of that account exists", channel.ErrDuplicate)
	}
	return err
}

func (s *Store) payeeQuery(ctx context.Context, query string, key any, args ...any) (channel.Payee, error) {
	var r payeeRow
	err := s.stmts.GetContext(ctx, &r, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Payee{}, notFound("payee", key)
	}
	if err != nil {
		return channel.Payee{}, err
	}
	return r.payee(), nil
}

// Payee implements channel.OnlineStore.
func (s *Store) Payee(ctx context.Context, id uuid.UUID) (channel.Payee, error) {
	return s.payeeQuery(ctx, `SELECT `+payeeColumns+` FROM channel.payees WHERE id = $1`, id, id)
}

// PayeeByAccount implements channel.OnlineStore.
func (s *Store) PayeeByAccount(ctx context.Context, customerID, accountID string) (channel.Payee, error) {
	if accountID == "" {
		return channel.Payee{}, notFound("payee of account", accountID)
	}
	return s.payeeQuery(ctx, `SELECT `+payeeColumns+` FROM channel.payees
		WHERE customer_id = $1 AND account_id = $2 AND bank_code = '' AND account_number = ''`, accountID, customerID, accountID)
}

// ListPayees implements channel.OnlineStore.
func (s *Store) ListPayees(ctx context.Context, customerID string) ([]channel.Payee, error) {
	var rows []payeeRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+payeeColumns+` FROM channel.payees WHERE customer_id = $1 ORDER BY id`,
		customerID); err != nil {
		return nil, err
	}
	out := make([]channel.Payee, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.payee())
	}
	return out, nil
}

// RenamePayee implements channel.OnlineStore.
func (s *Store) RenamePayee(ctx context.Context, id uuid.UUID, name string) (channel.Payee, error) {
	return s.payeeQuery(ctx, `UPDATE channel.payees SET name = $2 WHERE id = $1 RETURNING `+payeeColumns, id, id, name)
}

// DeletePayee implements channel.OnlineStore.
func (s *Store) DeletePayee(ctx context.Context, id uuid.UUID) error {
	return oneRow(s.db.ExecContext(ctx, `DELETE FROM channel.payees WHERE id = $1`, id))(notFound("payee", id))
}

// Limits implements channel.OnlineStore.
func (s *Store) Limits(ctx context.Context, k channel.LimitKey) (channel.Limits, error) {
	var r struct {
		PerTransaction decimal.Decimal `db:"per_transaction"`
		PerDay         decimal.Decimal `db:"per_day"`
		PerMonth       decimal.Decimal `db:"per_month"`
	}
	err := s.stmts.GetContext(ctx, &r, `SELECT per_transaction, per_day, per_month FROM channel.limits
		WHERE customer_id = $1 AND channel = $2 AND currency = $3`, k.CustomerID, string(k.Channel), string(k.Currency))
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Limits{}, notFound("limits of", k.CustomerID)
	}
	if err != nil {
		return channel.Limits{}, err
	}
	return channel.Limits{PerTransaction: r.PerTransaction, PerDay: r.PerDay, PerMonth: r.PerMonth}, nil
}

// PutLimits implements channel.OnlineStore.
func (s *Store) PutLimits(ctx context.Context, k channel.LimitKey, l channel.Limits, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel.limits (customer_id, channel, currency, per_transaction, per_day, per_month, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (customer_id, channel, currency) DO UPDATE SET per_transaction = EXCLUDED.per_transaction,
			per_day = EXCLUDED.per_day, per_month = EXCLUDED.per_month, updated_at = EXCLUDED.updated_at`,
		k.CustomerID, string(k.Channel), string(k.Currency), l.PerTransaction, l.PerDay, l.PerMonth, at)
	return err
}

// Usage implements channel.OnlineStore.
func (s *Store) Usage(ctx context.Context, k channel.LimitKey, day, month string) (channel.Usage, error) {
	u := channel.Usage{Day: day, Month: month, DayUsed: decimal.Zero, MonthUsed: decimal.Zero}
	var r struct {
		DayUsed   decimal.Decimal `db:"day_used"`
		MonthUsed decimal.Decimal `db:"month_used"`
	}
	err := s.stmts.GetContext(ctx, &r, `SELECT
			CASE WHEN day = $4 THEN day_used ELSE 0 END AS day_used,
			CASE WHEN month = $5 THEN month_used ELSE 0 END AS month_used
		FROM channel.limit_usage WHERE customer_id = $1 AND channel = $2 AND currency = $3`,
		k.CustomerID, string(k.Channel), string(k.Currency), day, month)
	if errors.Is(err, sql.ErrNoRows) {
		return u, nil
	}
	if err != nil {
		return channel.Usage{}, err
	}
	u.DayUsed, u.MonthUsed = r.DayUsed, r.MonthUsed
	return u, nil
}

// reserveSQL counts and records a reservation in one statement, so that a
// transfer pays one round trip for its limits and its payee's cooling-off
// cap. The counter row is upserted
// only where the amount fits (limits: the customer's own row, else the
// defaults $8..$10); the reservation is inserted only if the counter was,
// and a taken idempotency key fails the whole statement (unique
// violation), counting nothing. ON CONFLICT DO UPDATE locks the counter
// row and re-reads it, so concurrent reservations queue on it and each
// sees the ones before.
func reserveSQL(async bool) string {
	setting := ""
	if async {
		// set_config(..., true) lasts for the statement's own transaction,
		// up to and including its commit.
		setting = "set_config('synchronous_commit', 'off', true) AS async, "
	}
	return `
WITH lim AS (
	SELECT ` + setting + `COALESCE(l.per_transaction, $8::numeric) AS per_tx,
		COALESCE(l.per_day, $9::numeric) AS per_day,
		COALESCE(l.per_month, $10::numeric) AS per_month
	FROM (SELECT 1) AS one
	LEFT JOIN channel.limits l ON l.customer_id = $1 AND l.channel = $2 AND l.currency = $3
), counted AS (
	INSERT INTO channel.limit_usage AS u (customer_id, channel, currency, day, day_used, month, month_used)
	SELECT $1, $2, $3, $5, $4::numeric, $6, $4::numeric FROM lim
	WHERE $4::numeric <= lim.per_tx AND $4::numeric <= lim.per_day AND $4::numeric <= lim.per_month
		AND ($12 = '' OR $4::numeric <= $13::numeric OR NOT EXISTS (SELECT 1 FROM channel.payees p
			WHERE p.customer_id = $1 AND p.account_id = $12 AND p.bank_code = '' AND p.account_number = ''
				AND p.cooling_until > $11))
	ON CONFLICT (customer_id, channel, currency) DO UPDATE SET
		day_used = (CASE WHEN u.day = EXCLUDED.day THEN u.day_used ELSE 0 END) + EXCLUDED.day_used,
		month_used = (CASE WHEN u.month = EXCLUDED.month THEN u.month_used ELSE 0 END) + EXCLUDED.month_used,
		day = EXCLUDED.day, month = EXCLUDED.month
	WHERE (CASE WHEN u.day = EXCLUDED.day THEN u.day_used ELSE 0 END) + EXCLUDED.day_used <= (SELECT per_day FROM lim)
		AND (CASE WHEN u.month = EXCLUDED.month THEN u.month_used ELSE 0 END) + EXCLUDED.month_used <= (SELECT per_month FROM lim)
	RETURNING 1
)
INSERT INTO channel.limit_reservations (` + reservationColumn + `)
SELECT $7, $1, $2, $3, $4::numeric, $5, $6, $11 FROM counted`
}

type reservationRow struct {
	IdempotencyKey string          `db:"idempotency_key"`
	CustomerID     string          `db:"customer_id"`
	Channel        string          `db:"channel"`
	Currency       string          `db:"currency"`
	Amount         decimal.Decimal `db:"amount"`
	Day            string          `db:"day"`
	Month          string          `db:"month"`
	CreatedAt      time.Time       `db:"created_at"`
}

func (r reservationRow) reservation() channel.Reservation {
	return channel.Reservation{Key: channel.LimitKey{CustomerID: r.CustomerID, Channel: channel.Channel(r.Channel),
		Currency: money.Currency(r.Currency)}, IdempotencyKey: r.IdempotencyKey, Amount: r.Amount, Day: r.Day,
		Month: r.Month, CreatedAt: r.CreatedAt.UTC()}
}

// Reserve implements channel.OnlineStore.
func (s *Store) Reserve(ctx context.Context, r channel.Reservation, def channel.Limits) (channel.Reservation, error) {
	res, err := s.stmts.ExecContext(ctx, s.reserveSQL, r.Key.CustomerID, string(r.Key.Channel), string(r.Key.Currency),
		r.Amount, r.Day, r.Month, r.IdempotencyKey, def.PerTransaction, def.PerDay, def.PerMonth, r.CreatedAt,
		r.PayeeAccountID, r.CoolingCap)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 1 {
			return r, nil
		}
	}
	// Nothing counted: the key may hold a reservation already (a retry,
	// which would not fit again when the limit is full) or the amount does
	// not fit.
	if err != nil && !pgtx.IsUniqueViolation(err, reservationsPkey) {
		return channel.Reservation{}, err
	}
	var old reservationRow
	err = s.db.GetContext(ctx, &old, `SELECT `+reservationColumn+` FROM channel.limit_reservations
		WHERE idempotency_key = $1`, r.IdempotencyKey)
	if errors.Is(err, sql.ErrNoRows) {
		if r.PayeeAccountID != "" && r.Amount.GreaterThan(r.CoolingCap) {
			p, perr := s.PayeeByAccount(ctx, r.Key.CustomerID, r.PayeeAccountID)
			if perr == nil && r.CreatedAt.Before(p.CoolingUntil) {
				return channel.Reservation{}, channel.ErrCoolingOff
			}
		}
		return channel.Reservation{}, channel.ErrLimitExceeded
	}
	if err != nil {
		return channel.Reservation{}, err
	}
	got := old.reservation()
	if got.Key != r.Key || !got.Amount.Equal(r.Amount) {
		return channel.Reservation{}, fmt.Errorf("%w: idempotency key %q holds another reservation", channel.ErrConflict, r.IdempotencyKey)
	}
	got.Replayed = true
	return got, nil
}

// Release implements channel.OnlineStore.
func (s *Store) Release(ctx context.Context, key string) error {
	return oneRow(s.db.ExecContext(ctx, `WITH r AS (
			DELETE FROM channel.limit_reservations WHERE idempotency_key = $1 RETURNING customer_id, channel, currency, amount, day, month
		)
		UPDATE channel.limit_usage u SET
			day_used = CASE WHEN u.day = r.day THEN u.day_used - r.amount ELSE u.day_used END,
			month_used = CASE WHEN u.month = r.month THEN u.month_used - r.amount ELSE u.month_used END
		FROM r WHERE u.customer_id = r.customer_id AND u.channel = r.channel AND u.currency = r.currency`, key))(
		notFound("reservation", key))
}

// Reservations implements channel.OnlineStore.
func (s *Store) Reservations(ctx context.Context, day string) ([]channel.Reservation, error) {
	var rows []reservationRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+reservationColumn+` FROM channel.limit_reservations
		WHERE day = $1 ORDER BY idempotency_key`, day); err != nil {
		return nil, err
	}
	out := make([]channel.Reservation, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.reservation())
	}
	return out, nil
}

// DeleteStepUps implements channel.OnlineStore (the index on expires_at
// finds them).
func (s *Store) DeleteStepUps(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM channel.step_ups WHERE expires_at < $1`, before)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
