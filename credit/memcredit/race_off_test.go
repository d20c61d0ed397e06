//go:build !race

package memcredit_test

const raceOn = false
