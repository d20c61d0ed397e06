package credittest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
)

// Customers is a fake credit.Customers: a table of facts. Safe for
// concurrent use.
type Customers struct {
	mu    sync.Mutex
	facts map[credit.ID]credit.CustomerFacts
}

// Set records a customer's facts.
func (c *Customers) Set(id credit.ID, f credit.CustomerFacts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.facts == nil {
		c.facts = map[credit.ID]credit.CustomerFacts{}
	}
	c.facts[id] = f
}

// Facts implements credit.Customers; ErrNotFound for an unknown id.
func (c *Customers) Facts(_ context.Context, id credit.ID) (credit.CustomerFacts, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.facts[id]
	if !ok {
		return credit.CustomerFacts{}, fmt.Errorf("%w: customer %s", credit.ErrNotFound, id)
	}
	return f, nil
}

// ErrBureauDown is what Bureau answers while Down is set.
var ErrBureauDown = errors.New("bureau: connection refused")

// Bureau is a fake credit.Bureau: a table of reports; a customer not in it
// has no record (Hit false). Safe for concurrent use.
type Bureau struct {
	mu      sync.Mutex
	reports map[credit.ID]credit.BureauReport
	down    bool
}

// Set records a customer's report (Hit is set).
func (b *Bureau) Set(id credit.ID, r credit.BureauReport) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.reports == nil {
		b.reports = map[credit.ID]credit.BureauReport{}
	}
	r.Hit = true
	b.reports[id] = r
}

// Down makes every call fail with ErrBureauDown until Down(false).
func (b *Bureau) Down(down bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.down = down
}

// Report implements credit.Bureau.
func (b *Bureau) Report(_ context.Context, id credit.ID) (credit.BureauReport, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.down {
		return credit.BureauReport{}, ErrBureauDown
	}
	return b.reports[id], nil
}

// Behaviour is a fake credit.Behaviour: a table of features; an unknown
// customer has the zero features. Safe for concurrent use.
type Behaviour struct {
	mu       sync.Mutex
	features map[credit.ID]credit.Features
}

// Set records a customer's features.
func (b *Behaviour) Set(id credit.ID, f credit.Features) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.features == nil {
		b.features = map[credit.ID]credit.Features{}
	}
	b.features[id] = f
}

// Features implements credit.Behaviour.
func (b *Behaviour) Features(_ context.Context, id credit.ID, _ calendar.Date) (credit.Features, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.features[id], nil
}
