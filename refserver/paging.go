package refserver

import (
	"strconv"
)

// Paging defaults of the API contract.
const (
	defaultLimit = 50
	maxLimit     = 500
)

type page[ID any] struct {
	after ID
	limit int
}

// pageOf reads ?limit=&after= with the contract's bounds; after is the
// last id of the previous page.
func pageOf[ID any](rc *reqCtx, parse func(string) (ID, error)) (page[ID], error) {
	var p page[ID]
	q := rc.r.URL.Query()
	p.limit = defaultLimit
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxLimit {
			return p, badField("limit", "must be a whole number from 1 to 500")
		}
		p.limit = n
	}
	if a := q.Get("after"); a != "" {
		id, err := parse(a)
		if err != nil {
			return p, badField("after", "is not a cursor this endpoint returned")
		}
		p.after = id
	}
	return p, nil
}
