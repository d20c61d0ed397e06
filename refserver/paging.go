package refserver

import (
	"errors"
	"strconv"

	"github.com/google/uuid"
)

// Paging defaults of the API contract.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// list is a page of a list and the cursor of the next page ("" on the
// last).
type list[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next"`
}

// page is a list request's ?limit=&after=.
type page struct {
	Limit pageLimit `query:"limit" doc:"1-500, default 50"`
	After cursor    `query:"after" doc:"cursor: the next of the previous page"`
}

// pageLimit is how many items a page holds: 1 to 500, 0 for the default.
type pageLimit int

func (l *pageLimit) UnmarshalText(b []byte) error {
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 1 || n > maxLimit {
		return errors.New("must be a whole number from 1 to 500")
	}
	*l = pageLimit(n)
	return nil
}

func (l pageLimit) n() int {
	if l == 0 {
		return defaultLimit
	}
	return int(l)
}

// cursor is the last id of the previous page; the zero cursor starts a
// list.
type cursor uuid.UUID

func (c *cursor) UnmarshalText(b []byte) error {
	id, err := uuid.ParseBytes(b)
	if err != nil {
		return errors.New("is not a cursor this endpoint returned")
	}
	*c = cursor(id)
	return nil
}

func (c cursor) id() uuid.UUID { return uuid.UUID(c) }

// nonNil answers an empty list as [], never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
