package refserver

import (
	"context"
	"fmt"
)

// checkKeys refuses to start when the PII keyring cannot open what the
// storage holds: with a missing or different key every customer read
// would fail, and with a different index key lookups would find nothing
// and a national id could be registered twice. The error names each key.
func (s *Server) checkKeys(ctx context.Context) error {
	if err := s.customer.CheckKeys(ctx); err != nil {
		return fmt.Errorf("refserver: the PII keyring does not match the stored customer data; start with the keyring the data was written under:\n%w", err)
	}
	return nil
}
