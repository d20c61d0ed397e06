package pgledger

import (
	"context"
	"embed"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/internal/pgstmt"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/endofday"
)

// Schema is the PostgreSQL schema that holds the ledger's tables.
const Schema = "ledger"

// Shards is how many sub-balance rows an unchecked (internal) account has.
// Each entry updates one of them at random, so up to about this many
// transactions can post to the same internal account at once.
const Shards = 32

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the ledger schema. It is safe to call on
// every start and from several processes at once.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	return pgmigrate.Apply(ctx, db, Schema, migrations, "migrations", pgoutbox.Migrations)
}

// Store is a ledger.Store on PostgreSQL. It is safe for concurrent use; all
// state lives in the database, so several processes may share one.
type Store struct {
	db     *sqlx.DB
	stmts  *pgstmt.Cache
	outbox *pgoutbox.Outbox
	// unchecked remembers the unchecked accounts PostEntries has locked,
	// so later entries can spread over their shards. Only internal
	// accounts are unchecked, so it stays small.
	unchecked sync.Map
	// group merges concurrent postings into shared batches.
	group coalescer
	// dates shares reads of the business date among concurrent callers.
	dates dateReads
	// classes remembers the accounts' classes (post_classes.go).
	classes classCache
}

// One Store is every capability the ledger's packages ask of a backend.
var (
	_ ledger.Store        = (*Store)(nil)
	_ ledger.PostGate     = (*Store)(nil)
	_ endofday.Store      = (*Store)(nil)
	_ clearing.Store      = (*Store)(nil)
	_ clearing.ReconStore = (*Store)(nil)
)

// GatesPosts implements ledger.PostGate: PostEntries runs each caller's
// ledger.WaitBeforePost after its reads and before it writes (see lead in
// coalesce.go), so that wait overlaps the balance and key reads.
func (*Store) GatesPosts() {}

// New returns a Store on db, whose schema Migrate must have prepared.
//
// Size db's pool for the callers you expect: database/sql keeps only two
// idle connections unless told otherwise (SetMaxIdleConns), and closes
// every other one as soon as it is free, so a busy Store would start a new
// PostgreSQL backend, and prepare its statements again, on most calls.
func New(db *sqlx.DB) *Store {
	return &Store{db: db, stmts: pgstmt.New(db), outbox: newOutbox(db)}
}
