// Package pgmigrate applies a subsystem's embedded SQL migrations to its own
// PostgreSQL schema, recording each in a version table inside that schema.
//
// Each backend embeds its files (migrations/0001_init.sql, 0002_....sql) and
// calls Apply from its exported Migrate. Files are applied in version order,
// each in its own transaction together with its version row, so a failed
// migration leaves nothing half-done; applying again is a no-op. A
// transaction-scoped advisory lock keeps two processes starting at once from
// applying the same file twice.
//
// Tables that several subsystems keep alike (the event outbox) come from a
// Shared set, written once and applied into each subsystem's schema before
// the subsystem's own files, so those may use its tables.
package pgmigrate

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/internal/pgtx"
)

// Migration is one versioned SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

var fileName = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.sql$`)
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Load reads the migrations in dir of fsys. File names must look like
// 0001_init.sql; versions must be unique.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("pgmigrate: read %s: %w", dir, err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("pgmigrate: %s: name must look like 0001_init.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("pgmigrate: version %d used by %s and %s", v, prev, e.Name())
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: m[2], SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Shared is a set of migrations that several subsystems apply, each into
// its own schema. Its files write the schema as {{schema}}. Its versions
// are recorded in <schema>.<Name>_migrations, apart from the subsystem's
// schema_migrations, so the two numberings never collide.
type Shared struct {
	Name string // a lower-case SQL identifier: "outbox"
	FS   fs.FS
	Dir  string
}

// SchemaPlaceholder is how a Shared file writes the schema it is applied to.
const SchemaPlaceholder = "{{schema}}"

// Apply creates schema if needed and applies the migrations that its
// version tables do not list yet: those of each shared set, in the order
// given, then the subsystem's own in dir of fsys.
func Apply(ctx context.Context, db *sqlx.DB, schema string, fsys fs.FS, dir string, shared ...Shared) error {
	if !schemaName.MatchString(schema) {
		return fmt.Errorf("pgmigrate: invalid schema name %q", schema)
	}
	type set struct {
		table string
		ms    []Migration
	}
	sets := make([]set, 0, len(shared)+1)
	for _, sh := range shared {
		if !schemaName.MatchString(sh.Name) || sh.Name == "schema" {
			return fmt.Errorf("pgmigrate: invalid shared set name %q", sh.Name)
		}
		ms, err := Load(sh.FS, sh.Dir)
		if err != nil {
			return err
		}
		for i := range ms {
			ms[i].SQL = strings.ReplaceAll(ms[i].SQL, SchemaPlaceholder, schema)
		}
		sets = append(sets, set{table: sh.Name + "_migrations", ms: ms})
	}
	own, err := Load(fsys, dir)
	if err != nil {
		return err
	}
	sets = append(sets, set{table: "schema_migrations", ms: own})

	var setup strings.Builder
	fmt.Fprintf(&setup, "CREATE SCHEMA IF NOT EXISTS %s;\n", schema)
	for _, st := range sets {
		fmt.Fprintf(&setup, `CREATE TABLE IF NOT EXISTS %s.%s (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
);
`, schema, st.table)
	}
	// Two processes creating the schema at once can collide on the catalog's
	// unique index; the retry loop and IF NOT EXISTS make that harmless.
	if err := pgtx.Run(ctx, db, nil, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "bankkit.migrate."+schema); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, setup.String())
		return err
	}); err != nil {
		return fmt.Errorf("pgmigrate: prepare schema %s: %w", schema, err)
	}
	for _, st := range sets {
		for _, m := range st.ms {
			if err := applyOne(ctx, db, schema, st.table, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyOne applies m unless the version table lists it.
func applyOne(ctx context.Context, db *sqlx.DB, schema, table string, m Migration) error {
	err := pgtx.Run(ctx, db, nil, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "bankkit.migrate."+schema); err != nil {
			return err
		}
		var done bool
		if err := tx.GetContext(ctx, &done,
			fmt.Sprintf("SELECT EXISTS (SELECT 1 FROM %s.%s WHERE version = $1)", schema, table), m.Version); err != nil {
			return err
		}
		if done {
			return nil
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			fmt.Sprintf("INSERT INTO %s.%s (version, name) VALUES ($1, $2)", schema, table), m.Version, m.Name)
		return err
	})
	if err != nil {
		return fmt.Errorf("pgmigrate: %s.%s %04d_%s: %w", schema, table, m.Version, m.Name, err)
	}
	return nil
}

// Version returns the highest applied version in schema, 0 when none.
func Version(ctx context.Context, db *sqlx.DB, schema string) (int, error) {
	if !schemaName.MatchString(schema) {
		return 0, fmt.Errorf("pgmigrate: invalid schema name %q", schema)
	}
	var v int
	err := db.GetContext(ctx, &v, fmt.Sprintf("SELECT COALESCE(max(version), 0) FROM %s.schema_migrations", schema))
	return v, err
}
