package oprisk

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/bankkit/bankkit/text"
)

// Permission is one thing staff may be allowed to do.
type Permission struct {
	Name    string // "accounts.freeze": lower-case words joined by dots
	Summary string // what it allows, for the people granting it
}

// Default is a permission as its server declares it, with the roles that
// hold it until an administrator changes that.
type Default struct {
	Permission
	Roles []string
}

// Catalogue is every permission and, per role, the permissions it holds.
type Catalogue struct {
	Permissions []Permission        // by name
	Grants      map[string][]string // role -> permission names, sorted
}

// Holds reports whether any of roles holds permission.
func (c Catalogue) Holds(roles []string, permission string) bool {
	for _, r := range roles {
		if _, ok := slices.BinarySearch(c.Grants[r], permission); ok {
			return true
		}
	}
	return false
}

// Known reports whether permission is in the catalogue.
func (c Catalogue) Known(permission string) bool {
	_, ok := slices.BinarySearchFunc(c.Permissions, permission, func(p Permission, n string) int {
		switch {
		case p.Name < n:
			return -1
		case p.Name > n:
			return 1
		}
		return 0
	})
	return ok
}

// RolesHolding returns the roles that hold permission, sorted.
func (c Catalogue) RolesHolding(permission string) []string {
	var out []string
	for r, ps := range c.Grants {
		if _, ok := slices.BinarySearch(ps, permission); ok {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

var (
	permissionName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$`)
	roleName       = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

const maxName = 100

// CheckPermissionName refuses a malformed permission name.
func CheckPermissionName(field, name string) error {
	if len(name) == 0 || len(name) > maxName || !permissionName.MatchString(name) {
		return invalid(field, "must be lower-case words of letters, digits and hyphens joined by dots, at most %d characters", maxName)
	}
	return nil
}

// CheckRoleName refuses a malformed role name.
func CheckRoleName(field, name string) error {
	if len(name) == 0 || len(name) > maxName || !roleName.MatchString(name) {
		return invalid(field, "must be a lower-case word (letters, digits, underscores), at most %d characters", maxName)
	}
	return nil
}

func (d Default) validate(i int) error {
	at := fmt.Sprintf("permissions[%d]", i)
	if err := CheckPermissionName(at+".name", d.Name); err != nil {
		return err
	}
	if err := text.Line(ErrInvalidInput, at+".summary", d.Summary); err != nil {
		return err
	}
	if len(d.Summary) > 500 {
		return invalid(at+".summary", "at most 500 bytes")
	}
	for j, r := range d.Roles {
		if err := CheckRoleName(fmt.Sprintf("%s.roles[%d]", at, j), r); err != nil {
			return err
		}
	}
	return nil
}

// normalize returns names sorted and without duplicates.
func normalize(names []string) []string {
	out := slices.Clone(names)
	slices.Sort(out)
	return slices.Compact(out)
}
