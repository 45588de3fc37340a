package contact

import "testing"

func TestNormalizeEmailAndPhone(t *testing.T) {
	emails := []struct {
		in, want string
		ok       bool
	}{
		{"Dana@Example.CO.IL", "dana@example.co.il", true},
		{"  דנה כהן <Dana@example.com> ", "dana@example.com", true},
		{"=?utf-8?b?15PXoNeU?= <d@x.org>", "d@x.org", true},
		{"not an address", "", false},
		{"a@", "", false},
		{"", "", false},
	}
	for _, c := range emails {
		got, ok := NormalizeEmail(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	phones := []struct {
		in, want string
		ok       bool
	}{
		{"+972 (54) 123-4567", "+972541234567", true},
		{"054.123.4567", "0541234567", true},
		{"12", "12", false},
		{"+1 800 FLOWERS", "", false},
		{"1+2345", "", false},
	}
	for _, c := range phones {
		got, ok := NormalizePhone(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
