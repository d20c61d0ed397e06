package channel

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// TokenPrefix starts every token the Service issues, so that a token pasted
// into a log or a repository is recognisable as a bankkit secret.
const TokenPrefix = "bk_"

// tokenBytes is the entropy of a token: 256 bits, beyond guessing.
const tokenBytes = 32

// Bounds on a token registered from outside (EnsureBootstrapAdmin), in
// bytes. Issued tokens are 46 bytes.
const (
	MinTokenLength = 32
	MaxTokenLength = 256
)

// TokenHash is the SHA-256 of a token. Stores keep only the hash: a leaked
// session table gives no usable token, and a lookup by hash does not
// compare secrets byte by byte. A fast hash is enough because tokens carry
// 256 random bits; passwords, which do not, get argon2id.
type TokenHash [sha256.Size]byte

// HashToken returns the hash a token is stored and looked up under.
func HashToken(token string) TokenHash { return sha256.Sum256([]byte(token)) }

// String returns the hash in hex, for logs and debugging; it reveals
// nothing of the token.
func (h TokenHash) String() string { return hex.EncodeToString(h[:]) }

// GenerateToken returns a new random token: TokenPrefix and 32 random
// bytes in unpadded base64url.
func GenerateToken() (string, error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("channel: token: %w", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// validateExternalToken checks a token chosen outside the Service: long
// enough to be a secret, printable ASCII without spaces so it survives an
// Authorization header.
func validateExternalToken(token string) error {
	if len(token) < MinTokenLength || len(token) > MaxTokenLength {
		return invalid("token", fmt.Sprintf("must be %d to %d characters", MinTokenLength, MaxTokenLength))
	}
	for i := 0; i < len(token); i++ {
		if token[i] <= ' ' || token[i] > '~' {
			return invalid("token", fmt.Sprintf("byte %d is not printable ASCII", i))
		}
	}
	return nil
}
