package channel

import (
	"fmt"
	"slices"
)

// Role is what a staff identity may do. Customers have no roles: what they
// may see is decided by ownership, not by role.
type Role string

// The staff roles of the reference server.
const (
	RoleAdmin       Role = "admin"
	RoleTeller      Role = "teller"
	RoleLoanOfficer Role = "loan_officer"
	RoleRiskOfficer Role = "risk_officer"
	RoleMarketing   Role = "marketing"
	RoleFinance     Role = "finance"
	RoleAnalyst     Role = "analyst"
	RoleSupport     Role = "support"
	// RoleAuditor reads the staff audit trail and its verification, and
	// nothing else.
	RoleAuditor Role = "auditor"
	// RoleWealthOps runs the wealth-management desk: lists products,
	// publishes their NAVs, certifies professional investors.
	RoleWealthOps Role = "wealth_ops"
	// RoleAgent works the contact centre's tickets: sees customers
	// masked, reveals with a reason, and sees a caller's accounts only
	// after verifying them.
	RoleAgent Role = "agent"
	// RoleATMOperator runs the ATM and self-service fleet: registers
	// devices, orders and loads replenishments, watches alerts, tickets,
	// forecasts and the cash reconciliation.
	RoleATMOperator Role = "atm_operator"
	// RoleCollector works loans in arrears: the collections queue,
	// actions and promises to pay, proposals of restructuring and
	// write-off (decided by others), and the loans it needs to read.
	RoleCollector Role = "collector"
)

var knownRoles = []Role{
	RoleAdmin, RoleTeller, RoleLoanOfficer, RoleRiskOfficer,
	RoleMarketing, RoleFinance, RoleAnalyst, RoleSupport, RoleAuditor,
	RoleWealthOps, RoleAgent, RoleATMOperator, RoleCollector,
}

// Roles returns every known role, in a fixed order.
func Roles() []Role { return slices.Clone(knownRoles) }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(knownRoles, r) }

// normalizeRoles checks that every role is known and returns them sorted
// with duplicates removed, the form stores keep.
func normalizeRoles(roles []Role) ([]Role, error) {
	if len(roles) == 0 {
		return nil, invalid("roles", "a staff identity needs at least one role")
	}
	for i, r := range roles {
		if !r.Valid() {
			return nil, invalid("roles", fmt.Sprintf("roles[%d]: unknown role %q", i, r))
		}
	}
	out := slices.Clone(roles)
	slices.Sort(out)
	return slices.Compact(out), nil
}
