package closing

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgmigrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the store's migrations to schema "refserver".
func Migrate(ctx context.Context, db *sqlx.DB) error {
	return pgmigrate.Apply(ctx, db, "refserver", migrations, "migrations")
}

// Postgres is a Store in PostgreSQL: the lease and the progress are shared
// by every server process on the database, so only one runs end of day,
// and a run another process started is resumed where it stopped.
type Postgres struct{ db *sqlx.DB }

var _ Store = (*Postgres)(nil)

// NewPostgres returns a store on db; call Migrate first.
func NewPostgres(db *sqlx.DB) *Postgres { return &Postgres{db: db} }

// Acquire implements Store: one statement, so two processes asking at
// once cannot both get the lease.
func (p *Postgres) Acquire(ctx context.Context, owner string, now, until time.Time) error {
	var got string
	err := p.db.GetContext(ctx, &got, `INSERT INTO refserver.closing_lease (owner, until) VALUES ($1, $3)
		ON CONFLICT (singleton) DO UPDATE SET owner = EXCLUDED.owner, until = EXCLUDED.until
		WHERE closing_lease.owner = EXCLUDED.owner OR closing_lease.until < $2
		RETURNING owner`, owner, now, until)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrBusy
	}
	return err
}

// Release implements Store.
func (p *Postgres) Release(ctx context.Context, owner string) error {
	_, err := p.db.ExecContext(ctx, `DELETE FROM refserver.closing_lease WHERE owner = $1`, owner)
	return err
}

type stepRow struct {
	Name       string       `db:"step"`
	Status     string       `db:"status"`
	Attempts   int          `db:"attempts"`
	StartedAt  time.Time    `db:"started_at"`
	FinishedAt sql.NullTime `db:"finished_at"`
	Error      string       `db:"error"`
}

// Steps implements Store.
func (p *Postgres) Steps(ctx context.Context, date calendar.Date) ([]StepRecord, error) {
	var rows []stepRow
	if err := p.db.SelectContext(ctx, &rows, `SELECT step, status, attempts, started_at, finished_at, error
		FROM refserver.closing_steps WHERE business_date = $1`, date); err != nil {
		return nil, err
	}
	out := make([]StepRecord, len(rows))
	for i, r := range rows {
		out[i] = StepRecord{Name: r.Name, Status: Status(r.Status), Attempts: r.Attempts,
			StartedAt: r.StartedAt.UTC(), Error: r.Error}
		if r.FinishedAt.Valid {
			out[i].FinishedAt = r.FinishedAt.Time.UTC()
		}
	}
	return out, nil
}

// SaveStep implements Store.
func (p *Postgres) SaveStep(ctx context.Context, date calendar.Date, rec StepRecord) error {
	var finished *time.Time
	if !rec.FinishedAt.IsZero() {
		finished = &rec.FinishedAt
	}
	_, err := p.db.ExecContext(ctx, `INSERT INTO refserver.closing_steps
			(business_date, step, status, attempts, started_at, finished_at, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (business_date, step) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,
			started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, error = EXCLUDED.error`,
		date, rec.Name, string(rec.Status), rec.Attempts, rec.StartedAt, finished, rec.Error)
	return err
}
