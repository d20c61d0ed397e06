//go:build race

package memcredit_test

// raceOn: the race detector slows the simulation several times over, so
// .ci/run's race build simulates a smaller book.
const raceOn = true
