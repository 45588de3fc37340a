package survey_test

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/survey"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func ptr[T any](v T) *T { return &v }

// flip changes one byte of the decoded token at i.
func flip(t *testing.T, token string, i int) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	b[i] ^= 0x01
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestSignedLinkOwnInvitationOnly: the link resolves to its invitation; a
// token with a changed id, random part or MAC, garbage, or a superseded
// random part is not found.
func TestSignedLinkOwnInvitationOnly(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		k.enable(false, 0)
		conv1, tok1 := k.solvedWithLink("dana@example.com")
		conv2, tok2 := k.solvedWithLink("yossi@example.com")
		inv1, _, _ := k.invitation(conv1, survey.KindCSAT)
		inv2, _, _ := k.invitation(conv2, survey.KindCSAT)
		for tok, want := range map[string]int64{tok1: inv1, tok2: inv2} {
			inv, err := k.svc.Resolve(k.ctx, tok)
			if err != nil || inv.ID != want || inv.Kind != survey.KindCSAT || inv.Language != "he" {
				t.Errorf("Resolve = %+v, %v; want invitation %d", inv, err, want)
			}
		}
		b1, _ := base64.RawURLEncoding.DecodeString(tok1)
		b2, _ := base64.RawURLEncoding.DecodeString(tok2)
		swapped := append(append([]byte{}, b2[:8]...), b1[8:]...) // invitation 2's id on 1's random and MAC
		for name, tok := range map[string]string{
			"changed id":      flip(t, tok1, 7),
			"changed random":  flip(t, tok1, 12),
			"changed mac":     flip(t, tok1, 40),
			"other id":        base64.RawURLEncoding.EncodeToString(swapped),
			"truncated":       tok1[:len(tok1)-4],
			"garbage":         "not-a-token",
			"padding in body": tok1 + "==",
			// The last character's unused low bit flipped: the same bytes
			// under lenient decoding, a different link string.
			"non-canonical": nonCanonical(t, tok1),
		} {
			if _, err := k.svc.Resolve(k.ctx, tok); !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("%s: Resolve err = %v, want not found", name, err)
			}
		}
		// Only the hash of the random part is stored, never the token.
		var hash string
		if err := d.R().QueryRow(k.ctx, `SELECT token_hash FROM survey_invitations WHERE id = ?`, inv1).Scan(&hash); err != nil ||
			len(hash) != 64 || strings.Contains(tok1, hash) {
			t.Errorf("token_hash %q (%v)", hash, err)
		}
		// A new link supersedes the old one.
		var tok3 string
		if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
			var err error
			tok3, err = k.svc.NewLinkTx(k.ctx, tx, inv1)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := k.svc.Resolve(k.ctx, tok1); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("superseded link: %v, want not found", err)
		}
		if inv, err := k.svc.Resolve(k.ctx, tok3); err != nil || inv.ID != inv1 {
			t.Errorf("new link: %+v %v", inv, err)
		}
	})
}

// TestAnswerReplacedWithinWindowThenClosed: a second answer within seven
// days replaces the first (one row, new score and comment, copied
// conversation facts); after seven days the page says closed (410) and
// nothing changes; a bad token is a 404 page.
func TestAnswerReplacedWithinWindowThenClosed(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		k.enable(true, 0)
		conv, tok := k.solvedWithLink("dana@example.com")
		if _, err := k.svc.Record(k.ctx, tok, survey.AnswerInput{Score: ptr(2), CES: ptr(3), Comment: "איטי"}); err != nil {
			t.Fatal(err)
		}
		// A comment that is not valid UTF-8 is refused, naming the field,
		// and the stored answer stays.
		var bad *errs.ValidationError
		if _, err := k.svc.Record(k.ctx, tok, survey.AnswerInput{Score: ptr(3), Comment: "ok\xc3\x28bad"}); !errors.As(err, &bad) ||
			!strings.Contains(err.Error(), "comment") {
			t.Errorf("invalid UTF-8 comment: err = %v, want a validation error naming comment", err)
		}
		k.now = k.now.Add(6 * 24 * time.Hour)
		if _, err := k.svc.Record(k.ctx, tok, survey.AnswerInput{Score: ptr(4), CES: ptr(6), Comment: "בסדר גמור"}); err != nil {
			t.Fatal(err)
		}
		type row struct {
			kind, comment, channel string
			score                  int
			inbox                  int64
			conv                   int64
		}
		rows, err := d.R().Query(k.ctx, `SELECT kind, score, comment, channel, inbox_id, conversation_id FROM survey_responses ORDER BY kind`)
		if err != nil {
			t.Fatal(err)
		}
		var got []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.kind, &r.score, &r.comment, &r.channel, &r.inbox, &r.conv); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		rows.Close()
		want := []row{{kind: "ces", score: 6, channel: "email", inbox: k.inbox.ID, conv: conv},
			{kind: "csat", score: 4, comment: "בסדר גמור", channel: "email", inbox: k.inbox.ID, conv: conv}}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("responses %+v, want %+v", got, want)
		}
		_, status, _ := k.invitation(conv, survey.KindCSAT)
		if status != survey.StatusAnswered {
			t.Errorf("invitation status %q", status)
		}
		// Validation names the field.
		for name, in := range map[string]survey.AnswerInput{
			"score": {Score: ptr(6)}, "ces": {Score: ptr(3), CES: ptr(8)},
			"comment": {Score: ptr(3), Comment: strings.Repeat("א", 2001)},
		} {
			_, err := k.svc.Record(k.ctx, tok, in)
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != name {
				t.Errorf("%s: err %v", name, err)
			}
		}

		srv := k.pages()
		post := func(tok string, score string) *http.Response {
			req, _ := http.NewRequest("POST", srv.URL+"/s/"+tok, strings.NewReader(url.Values{"score": {score}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		if res := post(tok, "0"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("bad score: status %d", res.StatusCode)
		}
		if res := post(flip(t, tok, 3), "5"); res.StatusCode != http.StatusNotFound {
			t.Errorf("forged token: status %d, want 404", res.StatusCode)
		}
		// A cross-site form post is refused.
		req, _ := http.NewRequest("POST", srv.URL+"/s/"+tok, strings.NewReader("score=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site post: %v %v", res, err)
		}
		// The page shows the stored answers pre-selected, CES included.
		res, err := http.Get(srv.URL + "/s/" + tok)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		for _, want := range []string{`name="score" value="4" required checked>`, `name="ces" value="6" checked>`,
			`name="ces" value="7">`, `>בסדר גמור</textarea>`, "<legend>כמה קל היה לטפל בפנייה שלך?</legend>"} {
			if !strings.Contains(string(page), want) {
				t.Errorf("page lacks %q", want)
			}
		}
		k.now = k.now.Add(2 * 24 * time.Hour) // 8 days after sending
		if res := post(tok, "1"); res.StatusCode != http.StatusGone {
			t.Errorf("after 7 days: status %d, want 410", res.StatusCode)
		}
		res, err = http.Get(srv.URL + "/s/" + tok)
		if err != nil || res.StatusCode != http.StatusGone {
			t.Errorf("GET after 7 days: %v %v", res, err)
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_responses WHERE kind = 'csat' AND score = 4`); n != 1 {
			t.Errorf("the answer changed after closing (%d rows with 4)", n)
		}
	})
}

// TestSolveSchedulesOneInvitation: solving schedules one invitation per
// kind with its send job at solve + delay; reopening and solving again, or
// a repeated event, schedules nothing more; an inbox with CSAT off none.
func TestSolveSchedulesOneInvitation(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		off := k.mail("off@example.com", "שאלה", "שלום")
		k.status(off, conversation.StatusSolved)
		if n := k.count(`SELECT COUNT(*) FROM survey_invitations`); n != 0 {
			t.Fatalf("%d invitations with CSAT off", n)
		}
		k.enable(true, 90)
		conv := k.mail("dana@example.com", "שאלה", "שלום, יש לי שאלה")
		k.status(conv, conversation.StatusSolved)
		k.status(conv, conversation.StatusOpen)
		k.status(conv, conversation.StatusSolved)
		if err := d.WriteTx(k.ctx, func(tx *db.Tx) error { _, err := k.svc.ScheduleTx(k.ctx, tx, conv); return err }); err != nil {
			t.Fatal(err)
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_invitations WHERE conversation_id = ?`, conv); n != 2 {
			t.Errorf("%d invitations, want 2 (csat and ces)", n)
		}
		var sendAt, runAt int64
		if err := d.R().QueryRow(k.ctx, `SELECT i.send_at, j.run_at FROM survey_invitations i JOIN jobs j ON j.kind = ?
			WHERE i.conversation_id = ? AND i.kind = 'csat'`, survey.JobSend, conv).Scan(&sendAt, &runAt); err != nil {
			t.Fatal(err)
		}
		if want := k.now.Add(90 * time.Minute).UnixMilli(); sendAt != want || runAt != want {
			t.Errorf("send_at %d, job at %d, want %d", sendAt, runAt, want)
		}
		if n := k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ?`, survey.JobSend); n != 1 {
			t.Errorf("%d send jobs, want 1", n)
		}
		// Reopened before the send time: skipped, nothing sent.
		k.status(conv, conversation.StatusOpen)
		inv, _, _ := k.invitation(conv, survey.KindCSAT)
		if msg := k.send(inv); msg != 0 {
			t.Errorf("sent to a reopened conversation")
		}
		if _, status, why := k.invitation(conv, survey.KindCES); status != survey.StatusSkipped || why != survey.SkipNotSolved {
			t.Errorf("ces invitation %s %s", status, why)
		}
	})
}

// TestNeverToAutoRepliesOrBounces: a conversation whose last customer
// message was an auto-reply or bulk mail, or whose requester's address
// bounced, gets no survey; the invitation is skipped with the reason;
// the automatic-mail limit also holds.
func TestNeverToAutoRepliesOrBounces(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		k.enable(false, 0)
		cases := []struct {
			name, from string
			prepare    func(conv int64)
			want       string
		}{
			{"auto-reply", "away@example.com", func(conv int64) {
				k.mail("away@example.com", "Out of office [#"+itoa(conv)+"]", "I am away until Sunday.", "Auto-Submitted: auto-replied")
			}, survey.SkipAutoSubmit},
			{"bulk", "news@example.com", func(conv int64) {
				k.mail("news@example.com", "Newsletter [#"+itoa(conv)+"]", "Our news", "Precedence: bulk")
			}, survey.SkipAutoSubmit},
			{"bounced", "gone@example.com", func(int64) {
				if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
					_, err := tx.Exec(k.ctx, `INSERT INTO email_bounces (address, status, diagnostic, bounced_at) VALUES (?, '5.1.1', 'no such user', ?)`,
						"gone@example.com", k.now.UnixMilli())
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}, survey.SkipBounced},
			{"automatic limit", "busy@example.com", func(int64) {
				if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
					for i := 0; i < 5; i++ {
						if _, err := tx.Exec(k.ctx, `INSERT INTO automatic_mail_log (address, sent_at) VALUES (?, ?)`, "busy@example.com",
							k.now.Add(-time.Duration(i)*time.Minute).UnixMilli()); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}, survey.SkipLimit},
			{"a person", "dana@example.com", func(int64) {}, ""},
		}
		for _, c := range cases {
			conv := k.mail(c.from, "שאלה", "שלום, שאלה קצרה")
			k.status(conv, conversation.StatusSolved)
			c.prepare(conv)
			inv, _, _ := k.invitation(conv, survey.KindCSAT)
			msg := k.send(inv)
			_, status, why := k.invitation(conv, survey.KindCSAT)
			if why != c.want || (c.want == "") != (msg != 0) {
				t.Errorf("%s: status %s, reason %q, message %d; want reason %q", c.name, status, why, msg, c.want)
			}
		}
		if n := k.count(`SELECT COUNT(*) FROM messages WHERE direction = 'outbound'`); n != 1 {
			t.Errorf("%d outbound messages, want 1", n)
		}
	})
}

// TestEnglishSurvey: an English-speaking customer gets the English email
// and a left-to-right English page.
func TestEnglishSurvey(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		k.enable(false, 0)
		conv := k.mail("john@example.com", "Where is my order?", "Hello, I ordered a blue kettle last week and it has not arrived yet. Could you please check the delivery status for me?")
		k.status(conv, conversation.StatusSolved)
		inv, _, _ := k.invitation(conv, survey.KindCSAT)
		msg := k.send(inv)
		var body, meta string
		if err := d.R().QueryRow(k.ctx, `SELECT body_text, channel_meta FROM messages WHERE id = ?`, msg).Scan(&body, &meta); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, "How satisfied were you") || !strings.Contains(meta, `"auto":"csat"`) ||
			!strings.Contains(meta, `"automatic":true`) || !strings.Contains(meta, "How did we do?") {
			t.Errorf("English mail %q meta %s", body, meta)
		}
		srv := k.pages()
		res, err := http.Get(srv.URL + "/s/" + k.token(msg))
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(page), `<html lang="en" dir="ltr">`) ||
			!strings.Contains(string(page), "5 – very satisfied") {
			t.Errorf("English page %d:\n%s", res.StatusCode, page)
		}
	})
}

// nonCanonical returns tok with the unused low bit of its last base64
// character flipped (tokens whose byte length is a multiple of 3 have
// none: the test then uses a plainly different character).
func nonCanonical(t *testing.T, tok string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, tok[len(tok)-1])
	if last < 0 {
		t.Fatalf("token %q does not end in a base64url character", tok)
	}
	return tok[:len(tok)-1] + string(alphabet[last^1])
}
