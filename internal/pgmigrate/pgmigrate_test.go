package pgmigrate_test

import (
	"context"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgtest"
)

func files(m map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range m {
		fsys["migrations/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

func TestLoadOrdersAndValidatesNames(t *testing.T) {
	t.Parallel()
	ms, err := pgmigrate.Load(files(map[string]string{
		"0002_second.sql": "SELECT 2",
		"0001_first.sql":  "SELECT 1",
		"0010_tenth.sql":  "SELECT 10",
	}), "migrations")
	require.NoError(t, err)
	require.Len(t, ms, 3)
	require.Equal(t, []int{1, 2, 10}, []int{ms[0].Version, ms[1].Version, ms[2].Version})
	require.Equal(t, "first", ms[0].Name)

	for name, fsys := range map[string]fstest.MapFS{
		"bad name":          files(map[string]string{"first.sql": "SELECT 1"}),
		"duplicate version": files(map[string]string{"0001_a.sql": "", "001_b.sql": ""}),
	} {
		_, err := pgmigrate.Load(fsys, "migrations")
		require.Error(t, err, name)
	}
}

func TestApplyIsIdempotentAndVersioned(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	v1 := files(map[string]string{"0001_init.sql": "CREATE TABLE demo.things (id int PRIMARY KEY)"})
	require.NoError(t, pgmigrate.Apply(ctx, db, "demo", v1, "migrations"))
	require.NoError(t, pgmigrate.Apply(ctx, db, "demo", v1, "migrations"), "second apply must be a no-op")

	v2 := files(map[string]string{
		"0001_init.sql": "CREATE TABLE demo.things (id int PRIMARY KEY)",
		"0002_more.sql": "ALTER TABLE demo.things ADD COLUMN name text",
	})
	require.NoError(t, pgmigrate.Apply(ctx, db, "demo", v2, "migrations"))
	v, err := pgmigrate.Version(ctx, db, "demo")
	require.NoError(t, err)
	require.Equal(t, 2, v)
	_, err = db.Exec("INSERT INTO demo.things (id, name) VALUES (1, 'x')")
	require.NoError(t, err)
}

func TestApplyFailureLeavesNothingHalfDone(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	bad := files(map[string]string{
		"0001_init.sql":   "CREATE TABLE demo.a (id int)",
		"0002_broken.sql": "CREATE TABLE demo.b (id int); SELECT no_such_function()",
	})
	require.Error(t, pgmigrate.Apply(ctx, db, "demo", bad, "migrations"))
	v, err := pgmigrate.Version(ctx, db, "demo")
	require.NoError(t, err)
	require.Equal(t, 1, v)
	var n int
	require.NoError(t, db.Get(&n, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'demo' AND table_name = 'b'"))
	require.Zero(t, n, "the failed migration's first statement must be rolled back")
}

func TestConcurrentApplyRunsEachMigrationOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	// A migration that is not idempotent by itself: applying it twice fails.
	fsys := files(map[string]string{
		"0001_init.sql": "CREATE TABLE demo.counter (n int); INSERT INTO demo.counter VALUES (1)",
	})
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = pgmigrate.Apply(ctx, db, "demo", fsys, "migrations")
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	var n int
	require.NoError(t, db.Get(&n, "SELECT count(*) FROM demo.counter"))
	require.Equal(t, 1, n)
}

func TestApplyRefusesBadSchemaName(t *testing.T) {
	t.Parallel()
	err := pgmigrate.Apply(context.Background(), nil, "x; DROP TABLE y", files(nil), "migrations")
	require.ErrorContains(t, err, "invalid schema name")
}

// A shared set is applied into each schema that asks for it, before the
// schema's own files (which may use its tables), and versioned apart from
// them: both start at 0001 without colliding.
func TestSharedSetAppliesIntoEachSchemaWithItsOwnVersions(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	shared := func(m map[string]string) pgmigrate.Shared {
		return pgmigrate.Shared{Name: "things", FS: files(m), Dir: "migrations"}
	}
	v1 := shared(map[string]string{"0001_init.sql": "CREATE TABLE {{schema}}.things (id int PRIMARY KEY)"})
	for _, schema := range []string{"alpha", "beta"} {
		own := files(map[string]string{"0001_init.sql": "INSERT INTO " + schema + ".things VALUES (1)"})
		require.NoError(t, pgmigrate.Apply(ctx, db, schema, own, "migrations", v1))
		require.NoError(t, pgmigrate.Apply(ctx, db, schema, own, "migrations", v1), "a second apply is a no-op")
		var n int
		require.NoError(t, db.Get(&n, "SELECT count(*) FROM "+schema+".things"))
		require.Equal(t, 1, n)
		v, err := pgmigrate.Version(ctx, db, schema)
		require.NoError(t, err)
		require.Equal(t, 1, v)
	}

	v2 := shared(map[string]string{
		"0001_init.sql": "CREATE TABLE {{schema}}.things (id int PRIMARY KEY)",
		"0002_name.sql": "ALTER TABLE {{schema}}.things ADD COLUMN name text",
	})
	own := files(map[string]string{"0001_init.sql": "INSERT INTO alpha.things VALUES (1)"})
	require.NoError(t, pgmigrate.Apply(ctx, db, "alpha", own, "migrations", v2))
	_, err := db.Exec("UPDATE alpha.things SET name = 'x'")
	require.NoError(t, err, "the shared set's new file was applied")
	var shared2 []int
	require.NoError(t, db.Select(&shared2, "SELECT version FROM alpha.things_migrations ORDER BY version"))
	require.Equal(t, []int{1, 2}, shared2)
	_, err = db.Exec("UPDATE beta.things SET name = 'x'")
	require.Error(t, err, "only where it was applied")
}

func TestApplyRefusesBadSharedSetName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "schema", "Things", "a-b"} {
		err := pgmigrate.Apply(context.Background(), nil, "demo", files(nil), "migrations",
			pgmigrate.Shared{Name: name, FS: files(nil), Dir: "migrations"})
		require.ErrorContains(t, err, "invalid shared set name", name)
	}
}
