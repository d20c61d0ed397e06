package risk

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FileFiler is a Filer that writes each filing to a directory, for the
// filing system to collect: written under a temporary name and renamed,
// so a reader never sees half a file. Filing the same name again
// replaces it with the same content.
type FileFiler struct {
	dir string
}

// NewFileFiler returns a FileFiler writing to dir, which is created if
// need be.
func NewFileFiler(dir string) (*FileFiler, error) {
	if dir == "" {
		return nil, invalid("dir", "is required")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return &FileFiler{dir: dir}, nil
}

// Dir is the directory written to.
func (f *FileFiler) Dir() string { return f.dir }

// File implements Filer.
func (f *FileFiler) File(_ context.Context, fl Filing) error {
	if fl.Name == "" || strings.ContainsAny(fl.Name, `/\`) || strings.HasPrefix(fl.Name, ".") {
		return invalid("name", "must be a plain file name")
	}
	tmp, err := os.CreateTemp(f.dir, ".filing-*")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(fl.Body); err != nil {
		tmp.Close()
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(f.dir, fl.Name)); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}
