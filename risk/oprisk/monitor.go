package oprisk

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// AlertKind names a staff-behaviour check.
type AlertKind string

// The staff-behaviour checks.
const (
	// AlertPIIReveals: one member of staff disclosed personal data in full
	// more than Watch.PIIReveals times within an hour.
	AlertPIIReveals AlertKind = "pii-reveals"
	// AlertOutsideHours: a member of staff acted outside working hours
	// (before Watch.DayStart, from Watch.DayEnd, or on a weekend).
	AlertOutsideHours AlertKind = "outside-hours"
	// AlertTeamApprovals: one checker approved more than
	// Watch.TeamApprovals requests of makers sharing a role with them
	// within an hour.
	AlertTeamApprovals AlertKind = "team-approvals"
)

// Alert is a staff-behaviour finding, raised once per actor, kind and
// window (the hour, or for outside-hours the day).
type Alert struct {
	ID      uuid.UUID
	Kind    AlertKind
	ActorID string
	Actor   string
	Window  time.Time // the start of the window the finding is about
	At      time.Time // when it was raised
	Count   int       // how many actions in the window when it was raised
	Seq     int64     // the audit record (or 0) that raised it
	Detail  string
}

// key is what makes an alert unique: one per actor, kind and window.
func (a Alert) key() string {
	return fmt.Sprintf("%s|%s|%s", a.Kind, a.ActorID, a.Window.UTC().Format(time.RFC3339))
}

// Key is the alert's uniqueness key, for stores.
func (a Alert) Key() string { return a.key() }

// Watch configures the staff-behaviour checks. Zero thresholds turn a
// check off.
type Watch struct {
	PIIReveals    int            // more than this many full-PII reads in an hour
	TeamApprovals int            // more than this many approvals of one's team in an hour
	DayStart      int            // working hours start at this hour (0-23)
	DayEnd        int            // and end at this hour (1-24); 0 turns the check off
	Location      *time.Location // the working day's time zone (UTC when nil)
}

// DefaultWatch is the reference bank's: 20 reveals, 10 team approvals an
// hour, working hours 08:00-20:00 Beijing time, Monday to Friday.
func DefaultWatch() Watch {
	loc := time.FixedZone("CST", 8*3600)
	return Watch{PIIReveals: 20, TeamApprovals: 10, DayStart: 8, DayEnd: 20, Location: loc}
}

func (w Watch) outsideHours(t time.Time) bool {
	if w.DayEnd == 0 {
		return false
	}
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	local := t.In(loc)
	if local.Weekday() == time.Saturday || local.Weekday() == time.Sunday {
		return true
	}
	return local.Hour() < w.DayStart || local.Hour() >= w.DayEnd
}

func (w Watch) day(t time.Time) time.Time {
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).UTC()
}
