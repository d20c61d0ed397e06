package risk

import (
	_ "embed"
	"encoding/json"
)

//go:embed starter_rules.json
var starterRules []byte

// StarterRules returns the starter rule set shipped with bankkit as a
// draft (documented in docs/risk.md): many outgoing transfers in a short
// window, structuring just below the large-value threshold, a new payee
// receiving a large amount, a dormant account suddenly active, a payment
// at an unusual hour for the customer, a round trip between two accounts
// within a day, and many different senders into one account; and over
// staff actions (KindStaff), many PII reveals in an hour, activity outside
// working hours, and bulk approvals of one's own team's requests.
func StarterRules() Draft {
	var d Draft
	if err := json.Unmarshal(starterRules, &d); err != nil {
		panic("risk: starter_rules.json: " + err.Error()) // embedded and tested
	}
	return d
}
