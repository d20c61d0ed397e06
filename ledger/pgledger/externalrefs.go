package pgledger

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/ledger"
)

// refTables are the tables of the objects that carry external references.
var refTables = map[string]string{"account": "ledger.accounts", "hold": "ledger.holds"}

// refFree returns RefTaken when an object of kind has the reference r
// already; nil when r is zero or free. The unique indexes on (ref_client,
// external_ref) decide races; the callers answer a violation by calling
// refFree again.
func (s *Store) refFree(ctx context.Context, kind string, r ledger.ExternalRef) error {
	if r.IsZero() {
		return nil
	}
	var ids []ledger.ID
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM `+refTables[kind]+` WHERE ref_client = $1 AND external_ref = $2`,
		r.Client, r.Ref); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return ledger.RefTaken(kind, r, ids[0])
}

// AccountByRef implements ledger.Store.
func (s *Store) AccountByRef(ctx context.Context, r ledger.ExternalRef) (ledger.Account, error) {
	var row accountRow
	err := s.db.GetContext(ctx, &row, `SELECT `+accountColumns+accountFrom+
		`WHERE a.ref_client = $1 AND a.external_ref = $2 GROUP BY a.id`, r.Client, r.Ref)
	if err != nil {
		return ledger.Account{}, noRows(err, fmt.Errorf("%w: no account with external reference %q", ledger.ErrNotFound, r.Ref))
	}
	return row.account()
}

// HoldByRef implements ledger.Store.
func (s *Store) HoldByRef(ctx context.Context, r ledger.ExternalRef) (ledger.Hold, error) {
	var row holdRow
	err := s.db.GetContext(ctx, &row, `SELECT `+holdColumns+` FROM ledger.holds WHERE ref_client = $1 AND external_ref = $2`,
		r.Client, r.Ref)
	if err != nil {
		return ledger.Hold{}, noRows(err, fmt.Errorf("%w: no hold with external reference %q", ledger.ErrNotFound, r.Ref))
	}
	return row.hold(), nil
}

// EntryByRef implements ledger.Store.
func (s *Store) EntryByRef(ctx context.Context, r ledger.ExternalRef) (ledger.Entry, error) {
	var ids []ledger.ID
	if err := s.db.SelectContext(ctx, &ids, `SELECT entry_id FROM ledger.entry_refs WHERE ref_client = $1 AND external_ref = $2`,
		r.Client, r.Ref); err != nil {
		return ledger.Entry{}, err
	}
	if len(ids) == 0 {
		return ledger.Entry{}, fmt.Errorf("%w: no entry with external reference %q", ledger.ErrNotFound, r.Ref)
	}
	return s.Entry(ctx, ids[0])
}

// readRefs returns which of the external references the batch's entries
// carry earlier entries have, and which entry has each.
func (b *batch) readRefs(ctx context.Context, tx *sqlx.Tx) (map[ledger.ExternalRef]ledger.ID, error) {
	var clients, refs pq.StringArray
	for _, i := range b.todo {
		if r := b.entries[i].ExternalRef; !r.IsZero() {
			clients, refs = append(clients, r.Client), append(refs, r.Ref)
		}
	}
	found := map[ledger.ExternalRef]ledger.ID{}
	if len(refs) == 0 {
		return found, nil
	}
	var rows []struct {
		Client string    `db:"ref_client"`
		Ref    string    `db:"external_ref"`
		ID     ledger.ID `db:"entry_id"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT x.ref_client, x.external_ref, x.entry_id
		FROM ledger.entry_refs x JOIN unnest($1::text[], $2::text[]) AS q(client, ref)
		ON x.ref_client = q.client AND x.external_ref = q.ref`, clients, refs); err != nil {
		return nil, err
	}
	for _, r := range rows {
		found[ledger.ExternalRef{Client: r.Client, Ref: r.Ref}] = r.ID
	}
	return found, nil
}

// writeRefs stores the external references of the entries the batch
// posted, in the posting transaction. A concurrent batch that posted one
// of them first makes the insert fail on entry_refs_unique, and the round
// starts over (lostKeyRace) to refuse it.
func (b *batch) writeRefs(ctx context.Context, tx *sqlx.Tx) error {
	var ids, clients, refs pq.StringArray
	for _, i := range b.posted {
		if r := b.entries[i].ExternalRef; !r.IsZero() {
			ids = append(ids, b.entries[i].ID.String())
			clients, refs = append(clients, r.Client), append(refs, r.Ref)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO ledger.entry_refs (entry_id, ref_client, external_ref)
		SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`, ids, clients, refs)
	return err
}

// hasRefs reports whether any entry of the batch carries an external
// reference: such a batch takes the locking path, in a transaction that
// writes the references with the entries.
func (b *batch) hasRefs() bool {
	for _, i := range b.todo {
		if !b.entries[i].ExternalRef.IsZero() {
			return true
		}
	}
	return false
}
