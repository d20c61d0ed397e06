package channel

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// FileProvider is the built-in Provider: it appends each message as one
// JSON line to <dir>/<medium>.jsonl, for demos, tests and a bank that
// hands the files to its gateways. Writes are buffered; Deliver flushes
// each batch (and fsyncs the file) before marking it sent. Safe for
// concurrent use.
type FileProvider struct {
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	path string
}

// NewFileProvider opens (creating or appending to) the file of medium m
// in dir.
func NewFileProvider(dir string, m Medium) (*FileProvider, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("channel: notifications directory: %w", err)
	}
	path := filepath.Join(dir, string(m)+".jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, fmt.Errorf("channel: notifications file: %w", err)
	}
	return &FileProvider{f: f, w: bufio.NewWriterSize(f, 256<<10), path: path}, nil
}

// Path is the file written.
func (p *FileProvider) Path() string { return p.path }

type fileLine struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	Medium     Medium    `json:"medium"`
	Category   string    `json:"category"`
	Subject    string    `json:"subject,omitempty"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

// Send implements Provider.
func (p *FileProvider) Send(_ context.Context, m Message) error {
	b, err := json.Marshal(fileLine{ID: m.ID.String(), CustomerID: m.CustomerID, Medium: m.Medium, Category: m.Category,
		Subject: m.Subject, Body: m.Body, CreatedAt: m.CreatedAt})
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("channel: write %s: %w", p.path, err)
	}
	return nil
}

// Flush implements Flusher: the buffered lines reach the file and the
// file reaches the disk (fsync), once per batch, so a batch marked sent
// survives a crash of the machine.
func (p *FileProvider) Flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.w.Flush(); err != nil {
		return fmt.Errorf("channel: write %s: %w", p.path, err)
	}
	if err := p.f.Sync(); err != nil {
		return fmt.Errorf("channel: sync %s: %w", p.path, err)
	}
	return nil
}

// Close flushes and closes the file.
func (p *FileProvider) Close() error {
	err := p.Flush()
	p.mu.Lock()
	defer p.mu.Unlock()
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	return err
}
