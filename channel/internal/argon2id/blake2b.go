package argon2id

import (
	"encoding/binary"
	"math/bits"
)

// BLAKE2b as specified in RFC 7693, unkeyed, with a digest of 1 to 64
// bytes. Argon2 uses it for its initial hash and for the variable-length
// hash H' that fills the first blocks and finalises the tag.

var blake2bIV = [8]uint64{
	0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
	0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
}

// blake2bSigma is the message schedule: round r uses permutation r mod 10.
var blake2bSigma = [10][16]uint8{
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
	{11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
	{7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
	{9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
	{2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
	{12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
	{13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
	{6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
	{10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
}

const blake2bBlockSize = 128

// blake2b is an incremental BLAKE2b state.
type blake2b struct {
	h      [8]uint64
	t      uint64 // bytes compressed so far; inputs here stay far below 2^64
	buf    [blake2bBlockSize]byte
	n      int // bytes waiting in buf
	outLen int
}

func newBlake2b(outLen int) *blake2b {
	d := &blake2b{h: blake2bIV, outLen: outLen}
	d.h[0] ^= 0x01010000 ^ uint64(outLen)
	return d
}

// Write absorbs p. The last block is kept back, because only Sum knows
// whether it is the final one.
func (d *blake2b) Write(p []byte) {
	for len(p) > 0 {
		if d.n == blake2bBlockSize {
			d.t += blake2bBlockSize
			d.compress(&d.buf, false)
			d.n = 0
		}
		c := copy(d.buf[d.n:], p)
		d.n += c
		p = p[c:]
	}
}

func (d *blake2b) writeUint32(v uint32) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	d.Write(b[:])
}

// Sum appends the digest to out.
func (d *blake2b) Sum(out []byte) []byte {
	d.t += uint64(d.n)
	clear(d.buf[d.n:])
	d.compress(&d.buf, true)
	var b [64]byte
	for i, w := range d.h {
		binary.LittleEndian.PutUint64(b[8*i:], w)
	}
	return append(out, b[:d.outLen]...)
}

func (d *blake2b) compress(block *[blake2bBlockSize]byte, final bool) {
	var m [16]uint64
	for i := range m {
		m[i] = binary.LittleEndian.Uint64(block[8*i:])
	}
	var v [16]uint64
	copy(v[:8], d.h[:])
	copy(v[8:], blake2bIV[:])
	v[12] ^= d.t
	if final {
		v[14] = ^v[14]
	}
	for r := 0; r < 12; r++ {
		s := &blake2bSigma[r%10]
		mixB(&v, 0, 4, 8, 12, m[s[0]], m[s[1]])
		mixB(&v, 1, 5, 9, 13, m[s[2]], m[s[3]])
		mixB(&v, 2, 6, 10, 14, m[s[4]], m[s[5]])
		mixB(&v, 3, 7, 11, 15, m[s[6]], m[s[7]])
		mixB(&v, 0, 5, 10, 15, m[s[8]], m[s[9]])
		mixB(&v, 1, 6, 11, 12, m[s[10]], m[s[11]])
		mixB(&v, 2, 7, 8, 13, m[s[12]], m[s[13]])
		mixB(&v, 3, 4, 9, 14, m[s[14]], m[s[15]])
	}
	for i := range d.h {
		d.h[i] ^= v[i] ^ v[i+8]
	}
}

// mixB is BLAKE2b's G function (RFC 7693, section 3.1).
func mixB(v *[16]uint64, a, b, c, d int, x, y uint64) {
	v[a] += v[b] + x
	v[d] = bits.RotateLeft64(v[d]^v[a], -32)
	v[c] += v[d]
	v[b] = bits.RotateLeft64(v[b]^v[c], -24)
	v[a] += v[b] + y
	v[d] = bits.RotateLeft64(v[d]^v[a], -16)
	v[c] += v[d]
	v[b] = bits.RotateLeft64(v[b]^v[c], -63)
}

// blake2bSum returns the outLen-byte BLAKE2b digest of the concatenated parts.
func blake2bSum(outLen int, parts ...[]byte) []byte {
	d := newBlake2b(outLen)
	for _, p := range parts {
		d.Write(p)
	}
	return d.Sum(nil)
}
