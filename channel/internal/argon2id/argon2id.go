// Package argon2id derives keys from passwords with Argon2id, version 0x13,
// as specified in RFC 9106.
//
// It exists because the module cannot build golang.org/x/crypto/argon2 yet
// (go.sum lacks golang.org/x/sys, which that package imports on amd64). Its
// output is bit-for-bit that of RFC 9106, checked in the tests against
// vectors computed with the reference code, so hashes made here stay valid
// when the channel package switches to golang.org/x/crypto/argon2.
package argon2id

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// Bounds on the inputs. RFC 9106 allows more; these keep one derivation
// within what a login may reasonably cost and every size inside uint32.
const (
	MaxMemoryKiB = 4 << 20 // 4 GiB
	MaxTime      = 1 << 10
	MinKeyLen    = 4
	MaxKeyLen    = 1024
	MaxInputLen  = 1 << 20 // password or salt
)

// ErrParams is returned for parameters outside RFC 9106 or the bounds above.
var ErrParams = errors.New("argon2id: invalid parameters")

const (
	version    = 0x13
	typeID     = 2 // Argon2id
	blockBytes = 1024
	blockWords = blockBytes / 8
	syncPoints = 4 // slices per pass
)

type block [blockWords]uint64

// Key derives keyLen bytes from password and salt with time passes over
// memoryKiB KiB of memory split into threads lanes. The lanes are computed
// one after another, so threads changes the result, not the speed.
func Key(password, salt []byte, time, memoryKiB uint32, threads uint8, keyLen uint32) ([]byte, error) {
	switch {
	case time < 1 || time > MaxTime:
		return nil, fmt.Errorf("%w: time %d not in 1..%d", ErrParams, time, MaxTime)
	case threads < 1:
		return nil, fmt.Errorf("%w: threads must be at least 1", ErrParams)
	case memoryKiB < 8*uint32(threads) || memoryKiB > MaxMemoryKiB:
		return nil, fmt.Errorf("%w: memory %d KiB not in %d..%d", ErrParams, memoryKiB, 8*uint32(threads), MaxMemoryKiB)
	case keyLen < MinKeyLen || keyLen > MaxKeyLen:
		return nil, fmt.Errorf("%w: key length %d not in %d..%d", ErrParams, keyLen, MinKeyLen, MaxKeyLen)
	case len(password) > MaxInputLen || len(salt) > MaxInputLen:
		return nil, fmt.Errorf("%w: password or salt longer than %d bytes", ErrParams, MaxInputLen)
	case len(salt) < 8:
		return nil, fmt.Errorf("%w: salt shorter than 8 bytes", ErrParams)
	}
	lanes := uint32(threads)
	h0 := initialHash(password, salt, time, memoryKiB, lanes, keyLen)

	// m' rounds the memory down to a multiple of 4 blocks per lane.
	blocks := memoryKiB / (syncPoints * lanes) * (syncPoints * lanes)
	m := &matrix{
		b:       make([]block, blocks),
		lanes:   lanes,
		laneLen: blocks / lanes,
		passes:  time,
	}
	m.segLen = m.laneLen / syncPoints
	m.fill(h0)

	var last block
	for l := uint32(0); l < lanes; l++ {
		xorBlock(&last, &m.b[l*m.laneLen+m.laneLen-1])
	}
	var lastBytes [blockBytes]byte
	for i, w := range last {
		binary.LittleEndian.PutUint64(lastBytes[8*i:], w)
	}
	return variableHash(int(keyLen), lastBytes[:]), nil
}

// initialHash is H0 of RFC 9106 section 3.2, with no secret and no
// associated data.
func initialHash(password, salt []byte, time, memoryKiB, lanes, keyLen uint32) []byte {
	d := newBlake2b(64)
	for _, v := range []uint32{lanes, keyLen, memoryKiB, time, version, typeID} {
		d.writeUint32(v)
	}
	d.writeUint32(uint32(len(password)))
	d.Write(password)
	d.writeUint32(uint32(len(salt)))
	d.Write(salt)
	d.writeUint32(0) // secret K
	d.writeUint32(0) // associated data X
	return d.Sum(nil)
}

// variableHash is H' of RFC 9106 section 3.3.
func variableHash(outLen int, in ...[]byte) []byte {
	var lenPrefix [4]byte
	binary.LittleEndian.PutUint32(lenPrefix[:], uint32(outLen))
	if outLen <= 64 {
		return blake2bSum(outLen, append([][]byte{lenPrefix[:]}, in...)...)
	}
	r := (outLen+31)/32 - 2
	out := make([]byte, 0, outLen)
	v := blake2bSum(64, append([][]byte{lenPrefix[:]}, in...)...)
	out = append(out, v[:32]...)
	for i := 2; i <= r; i++ {
		v = blake2bSum(64, v)
		out = append(out, v[:32]...)
	}
	return append(out, blake2bSum(outLen-32*r, v)...)
}

// matrix is the memory: lanes rows of laneLen blocks, stored row by row.
type matrix struct {
	b       []block
	lanes   uint32
	laneLen uint32
	segLen  uint32
	passes  uint32
}

func (m *matrix) fill(h0 []byte) {
	var seed [8]byte
	for l := uint32(0); l < m.lanes; l++ {
		for j := uint32(0); j < 2; j++ {
			binary.LittleEndian.PutUint32(seed[0:], j)
			binary.LittleEndian.PutUint32(seed[4:], l)
			raw := variableHash(blockBytes, h0, seed[:])
			blk := &m.b[l*m.laneLen+j]
			for i := range blk {
				blk[i] = binary.LittleEndian.Uint64(raw[8*i:])
			}
		}
	}
	for pass := uint32(0); pass < m.passes; pass++ {
		for slice := uint32(0); slice < syncPoints; slice++ {
			for lane := uint32(0); lane < m.lanes; lane++ {
				m.segment(pass, slice, lane)
			}
		}
	}
}

// segment computes the blocks of one lane in one slice of one pass.
func (m *matrix) segment(pass, slice, lane uint32) {
	// Argon2id takes reference indexes independent of the data in the first
	// half of the first pass (resisting side channels) and dependent on it
	// afterwards (resisting trade-off attacks).
	independent := pass == 0 && slice < syncPoints/2
	var input, addresses, zero block
	if independent {
		input[0], input[1], input[2] = uint64(pass), uint64(lane), uint64(slice)
		input[3], input[4], input[5] = uint64(len(m.b)), uint64(m.passes), typeID
	}
	nextAddresses := func() {
		input[6]++
		compress(&addresses, &zero, &input, false)
		compress(&addresses, &zero, &addresses, false)
	}

	start := uint32(0)
	if pass == 0 && slice == 0 {
		start = 2 // the first two blocks of each lane come from H0
		if independent {
			nextAddresses()
		}
	}
	laneStart := lane * m.laneLen
	for index := start; index < m.segLen; index++ {
		col := slice*m.segLen + index
		prevCol := col - 1
		if col == 0 {
			prevCol = m.laneLen - 1
		}
		prev := &m.b[laneStart+prevCol]

		var rand uint64
		if independent {
			if index%blockWords == 0 {
				nextAddresses()
			}
			rand = addresses[index%blockWords]
		} else {
			rand = prev[0]
		}
		ref := m.reference(rand, pass, slice, lane, index)
		compress(&m.b[laneStart+col], prev, &m.b[ref], pass > 0)
	}
}

// reference maps the pseudo-random value rand to the index in m.b of the
// block that the block at index of lane's current segment mixes in (RFC 9106
// section 3.4.1.2).
func (m *matrix) reference(rand uint64, pass, slice, lane, index uint32) uint32 {
	j1, j2 := rand&0xffffffff, uint32(rand>>32)
	refLane := j2 % m.lanes
	if pass == 0 && slice == 0 {
		refLane = lane
	}
	sameLane := refLane == lane

	// area is the number of blocks the reference may be drawn from.
	var area, startCol uint32
	if pass == 0 {
		area = slice * m.segLen
	} else {
		area = (syncPoints - 1) * m.segLen
		startCol = (slice + 1) % syncPoints * m.segLen
	}
	if sameLane {
		area += index - 1
	} else if index == 0 {
		area--
	}
	x := j1 * j1 >> 32
	y := uint64(area) * x >> 32
	rel := uint64(area) - 1 - y
	col := uint32((uint64(startCol) + rel) % uint64(m.laneLen))
	return refLane*m.laneLen + col
}

func xorBlock(dst, src *block) {
	for i := range dst {
		dst[i] ^= src[i]
	}
}

// compress sets dst to G(x, y) of RFC 9106 section 3.5, or XORs G(x, y)
// into dst when accumulate is set (passes after the first, version 0x13).
// dst may alias x or y.
func compress(dst, x, y *block, accumulate bool) {
	var r, q block
	for i := range r {
		r[i] = x[i] ^ y[i]
	}
	q = r
	// P on each row of eight 16-byte registers (16 consecutive words).
	for row := 0; row < 8; row++ {
		permute((*[16]uint64)(q[16*row : 16*row+16]))
	}
	// P on each column: register c+8i is words 2c+16i and 2c+16i+1.
	var v [16]uint64
	for c := 0; c < 8; c++ {
		for i := 0; i < 8; i++ {
			v[2*i], v[2*i+1] = q[2*c+16*i], q[2*c+16*i+1]
		}
		permute(&v)
		for i := 0; i < 8; i++ {
			q[2*c+16*i], q[2*c+16*i+1] = v[2*i], v[2*i+1]
		}
	}
	for i := range q {
		if accumulate {
			dst[i] ^= q[i] ^ r[i]
		} else {
			dst[i] = q[i] ^ r[i]
		}
	}
}

// permute is the permutation P of RFC 9106 section 3.6 on sixteen words:
// GB on the four columns, then on the four diagonals, of the words seen as
// a 4x4 matrix. GB is BLAKE2b's G with each addition hardened by a product
// of the low halves; it is written out eight times because the compiler
// would not inline it, and this loop is where a login spends its time.
func permute(v *[16]uint64) {
	v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15 := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15]
	v0 += v4 + 2*uint64(uint32(v0))*uint64(uint32(v4))
	v12 = bits.RotateLeft64(v12^v0, -32)
	v8 += v12 + 2*uint64(uint32(v8))*uint64(uint32(v12))
	v4 = bits.RotateLeft64(v4^v8, -24)
	v0 += v4 + 2*uint64(uint32(v0))*uint64(uint32(v4))
	v12 = bits.RotateLeft64(v12^v0, -16)
	v8 += v12 + 2*uint64(uint32(v8))*uint64(uint32(v12))
	v4 = bits.RotateLeft64(v4^v8, -63)
	v1 += v5 + 2*uint64(uint32(v1))*uint64(uint32(v5))
	v13 = bits.RotateLeft64(v13^v1, -32)
	v9 += v13 + 2*uint64(uint32(v9))*uint64(uint32(v13))
	v5 = bits.RotateLeft64(v5^v9, -24)
	v1 += v5 + 2*uint64(uint32(v1))*uint64(uint32(v5))
	v13 = bits.RotateLeft64(v13^v1, -16)
	v9 += v13 + 2*uint64(uint32(v9))*uint64(uint32(v13))
	v5 = bits.RotateLeft64(v5^v9, -63)
	v2 += v6 + 2*uint64(uint32(v2))*uint64(uint32(v6))
	v14 = bits.RotateLeft64(v14^v2, -32)
	v10 += v14 + 2*uint64(uint32(v10))*uint64(uint32(v14))
	v6 = bits.RotateLeft64(v6^v10, -24)
	v2 += v6 + 2*uint64(uint32(v2))*uint64(uint32(v6))
	v14 = bits.RotateLeft64(v14^v2, -16)
	v10 += v14 + 2*uint64(uint32(v10))*uint64(uint32(v14))
	v6 = bits.RotateLeft64(v6^v10, -63)
	v3 += v7 + 2*uint64(uint32(v3))*uint64(uint32(v7))
	v15 = bits.RotateLeft64(v15^v3, -32)
	v11 += v15 + 2*uint64(uint32(v11))*uint64(uint32(v15))
	v7 = bits.RotateLeft64(v7^v11, -24)
	v3 += v7 + 2*uint64(uint32(v3))*uint64(uint32(v7))
	v15 = bits.RotateLeft64(v15^v3, -16)
	v11 += v15 + 2*uint64(uint32(v11))*uint64(uint32(v15))
	v7 = bits.RotateLeft64(v7^v11, -63)
	v0 += v5 + 2*uint64(uint32(v0))*uint64(uint32(v5))
	v15 = bits.RotateLeft64(v15^v0, -32)
	v10 += v15 + 2*uint64(uint32(v10))*uint64(uint32(v15))
	v5 = bits.RotateLeft64(v5^v10, -24)
	v0 += v5 + 2*uint64(uint32(v0))*uint64(uint32(v5))
	v15 = bits.RotateLeft64(v15^v0, -16)
	v10 += v15 + 2*uint64(uint32(v10))*uint64(uint32(v15))
	v5 = bits.RotateLeft64(v5^v10, -63)
	v1 += v6 + 2*uint64(uint32(v1))*uint64(uint32(v6))
	v12 = bits.RotateLeft64(v12^v1, -32)
	v11 += v12 + 2*uint64(uint32(v11))*uint64(uint32(v12))
	v6 = bits.RotateLeft64(v6^v11, -24)
	v1 += v6 + 2*uint64(uint32(v1))*uint64(uint32(v6))
	v12 = bits.RotateLeft64(v12^v1, -16)
	v11 += v12 + 2*uint64(uint32(v11))*uint64(uint32(v12))
	v6 = bits.RotateLeft64(v6^v11, -63)
	v2 += v7 + 2*uint64(uint32(v2))*uint64(uint32(v7))
	v13 = bits.RotateLeft64(v13^v2, -32)
	v8 += v13 + 2*uint64(uint32(v8))*uint64(uint32(v13))
	v7 = bits.RotateLeft64(v7^v8, -24)
	v2 += v7 + 2*uint64(uint32(v2))*uint64(uint32(v7))
	v13 = bits.RotateLeft64(v13^v2, -16)
	v8 += v13 + 2*uint64(uint32(v8))*uint64(uint32(v13))
	v7 = bits.RotateLeft64(v7^v8, -63)
	v3 += v4 + 2*uint64(uint32(v3))*uint64(uint32(v4))
	v14 = bits.RotateLeft64(v14^v3, -32)
	v9 += v14 + 2*uint64(uint32(v9))*uint64(uint32(v14))
	v4 = bits.RotateLeft64(v4^v9, -24)
	v3 += v4 + 2*uint64(uint32(v3))*uint64(uint32(v4))
	v14 = bits.RotateLeft64(v14^v3, -16)
	v9 += v14 + 2*uint64(uint32(v9))*uint64(uint32(v14))
	v4 = bits.RotateLeft64(v4^v9, -63)
	v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15] = v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15
}
