// Package pgscratch makes the scratch databases of the benchmark commands:
// a database of their own, dropped and created afresh on each run, never
// the database the operator named to connect with.
package pgscratch

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/jmoiron/sqlx"
)

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Fresh drops and creates the database name on the server of adminURL
// (a postgres:// URL) and returns the URL of the new database. name must
// be a lower-case SQL identifier and not adminURL's own database.
func Fresh(ctx context.Context, adminURL, name string) (string, error) {
	if !identifier.MatchString(name) {
		return "", fmt.Errorf("scratch database %q: want a lower-case SQL identifier", name)
	}
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("-database-url: want a postgres:// URL")
	}
	if u.Path == "/"+name {
		return "", fmt.Errorf("scratch database %q is the database of -database-url", name)
	}
	admin, err := sqlx.ConnectContext(ctx, "postgres", adminURL)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	for _, stmt := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			return "", err
		}
	}
	u.Path = "/" + name
	return u.String(), nil
}
