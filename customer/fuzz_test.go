package customer_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bankkit/bankkit/customer"
)

func FuzzValidatePRCResidentID(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "310115198505202011", "11010519491231002x", "", "X", "99999999999999999X"} {
		f.Add(s)
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	f.Fuzz(func(t *testing.T, s string) {
		born, err := customer.ValidatePRCResidentID(s)
		if err != nil {
			return
		}
		// Whatever is accepted has 17 digits, a check character that
		// balances the weighted sum to 1 mod 11, and a real birth date.
		if len(s) != 18 || !born.Valid() {
			t.Fatalf("accepted %q with birth date %v", s, born)
		}
		sum := 0
		for i := 0; i < 17; i++ {
			sum += int(s[i]-'0') * weights[i]
		}
		check := 10
		if c := s[17]; c != 'X' && c != 'x' {
			check = int(c - '0')
		}
		if (sum+check)%11 != 1 {
			t.Fatalf("accepted %q whose check does not balance", s)
		}
	})
}

func FuzzValidatePhone(f *testing.F) {
	for _, s := range []string{"+8613812345678", "+1", "", "+0123456789", "++123456789"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if customer.ValidatePhone(s) != nil {
			return
		}
		if s[0] != '+' || len(s) < 9 || len(s) > 16 || strings.Trim(s[1:], "0123456789") != "" {
			t.Fatalf("accepted %q", s)
		}
	})
}

func FuzzValidateEmail(f *testing.F) {
	for _, s := range []string{"zhang.san@example.com", "a@b.c", "<a@b.cn>", "a b@c.cn", "\"a\"@b.cn", "a@b..cn"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if customer.ValidateEmail(s) != nil {
			return
		}
		at := strings.LastIndexByte(s, '@')
		if at < 1 || strings.Count(s, "@") != 1 || strings.ContainsAny(s, " <>\"()[]\\,;:") || !strings.Contains(s[at:], ".") {
			t.Fatalf("accepted %q", s)
		}
	})
}

// Masking never panics and, for inputs long enough to mask, never shows
// the whole input.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "+8613812345678", "zhang.san@example.com", "", "a", "张三@例子.公司", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Inputs holding stars could pass for their own masks; real ids,
		// phones and addresses hold none.
		long := utf8.RuneCountInString(s) > 4 && !strings.Contains(s, "*")
		for name, masked := range map[string]string{
			"national id": customer.MaskNationalID(s),
			"phone":       customer.MaskPhone(s),
		} {
			if long && strings.Contains(masked, s) {
				t.Fatalf("%s mask %q reveals %q", name, masked, s)
			}
		}
		// An e-mail mask shows at most one character before its stars.
		if m := customer.MaskEmail(s); m != "" {
			shown := m[:max(strings.LastIndexByte(m, '@'), 0)]
			if utf8.RuneCountInString(strings.TrimRight(shown, "*")) > 1 || !strings.HasSuffix(shown, "***") && shown != "" {
				t.Fatalf("email mask %q of %q shows more than one character", m, s)
			}
		}
		a := customer.MaskAddress(customer.Address{Line1: s, City: "c", Country: "CN"})
		if long && strings.Contains(a.Line1, s) {
			t.Fatalf("address mask reveals %q", s)
		}
	})
}

// Whatever configuration text is accepted yields a usable keyring: a
// primary key of KeySize bytes that Key returns too, and an index key.
func FuzzParseKeyring(f *testing.F) {
	k := "k1:" + strings.Repeat("A", 43) + "="
	for _, s := range []string{k + ",index:" + strings.Repeat("B", 43) + "=", k, "primary:k1", "", ",,,", "k1:\n#x\nindex:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ring, err := customer.ParseKeyring(s)
		if err != nil {
			return
		}
		id, key := ring.Primary()
		again, err := ring.Key(id)
		if err != nil || len(key) != customer.KeySize || string(again) != string(key) || len(ring.IndexKey()) != customer.KeySize {
			t.Fatalf("accepted %q but primary %q is unusable", s, id)
		}
	})
}
