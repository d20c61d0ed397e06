package closing

import (
	"context"
	"sync"
	"time"

	"github.com/bankkit/bankkit/calendar"
)

// Memory is a Store in memory, for one process.
type Memory struct {
	mu    sync.Mutex
	owner string
	until time.Time
	steps map[calendar.Date]map[string]StepRecord
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{steps: map[calendar.Date]map[string]StepRecord{}} }

// Acquire implements Store.
func (m *Memory) Acquire(ctx context.Context, owner string, now, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.owner != "" && m.owner != owner && !m.until.Before(now) {
		return ErrBusy
	}
	m.owner, m.until = owner, until
	return nil
}

// Release implements Store.
func (m *Memory) Release(_ context.Context, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.owner == owner {
		m.owner, m.until = "", time.Time{}
	}
	return nil
}

// Steps implements Store.
func (m *Memory) Steps(ctx context.Context, date calendar.Date) ([]StepRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]StepRecord, 0, len(m.steps[date]))
	for _, rec := range m.steps[date] {
		out = append(out, rec)
	}
	return out, nil
}

// SaveStep implements Store.
func (m *Memory) SaveStep(ctx context.Context, date calendar.Date, rec StepRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.steps[date] == nil {
		m.steps[date] = map[string]StepRecord{}
	}
	m.steps[date][rec.Name] = rec
	return nil
}
