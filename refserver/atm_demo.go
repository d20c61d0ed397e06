package refserver

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/channel"
)

// seedATMDemo registers the demo fleet, three devices with 100s and 50s,
// loaded from the vault and confirmed, and logs each new device's
// credential once. Seeding again adds nothing: a device is found by its id
// (its credential was shown when it was registered; rotate it to get a new
// one).
func (s *Server) seedATMDemo(ctx context.Context) error {
	d := decimal.RequireFromString
	today, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return err
	}
	fleet := []channel.NewATM{
		{ID: "DEMO-ATM-1", Branch: "Lujiazui", Address: "8 Century Avenue, Pudong, Shanghai", Latitude: d("31.2397"), Longitude: d("121.4998"), Model: "GRG H68N"},
		{ID: "DEMO-ATM-2", Branch: "People's Square", Address: "100 Nanjing Road West, Shanghai", Latitude: d("31.2336"), Longitude: d("121.4753"), Model: "GRG H68N"},
		{ID: "DEMO-ATM-3", Branch: "Xujiahui", Address: "1 Hongqiao Road, Shanghai", Latitude: d("31.1950"), Longitude: d("121.4368"), Model: "NCR SelfServ 84"},
	}
	for i, n := range fleet {
		if _, err := s.fleet.Device(ctx, n.ID); err == nil {
			continue
		} else if !errors.Is(err, channel.ErrNotFound) {
			return err
		}
		n.Cassettes = []channel.Cassette{
			{Currency: "CNY", Denomination: d("100"), Capacity: 2500, LowAt: 250},
			{Currency: "CNY", Denomination: d("50"), Capacity: 1500, LowAt: 150},
		}
		a, token, err := s.fleet.Register(ctx, n)
		if err != nil {
			return fmt.Errorf("%s: %w", n.ID, err)
		}
		hundreds, fifties := 1500-400*i, 800-200*i // the third starts near its low mark
		r, err := s.fleet.ScheduleReplenishment(ctx, a.ID, today, []channel.ReplenishmentLine{
			{Currency: "CNY", Denomination: d("100"), Count: hundreds}, {Currency: "CNY", Denomination: d("50"), Count: fifties}})
		if err != nil {
			return err
		}
		if _, err := s.fleet.LoadReplenishment(ctx, r.ID); err != nil {
			return err
		}
		if _, err := s.fleet.ConfirmReplenishment(ctx, a.ID, r.ID, []int{hundreds, fifties}); err != nil {
			return err
		}
		s.log.Info("demo ATM registered", "id", a.ID, "branch", a.Branch, "credential", token)
	}
	return nil
}
