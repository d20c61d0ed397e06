package memledger

import (
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// classOneKey names an owner's class I account in a currency: one may be
// open at a time.
type classOneKey struct {
	owner    string
	currency money.Currency
}

// usageKey names what an account's outflow limits counted in a period
// (ledger.ClassPeriods: a day or a year).
type usageKey struct {
	account ledger.ID
	period  string
}

// applyClass runs ledger.ApplyClass on an entry Apply accepted and, if it
// passes, records the outflows it counted; the caller holds s.mu, so the
// usage read and written here is the usage of every posting before.
func (s *Store) applyClass(e *ledger.Entry, moves []ledger.Movement, accts []ledger.Account) error {
	limited := false
	for i := range accts {
		if accts[i].Class == ledger.ClassII || accts[i].Class == ledger.ClassIII {
			limited = true
			break
		}
	}
	if !limited {
		return nil // the common case: no allocation
	}
	day, year := ledger.ClassPeriods(e.ValueDate)
	usage := make([]ledger.ClassUsage, len(accts))
	for i := range accts {
		if accts[i].LimitsOutflows() {
			usage[i] = ledger.ClassUsage{
				Day:  s.classUsage[usageKey{accts[i].ID, day}],
				Year: s.classUsage[usageKey{accts[i].ID, year}],
			}
		}
	}
	before := make([]ledger.ClassUsage, len(usage))
	copy(before, usage)
	if err := ledger.ApplyClass(*e, moves, accts, usage); err != nil {
		return err
	}
	for i := range accts {
		if !usage[i].Day.Equal(before[i].Day) {
			s.classUsage[usageKey{accts[i].ID, day}] = usage[i].Day
			s.classUsage[usageKey{accts[i].ID, year}] = usage[i].Year
		}
	}
	return nil
}
