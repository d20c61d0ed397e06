package channel

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/text"
)

// Device is a mobile app installation bound to an identity: the id the app
// chose, the Ed25519 public key whose private half never leaves the
// device, a name the customer recognises, and when it was first and last
// seen.
type Device struct {
	IdentityID uuid.UUID
	ID         string
	PublicKey  ed25519.PublicKey
	Name       string
	FirstSeen  time.Time
	LastSeen   time.Time
	RevokedAt  time.Time // zero while bound
}

// Bound reports whether the device is bound (not revoked).
func (d Device) Bound() bool { return d.RevokedAt.IsZero() }

// NewDevice is a request to bind a device.
type NewDevice struct {
	ID        string
	PublicKey []byte // 32 bytes, Ed25519
	Name      string
}

func validateDeviceID(id string) error {
	if len(id) < 8 || len(id) > 128 {
		return invalid("device_id", "must be 8 to 128 characters")
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return invalid("device_id", "must be printable ASCII without spaces")
		}
	}
	return nil
}

// Validate checks the request.
func (n NewDevice) Validate() error {
	if err := validateDeviceID(n.ID); err != nil {
		return err
	}
	if len(n.PublicKey) != ed25519.PublicKeySize {
		return invalid("public_key", fmt.Sprintf("must be an Ed25519 public key of %d bytes", ed25519.PublicKeySize))
	}
	if n.Name == "" || len(n.Name) > 64 {
		return invalid("name", "must be 1 to 64 bytes")
	}
	return text.Line(ErrInvalidInput, "name", n.Name)
}

// BindDevice binds a new device to the identity after a valid second
// factor code: a device the bank has not seen needs the second factor. A
// device id bound already is ErrDuplicate; a revoked one is bound afresh.
func (o *Online) BindDevice(ctx context.Context, identityID uuid.UUID, n NewDevice, code string) (Device, error) {
	if err := validateID("identity_id", identityID); err != nil {
		return Device{}, err
	}
	if err := n.Validate(); err != nil {
		return Device{}, err
	}
	if d, err := o.store.Device(ctx, identityID, n.ID); err == nil && d.Bound() {
		return Device{}, fmt.Errorf("%w: device %q is bound already", ErrDuplicate, n.ID)
	}
	if err := o.VerifySecondFactor(ctx, identityID, code); err != nil {
		return Device{}, err
	}
	now := o.now()
	d := Device{IdentityID: identityID, ID: n.ID, PublicKey: ed25519.PublicKey(append([]byte(nil), n.PublicKey...)),
		Name: n.Name, FirstSeen: now, LastSeen: now}
	if err := o.store.PutDevice(ctx, d); err != nil {
		return Device{}, err
	}
	return d, nil
}

// RecogniseDevice returns the bound device and records that it was seen
// now; ErrDeviceNotBound if it is unknown or revoked.
func (o *Online) RecogniseDevice(ctx context.Context, identityID uuid.UUID, deviceID string) (Device, error) {
	if err := validateDeviceID(deviceID); err != nil {
		return Device{}, err
	}
	d, err := o.store.TouchDevice(ctx, identityID, deviceID, o.now())
	if errors.Is(err, ErrNotFound) {
		return Device{}, fmt.Errorf("%w: bind it with the second factor", ErrDeviceNotBound)
	}
	return d, err
}

// VerifyDeviceSignature checks that message was signed by the bound
// device's private key (the app proves it is the device it claims to be).
func (o *Online) VerifyDeviceSignature(ctx context.Context, identityID uuid.UUID, deviceID string, message, signature []byte) error {
	d, err := o.RecogniseDevice(ctx, identityID, deviceID)
	if err != nil {
		return err
	}
	if !ed25519.Verify(d.PublicKey, message, signature) {
		return fmt.Errorf("%w: signature does not verify", ErrDeviceNotBound)
	}
	return nil
}

// Devices lists the identity's devices, revoked ones included, in the
// order they were first seen.
func (o *Online) Devices(ctx context.Context, identityID uuid.UUID) ([]Device, error) {
	if err := validateID("identity_id", identityID); err != nil {
		return nil, err
	}
	return o.store.ListDevices(ctx, identityID)
}

// RevokeDevice unbinds a device; binding it again needs the second factor.
func (o *Online) RevokeDevice(ctx context.Context, identityID uuid.UUID, deviceID string) (Device, error) {
	if err := validateDeviceID(deviceID); err != nil {
		return Device{}, err
	}
	return o.store.RevokeDevice(ctx, identityID, deviceID, o.now())
}
