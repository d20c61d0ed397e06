package channel

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bankkit/bankkit/fault"
	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters new password hashes use.
type Params struct {
	Memory     uint32 // KiB
	Time       uint32 // passes over the memory
	Threads    uint8  // lanes
	SaltLength uint32 // bytes
	KeyLength  uint32 // bytes of hash
}

// DefaultParams are OWASP's recommended argon2id parameters (OWASP Password
// Storage Cheat Sheet: m=19456 KiB, t=2, p=1) with a 16-byte salt and a
// 32-byte hash.
var DefaultParams = Params{Memory: 19456, Time: 2, Threads: 1, SaltLength: 16, KeyLength: 32}

// Bounds on credential parameters, for new hashes and stored ones alike: a
// stored string outside them is refused rather than allowed to cost a
// login gigabytes or minutes.
const (
	maxMemoryKiB  = 4 << 20 // 4 GiB
	maxTime       = 64
	minSaltLength = 8
	maxSaltLength = 64
	minKeyLength  = 16
	maxKeyLength  = 64
)

// Validate checks that p is usable, naming the parameter at fault.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1:
		return invalid("argon2.threads", "must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return invalid("argon2.memory", fmt.Sprintf("must be %d to %d KiB", 8*uint32(p.Threads), maxMemoryKiB))
	case p.Time < 1 || p.Time > maxTime:
		return invalid("argon2.time", fmt.Sprintf("must be 1 to %d", maxTime))
	case p.SaltLength < minSaltLength || p.SaltLength > maxSaltLength:
		return invalid("argon2.salt_length", fmt.Sprintf("must be %d to %d bytes", minSaltLength, maxSaltLength))
	case p.KeyLength < minKeyLength || p.KeyLength > maxKeyLength:
		return invalid("argon2.key_length", fmt.Sprintf("must be %d to %d bytes", minKeyLength, maxKeyLength))
	}
	return nil
}

// Credential is a stored password hash: argon2id with the parameters it was
// made with, so that they can be raised later and old hashes rehashed at
// the next successful login. Its text form is the PHC string format:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// with salt and hash in unpadded standard base64.
type Credential struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	Salt    []byte
	Hash    []byte
}

// HashPassword hashes password with a fresh random salt under p. It does
// not apply the password policy (ValidatePassword does), only the hash's
// own input bound.
func HashPassword(password string, p Params) (Credential, error) {
	if err := p.Validate(); err != nil {
		return Credential{}, err
	}
	if len(password) > MaxPasswordLength {
		return Credential{}, invalid("password", fmt.Sprintf("must be at most %d bytes", MaxPasswordLength))
	}
	salt := make([]byte, p.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return Credential{}, fmt.Errorf("channel: salt: %w", err)
	}
	c := Credential{Memory: p.Memory, Time: p.Time, Threads: p.Threads, Salt: salt}
	c.Hash = c.derive(password, p.KeyLength)
	return c, nil
}

// deriveKey is the argon2id key derivation; a variable only so that a test
// can count how often a login pays for it. Its inputs are validated first
// (Params.Validate, Credential.Validate): argon2.IDKey panics on zero time
// or threads.
var deriveKey = argon2.IDKey

func (c Credential) derive(password string, keyLen uint32) []byte {
	return deriveKey([]byte(password), c.Salt, c.Time, c.Memory, c.Threads, keyLen)
}

// Verify reports whether password is the one c was made from. The final
// comparison takes the same time wherever the hashes differ.
func (c Credential) Verify(password string) bool {
	if len(password) > MaxPasswordLength || c.Validate() != nil {
		return false
	}
	return subtle.ConstantTimeCompare(c.derive(password, uint32(len(c.Hash))), c.Hash) == 1
}

// Params returns the parameters c was made with.
func (c Credential) Params() Params {
	return Params{Memory: c.Memory, Time: c.Time, Threads: c.Threads,
		SaltLength: uint32(len(c.Salt)), KeyLength: uint32(len(c.Hash))}
}

// WeakerThan reports whether any of c's parameters is below p's, so that
// the password should be hashed again under p.
func (c Credential) WeakerThan(p Params) bool {
	q := c.Params()
	return q.Memory < p.Memory || q.Time < p.Time || q.Threads < p.Threads ||
		q.SaltLength < p.SaltLength || q.KeyLength < p.KeyLength
}

// Validate checks that c has usable parameters, a salt and a hash, the
// condition a Store may assume of what it is given.
func (c Credential) Validate() error {
	var ve *fault.FieldError
	if err := c.Params().Validate(); errors.As(err, &ve) {
		return invalid("credential", ve.Field+" "+ve.Reason)
	}
	return nil
}

var phcB64 = base64.RawStdEncoding.Strict()

// String returns the PHC string form.
func (c Credential) String() string {
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s",
		c.Memory, c.Time, c.Threads, phcB64.EncodeToString(c.Salt), phcB64.EncodeToString(c.Hash))
}

// ParseCredential reads the PHC string form String writes. It accepts only
// that canonical form (argon2id, version 19, parameters in the order m, t,
// p) and only parameters within the bounds Params.Validate sets, so that
// parsing and printing round-trip exactly.
func ParseCredential(s string) (Credential, error) {
	bad := func(reason string) (Credential, error) {
		return Credential{}, invalid("credential", reason)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("not a PHC string ($argon2id$v=19$m=..,t=..,p=..$salt$hash)")
	}
	if parts[1] != "argon2id" {
		return bad(fmt.Sprintf("algorithm %q is not argon2id", parts[1]))
	}
	if parts[2] != "v=19" {
		return bad(fmt.Sprintf("version %q is not v=19", parts[2]))
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return bad("parameters must be m=..,t=..,p=..")
	}
	var values [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return bad(fmt.Sprintf("parameter %d must be %s=", i+1, name))
		}
		n, err := parseDecimal(v)
		if err != nil {
			return bad(fmt.Sprintf("parameter %s: %v", name, err))
		}
		values[i] = n
	}
	if values[0] > maxMemoryKiB || values[1] > maxTime || values[2] > 255 {
		return bad("parameters out of range")
	}
	salt, err := phcB64.DecodeString(parts[4])
	if err != nil {
		return bad("salt is not unpadded base64")
	}
	hash, err := phcB64.DecodeString(parts[5])
	if err != nil {
		return bad("hash is not unpadded base64")
	}
	c := Credential{Memory: uint32(values[0]), Time: uint32(values[1]), Threads: uint8(values[2]), Salt: salt, Hash: hash}
	if err := c.Validate(); err != nil {
		return Credential{}, err
	}
	return c, nil
}

// parseDecimal reads a canonical decimal: digits only, no sign, no leading
// zero.
func parseDecimal(s string) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || len(s) > 10 {
		return 0, fmt.Errorf("%q is not a canonical number", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not a canonical number", s)
		}
	}
	return strconv.ParseUint(s, 10, 64)
}
