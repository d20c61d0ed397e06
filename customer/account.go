package customer

import "time"

// Relationship is how a customer stands to a linked account.
type Relationship string

// Relationships.
const (
	RelationshipOwner          Relationship = "owner"
	RelationshipJointOwner     Relationship = "joint_owner"
	RelationshipAuthorisedUser Relationship = "authorised_user"
)

// AccountLink ties a customer to an account kept elsewhere (the ledger).
// The account id is opaque here: customer does not import ledger.
type AccountLink struct {
	CustomerID   ID
	AccountID    string
	Relationship Relationship
	LinkedAt     time.Time
}

// MaxAccountIDLen bounds an opaque account id.
const MaxAccountIDLen = 64

func validateAccountID(id string) error {
	if id == "" || len(id) > MaxAccountIDLen {
		return invalid("account_id", "must be 1-%d characters", MaxAccountIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c <= ' ' || c >= 0x7f {
			return invalid("account_id", "must be printable ASCII without spaces")
		}
	}
	return nil
}

func validateRelationship(r Relationship) error {
	switch r {
	case RelationshipOwner, RelationshipJointOwner, RelationshipAuthorisedUser:
		return nil
	}
	return invalid("relationship", "must be owner, joint_owner or authorised_user")
}
