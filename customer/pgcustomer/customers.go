package pgcustomer

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgtx"
)

type customerRow struct {
	ID                customer.ID   `db:"id"`
	FullName          string        `db:"full_name"`
	NameKey           string        `db:"name_key"`
	Gender            string        `db:"gender"`
	NationalIDType    string        `db:"national_id_type"`
	NationalIDIndex   []byte        `db:"national_id_index"`
	PhoneIndexes      pq.ByteaArray `db:"phone_indexes"`
	KeyID             string        `db:"key_id"`
	NationalIDSealed  []byte        `db:"national_id_sealed"`
	PhonesSealed      []byte        `db:"phones_sealed"`
	EmailSealed       []byte        `db:"email_sealed"`
	AddressSealed     []byte        `db:"address_sealed"`
	DateOfBirthSealed []byte        `db:"date_of_birth_sealed"`
	Occupation        string        `db:"occupation"`
	IncomeBand        string        `db:"income_band"`
	PreferredChannel  string        `db:"preferred_channel"`
	PreferredLanguage string        `db:"preferred_language"`
	KYCStatus         string        `db:"kyc_status"`
	KYCBy             string        `db:"kyc_by"`
	KYCAt             sql.NullTime  `db:"kyc_at"`
	KYCReason         string        `db:"kyc_reason"`
	RiskRating        string        `db:"risk_rating"`
	Status            string        `db:"status"`
	Version           int64         `db:"version"`
	CreatedAt         time.Time     `db:"created_at"`
	UpdatedAt         time.Time     `db:"updated_at"`
	RefClient         string        `db:"ref_client"`
	ExternalRef       string        `db:"external_ref"`
}

const customerColumns = `id, full_name, name_key, gender, national_id_type, national_id_index, phone_indexes,
	key_id, national_id_sealed, phones_sealed, email_sealed, address_sealed, date_of_birth_sealed,
	occupation, income_band, preferred_channel, preferred_language, kyc_status, kyc_by, kyc_at, kyc_reason,
	risk_rating, status, version, created_at, updated_at,
	COALESCE(ref_client, '') AS ref_client, COALESCE(external_ref, '') AS external_ref`

// insertColumns are the columns args fills, in its order.
const insertColumns = `id, full_name, name_key, gender, national_id_type, national_id_index, phone_indexes,
	key_id, national_id_sealed, phones_sealed, email_sealed, address_sealed, date_of_birth_sealed,
	occupation, income_band, preferred_channel, preferred_language, kyc_status, kyc_by, kyc_at, kyc_reason,
	risk_rating, status, version, created_at, updated_at`

func (r customerRow) record() customer.Record {
	phones := make([][]byte, len(r.PhoneIndexes))
	copy(phones, r.PhoneIndexes)
	return customer.Record{
		ID: r.ID, FullName: r.FullName, NameKey: r.NameKey, Gender: customer.Gender(r.Gender),
		NationalIDType: customer.NationalIDType(r.NationalIDType), NationalIDIndex: r.NationalIDIndex,
		PhoneIndexes: phones, KeyID: r.KeyID,
		Sealed: customer.SealedPII{NationalID: r.NationalIDSealed, Phones: r.PhonesSealed, Email: r.EmailSealed,
			Address: r.AddressSealed, DateOfBirth: r.DateOfBirthSealed},
		Occupation: r.Occupation, IncomeBand: customer.IncomeBand(r.IncomeBand),
		Preferences: customer.Preferences{Channel: customer.Channel(r.PreferredChannel), Language: r.PreferredLanguage},
		KYC:         customer.KYC{Status: customer.KYCStatus(r.KYCStatus), By: r.KYCBy, At: timeOf(r.KYCAt), Reason: r.KYCReason},
		Risk:        customer.RiskRating(r.RiskRating), Status: customer.Status(r.Status), Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		ExternalRef: customer.ExternalRef{Client: r.RefClient, Ref: r.ExternalRef},
	}
}

func records(rows []customerRow) []customer.Record {
	out := make([]customer.Record, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.record())
	}
	return out
}

// args lists r's column values in customerColumns order.
func args(r customer.Record) []any {
	phones := pq.ByteaArray(r.PhoneIndexes)
	if phones == nil {
		phones = pq.ByteaArray{}
	}
	return []any{r.ID, r.FullName, r.NameKey, string(r.Gender), string(r.NationalIDType), r.NationalIDIndex, phones,
		r.KeyID, r.Sealed.NationalID, r.Sealed.Phones, r.Sealed.Email, r.Sealed.Address, r.Sealed.DateOfBirth,
		r.Occupation, string(r.IncomeBand), string(r.Preferences.Channel), r.Preferences.Language,
		string(r.KYC.Status), r.KYC.By, timeArg(r.KYC.At), r.KYC.Reason,
		string(r.Risk), string(r.Status), r.Version, r.CreatedAt, r.UpdatedAt}
}

// CreateCustomer implements customer.Store.
func (s *Store) CreateCustomer(ctx context.Context, r customer.Record, e event.Envelope) error {
	r.Version = 1
	if err := s.refFree(ctx, r.ExternalRef); err != nil {
		return err
	}
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer.customers (`+insertColumns+`, ref_client, external_ref)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28)`,
			append(args(r), nullString(r.ExternalRef.Client), nullString(r.ExternalRef.Ref))...); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, e)
	})
	if pgtx.IsUniqueViolation(err, "customers_external_ref") {
		// A concurrent creation with the reference won.
		if err := s.refFree(ctx, r.ExternalRef); err != nil {
			return err
		}
	}
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: a customer with this national id or id exists", customer.ErrDuplicate)
	}
	return err
}

// Customer implements customer.Store.
func (s *Store) Customer(ctx context.Context, id customer.ID) (customer.Record, error) {
	var row customerRow
	err := s.db.GetContext(ctx, &row, `SELECT `+customerColumns+` FROM customer.customers WHERE id = $1`, id)
	if err != nil {
		return customer.Record{}, notFound(err, "customer", id)
	}
	return row.record(), nil
}

// UpdateCustomer implements customer.Store. The row is locked for the
// read-modify-write, so concurrent updates serialise and a version check
// in fn sees the winner's version.
func (s *Store) UpdateCustomer(ctx context.Context, id customer.ID, fn func(customer.Record) (customer.Record, []event.Envelope, error)) (customer.Record, error) {
	var out customer.Record
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var row customerRow
		if err := tx.GetContext(ctx, &row, `SELECT `+customerColumns+` FROM customer.customers WHERE id = $1 FOR UPDATE`, id); err != nil {
			return notFound(err, "customer", id)
		}
		old := row.record()
		next, events, err := fn(old)
		if err != nil {
			return err
		}
		next.ID, next.CreatedAt, next.Version = old.ID, old.CreatedAt, old.Version+1
		// The row is locked, so the version check in the WHERE cannot fail
		// here; it guards the compare-and-bump should the lock ever be
		// lost. created_at never changes; naming it lets args() serve both
		// INSERT and UPDATE.
		a := args(next)
		res, err := tx.ExecContext(ctx, `UPDATE customer.customers SET full_name=$2, name_key=$3, gender=$4,
			national_id_type=$5, national_id_index=$6, phone_indexes=$7, key_id=$8, national_id_sealed=$9,
			phones_sealed=$10, email_sealed=$11, address_sealed=$12, date_of_birth_sealed=$13, occupation=$14,
			income_band=$15, preferred_channel=$16, preferred_language=$17, kyc_status=$18, kyc_by=$19, kyc_at=$20,
			kyc_reason=$21, risk_rating=$22, status=$23, version=$24, updated_at=$26
			WHERE id = $1 AND created_at = $25 AND version = $24 - 1`, a...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return fmt.Errorf("%w: customer %s changed underneath", customer.ErrVersionConflict, id)
		}
		out = next
		return s.outbox.Append(ctx, tx, events...)
	})
	if pgtx.IsUniqueViolation(err, "") {
		return customer.Record{}, fmt.Errorf("%w: a customer with this national id exists", customer.ErrDuplicate)
	}
	if err != nil {
		return customer.Record{}, err
	}
	return out, nil
}

// CustomerByNationalID implements customer.Store.
func (s *Store) CustomerByNationalID(ctx context.Context, index []byte) (customer.Record, error) {
	var row customerRow
	err := s.db.GetContext(ctx, &row, `SELECT `+customerColumns+` FROM customer.customers WHERE national_id_index = $1`, index)
	if err == sql.ErrNoRows {
		return customer.Record{}, fmt.Errorf("%w: no customer with this national id", customer.ErrNotFound)
	}
	if err != nil {
		return customer.Record{}, err
	}
	return row.record(), nil
}

// CustomersByPhone implements customer.Store.
func (s *Store) CustomersByPhone(ctx context.Context, index []byte) ([]customer.Record, error) {
	var rows []customerRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+customerColumns+` FROM customer.customers
		WHERE phone_indexes @> ARRAY[$1::bytea] ORDER BY id`, index)
	return records(rows), err
}

// likeEscaper escapes the LIKE wildcards in a prefix.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ListCustomers implements customer.Store.
func (s *Store) ListCustomers(ctx context.Context, f customer.ListFilter) ([]customer.Record, error) {
	q := `SELECT ` + customerColumns + ` FROM customer.customers WHERE id > $1`
	a := []any{f.After}
	add := func(cond string, v any) {
		a = append(a, v)
		q += fmt.Sprintf(" AND "+cond, len(a))
	}
	if f.NamePrefix != "" {
		add(`name_key LIKE $%d ESCAPE '\'`, likeEscaper.Replace(f.NamePrefix)+"%")
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.KYC != "" {
		add("kyc_status = $%d", string(f.KYC))
	}
	if f.Risk != "" {
		add("risk_rating = $%d", string(f.Risk))
	}
	a = append(a, f.Limit)
	q += fmt.Sprintf(" ORDER BY id LIMIT $%d", len(a))
	var rows []customerRow
	if err := s.db.SelectContext(ctx, &rows, q, a...); err != nil {
		return nil, err
	}
	return records(rows), nil
}
