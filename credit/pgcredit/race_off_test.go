//go:build !race

package pgcredit_test

const raceOn = false
