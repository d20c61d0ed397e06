package customer

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/text"
)

// Gender as the customer declares it.
type Gender string

// Genders.
const (
	GenderFemale      Gender = "female"
	GenderMale        Gender = "male"
	GenderOther       Gender = "other"
	GenderUnspecified Gender = "unspecified"
)

// IncomeBand is a coarse, currency-free income bracket used for
// suitability and risk scoring.
type IncomeBand string

// Income bands.
const (
	IncomeUndisclosed IncomeBand = "undisclosed"
	IncomeLow         IncomeBand = "low"
	IncomeMiddle      IncomeBand = "middle"
	IncomeHigh        IncomeBand = "high"
	IncomeVeryHigh    IncomeBand = "very_high"
)

// RiskRating is the bank's money-laundering risk rating of the customer.
type RiskRating string

// Risk ratings.
const (
	RiskLow    RiskRating = "low"
	RiskMedium RiskRating = "medium"
	RiskHigh   RiskRating = "high"
)

// Status is where the customer relationship stands.
type Status string

// Lifecycle statuses. Deceased is final.
const (
	StatusActive   Status = "active"
	StatusInactive Status = "inactive"
	StatusBlocked  Status = "blocked"
	StatusDeceased Status = "deceased"
)

// Channel is a way of reaching the customer; consent and preferences are
// given per channel, and interactions and complaints arrive through one.
type Channel string

// Channels.
const (
	ChannelEmail  Channel = "email"
	ChannelSMS    Channel = "sms"
	ChannelPhone  Channel = "phone"
	ChannelMail   Channel = "mail"
	ChannelApp    Channel = "app"
	ChannelWeb    Channel = "web"
	ChannelBranch Channel = "branch"
)

// Address is a postal address. Country is ISO 3166-1 alpha-2.
type Address struct {
	Line1      string
	Line2      string
	City       string
	Province   string
	PostalCode string
	Country    string
}

// IsZero reports whether no part of the address is set.
func (a Address) IsZero() bool { return a == Address{} }

// Preferences says how the customer likes to be contacted.
type Preferences struct {
	Channel  Channel // "" when the customer has not said
	Language string  // a language tag such as "zh-CN" or "en"; "" when not said
}

// KYC is the know-your-customer verdict and who reached it, when and why.
type KYC struct {
	Status KYCStatus
	By     string    // staff id; "" while pending since creation
	At     time.Time // zero while pending since creation
	Reason string
}

// Customer is an individual customer with full personal data, as Reveal
// returns it. Ordinary reads return the Masked view instead.
type Customer struct {
	ID          ID
	FullName    string // any script, kept as given
	Gender      Gender
	DateOfBirth calendar.Date
	NationalID  NationalID
	Phones      []string // E.164
	Email       string   // "" when none
	Address     Address  // zero when none
	Occupation  string
	IncomeBand  IncomeBand
	Preferences Preferences
	KYC         KYC
	Risk        RiskRating
	Status      Status
	Version     int64 // bumped by every change; Update takes it for optimistic concurrency
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// ExternalRef is the creating client's own reference, if any.
	ExternalRef ExternalRef
}

// NewCustomer is what Service.Create takes. Risk defaults to low, income
// band to undisclosed; KYC starts pending and status active.
type NewCustomer struct {
	FullName    string
	Gender      Gender
	DateOfBirth calendar.Date
	NationalID  NationalID
	Phones      []string
	Email       string
	Address     Address
	Occupation  string
	IncomeBand  IncomeBand
	Preferences Preferences
	Risk        RiskRating
	// ExternalRef is the client's own reference for the customer: unique
	// per client (ErrExternalRefTaken), found again with ByExternalRef.
	ExternalRef ExternalRef
}

// Patch changes some fields of a customer; nil fields stay as they are.
// National id and date of birth do not change once recorded.
type Patch struct {
	FullName    *string
	Gender      *Gender
	Phones      *[]string // replaces the whole list
	Email       *string   // "" removes it
	Address     *Address  // the zero Address removes it
	Occupation  *string
	IncomeBand  *IncomeBand
	Preferences *Preferences
	Risk        *RiskRating
	Status      *Status
}

// Limits on free text.
const (
	MaxNameRunes       = 200
	MaxOccupationRunes = 100
	MaxAddressRunes    = 200
	MaxPhones          = 5
)

// Limits on the short texts that are not customer data: staff ids,
// sources, topics, reasons.
const (
	maxShortRunes  = 100
	maxReasonRunes = 200
)

// oldestBirthYear bounds dates of birth from below.
const oldestBirthYear = 1900

// validateLine checks one line of text: the text rule (valid UTF-8, no
// control characters), no surrounding space, at most max characters,
// present if required.
func validateLine(field, s string, max int, required bool) error {
	if err := text.Line(ErrInvalidInput, field, s); err != nil {
		return err
	}
	return validateShape(field, s, max, required)
}

// validateShape checks what customer data asks of text beyond the text
// rule: no surrounding space, at most max characters, present if required,
// and no U+FFFD, the mark of text an earlier conversion has damaged.
func validateShape(field, s string, max int, required bool) error {
	if strings.TrimSpace(s) != s {
		return invalid(field, "has leading or trailing space")
	}
	if required && s == "" {
		return invalid(field, "is required")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return invalid(field, "has %d characters, at most %d allowed", n, max)
	}
	if strings.ContainsRune(s, utf8.RuneError) {
		return invalid(field, "contains the replacement character U+FFFD")
	}
	return nil
}

func validateGender(g Gender) error {
	switch g {
	case GenderFemale, GenderMale, GenderOther, GenderUnspecified:
		return nil
	}
	return invalid("gender", "must be female, male, other or unspecified")
}

func validateIncome(b IncomeBand) error {
	switch b {
	case IncomeUndisclosed, IncomeLow, IncomeMiddle, IncomeHigh, IncomeVeryHigh:
		return nil
	}
	return invalid("income_band", "must be undisclosed, low, middle, high or very_high")
}

func validateRisk(r RiskRating) error {
	switch r {
	case RiskLow, RiskMedium, RiskHigh:
		return nil
	}
	return invalid("risk_rating", "must be low, medium or high")
}

func validateStatus(s Status) error {
	switch s {
	case StatusActive, StatusInactive, StatusBlocked, StatusDeceased:
		return nil
	}
	return invalid("status", "must be active, inactive, blocked or deceased")
}

func validateChannel(field string, c Channel) error {
	switch c {
	case ChannelEmail, ChannelSMS, ChannelPhone, ChannelMail, ChannelApp, ChannelWeb, ChannelBranch:
		return nil
	}
	return invalid(field, "must be one of email, sms, phone, mail, app, web, branch")
}

var languageTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$`)

func (p Preferences) validate() error {
	if p.Channel != "" {
		if err := validateChannel("preferences.channel", p.Channel); err != nil {
			return err
		}
	}
	if p.Language != "" && !languageTag.MatchString(p.Language) {
		return invalid("preferences.language", "must be a language tag like zh-CN, zh-Hans-CN or en")
	}
	return nil
}

func validatePhones(phones []string) error {
	if len(phones) == 0 {
		return invalid("phones", "at least one phone is required")
	}
	if len(phones) > MaxPhones {
		return invalid("phones", "at most %d phones", MaxPhones)
	}
	seen := make(map[string]bool, len(phones))
	for i, p := range phones {
		field := fmt.Sprintf("phones[%d]", i)
		if err := ValidatePhone(p); err != nil {
			return fault.Field(ErrInvalidInput, field, err.(*fault.FieldError).Reason)
		}
		if seen[p] {
			return invalid(field, "repeats an earlier phone")
		}
		seen[p] = true
	}
	return nil
}

func validateEmailField(e string) error {
	if e == "" {
		return nil
	}
	return ValidateEmail(e)
}

var postalCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 -]{1,14}[A-Za-z0-9]$`)

// Validate checks an address; the zero Address (no address) is valid.
func (a Address) Validate() error {
	if a.IsZero() {
		return nil
	}
	if err := validateLine("line1", a.Line1, MaxAddressRunes, true); err != nil {
		return err
	}
	if err := validateLine("line2", a.Line2, MaxAddressRunes, false); err != nil {
		return err
	}
	if err := validateLine("city", a.City, maxShortRunes, true); err != nil {
		return err
	}
	if err := validateLine("province", a.Province, maxShortRunes, false); err != nil {
		return err
	}
	if a.PostalCode != "" && !postalCode.MatchString(a.PostalCode) {
		return invalid("postal_code", "must be 3-16 letters, digits, spaces or hyphens")
	}
	if len(a.Country) != 2 || !alpha2[a.Country] {
		return invalid("country", "must be an ISO 3166-1 alpha-2 code in upper case")
	}
	return nil
}

// Validate checks every field of a new customer; today is the business
// date the date of birth must not be after.
func (n NewCustomer) Validate(today calendar.Date) error {
	if err := n.ExternalRef.Validate(); err != nil {
		return err
	}
	if err := validateLine("full_name", n.FullName, MaxNameRunes, true); err != nil {
		return err
	}
	if err := validateGender(n.Gender); err != nil {
		return err
	}
	if err := validateBirth(n.DateOfBirth, today); err != nil {
		return err
	}
	born, err := n.NationalID.validate()
	if err != nil {
		return err
	}
	if !born.IsZero() && born != n.DateOfBirth {
		return invalid("date_of_birth", "%s differs from the birth date %s in the national id", n.DateOfBirth, born)
	}
	if err := validatePhones(n.Phones); err != nil {
		return err
	}
	if err := validateEmailField(n.Email); err != nil {
		return err
	}
	if err := n.Address.Validate(); err != nil {
		return prefixed("address", err)
	}
	if err := validateLine("occupation", n.Occupation, MaxOccupationRunes, false); err != nil {
		return err
	}
	if n.IncomeBand != "" {
		if err := validateIncome(n.IncomeBand); err != nil {
			return err
		}
	}
	if err := n.Preferences.validate(); err != nil {
		return err
	}
	if n.Risk != "" {
		if err := validateRisk(n.Risk); err != nil {
			return err
		}
	}
	return nil
}

func validateBirth(d, today calendar.Date) error {
	if !d.Valid() {
		return invalid("date_of_birth", "is required and must be a real date")
	}
	if d.Year < oldestBirthYear || d.After(today) {
		return invalid("date_of_birth", "must be between %d-01-01 and today", oldestBirthYear)
	}
	return nil
}

// apply returns c with the patch applied and validated. A deceased
// customer's record is closed to changes, and leaving deceased is refused.
func (p Patch) apply(c Customer) (Customer, error) {
	if c.Status == StatusDeceased {
		return Customer{}, fmt.Errorf("%w: the customer is deceased", ErrInvalidTransition)
	}
	if p.FullName != nil {
		if err := validateLine("full_name", *p.FullName, MaxNameRunes, true); err != nil {
			return Customer{}, err
		}
		c.FullName = *p.FullName
	}
	if p.Gender != nil {
		if err := validateGender(*p.Gender); err != nil {
			return Customer{}, err
		}
		c.Gender = *p.Gender
	}
	if p.Phones != nil {
		if err := validatePhones(*p.Phones); err != nil {
			return Customer{}, err
		}
		c.Phones = append([]string(nil), *p.Phones...)
	}
	if p.Email != nil {
		if err := validateEmailField(*p.Email); err != nil {
			return Customer{}, err
		}
		c.Email = normalizeEmail(*p.Email)
	}
	if p.Address != nil {
		if err := p.Address.Validate(); err != nil {
			return Customer{}, prefixed("address", err)
		}
		c.Address = *p.Address
	}
	if p.Occupation != nil {
		if err := validateLine("occupation", *p.Occupation, MaxOccupationRunes, false); err != nil {
			return Customer{}, err
		}
		c.Occupation = *p.Occupation
	}
	if p.IncomeBand != nil {
		if err := validateIncome(*p.IncomeBand); err != nil {
			return Customer{}, err
		}
		c.IncomeBand = *p.IncomeBand
	}
	if p.Preferences != nil {
		if err := p.Preferences.validate(); err != nil {
			return Customer{}, err
		}
		c.Preferences = *p.Preferences
	}
	if p.Risk != nil {
		if err := validateRisk(*p.Risk); err != nil {
			return Customer{}, err
		}
		c.Risk = *p.Risk
	}
	if p.Status != nil {
		if err := validateStatus(*p.Status); err != nil {
			return Customer{}, err
		}
		c.Status = *p.Status
	}
	return c, nil
}

// normalizeName is the key name-prefix search compares: lower case, inner
// runs of white space folded to one space.
func normalizeName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
