package customer

import "fmt"

// KYCStatus is the state of know-your-customer verification, also used for
// identity documents.
type KYCStatus string

// KYC statuses: a customer starts pending; staff verify or reject; a
// verified or rejected customer can be sent back to pending for review.
const (
	KYCPending  KYCStatus = "pending"
	KYCVerified KYCStatus = "verified"
	KYCRejected KYCStatus = "rejected"
)

func validateKYCStatus(field string, s KYCStatus) error {
	switch s {
	case KYCPending, KYCVerified, KYCRejected:
		return nil
	}
	return invalid(field, "must be pending, verified or rejected")
}

// KYCDecision is what Service.SetKYC takes.
type KYCDecision struct {
	Status KYCStatus
	By     string // staff id
	Reason string // required: why the verdict was reached
}

func (d KYCDecision) validate() error {
	if err := validateKYCStatus("status", d.Status); err != nil {
		return err
	}
	if err := validateLine("by", d.By, maxShortRunes, true); err != nil {
		return err
	}
	return validateLine("reason", d.Reason, maxReasonRunes, true)
}

// kycStep checks the transition from -> to.
func kycStep(from, to KYCStatus) error {
	ok := from == KYCPending && (to == KYCVerified || to == KYCRejected) ||
		(from == KYCVerified || from == KYCRejected) && to == KYCPending
	if !ok {
		return fmt.Errorf("%w: KYC %s -> %s", ErrInvalidTransition, from, to)
	}
	return nil
}
