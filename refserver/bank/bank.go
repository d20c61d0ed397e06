package bank

import (
	"errors"
	"fmt"
	"reflect"
)

// Ports are the subsystems the bank runs on.
type Ports struct {
	Accounts   Accounts
	Postings   Postings
	Holds      Holds
	Deposits   Deposits
	Interbank  Interbank
	Customers  Customers
	Complaints Complaints
	Logins     Logins
}

// Bank runs the reference bank's workflows. It is safe for concurrent use
// when its ports are.
type Bank struct {
	accounts   Accounts
	postings   Postings
	holds      Holds
	deposits   Deposits
	interbank  Interbank
	customers  Customers
	complaints Complaints
	logins     Logins
	profiles   profiles // of accounts, for transfers
}

// New returns the bank over p; every port is required.
func New(p Ports) (*Bank, error) {
	var missing []error
	v := reflect.ValueOf(p)
	for i := range v.NumField() {
		if v.Field(i).IsNil() {
			missing = append(missing, fmt.Errorf("bank: the %s port is not set", v.Type().Field(i).Name))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return nil, err
	}
	return &Bank{accounts: p.Accounts, postings: p.Postings, holds: p.Holds, deposits: p.Deposits, interbank: p.Interbank,
		customers: p.Customers, complaints: p.Complaints, logins: p.Logins}, nil
}
