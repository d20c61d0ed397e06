package idempotency

import (
	"context"
	"strconv"
	"time"
)

// Sealer encrypts remembered response bodies; customer.Sealer is one.
type Sealer interface {
	Seal(ctx context.Context, aad, plaintext []byte) ([]byte, error)
	Open(aad, sealed []byte) ([]byte, error)
}

// Sealed returns a Store over inner that keeps every response body sealed:
// replies can hold personal data (a customer's record, a refusal naming a
// birth date), and inner keeps them for days. Each body is bound to its
// key and status, so a sealed body copied to another record does not open.
func Sealed(inner Store, sealer Sealer) Store { return sealedStore{Store: inner, sealer: sealer} }

type sealedStore struct {
	Store
	sealer Sealer
}

func replyAAD(key string, status int) []byte {
	return []byte("idempotency/" + key + "/" + strconv.Itoa(status))
}

// Begin implements Store, opening a remembered body.
func (s sealedStore) Begin(ctx context.Context, key string, fp Fingerprint, now time.Time, lease time.Duration) (*Response, error) {
	resp, err := s.Store.Begin(ctx, key, fp, now, lease)
	if resp == nil || err != nil {
		return resp, err
	}
	if resp.Body, err = s.sealer.Open(replyAAD(key, resp.Status), resp.Body); err != nil {
		return nil, err
	}
	return resp, nil
}

// Complete implements Store, sealing the body.
func (s sealedStore) Complete(ctx context.Context, key string, resp Response, now time.Time) error {
	resp, err := s.seal(ctx, key, resp)
	if err != nil {
		return err
	}
	return s.Store.Complete(ctx, key, resp, now)
}

// CompleteIdempotent implements Store, sealing the body.
func (s sealedStore) CompleteIdempotent(ctx context.Context, key string, resp Response, now time.Time) error {
	resp, err := s.seal(ctx, key, resp)
	if err != nil {
		return err
	}
	return s.Store.CompleteIdempotent(ctx, key, resp, now)
}

func (s sealedStore) seal(ctx context.Context, key string, resp Response) (Response, error) {
	body, err := s.sealer.Seal(ctx, replyAAD(key, resp.Status), resp.Body)
	resp.Body = body
	return resp, err
}
