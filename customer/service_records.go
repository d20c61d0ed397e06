package customer

import (
	"context"
	"fmt"
)

// This file holds the Service methods for what hangs off a customer:
// linked accounts, identity documents, consent, interactions.

// LinkAccount links an account kept elsewhere to the customer.
func (s *Service) LinkAccount(ctx context.Context, customerID ID, accountID string, rel Relationship) (AccountLink, error) {
	if err := checkID("customer_id", customerID); err != nil {
		return AccountLink{}, err
	}
	if err := validateAccountID(accountID); err != nil {
		return AccountLink{}, err
	}
	if err := validateRelationship(rel); err != nil {
		return AccountLink{}, err
	}
	l := AccountLink{CustomerID: customerID, AccountID: accountID, Relationship: rel, LinkedAt: s.now()}
	if err := s.store.LinkAccount(ctx, l); err != nil {
		return AccountLink{}, err
	}
	return l, nil
}

// UnlinkAccount removes a link.
func (s *Service) UnlinkAccount(ctx context.Context, customerID ID, accountID string) error {
	if err := checkID("customer_id", customerID); err != nil {
		return err
	}
	if err := validateAccountID(accountID); err != nil {
		return err
	}
	return s.store.UnlinkAccount(ctx, customerID, accountID)
}

// Accounts lists the customer's linked accounts.
func (s *Service) Accounts(ctx context.Context, customerID ID) ([]AccountLink, error) {
	if err := checkID("customer_id", customerID); err != nil {
		return nil, err
	}
	return s.store.AccountLinks(ctx, customerID)
}

// AddDocument records an identity document, its number sealed, pending
// verification. A primary document replaces the previous primary.
func (s *Service) AddDocument(ctx context.Context, customerID ID, n NewDocument) (Document, error) {
	if err := checkID("customer_id", customerID); err != nil {
		return Document{}, err
	}
	n, err := n.validate(s.today())
	if err != nil {
		return Document{}, prefixed("document", err)
	}
	id := NewID()
	keyID, key, err := s.sealingKey(ctx)
	if err != nil {
		return Document{}, err
	}
	sealed, err := sealWith(keyID, key, SealRef{CustomerID: customerID, DocumentID: id, Field: documentNumberField}, []byte(n.Number))
	if err != nil {
		return Document{}, err
	}
	d := DocumentRecord{ID: id, CustomerID: customerID, Type: n.Type, SealedNumber: sealed, KeyID: keyID,
		IssuingCountry: n.IssuingCountry, IssuedOn: n.IssuedOn, ExpiresOn: n.ExpiresOn, Primary: n.Primary,
		Verification: KYCPending, AddedAt: s.now()}
	if err := s.store.AddDocument(ctx, d); err != nil {
		return Document{}, err
	}
	return s.document(d, false)
}

// VerifyDocument records the verification verdict of a document.
func (s *Service) VerifyDocument(ctx context.Context, documentID ID, status KYCStatus) (Document, error) {
	if err := checkID("document_id", documentID); err != nil {
		return Document{}, err
	}
	if err := validateKYCStatus("verification", status); err != nil {
		return Document{}, err
	}
	d, err := s.store.UpdateDocument(ctx, documentID, func(d DocumentRecord) (DocumentRecord, error) {
		if d.Verification == status {
			return DocumentRecord{}, fmt.Errorf("%w: document is already %s", ErrInvalidTransition, status)
		}
		d.Verification = status
		return d, nil
	})
	if err != nil {
		return Document{}, err
	}
	return s.document(d, false)
}

// SetPrimaryDocument makes a document the one KYC relies on.
func (s *Service) SetPrimaryDocument(ctx context.Context, documentID ID) (Document, error) {
	if err := checkID("document_id", documentID); err != nil {
		return Document{}, err
	}
	d, err := s.store.UpdateDocument(ctx, documentID, func(d DocumentRecord) (DocumentRecord, error) {
		d.Primary = true
		return d, nil
	})
	if err != nil {
		return Document{}, err
	}
	return s.document(d, false)
}

// Documents lists the customer's documents with their numbers masked.
func (s *Service) Documents(ctx context.Context, customerID ID) ([]Document, error) {
	if err := checkID("customer_id", customerID); err != nil {
		return nil, err
	}
	ds, err := s.store.Documents(ctx, customerID)
	if err != nil {
		return nil, err
	}
	return s.documents(ds, false)
}

// KYCReviewDue lists primary documents that have expired by today, numbers
// masked: their customers need a new document before the next KYC review.
func (s *Service) KYCReviewDue(ctx context.Context, p Page) ([]Document, error) {
	p, err := p.normalize()
	if err != nil {
		return nil, err
	}
	ds, err := s.store.ExpiredPrimaryDocuments(ctx, s.today(), p)
	if err != nil {
		return nil, err
	}
	return s.documents(ds, false)
}

// GrantConsent appends a grant to the customer's consent history and
// publishes ConsentChanged in the same step.
func (s *Service) GrantConsent(ctx context.Context, customerID ID, r ConsentRequest) (Consent, error) {
	return s.appendConsent(ctx, customerID, r, true)
}

// WithdrawConsent appends a withdrawal; the earlier grant stays in the
// history.
func (s *Service) WithdrawConsent(ctx context.Context, customerID ID, r ConsentRequest) (Consent, error) {
	return s.appendConsent(ctx, customerID, r, false)
}

func (s *Service) appendConsent(ctx context.Context, customerID ID, r ConsentRequest, grant bool) (Consent, error) {
	if err := checkID("customer_id", customerID); err != nil {
		return Consent{}, err
	}
	if err := r.validate(grant, s.today()); err != nil {
		return Consent{}, err
	}
	id := NewID()
	c := Consent{ID: id, CustomerID: customerID, Purpose: r.Purpose, Channel: r.Channel, Granted: grant,
		At: s.now(), Source: r.Source, ValidUntil: r.ValidUntil}
	ev, err := s.newEvent(EventConsentChanged, customerID, c.At, ConsentChanged{CustomerID: customerID,
		Purpose: c.Purpose, Channel: c.Channel, Granted: grant, ValidUntil: c.ValidUntil})
	if err != nil {
		return Consent{}, err
	}
	if err := s.store.AppendConsent(ctx, c, ev); err != nil {
		return Consent{}, err
	}
	return c, nil
}

// ConsentHistory returns every consent entry of the customer, oldest first.
func (s *Service) ConsentHistory(ctx context.Context, customerID ID) ([]Consent, error) {
	if err := checkID("customer_id", customerID); err != nil {
		return nil, err
	}
	return s.store.Consents(ctx, customerID)
}

// HasConsent reports whether the customer's consent for purpose on
// channel is in force today.
func (s *Service) HasConsent(ctx context.Context, customerID ID, purpose Purpose, channel Channel) (bool, error) {
	if err := validatePurpose(purpose); err != nil {
		return false, err
	}
	if err := validateChannel("channel", channel); err != nil {
		return false, err
	}
	h, err := s.ConsentHistory(ctx, customerID)
	if err != nil {
		return false, err
	}
	return ConsentInForce(h, purpose, channel, s.today()), nil
}

// LogInteraction appends a contact with the customer to its log.
func (s *Service) LogInteraction(ctx context.Context, customerID ID, n NewInteraction) (Interaction, error) {
	if err := checkID("customer_id", customerID); err != nil {
		return Interaction{}, err
	}
	if err := n.validate(); err != nil {
		return Interaction{}, err
	}
	id := NewID()
	i := Interaction{ID: id, CustomerID: customerID, Channel: n.Channel, Topic: n.Topic,
		Summary: n.Summary, StaffID: n.StaffID, At: s.now()}
	if err := s.store.AddInteraction(ctx, i); err != nil {
		return Interaction{}, err
	}
	return i, nil
}

// Interactions lists the customer's interactions, oldest first.
func (s *Service) Interactions(ctx context.Context, customerID ID, p Page) ([]Interaction, error) {
	if err := checkID("customer_id", customerID); err != nil {
		return nil, err
	}
	p, err := p.normalize()
	if err != nil {
		return nil, err
	}
	return s.store.Interactions(ctx, customerID, p)
}
