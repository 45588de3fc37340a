package survey_test

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestEndToEndCSAT: a Hebrew customer's email → the agent solves the
// conversation → the send job on the runner → the CSAT mail reaches a
// real SMTP server on loopback with the link and one-click scores → the
// link's page is Hebrew, right-to-left, with a labelled fieldset → the
// one-click score pre-selects 5 → posting 5 stores one response with
// score 5 and the conversation's inbox; the status stays solved.
func TestEndToEndCSAT(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, true)
		k.enable(false, 0)
		conv := k.mail("=?UTF-8?B?15PXoNeUINeb15TXnw==?= <dana@example.com>", "שאלה על משלוח", "שלום, מתי יגיע המשלוח שלי?")
		k.status(conv, conversation.StatusSolved)
		got := k.sink.Wait(t, 1, 20*time.Second)
		k.deliver()
		if len(got.To) != 1 || got.To[0] != "dana@example.com" {
			t.Errorf("RCPT TO %v", got.To)
		}
		m := parseMail(t, got.Data)
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil || !strings.HasPrefix(subject, "איך היה השירות שקיבלת?") {
			t.Errorf("Subject %q (%v)", subject, err)
		}
		if m.Header.Get("Auto-Submitted") == "" {
			t.Errorf("no Auto-Submitted header on the survey mail")
		}
		text := plainText(t, m)
		match := linkRe.FindStringSubmatch(text)
		if match == nil {
			t.Fatalf("no link in the mail:\n%s", text)
		}
		token := match[1]
		for n := 1; n <= 5; n++ {
			if !strings.Contains(text, "https://desk.example/s/"+token+"?score="+itoa(int64(n))) {
				t.Errorf("no one-click link for %d:\n%s", n, text)
			}
		}
		var status string
		if err := d.R().QueryRow(k.ctx, `SELECT status FROM conversations WHERE id = ?`, conv).Scan(&status); err != nil || status != "solved" {
			t.Errorf("conversation status %q after the survey (%v)", status, err)
		}

		// The public page through the app's handler (mounted at /s/).
		srv := k.pages()
		res, err := http.Get(srv.URL + "/s/" + token + "?score=5")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		page := string(body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET page: %d\n%s", res.StatusCode, page)
		}
		for _, want := range []string{`<html lang="he" dir="rtl">`, "<fieldset>", "<legend>עד כמה היית מרוצה מהשירות שקיבלת?</legend>",
			`<input type="radio" name="score" value="5" required checked> 5 – מרוצה מאוד</label>`, `<label for="comment">`,
			"חנות הדוגמה", `action="/s/` + token + `"`} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(page, "<script") {
			t.Errorf("the page has a script")
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_responses`); n != 0 {
			t.Errorf("GET stored %d responses", n)
		}

		req, _ := http.NewRequest("POST", srv.URL+"/s/"+token, strings.NewReader(url.Values{"score": {"5"},
			"comment": {"שירות מצוין"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "תודה על המשוב!") {
			t.Errorf("POST: %d\n%s", res.StatusCode, body)
		}
		var score int
		var comment string
		var inboxID int64
		if err := d.R().QueryRow(k.ctx, `SELECT score, comment, inbox_id FROM survey_responses WHERE conversation_id = ? AND kind = 'csat'`,
			conv).Scan(&score, &comment, &inboxID); err != nil || score != 5 || comment != "שירות מצוין" || inboxID != k.inbox.ID {
			t.Errorf("response %d %q inbox %d (%v)", score, comment, inboxID, err)
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_responses`); n != 1 {
			t.Errorf("%d responses, want 1", n)
		}
		res, err = http.Get(srv.URL + "/s/not-a-token")
		if err != nil || res.StatusCode != http.StatusNotFound {
			t.Errorf("bad token page: %v %v", res, err)
		}
	})
}
