package survey_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/survey"
	"github.com/kesherdesk/kesher/internal/testkit"
)

func (k *kit) contact(name, email, tier string) int64 {
	k.t.Helper()
	in := contact.Input{Name: name, Language: "he", Tier: tier}
	if email != "" {
		in.Emails = []string{email}
	}
	c, err := k.core.Contacts.Create(k.ctx, audit.System, in)
	if err != nil {
		k.t.Fatal(err)
	}
	return c.ID
}

func (k *kit) batch(id int64) survey.BatchReport {
	k.t.Helper()
	var rep survey.BatchReport
	if err := k.d.WriteTx(k.ctx, func(tx *db.Tx) error {
		var err error
		rep, err = k.svc.CampaignBatchTx(k.ctx, tx, id)
		return err
	}); err != nil {
		k.t.Fatal(err)
	}
	return rep
}

// TestNPSCampaignThrottle: a campaign over the gold tier with per_hour 2
// and min_days_between 90 skips the contact surveyed 30 days ago, never
// mails the bounced address, sends two in the first hour and the rest an
// hour later, then is done; NPS answers take 0–10.
func TestNPSCampaignThrottle(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		recent := k.contact("אבי", "avi@example.com", "gold")
		a := k.contact("בתיה", "batya@example.com", "gold")
		b := k.contact("גיל", "gil@example.com", "gold")
		c := k.contact("דנה", "dana@example.com", "gold")
		bounced := k.contact("הדס", "hadas@example.com", "gold")
		k.contact("ורד", "vered@example.com", "standard") // outside the segment
		k.contact("זיו", "", "gold")                      // no address
		if err := d.WriteTx(k.ctx, func(tx *db.Tx) error {
			then := k.now.Add(-30 * 24 * time.Hour).UnixMilli()
			if _, err := tx.Exec(k.ctx, `INSERT INTO survey_invitations (kind, contact_id, token_hash, status, send_at, sent_at, expires_at,
				created_at) VALUES ('nps', ?, 'old', 'sent', ?, ?, ?, ?)`, recent, then, then, then, then); err != nil {
				return err
			}
			_, err := tx.Exec(k.ctx, `INSERT INTO email_bounces (address, status, diagnostic, bounced_at) VALUES ('hadas@example.com', '5.1.1', '', ?)`,
				k.now.UnixMilli())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		_, err := k.svc.CreateCampaign(k.ctx, audit.System, survey.CampaignInput{Name: " "})
		var ve *errs.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Field != "name" {
			t.Errorf("empty name: %v", err)
		}
		camp, err := k.svc.CreateCampaign(k.ctx, audit.System, survey.CampaignInput{Name: "NPS רבעוני",
			Segment: survey.Segment{Tiers: []string{"gold"}}, PerHour: ptr(2)})
		if err != nil {
			t.Fatal(err)
		}
		if camp.Status != survey.CampaignDraft || camp.MinDaysBetween != 90 || camp.PerHour != 2 {
			t.Errorf("campaign %+v", camp)
		}
		if rep := k.batch(camp.ID); rep.Sent != 0 {
			t.Errorf("a draft campaign sent %d", rep.Sent)
		}
		if camp, err = k.svc.StartCampaign(k.ctx, audit.System, camp.ID); err != nil || camp.Status != survey.CampaignRunning {
			t.Fatalf("start: %+v %v", camp, err)
		}
		if rep := k.batch(camp.ID); rep.Sent != 2 || rep.Skipped != 0 || rep.Done {
			t.Errorf("first hour: %+v, want 2 sent", rep)
		}
		if rep := k.batch(camp.ID); rep.Sent != 0 || rep.Done {
			t.Errorf("same hour again: %+v, want nothing", rep)
		}
		k.now = k.now.Add(61 * time.Minute)
		if rep := k.batch(camp.ID); rep.Sent != 1 || rep.Skipped != 1 || !rep.Done {
			t.Errorf("second hour: %+v, want 1 sent, 1 skipped (bounced), done", rep)
		}
		sent := map[int64]string{}
		rows, err := d.R().Query(k.ctx, `SELECT contact_id, status FROM survey_invitations WHERE campaign_id = ?`, camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var st string
			if err := rows.Scan(&id, &st); err != nil {
				t.Fatal(err)
			}
			sent[id] = st
		}
		rows.Close()
		want := map[int64]string{a: "sent", b: "sent", c: "sent", bounced: "skipped"}
		if len(sent) != len(want) {
			t.Errorf("invitations %v, want %v", sent, want)
		}
		for id, st := range want {
			if sent[id] != st {
				t.Errorf("contact %d: %q, want %q (all %v)", id, sent[id], st, sent)
			}
		}
		if _, ok := sent[recent]; ok {
			t.Errorf("the contact surveyed 30 days ago was invited again")
		}
		if n := k.count(`SELECT COUNT(*) FROM conversations c JOIN conversation_tags ct ON ct.conversation_id = c.id
			JOIN tags t ON t.id = ct.tag_id WHERE t.name = ? AND c.status = 'solved'`, survey.NPSTag); n != 3 {
			t.Errorf("%d solved NPS conversations tagged %s, want 3", n, survey.NPSTag)
		}
		got, err := k.svc.Campaign(k.ctx, camp.ID)
		if err != nil || got.Status != survey.CampaignDone || got.Sent != 3 {
			t.Errorf("campaign after: %+v %v", got, err)
		}
		if _, err := k.svc.StartCampaign(k.ctx, audit.System, camp.ID); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("restarting a done campaign: %v", err)
		}
		// The NPS mail is an automatic outbound reply with the link; its
		// page takes 0–10.
		var body string
		if err := d.R().QueryRow(k.ctx, `SELECT m.body_text FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.requester_id = ? AND m.direction = 'outbound'`, a).Scan(&body); err != nil {
			t.Fatal(err)
		}
		m := linkRe.FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "0–10") {
			t.Fatalf("NPS mail %q", body)
		}
		if _, err := k.svc.Record(k.ctx, m[1], survey.AnswerInput{Score: ptr(0), Comment: "יקר מדי"}); err != nil {
			t.Errorf("NPS 0: %v", err)
		}
		if _, err := k.svc.Record(k.ctx, m[1], survey.AnswerInput{Score: ptr(11)}); !errors.As(err, &ve) {
			t.Errorf("NPS 11: %v", err)
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_responses WHERE kind = 'nps' AND contact_id = ? AND score = 0 AND inbox_id = ?`,
			a, k.inbox.ID); n != 1 {
			t.Errorf("%d NPS responses", n)
		}
	})
}

// TestNPSPause: a paused campaign sends nothing until started again.
func TestNPSPause(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		k.contact("אבי", "avi@example.com", "standard")
		camp, err := k.svc.CreateCampaign(k.ctx, audit.System, survey.CampaignInput{Name: "n", PerHour: ptr(10)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.svc.StartCampaign(k.ctx, audit.System, camp.ID); err != nil {
			t.Fatal(err)
		}
		if camp, err = k.svc.PauseCampaign(k.ctx, audit.System, camp.ID); err != nil || camp.Status != survey.CampaignPaused {
			t.Fatalf("pause: %+v %v", camp, err)
		}
		if rep := k.batch(camp.ID); rep.Sent != 0 {
			t.Errorf("paused campaign sent %d", rep.Sent)
		}
		if _, err := k.svc.StartCampaign(k.ctx, audit.System, camp.ID); err != nil {
			t.Fatal(err)
		}
		if rep := k.batch(camp.ID); rep.Sent != 1 || !rep.Done {
			t.Errorf("restarted: %+v", rep)
		}
		if _, err := k.svc.PauseCampaign(k.ctx, audit.System, 9999); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("unknown campaign: %v", err)
		}
	})
}
