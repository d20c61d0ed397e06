package refserver

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/memchannel"
	"github.com/bankkit/bankkit/channel/pgchannel"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/memcredit"
	"github.com/bankkit/bankkit/credit/pgcredit"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/customer/memcustomer"
	"github.com/bankkit/bankkit/customer/pgcustomer"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/refserver/closing"
	"github.com/bankkit/bankkit/refserver/idempotency"
	"github.com/bankkit/bankkit/risk"
	"github.com/bankkit/bankkit/risk/memrisk"
	"github.com/bankkit/bankkit/risk/oprisk"
	"github.com/bankkit/bankkit/risk/oprisk/memoprisk"
	"github.com/bankkit/bankkit/risk/oprisk/pgoprisk"
	"github.com/bankkit/bankkit/risk/pgrisk"
	"github.com/bankkit/bankkit/wealth"
	"github.com/bankkit/bankkit/wealth/memwealth"
	"github.com/bankkit/bankkit/wealth/pgwealth"
)

// ledgerStore is what the server needs of a ledger backend: postings, end
// of day, clearing, reconciliation and foreign exchange. memledger and
// pgledger both provide all five.
type ledgerStore interface {
	ledger.Store
	endofday.Store
	clearing.Store
	clearing.ReconStore
	fx.Store
}

// stores is one backend per subsystem.
type stores struct {
	ledger   ledgerStore
	customer customer.Store
	channel  channel.Store
	idem     idempotency.Store
	closing  closing.Store
	credit   credit.Store
	risk     risk.Store
	oprisk   oprisk.Store
	wealth   wealth.Store
	// close releases what the stores hold beyond the pool (the
	// idempotency owner's session); nil when nothing.
	close func() error
}

func memoryStores() stores {
	return stores{
		ledger:   memledger.New(),
		customer: memcustomer.New(),
		channel:  memchannel.New(),
		idem:     idempotency.NewMemory(),
		closing:  closing.NewMemory(),
		credit:   memcredit.New(),
		risk:     memrisk.New(),
		oprisk:   memoprisk.New(),
		wealth:   memwealth.New(),
	}
}

// migrations is every subsystem's PostgreSQL migration, applied at start.
var migrations = []struct {
	name    string
	migrate func(context.Context, *sqlx.DB) error
}{
	{"ledger", pgledger.Migrate},
	{"customer", pgcustomer.Migrate},
	{"channel", pgchannel.Migrate},
	{"refserver", idempotency.Migrate},
	{"refserver", closing.Migrate},
	{"credit", pgcredit.Migrate},
	{"risk", pgrisk.Migrate},
	{"oprisk", pgoprisk.Migrate},
	{"wealth", pgwealth.Migrate},
}

func postgresStores(ctx context.Context, db *sqlx.DB, auditCommit ...pgoprisk.Option) (stores, error) {
	for _, m := range migrations {
		if err := m.migrate(ctx, db); err != nil {
			return stores{}, fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	idem, err := idempotency.NewPostgres(ctx, db)
	if err != nil {
		return stores{}, err
	}
	return stores{
		ledger:   pgledger.New(db),
		customer: pgcustomer.New(db),
		channel:  pgchannel.New(db, pgchannel.AsyncReservations(), pgchannel.AsyncDelivery(), pgchannel.AsyncHeartbeats()),
		idem:     idem,
		closing:  closing.NewPostgres(db),
		credit:   pgcredit.New(db),
		risk:     pgrisk.New(db),
		oprisk:   pgoprisk.New(db, auditCommit...),
		wealth:   pgwealth.New(db),
		close:    idem.Close,
	}, nil
}
