package oprisk

// Duty is a segregation-of-duties rule: whoever performed First on an
// object may not perform Second on the same object.
type Duty struct {
	Name   string // what the rule is called in an error, "create and approve"
	First  string // permission
	Second string // permission
}

// SelfDuty forbids a permission on an object that is the actor itself
// (an administrator setting their own roles).
type SelfDuty struct {
	Name       string
	Permission string
}
