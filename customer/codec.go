package customer

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bankkit/bankkit/calendar"
)

// This file turns customers into records and back: it seals the personal
// fields under the primary key, computes the blind indexes, and opens
// what a read needs.

// phoneIndexKey is the normalised form a phone's blind index is computed
// over. Phones are validated as canonical E.164, so it is the number itself.
func phoneIndexKey(phone string) string { return phone }

// plaintext encodes the value of a customer field for sealing.
func plaintext(c Customer, f Field) ([]byte, error) {
	switch f {
	case FieldNationalID:
		n := c.NationalID
		return []byte(string(n.Type) + "|" + n.Country + "|" + n.Number), nil
	case FieldPhones:
		return []byte(strings.Join(c.Phones, ",")), nil
	case FieldEmail:
		return []byte(c.Email), nil
	case FieldAddress:
		if c.Address.IsZero() {
			return nil, nil
		}
		return json.Marshal(c.Address)
	case FieldDateOfBirth:
		return []byte(c.DateOfBirth.String()), nil
	}
	return nil, fmt.Errorf("customer: %s is not a customer field", f)
}

// setPlaintext decodes an opened field into c.
func setPlaintext(c *Customer, f Field, b []byte) error {
	switch f {
	case FieldNationalID:
		parts := strings.SplitN(string(b), "|", 3)
		if len(parts) != 3 {
			return fmt.Errorf("%w: national id encoding", ErrCorrupt)
		}
		c.NationalID = NationalID{Type: NationalIDType(parts[0]), Country: parts[1], Number: parts[2]}
	case FieldPhones:
		c.Phones = nil
		if len(b) > 0 {
			c.Phones = strings.Split(string(b), ",")
		}
	case FieldEmail:
		c.Email = string(b)
	case FieldAddress:
		c.Address = Address{}
		if len(b) > 0 {
			if err := json.Unmarshal(b, &c.Address); err != nil {
				return fmt.Errorf("%w: address encoding", ErrCorrupt)
			}
		}
	case FieldDateOfBirth:
		d, err := calendar.ParseDate(string(b))
		if err != nil {
			return fmt.Errorf("%w: date of birth encoding", ErrCorrupt)
		}
		c.DateOfBirth = d
	}
	return nil
}

// toRecord seals c into a Record under the key id/key (a confirmed
// snapshot of the primary key).
func (s *Service) toRecord(c Customer, keyID string, key []byte) (Record, error) {
	r := Record{
		ID: c.ID, FullName: c.FullName, NameKey: normalizeName(c.FullName), Gender: c.Gender,
		NationalIDType: c.NationalID.Type, KeyID: keyID, Occupation: c.Occupation,
		IncomeBand: c.IncomeBand, Preferences: c.Preferences, KYC: c.KYC, Risk: c.Risk,
		Status: c.Status, Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		ExternalRef: c.ExternalRef,
	}
	var err error
	if r.NationalIDIndex, err = blindIndex(s.keys, "national_id", c.NationalID.indexKey()); err != nil {
		return Record{}, err
	}
	for _, p := range c.Phones {
		idx, err := blindIndex(s.keys, "phone", phoneIndexKey(p))
		if err != nil {
			return Record{}, err
		}
		r.PhoneIndexes = append(r.PhoneIndexes, idx)
	}
	for _, f := range customerFields {
		pt, err := plaintext(c, f)
		if err != nil {
			return Record{}, err
		}
		sealed, err := sealWith(keyID, key, SealRef{CustomerID: c.ID, Field: f}, pt)
		if err != nil {
			return Record{}, err
		}
		r.Sealed.Set(f, sealed)
	}
	return r, nil
}

// fromRecord returns the customer in r with the given sealed fields
// opened; the others stay zero.
func (s *Service) fromRecord(r Record, fields ...Field) (Customer, error) {
	c := Customer{
		ID: r.ID, FullName: r.FullName, Gender: r.Gender, Occupation: r.Occupation,
		IncomeBand: r.IncomeBand, Preferences: r.Preferences, KYC: r.KYC, Risk: r.Risk,
		Status: r.Status, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		ExternalRef: r.ExternalRef,
	}
	c.NationalID.Type = r.NationalIDType
	for _, f := range fields {
		if f == FieldDocuments {
			continue
		}
		pt, err := open(s.keys, SealRef{CustomerID: r.ID, Field: f}, r.Sealed.Get(f))
		if err != nil {
			return Customer{}, err
		}
		if err := setPlaintext(&c, f, pt); err != nil {
			return Customer{}, err
		}
	}
	return c, nil
}

// masked opens r and returns its masked view.
func (s *Service) masked(r Record) (Masked, error) {
	c, err := s.fromRecord(r, customerFields...)
	if err != nil {
		return Masked{}, err
	}
	return c.Mask(), nil
}

func (s *Service) maskedAll(rs []Record) ([]Masked, error) {
	out := make([]Masked, 0, len(rs))
	for _, r := range rs {
		m, err := s.masked(r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// document opens a document record; reveal says whether the number is
// shown in full or masked.
func (s *Service) document(d DocumentRecord, reveal bool) (Document, error) {
	ref, sealed := d.SealedValue()
	pt, err := open(s.keys, ref, sealed)
	if err != nil {
		return Document{}, err
	}
	number := string(pt)
	if !reveal {
		number = MaskNationalID(number)
	}
	return Document{
		ID: d.ID, CustomerID: d.CustomerID, Type: d.Type, Number: number,
		IssuingCountry: d.IssuingCountry, IssuedOn: d.IssuedOn, ExpiresOn: d.ExpiresOn,
		Primary: d.Primary, Verification: d.Verification, AddedAt: d.AddedAt,
	}, nil
}

func (s *Service) documents(ds []DocumentRecord, reveal bool) ([]Document, error) {
	out := make([]Document, 0, len(ds))
	for _, d := range ds {
		doc, err := s.document(d, reveal)
		if err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	return out, nil
}
