package pgoutbox

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/event"
)

// appendMany writes events in one INSERT of unnest-ed arrays, in order
// (the rows take their ids, and so their sequence order, in array order).
// Every column is sent as text, ” standing for NULL, so one array per
// column carries the rows whatever they leave out.
func (o *Outbox) appendMany(ctx context.Context, tx sqlx.ExecerContext, events []event.Envelope) error {
	n := len(events)
	ids, types, versions, occurred := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	dates, subjects, payloads := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	var b strings.Builder
	for i, e := range events {
		if err := checkAppend(e); err != nil {
			return err
		}
		ids[i], types[i] = e.ID.String(), e.Type
		if e.Version != 0 {
			versions[i] = strconv.Itoa(e.Version)
		}
		if !e.OccurredAt.IsZero() {
			occurred[i] = e.OccurredAt.Format(time.RFC3339Nano)
		}
		if !e.BusinessDate.IsZero() {
			dates[i] = e.BusinessDate.String()
		}
		if len(e.Subjects) > 0 {
			b.Reset()
			b.WriteByte('{')
			for j, id := range e.Subjects {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(id.String())
			}
			b.WriteByte('}')
			subjects[i] = b.String()
		}
		if e.Payload != nil {
			payloads[i] = string(e.Payload)
		}
	}
	_, err := tx.ExecContext(ctx, o.sql.appendMany, ids, types, versions, occurred, dates, subjects, payloads)
	return err
}
