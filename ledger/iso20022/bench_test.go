package iso20022

import (
	"strings"
	"testing"
)

func BenchmarkParseStatement(b *testing.B) {
	doc := sharedCamt053(b)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := ParseStatement(strings.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
}
