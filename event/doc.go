// Package event is how bankkit's subsystems tell each other what happened.
//
// A subsystem (a source: "customer", "ledger") writes each event to its
// outbox in the same step as the change it describes, so an event exists
// exactly when its change does. Every event travels in one Envelope, with a
// stable JSON form, whatever its source. A source's storage backend
// provides the outbox as a Log; a Feed delivers it to durable, named
// subscribers at least once, in the source's order, and prunes what every
// subscriber has had.
//
// A subsystem publishes an event in three steps: its Service builds the
// envelope with New, its Store appends it in the change's transaction (the
// shared outbox implementations do the rest), and its Service exposes
// NewFeed(store's Log) for consumers:
//
//	e, err := event.New("customer.kyc_changed", 1, now, customer.KYCChanged{...}, customerID)
//	...
//	svc.Events().Subscribe(ctx, "risk", func(ctx context.Context, e event.Envelope) error { ... })
//	go svc.Events().Run(ctx, time.Second, logError)
//
// Like money, calendar and fault, event is a shared kernel: every subsystem
// may import it, and it imports no subsystem.
package event
