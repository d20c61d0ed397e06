package iso20022

// ReturnReason is a code of the ISO external return reason code list
// (ExternalReturnReason1Code): why a payment came back.
type ReturnReason string

// Return reasons bankkit uses when it returns an inbound payment, and the
// ones it most often receives.
const (
	ReasonIncorrectAccount     ReturnReason = "AC01" // account number incorrect or unknown
	ReasonClosedAccount        ReturnReason = "AC04" // account closed
	ReasonBlockedAccount       ReturnReason = "AC06" // account blocked (frozen)
	ReasonTransactionForbidden ReturnReason = "AG01" // transaction forbidden on this account
	ReasonNotAllowedAmount     ReturnReason = "AM02" // amount above the allowed maximum
	ReasonDuplicate            ReturnReason = "AM05" // duplicate payment
	ReasonInvalidBankID        ReturnReason = "RC01" // bank identifier incorrect
	ReasonCreditorDeceased     ReturnReason = "MD07" // end customer deceased
	ReasonFollowingCancel      ReturnReason = "FOCR" // returned after a cancellation request
	ReasonNotSpecified         ReturnReason = "MS03" // reason not specified
	ReasonRegulatory           ReturnReason = "RR04" // regulatory reason
)

var reasonDescriptions = map[ReturnReason]string{
	ReasonIncorrectAccount:     "incorrect account number",
	ReasonClosedAccount:        "closed account number",
	ReasonBlockedAccount:       "blocked account",
	ReasonTransactionForbidden: "transaction forbidden",
	ReasonNotAllowedAmount:     "not allowed amount",
	ReasonDuplicate:            "duplication",
	ReasonInvalidBankID:        "bank identifier incorrect",
	ReasonCreditorDeceased:     "end customer deceased",
	ReasonFollowingCancel:      "following cancellation request",
	ReasonNotSpecified:         "not specified reason agent generated",
	ReasonRegulatory:           "regulatory reason",
}

// Description returns the code's name in the code list, or "" for a code
// this package has no name for (the list is longer; such codes are still
// read and written).
func (r ReturnReason) Description() string { return reasonDescriptions[r] }
