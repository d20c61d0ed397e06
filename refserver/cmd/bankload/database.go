package main

import (
	"context"
	"fmt"
	"net/url"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// database is the database a run uses.
type database struct {
	url     string
	name    string
	base    string
	created bool // by this run, which drops it when done
}

// openDatabase returns database name on the server of base, creating it
// when it does not exist.
func openDatabase(ctx context.Context, base, name string) (*database, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("-database-url must be a postgres:// URL")
	}
	if name == "" {
		return nil, fmt.Errorf("-database-name is empty")
	}
	admin, err := sqlx.ConnectContext(ctx, "postgres", base)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	d := &database{name: name, base: base}
	var exists bool
	if err := admin.GetContext(ctx, &exists, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name); err != nil {
		return nil, err
	}
	if !exists {
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
			return nil, err
		}
		d.created = true
	}
	u.Path = "/" + name
	d.url = u.String()
	return d, nil
}

// release drops the database if this run created it, and only then.
func (d *database) release(ctx context.Context) error {
	if !d.created {
		return nil
	}
	admin, err := sqlx.ConnectContext(ctx, "postgres", d.base)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, "DROP DATABASE "+pq.QuoteIdentifier(d.name))
	return err
}
