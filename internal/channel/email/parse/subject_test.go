package parse

import "testing"

func TestNormalizeSubject(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Printer broken", "Printer broken"},
		{"Re: Printer broken", "Printer broken"},
		{"RE: RE: re:  Printer   broken ", "Printer broken"},
		{"Fwd: Re: Printer", "Printer"},
		{"FW: AW: WG: Printer", "Printer"},
		{"Re[2]: Printer", "Printer"},
		{"Re: [#12] Printer", "Printer"},
		{"[#12] Re: Printer", "Printer"},
		{"Re: Printer [#12]", "Printer"},
		{"השב: המדפסת לא עובדת", "המדפסת לא עובדת"},
		{"תגובה: השב: המדפסת לא עובדת", "המדפסת לא עובדת"},
		{"הועבר: RE: המדפסת", "המדפסת"},
		{"Re: [support] Printer", "Printer"},
		{"Reading list", "Reading list"},
		{"Fwdx: x", "Fwdx: x"},
		{"", ""},
		{"Re:", ""},
	}
	for _, c := range cases {
		if got := NormalizeSubject(c.in); got != c.want {
			t.Errorf("NormalizeSubject(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSubjectTag(t *testing.T) {
	cases := []struct {
		in string
		n  int64
		ok bool
	}{
		{"[#12] Printer", 12, true},
		{"Re: Printer [#1234]", 1234, true},
		{"Re: AW: Printer [#7] [#8]", 7, true},
		{"השב: המדפסת [#42]", 42, true},
		{"Printer #12", 0, false},
		{"[# 12]", 0, false},
		{"[#]", 0, false},
		{"[#99999999999999999999]", 0, false},
		{"[#0]", 0, false},
	}
	for _, c := range cases {
		n, ok := SubjectTag(c.in)
		if n != c.n || ok != c.ok {
			t.Errorf("SubjectTag(%q) = %d, %v, want %d, %v", c.in, n, ok, c.n, c.ok)
		}
	}
	if got := FormatSubjectTag(1234); got != "[#1234]" {
		t.Errorf("FormatSubjectTag = %q", got)
	}
	if n, ok := SubjectTag("Re: x " + FormatSubjectTag(55)); !ok || n != 55 {
		t.Errorf("round trip %d %v", n, ok)
	}
}
