package survey_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/survey"
	"github.com/kesherdesk/kesher/internal/testkit"
)

const feedbackCSV = `external_id,source,kind,score,comment,responded_at,contact_email
cc-1,call_center,csat,4,"שירות טוב, תודה",2026-10-01T09:30:00Z,dana@example.com
fg-7,focus_group,nps,9,,2026-10-02,new.person@example.com
sm-3,social,ces,2,קשה להגיע לנציג,2026-10-03T12:00:00+03:00,
`

// TestFeedbackImport: a bad line names line and column and imports
// nothing; a good file creates its rows (contacts matched by email or
// created); importing it again changes nothing; a changed line updates its
// row; the responses list filters by kind, source and time and pages.
func TestFeedbackImport(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		dana := k.contact("דנה", "dana@example.com", "standard")
		bad := []struct{ csv, field string }{
			{strings.Replace(feedbackCSV, "nps,9", "nps,11", 1), "line[3].score"},
			{strings.Replace(feedbackCSV, "ces,2", "xyz,2", 1), "line[4].kind"},
			{strings.Replace(feedbackCSV, "2026-10-02", "yesterday", 1), "line[3].responded_at"},
			{strings.Replace(feedbackCSV, "2026-10-02", "9999-10-02", 1), "line[3].responded_at"},
			{strings.Replace(feedbackCSV, "fg-7", "cc-1", 1), "line[3].external_id"},
			{strings.Replace(feedbackCSV, "new.person@example.com", "not-an-address", 1), "line[3].contact_email"},
			{strings.Replace(feedbackCSV, "contact_email", "email", 1), "line[1].email"},
			// Hostile files: a NUL character (a 500 on PostgreSQL, stored on
			// SQLite), an unterminated quote (FieldPos panicked: a 500), a
			// column named twice (the last one silently won), an answer from
			// the future.
			{strings.Replace(feedbackCSV, "קשה להגיע", "קשה\x00להגיע", 1), "line[4].comment"},
			{strings.Replace(feedbackCSV, "fg-7,focus_group", "fg-7,\"focus_group", 1), "line[3]"},
			{strings.Replace(feedbackCSV, "cc-1,call_center", "cc-1,\"call_center", 1), "line[2]"},
			{"external_id,kind,score,responded_at\n\"x9,csat,5,2026-10-01\n", "line[2]"},
			{strings.Replace(feedbackCSV, "contact_email\n", "contact_email,source\n", 1), "line[1].source"},
			{strings.Replace(feedbackCSV, "2026-10-02", "2199-10-02", 1), "line[3].responded_at"},
		}
		for _, c := range bad {
			_, err := k.svc.Import(k.ctx, audit.System, strings.NewReader(c.csv))
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != c.field {
				t.Errorf("want error on %s, got %v", c.field, err)
			}
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_responses`); n != 0 {
			t.Fatalf("%d rows after failed imports", n)
		}
		res, err := k.svc.Import(k.ctx, audit.System, strings.NewReader(feedbackCSV))
		if err != nil || res != (survey.ImportResult{Created: 3}) {
			t.Fatalf("import: %+v %v", res, err)
		}
		res, err = k.svc.Import(k.ctx, audit.System, strings.NewReader(feedbackCSV))
		if err != nil || res != (survey.ImportResult{Unchanged: 3}) {
			t.Errorf("re-import: %+v %v", res, err)
		}
		res, err = k.svc.Import(k.ctx, audit.System, strings.NewReader(strings.Replace(feedbackCSV, "csat,4", "csat,5", 1)))
		if err != nil || res != (survey.ImportResult{Updated: 1, Unchanged: 2}) {
			t.Errorf("changed import: %+v %v", res, err)
		}
		// A re-import may not change an answer's kind (csat → nps), even
		// with a score valid for the new kind; nothing of the file is applied.
		for _, c := range []struct{ csv, field string }{
			{strings.Replace(strings.Replace(feedbackCSV, "csat,4", "nps,4", 1), "nps,9", "nps,8", 1), "line[2].kind"},
			{strings.Replace(feedbackCSV, "social,ces,2", "social,csat,2", 1), "line[4].kind"},
		} {
			_, err := k.svc.Import(k.ctx, audit.System, strings.NewReader(c.csv))
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != c.field || !strings.Contains(ve.Error(), "kind cannot change") {
				t.Errorf("kind change: want error on %s, got %v", c.field, err)
			}
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_responses WHERE (external_id = 'cc-1' AND kind = 'csat' AND score = 5)
			OR (external_id = 'fg-7' AND score = 9) OR (external_id = 'sm-3' AND kind = 'ces')`); n != 3 {
			t.Errorf("a refused kind change altered rows (%d of 3 intact)", n)
		}
		var score int
		var contactID int64
		var at int64
		if err := d.R().QueryRow(k.ctx, `SELECT score, contact_id, responded_at FROM survey_responses WHERE external_id = 'cc-1'`).
			Scan(&score, &contactID, &at); err != nil || score != 5 || contactID != dana ||
			at != time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC).UnixMilli() {
			t.Errorf("cc-1: score %d contact %d at %d (%v)", score, contactID, at, err)
		}
		if n := k.count(`SELECT COUNT(*) FROM contacts WHERE email = 'new.person@example.com'`); n != 1 {
			t.Errorf("%d contacts created for the new address", n)
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_responses WHERE external_id = 'sm-3' AND contact_id IS NULL`); n != 1 {
			t.Errorf("row without an address has a contact")
		}

		all, err := k.svc.Responses(k.ctx, survey.ListParams{Limit: 2})
		if err != nil || len(all.Data) != 2 || all.NextCursor == nil || *all.Data[0].ExternalID != "sm-3" {
			t.Fatalf("page 1: %+v %v", all, err)
		}
		rest, err := k.svc.Responses(k.ctx, survey.ListParams{Limit: 2, Cursor: *all.NextCursor})
		if err != nil || len(rest.Data) != 1 || rest.NextCursor != nil || *rest.Data[0].ExternalID != "cc-1" {
			t.Errorf("page 2: %+v %v", rest, err)
		}
		from, to := time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)
		for name, c := range map[string]struct {
			p    survey.ListParams
			want []string
		}{
			"kind":   {survey.ListParams{Kind: "nps"}, []string{"fg-7"}},
			"source": {survey.ListParams{Source: "call_center"}, []string{"cc-1"}},
			"time":   {survey.ListParams{From: &from, To: &to}, []string{"fg-7"}},
		} {
			r, err := k.svc.Responses(k.ctx, c.p)
			var got []string
			for _, x := range r.Data {
				got = append(got, *x.ExternalID)
			}
			if err != nil || strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("%s: %v %v, want %v", name, got, err, c.want)
			}
		}
		if _, err := k.svc.Responses(k.ctx, survey.ListParams{Kind: "xyz"}); err == nil {
			t.Errorf("bad kind accepted")
		}
		// from after to was an empty list (read as "no answers"); it is a 400 naming to.
		var ve *errs.ValidationError
		if _, err := k.svc.Responses(k.ctx, survey.ListParams{From: &to, To: &from}); !errors.As(err, &ve) || ve.Fields[0].Field != "to" {
			t.Errorf("from after to: %v, want a problem naming to", err)
		}
	})
}
