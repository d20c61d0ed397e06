package customer

import (
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
)

// DocumentType is the kind of identity document.
type DocumentType string

// Identity document types.
const (
	DocumentPRCResidentID   DocumentType = "PRC_RESIDENT_ID"
	DocumentPassport        DocumentType = "PASSPORT"
	DocumentResidencePermit DocumentType = "RESIDENCE_PERMIT"
	DocumentDrivingLicence  DocumentType = "DRIVING_LICENCE"
)

// Document is an identity document the bank has seen. Its number is stored
// sealed; listings show it masked, Service.Reveal with FieldDocuments
// discloses it.
type Document struct {
	ID             ID
	CustomerID     ID
	Type           DocumentType
	Number         string
	IssuingCountry string // ISO 3166-1 alpha-2
	IssuedOn       calendar.Date
	ExpiresOn      calendar.Date // zero: does not expire
	Primary        bool          // the document KYC relies on; at most one per customer
	Verification   KYCStatus
	AddedAt        time.Time
}

// NewDocument is what Service.AddDocument takes.
type NewDocument struct {
	Type           DocumentType
	Number         string
	IssuingCountry string // alpha-2 or alpha-3; stored as alpha-2
	IssuedOn       calendar.Date
	ExpiresOn      calendar.Date
	Primary        bool
}

// validate checks n and returns it normalised (number and country upper
// case, country alpha-2).
func (n NewDocument) validate(today calendar.Date) (NewDocument, error) {
	n.Number = strings.ToUpper(n.Number)
	switch n.Type {
	case DocumentPRCResidentID:
		if _, err := ValidatePRCResidentID(n.Number); err != nil {
			return n, rename(err, "number")
		}
	case DocumentPassport, DocumentResidencePermit, DocumentDrivingLicence:
		if err := ValidatePassportNumber(n.Number); err != nil {
			return n, rename(err, "number")
		}
	default:
		return n, invalid("type", "must be PRC_RESIDENT_ID, PASSPORT, RESIDENCE_PERMIT or DRIVING_LICENCE")
	}
	country, ok := countryAlpha2(strings.ToUpper(n.IssuingCountry))
	if !ok {
		return n, invalid("issuing_country", "must be an ISO 3166-1 alpha-2 or alpha-3 code")
	}
	if n.Type == DocumentPRCResidentID && country != "CN" {
		return n, invalid("issuing_country", "a PRC resident id is issued by CN")
	}
	n.IssuingCountry = country
	if !n.IssuedOn.Valid() || n.IssuedOn.After(today) {
		return n, invalid("issued_on", "must be a real date not after today")
	}
	if !n.ExpiresOn.IsZero() && (!n.ExpiresOn.Valid() || !n.ExpiresOn.After(n.IssuedOn)) {
		return n, invalid("expires_on", "must be a real date after issued_on, or empty")
	}
	return n, nil
}

// rename gives a validation error another field name.
func rename(err error, field string) error {
	if ve, ok := err.(*fault.FieldError); ok {
		return fault.Field(ErrInvalidInput, field, ve.Reason)
	}
	return err
}
