package channel_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/memchannel"
)

// A member of staff is created, logs in, and the token authenticates
// requests until it is revoked.
func Example() {
	ctx := context.Background()
	svc, err := channel.NewService(memchannel.New())
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.CreateStaff(ctx, channel.NewStaff{
		Username: "Li.Wei",
		Password: "a long passphrase",
		Roles:    []channel.Role{channel.RoleTeller},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	grant, err := svc.Login(ctx, "li.wei", "a long passphrase")
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := svc.Authenticate(ctx, grant.Token)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Username, p.Kind, p.Roles, p.HasRole(channel.RoleTeller))

	if err := svc.Revoke(ctx, grant.Token); err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.Authenticate(ctx, grant.Token)
	fmt.Println(errors.Is(err, channel.ErrUnauthenticated))
	// Output:
	// li.wei staff [teller] true
	// true
}

// A failed login says nothing about why: the same error for an unknown
// username and a wrong password.
func ExampleService_Login() {
	ctx := context.Background()
	// Small argon2id parameters make tests and this example fast; production
	// keeps DefaultParams (OWASP's recommendation).
	testParams := channel.Params{Memory: 64, Time: 1, Threads: 1, SaltLength: 16, KeyLength: 32}
	svc, err := channel.NewService(memchannel.New(), channel.WithParams(testParams))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.CreateCustomerLogin(ctx, channel.NewCustomerLogin{
		CustomerID: "cust-001",
		Username:   "zhang.san",
		Password:   "a long passphrase",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, unknown := svc.Login(ctx, "nobody", "a long passphrase")
	_, wrong := svc.Login(ctx, "zhang.san", "not the passphrase")
	fmt.Println(unknown)
	fmt.Println(wrong)

	grant, err := svc.Login(ctx, "zhang.san", "a long passphrase")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(grant.Principal.Kind, grant.Principal.CustomerID)
	// Output:
	// channel: invalid username or password
	// channel: invalid username or password
	// customer cust-001
}

// A Credential is a standard PHC string: it can be stored anywhere and
// parsed back with its parameters.
func ExampleParseCredential() {
	c, err := channel.ParseCredential("$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Gpj7qOY5RCXJvcMzqcdQqvgR3wcPX7SleI4c9NtXk6E")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Memory, c.Time, c.Threads, c.Verify("password"), c.WeakerThan(channel.DefaultParams))
	// Output: 64 2 1 true true
}
