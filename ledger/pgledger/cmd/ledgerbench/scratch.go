package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/jmoiron/sqlx"
)

var scratchName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// recreateScratch drops and creates the database name on the server of
// adminURL and returns a URL for it. The benchmark owns that database
// outright, so it never touches tables of the database it was pointed at.
func recreateScratch(ctx context.Context, adminURL, name string) (string, error) {
	if !scratchName.MatchString(name) {
		return "", fmt.Errorf("-scratch-db %q: want a lower-case SQL identifier", name)
	}
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("-database-url %q: want a postgres:// URL", adminURL)
	}
	if u.Path == "/"+name {
		return "", fmt.Errorf("-scratch-db %q is the database of -database-url; it would be dropped", name)
	}
	admin, err := sqlx.ConnectContext(ctx, "postgres", adminURL)
	if err != nil {
		return "", fmt.Errorf("connect to -database-url: %w", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", fmt.Errorf("drop scratch database %s: %w", name, err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create scratch database %s: %w", name, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}
