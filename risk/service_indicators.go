package risk

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/event"
)

// IndicatorRequest defines a limit or key risk indicator.
type IndicatorRequest struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Figure      string          `json:"figure"`
	Direction   Direction       `json:"direction"`
	Warning     decimal.Decimal `json:"warning"`
	Breach      decimal.Decimal `json:"breach"`
}

// DefineIndicator stores a new indicator, at level normal until checked.
func (s *Service) DefineIndicator(ctx context.Context, r IndicatorRequest) (Indicator, error) {
	now := s.now()
	i := Indicator{ID: NewID(), Name: r.Name, Description: r.Description, Figure: r.Figure, Direction: r.Direction,
		Warning: r.Warning, Breach: r.Breach, Level: LevelNormal, Value: decimal.Zero, CreatedAt: now}
	if err := i.validate(); err != nil {
		return Indicator{}, err
	}
	return i, s.store.CreateIndicator(ctx, i)
}

// SetThresholds changes an indicator's warning and breach thresholds (a
// limit change), validated as DefineIndicator does; its level stays as
// last checked until the next check compares the figure with the new
// thresholds (a crossing then raises its alert, or clears, as any other).
func (s *Service) SetThresholds(ctx context.Context, id ID, warning, breach decimal.Decimal) (Indicator, error) {
	if id == NilID {
		return Indicator{}, invalid("id", "is required")
	}
	return s.store.UpdateIndicator(ctx, id, func(i Indicator) (Indicator, *Alert, []event.Envelope, error) {
		i.Warning, i.Breach = warning, breach
		if err := i.validate(); err != nil {
			return Indicator{}, nil, nil, err
		}
		return i, nil, nil, nil
	})
}

// Indicators lists the indicators with their last check.
func (s *Service) Indicators(ctx context.Context) ([]Indicator, error) {
	return s.store.Indicators(ctx)
}

// Indicator returns one.
func (s *Service) Indicator(ctx context.Context, id ID) (Indicator, error) {
	return s.store.Indicator(ctx, id)
}

// CheckIndicators reads every indicator's figure and compares it with its
// thresholds. A change of level (a crossing, or a clearing back to
// normal) is kept with an event, and a move to warning or breach raises
// one alert; staying at a level raises nothing more. A figure that
// cannot be read leaves its indicator as it was; the errors are joined.
// Run it on a schedule and at end of day.
func (s *Service) CheckIndicators(ctx context.Context) ([]Crossing, error) {
	if s.figures == nil {
		return nil, fmt.Errorf("%w: no figure source is configured", ErrUnavailable)
	}
	all, err := s.store.Indicators(ctx)
	if err != nil {
		return nil, err
	}
	var crossings []Crossing
	var errs []error
	for _, ind := range all {
		v, err := s.figures.Figure(ctx, ind.Figure)
		if err != nil {
			errs = append(errs, fmt.Errorf("risk: indicator %s: figure %s: %w", ind.Name, ind.Figure, err))
			continue
		}
		now := s.now()
		var cr *Crossing
		_, err = s.store.UpdateIndicator(ctx, ind.ID, func(i Indicator) (Indicator, *Alert, []event.Envelope, error) {
			cr = nil
			level := i.levelOf(v)
			from := i.Level
			i.Value, i.CheckedAt = v, now
			if level == from {
				return i, nil, nil, nil
			}
			i.Level, i.ChangedAt = level, now
			c := Crossing{Indicator: i, From: from, To: level, Value: v, At: now}
			cr = &c
			ev, err := newEvent(EventIndicatorCrossed, now, IndicatorCrossed{IndicatorID: i.ID, Name: i.Name, From: from,
				To: level, Value: v.String()}, i.ID)
			if err != nil {
				return Indicator{}, nil, nil, err
			}
			events := []event.Envelope{ev}
			var a *Alert
			if level != LevelNormal && rank(level) > rank(from) {
				a = &Alert{ID: NewID(), Source: SourceIndicator, IndicatorID: i.ID, Level: level, RaisedAt: now,
					Summary: fmt.Sprintf("%s at %s: %s (warning %s, breach %s, %s)", i.Name, level, v, i.Warning, i.Breach, i.Direction)}
				aev, err := newEvent(EventAlertRaised, now, AlertRaised{AlertID: a.ID, Source: a.Source, IndicatorID: i.ID, Level: level}, a.ID)
				if err != nil {
					return Indicator{}, nil, nil, err
				}
				events = append(events, aev)
			}
			return i, a, events, nil
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if cr != nil {
			crossings = append(crossings, *cr)
		}
	}
	return crossings, errors.Join(errs...)
}

func rank(l Level) int {
	switch l {
	case LevelWarning:
		return 1
	case LevelBreach:
		return 2
	}
	return 0
}
