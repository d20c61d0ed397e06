package risk

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is the span of a windowed aggregate: from a minute to 90 days.
// Its text form is a whole number of minutes, hours or days: "10m", "24h",
// "90d".
type Window time.Duration

// The bounds of a window.
const (
	MinWindow = Window(time.Minute)
	MaxWindow = Window(90 * 24 * time.Hour)
)

// BucketsPerWindow is how many time buckets an aggregate's window spans:
// state is kept per bucket of Window/60 (at least a minute), so the window
// read is the current bucket and the ones before it back to T ago, to
// within one bucket.
const BucketsPerWindow = 60

// ParseWindow reads "10m", "24h" or "90d".
func ParseWindow(s string) (Window, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("%q is not a window like 10m, 24h or 90d", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("%q is not a window like 10m, 24h or 90d", s)
	}
	var unit time.Duration
	switch s[len(s)-1] {
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	default:
		return 0, fmt.Errorf("%q is not a window like 10m, 24h or 90d", s)
	}
	if n > int(MaxWindow)/int(unit) {
		return 0, fmt.Errorf("%q is longer than 90 days", s)
	}
	w := Window(time.Duration(n) * unit)
	if w < MinWindow || w > MaxWindow {
		return 0, fmt.Errorf("%q must be from 1m to 90d", s)
	}
	return w, nil
}

func (w Window) String() string {
	d := time.Duration(w)
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	default:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
}

// MarshalText writes the text form.
func (w Window) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText reads the text form.
func (w *Window) UnmarshalText(b []byte) error {
	v, err := ParseWindow(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// bucketWidth is the width of the window's buckets, in whole seconds: a
// sixtieth of the window, rounded down to the minute, at least a minute.
func (w Window) bucketWidth() int64 {
	width := time.Duration(w) / BucketsPerWindow
	width = width.Truncate(time.Minute)
	if width < time.Minute {
		width = time.Minute
	}
	return int64(width / time.Second)
}

// buckets is how many buckets the window reads, the current one included.
func (w Window) buckets() int64 {
	width := w.bucketWidth()
	secs := int64(time.Duration(w) / time.Second)
	return (secs + width - 1) / width
}

// bucketOf is the index of the bucket of width seconds holding t.
func bucketOf(t time.Time, width int64) int64 {
	s := t.Unix()
	b := s / width
	if s < 0 && s%width != 0 {
		b--
	}
	return b
}
