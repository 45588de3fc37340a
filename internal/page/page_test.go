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

// TestOf: a page keeps at most limit rows, names the last kept row in its
// cursor when more were read, and is never nil.
func TestOf(t *testing.T) {
	byID := func(id int) Cursor { return Cursor{Sort: "x", ID: int64(id)} }
	if p := Of([]int(nil), 2, byID); p.Data == nil || len(p.Data) != 0 || p.NextCursor != nil {
		t.Errorf("empty page = %+v", p)
	}
	if p := Of([]int{5, 4}, 2, byID); len(p.Data) != 2 || p.NextCursor != nil {
		t.Errorf("exactly limit rows: %+v", p)
	}
	p := Of([]int{5, 4, 3}, 2, byID)
	if len(p.Data) != 2 || p.NextCursor == nil {
		t.Fatalf("more than limit rows: %+v", p)
	}
	if c, err := Decode(*p.NextCursor, "x"); err != nil || c.ID != 4 {
		t.Errorf("cursor = %+v, %v; want id 4", c, err)
	}
}
