package argon2id

import "testing"

// BenchmarkOWASP measures one derivation with the parameters channel uses
// by default (m=19456 KiB, t=2, p=1): the cost of every login.
func BenchmarkOWASP(b *testing.B) {
	for b.Loop() {
		if _, err := Key([]byte("correct horse battery staple"), []byte("0123456789abcdef"), 2, 19456, 1, 32); err != nil {
			b.Fatal(err)
		}
	}
}
