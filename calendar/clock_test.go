package calendar_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
)

func TestManualClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, time.October, 1, 9, 0, 0, 0, time.UTC)
	c := calendar.NewManualClock(start)
	require.Equal(t, start, c.Now())
	require.Equal(t, start.Add(time.Hour), c.Advance(time.Hour))
	require.Equal(t, start.Add(time.Hour), c.Now())
	c.Set(start.Add(-24 * time.Hour))
	require.Equal(t, start.Add(-24*time.Hour), c.Now(), "Set may move backwards")
}

func TestManualClockConcurrentUse(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	c := calendar.NewManualClock(start)
	const writers, steps, readers = 8, 200, 4

	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range steps {
				c.Advance(time.Second)
			}
		}()
	}
	readErrs := make(chan string, readers)
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := start
			for range steps {
				now := c.Now()
				if now.Before(last) {
					readErrs <- "clock went backwards while only advancing"
					return
				}
				last = now
			}
		}()
	}
	wg.Wait()
	close(readErrs)
	for msg := range readErrs {
		t.Error(msg)
	}
	// No Advance was lost.
	require.Equal(t, start.Add(writers*steps*time.Second), c.Now())
}

func TestToday(t *testing.T) {
	t.Parallel()
	c := calendar.NewManualClock(time.Date(2026, time.September, 30, 17, 30, 0, 0, time.UTC))
	shanghai := time.FixedZone("UTC+8", 8*3600)
	newYork := time.FixedZone("UTC-4", -4*3600)
	tests := []struct {
		name string
		loc  *time.Location
		want string
	}{
		{"UTC", time.UTC, "2026-09-30"},
		{"east of UTC is already tomorrow", shanghai, "2026-10-01"},
		{"west of UTC", newYork, "2026-09-30"},
		{"nil means UTC", nil, "2026-09-30"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, calendar.Today(c, tt.loc).String(), tt.name)
	}
	c.Advance(7 * time.Hour) // 2026-10-01 00:30 UTC
	require.Equal(t, "2026-10-01", calendar.Today(c, time.UTC).String())

	// A nil clock reads the system clock: any valid date will do.
	require.True(t, calendar.Today(nil, time.UTC).Valid())
}
