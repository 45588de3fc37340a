package period_test

import (
	"errors"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/report/period"
)

func TestParse(t *testing.T) {
	cases := []struct {
		from, to         string
		wantFrom, wantTo string
		field            string
	}{
		// Israel is UTC+2 in winter, UTC+3 in summer (DST from 2025-03-28).
		{"2025-03-01", "2025-04-01", "2025-02-28T22:00:00Z", "2025-03-31T21:00:00Z", ""},
		{"2025-03-01T10:00:00+02:00", "2025-03-02T00:00:00Z", "2025-03-01T08:00:00Z", "2025-03-02T00:00:00Z", ""},
		{"", "2025-01-01", "", "", "from"},
		{"2025-01-01", "", "", "", "to"},
		{"2025-01-01", "2025-01-01", "", "", "to"},
		{"2024-01-01", "2025-06-01", "", "", "to"},
		{"1/1/2025", "2025-02-01", "", "", "from"},
	}
	for _, c := range cases {
		f, to, err := period.Parse(c.from, c.to)
		var ve *errs.ValidationError
		switch {
		case c.field != "":
			if !errors.As(err, &ve) || ve.Fields[0].Field != c.field {
				t.Errorf("Parse(%q, %q) = %v, want a problem with %s", c.from, c.to, err, c.field)
			}
		case err != nil || f.Format(time.RFC3339) != c.wantFrom || to.Format(time.RFC3339) != c.wantTo:
			t.Errorf("Parse(%q, %q) = %s, %s, %v", c.from, c.to, f, to, err)
		}
	}
}
