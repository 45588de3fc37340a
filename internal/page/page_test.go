package page

import (
	"errors"
	"testing"

	"github.com/kesherdesk/kesher/internal/errs"
)

func TestCursorRoundTripAndRejects(t *testing.T) {
	c := Cursor{Sort: "-updated_at", Key: 1767225600000, ID: 42}
	got, err := Decode(c.Encode(), "-updated_at")
	if err != nil || *got != c {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	if got, err := Decode("", "x"); got != nil || err != nil {
		t.Fatalf("empty cursor: %v %v", got, err)
	}
	for _, bad := range []string{"!!!", "e30", Cursor{Sort: "-created_at", ID: 1}.Encode(), Cursor{Sort: "-updated_at", ID: 0}.Encode()} {
		var ve *errs.ValidationError
		if _, err := Decode(bad, "-updated_at"); !errors.As(err, &ve) || ve.Fields[0].Field != "cursor" {
			t.Errorf("Decode(%q) = %v, want a validation error on cursor", bad, err)
		}
	}
	for in, want := range map[int]int{0: DefaultLimit, 1: 1, 100: 100} {
		if got, err := Limit(in); err != nil || got != want {
			t.Errorf("Limit(%d) = %d, %v", in, got, err)
		}
	}
	for _, in := range []int{-1, 101} {
		if _, err := Limit(in); err == nil {
			t.Errorf("Limit(%d) accepted", in)
		}
	}
}
