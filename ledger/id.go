package ledger

import (
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// ID identifies an account, entry or hold. It is a UUID in the version 7
// layout (RFC 9562): a 48-bit Unix millisecond timestamp first, so IDs made
// later sort later and B-tree indexes stay dense. Its underlying type is
// [16]byte, the same as other UUID libraries use, so a conversion is free.
//
// The zero ID means "none" (an entry that reverses nothing, for example).
type ID [16]byte

// NilID is the zero ID.
var NilID ID

// lastV7 holds the last timestamp and counter issued by NewID, packed as
// ms<<12 | counter, so that IDs made by one process are strictly increasing.
var lastV7 atomic.Uint64

// NewID returns a new UUIDv7. Within one process the IDs strictly increase:
// the 12 bits after the timestamp count IDs made in the same millisecond.
// The remaining 62 bits are random.
func NewID() ID {
	now := uint64(time.Now().UnixMilli()) << 12
	var seq uint64
	for {
		last := lastV7.Load()
		seq = max(now, last+1)
		if lastV7.CompareAndSwap(last, seq) {
			break
		}
	}
	var id ID
	ms, counter := seq>>12, seq&0xfff
	id[0], id[1], id[2] = byte(ms>>40), byte(ms>>32), byte(ms>>24)
	id[3], id[4], id[5] = byte(ms>>16), byte(ms>>8), byte(ms)
	id[6] = 0x70 | byte(counter>>8)
	id[7] = byte(counter)
	r := rand.Uint64()
	for i := 8; i < 16; i++ {
		id[i] = byte(r >> (8 * (15 - i)))
	}
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id
}

// ParseID reads the canonical 36-character form
// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case).
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return NilID, invalid("id", fmt.Sprintf("%q is not a UUID", s))
	}
	hexDigits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(id[:], []byte(hexDigits)); err != nil {
		return NilID, invalid("id", fmt.Sprintf("%q is not a UUID", s))
	}
	return id, nil
}

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == NilID }

// String returns the canonical lower-case form.
func (id ID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// Compare orders IDs bytewise, which for UUIDv7 is creation order. It is
// the order in which stores lock accounts.
func (id ID) Compare(o ID) int {
	for i := range id {
		if id[i] != o[i] {
			if id[i] < o[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// MarshalText implements encoding.TextMarshaler.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (id *ID) UnmarshalText(b []byte) error {
	parsed, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = parsed
	return nil
}

// Value implements driver.Valuer: the canonical text form, which a
// PostgreSQL uuid column accepts. The zero ID is stored as NULL.
func (id ID) Value() (driver.Value, error) {
	if id.IsZero() {
		return nil, nil
	}
	return id.String(), nil
}

// Scan implements sql.Scanner for uuid and text columns; NULL scans as the
// zero ID.
func (id *ID) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*id = NilID
		return nil
	case string:
		return id.UnmarshalText([]byte(v))
	case []byte:
		if len(v) == 16 {
			copy(id[:], v)
			return nil
		}
		return id.UnmarshalText(v)
	}
	return fmt.Errorf("ledger: cannot scan %T into ID", src)
}
