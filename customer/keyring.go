package customer

import (
	"encoding/base64"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Keyring is the port to the bank's key store. The Service seals personal
// data under the primary key and opens it with whichever key sealed it, so
// keys can rotate while old rows stay readable. A bank can implement it over
// its KMS or HSM; StaticKeyring reads keys from configuration.
type Keyring interface {
	// Primary returns the key new data is sealed under: its id and 32 bytes.
	Primary() (keyID string, key []byte)
	// Key returns the 32-byte key with that id, or an error wrapping
	// ErrUnknownKey.
	Key(keyID string) ([]byte, error)
	// IndexKey returns the HMAC key of the blind indexes. It is separate
	// from the encryption keys and does not rotate with them: changing it
	// means recomputing every index.
	IndexKey() []byte
}

// KeySize is the length of an AES-256 key and of the index key.
const KeySize = 32

// KeyringEnv is the environment variable KeyringFromEnv reads.
const KeyringEnv = "BANKKIT_CUSTOMER_KEYRING"

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// StaticKeyring is a Keyring held in memory, parsed from configuration
// text. It is safe for concurrent use; AddKey, SetPrimary and Retire change
// it at run time for rotation.
type StaticKeyring struct {
	mu      sync.RWMutex
	keys    map[string][]byte
	primary string
	index   []byte
}

// ParseKeyring reads keyring configuration: entries separated by commas or
// new lines, each "id:base64-of-32-bytes"; the entry "primary:id" names the
// primary key (the only key is primary by default) and "index:base64" gives
// the blind-index key. Blank lines and lines starting with '#' are ignored.
//
//	k1:3q2+7w...=,k2:yv66vg...=,primary:k2,index:AAECAw...=
func ParseKeyring(text string) (*StaticKeyring, error) {
	k := &StaticKeyring{keys: map[string][]byte{}}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, entry := range strings.Split(line, ",") {
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			id, value, ok := strings.Cut(entry, ":")
			if !ok {
				return nil, invalid("keyring", "entry %q is not id:value", id)
			}
			switch id {
			case "primary":
				k.primary = value
			case "index":
				b, err := decodeKey("keyring.index", value)
				if err != nil {
					return nil, err
				}
				k.index = b
			default:
				if err := k.add(id, value); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(k.keys) == 0 {
		return nil, invalid("keyring", "no keys")
	}
	if k.index == nil {
		return nil, invalid("keyring.index", "the blind-index key is required")
	}
	if k.primary == "" && len(k.keys) == 1 {
		for id := range k.keys {
			k.primary = id
		}
	}
	if _, ok := k.keys[k.primary]; !ok {
		return nil, invalid("keyring.primary", "must name one of the keys")
	}
	return k, nil
}

// KeyringFromEnv parses the keyring in the environment variable
// KeyringEnv.
func KeyringFromEnv() (*StaticKeyring, error) {
	text, ok := os.LookupEnv(KeyringEnv)
	if !ok {
		return nil, invalid("keyring", "%s is not set", KeyringEnv)
	}
	return ParseKeyring(text)
}

// LoadKeyring parses the keyring file at path. Keep the file readable by
// the service's user only.
func LoadKeyring(path string) (*StaticKeyring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("customer: read keyring: %w", err)
	}
	return ParseKeyring(string(b))
}

func decodeKey(field, value string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(b) != KeySize {
		return nil, invalid(field, "must be base64 of exactly %d bytes", KeySize)
	}
	return b, nil
}

func (k *StaticKeyring) add(id, value string) error {
	if !keyIDPattern.MatchString(id) || id == "primary" || id == "index" {
		return invalid("keyring.id", "key id %q must be 1-64 letters, digits, '_', '.', '-' and not primary or index", id)
	}
	if _, dup := k.keys[id]; dup {
		return invalid("keyring.id", "key id %q appears twice", id)
	}
	b, err := decodeKey("keyring."+id, value)
	if err != nil {
		return err
	}
	k.keys[id] = b
	return nil
}

// Primary implements Keyring.
func (k *StaticKeyring) Primary() (string, []byte) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.primary, k.keys[k.primary]
}

// Key implements Keyring.
func (k *StaticKeyring) Key(id string) ([]byte, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	b, ok := k.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	return b, nil
}

// IndexKey implements Keyring.
func (k *StaticKeyring) IndexKey() []byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.index
}

// KeyIDs returns the ids of the keys held, sorted.
func (k *StaticKeyring) KeyIDs() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	ids := make([]string, 0, len(k.keys))
	for id := range k.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// AddKey adds a key (base64 of 32 bytes) without making it primary.
func (k *StaticKeyring) AddKey(id, base64Key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.add(id, base64Key)
}

// SetPrimary makes the key with that id the one new data is sealed under.
func (k *StaticKeyring) SetPrimary(id string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.keys[id]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	k.primary = id
	return nil
}

// Retire removes a key. Use Service.RetireKey, which first checks that no
// row is still sealed under it; the primary key cannot be retired.
func (k *StaticKeyring) Retire(id string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.keys[id]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	if id == k.primary {
		return fmt.Errorf("%w: %q is the primary key", ErrKeyInUse, id)
	}
	delete(k.keys, id)
	return nil
}

// Retirer is implemented by keyrings that can drop a key at run time;
// Service.RetireKey calls it after checking the key is unused.
type Retirer interface {
	Retire(keyID string) error
}

var _ Retirer = (*StaticKeyring)(nil)
