package survey_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/survey"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestCreatedSolvedGetsSurvey: a conversation created already solved (as
// POST /api/v1/conversations with status solved does) in an inbox with
// CSAT on gets its invitation like one solved later, sent at creation +
// the delay; one created open gets none; a historical import of a solved
// conversation into the same inbox gets none (the importer publishes no
// event), even after every event is delivered.
func TestCreatedSolvedGetsSurvey(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		k.enable(false, 30)
		create := func(status, email string) int64 {
			t.Helper()
			c, _, err := k.core.Conversations.Create(k.ctx, audit.System, conversation.CreateInput{InboxID: k.inbox.ID, Subject: "phone call",
				Status: status, Requester: conversation.RequesterInput{Email: email, Name: "Dana"},
				Message: &conversation.MessageInput{Direction: "inbound", Kind: "reply", Body: "Called about my order"}})
			if err != nil {
				t.Fatal(err)
			}
			k.deliver()
			return c.ID
		}
		solved := create(conversation.StatusSolved, "dana@example.com")
		id, status, _ := k.invitation(solved, survey.KindCSAT)
		var sendAt int64
		if err := d.R().QueryRow(k.ctx, `SELECT send_at FROM survey_invitations WHERE id = ?`, id).Scan(&sendAt); err != nil {
			t.Fatal(err)
		}
		if status != survey.StatusScheduled || sendAt != k.now.Add(30*time.Minute).UnixMilli() {
			t.Errorf("created solved: invitation %s at %d, want scheduled at %d", status, sendAt, k.now.Add(30*time.Minute).UnixMilli())
		}
		if n := k.count(`SELECT COUNT(*) FROM jobs WHERE kind = ? AND unique_key = ?`, survey.JobSend, survey.JobSend+":"+itoa(id)); n != 1 {
			t.Errorf("%d send jobs, want 1", n)
		}
		if msg := k.send(id); msg == 0 {
			_, st, why := k.invitation(solved, survey.KindCSAT)
			t.Errorf("created solved: not sent (%s %s)", st, why)
		}
		open := create(conversation.StatusOpen, "avi@example.com")
		if n := k.count(`SELECT COUNT(*) FROM survey_invitations WHERE conversation_id = ?`, open); n != 0 {
			t.Errorf("created open: %d invitations", n)
		}

		line := `{"external_id":"zd-1","inbox":` + itoa(k.inbox.ID) + `,"requester":{"email":"noa@example.com"},"status":"solved",` +
			`"created_at":"2025-03-02T08:00:00Z","solved_at":"2025-03-02T12:00:00Z","messages":[{"direction":"inbound","author_type":"contact",` +
			`"body":"hello","created_at":"2025-03-02T08:00:00Z"},{"direction":"outbound","author_type":"agent","body":"done",` +
			`"created_at":"2025-03-02T09:00:00Z"}]}` + "\n"
		res, err := k.core.Importer.Import(k.ctx, audit.System, strings.NewReader(line))
		if err != nil || res.Created != 1 {
			t.Fatalf("import: %+v %v", res, err)
		}
		k.deliver()
		if n := k.count(`SELECT COUNT(*) FROM survey_invitations i JOIN conversations c ON c.id = i.conversation_id WHERE c.external_id = 'zd-1'`); n != 0 {
			t.Errorf("imported history: %d invitations, want none", n)
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_invitations`); n != 1 {
			t.Errorf("%d invitations in all, want 1 (the created-solved one)", n)
		}
	})
}

// TestSolvedThenClosedStillSurveyed: a conversation solved and then closed
// before the delay elapses still gets its survey at send time (the send
// requires solved or closed); reopened before it, the invitation is
// skipped as not_solved.
func TestSolvedThenClosedStillSurveyed(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		k.enable(false, 60)
		closed := k.mail("dana@example.com", "order", "where is my order?")
		k.status(closed, conversation.StatusSolved)
		k.status(closed, conversation.StatusClosed)
		reopened := k.mail("avi@example.com", "refund", "a refund please")
		k.status(reopened, conversation.StatusSolved)
		k.status(reopened, conversation.StatusOpen)
		k.now = k.now.Add(61 * time.Minute)
		id, _, _ := k.invitation(closed, survey.KindCSAT)
		if msg := k.send(id); msg == 0 {
			_, st, why := k.invitation(closed, survey.KindCSAT)
			t.Errorf("closed before the delay: not sent (%s %s)", st, why)
		}
		if _, st, _ := k.invitation(closed, survey.KindCSAT); st != survey.StatusSent {
			t.Errorf("closed: invitation %s, want sent", st)
		}
		var status string
		if err := d.R().QueryRow(k.ctx, `SELECT status FROM conversations WHERE id = ?`, closed).Scan(&status); err != nil || status != "closed" {
			t.Errorf("the survey changed the status to %q (%v)", status, err)
		}
		id, _, _ = k.invitation(reopened, survey.KindCSAT)
		if msg := k.send(id); msg != 0 {
			t.Errorf("reopened: sent message %d", msg)
		}
		if _, st, why := k.invitation(reopened, survey.KindCSAT); st != survey.StatusSkipped || why != survey.SkipNotSolved {
			t.Errorf("reopened: invitation %s %s, want skipped not_solved", st, why)
		}
	})
}

// TestNPSConversationGetsNoCSAT: an NPS campaign's email is a conversation
// created solved in the campaign's inbox; with CSAT on there, it gets no
// CSAT invitation (it is a survey itself).
func TestNPSConversationGetsNoCSAT(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newKit(t, d, false)
		k.enable(false, 0)
		k.contact("Dana", "dana@example.com", "gold")
		camp, err := k.svc.CreateCampaign(k.ctx, audit.System, survey.CampaignInput{Name: "NPS", Segment: survey.Segment{Tiers: []string{"gold"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k.svc.StartCampaign(k.ctx, audit.System, camp.ID); err != nil {
			t.Fatal(err)
		}
		if rep := k.batch(camp.ID); rep.Sent != 1 {
			t.Fatalf("batch %+v, want 1 sent", rep)
		}
		k.deliver()
		if n := k.count(`SELECT COUNT(*) FROM survey_invitations WHERE kind = 'nps' AND conversation_id IS NOT NULL`); n != 1 {
			t.Errorf("%d NPS invitations with a conversation, want 1", n)
		}
		if n := k.count(`SELECT COUNT(*) FROM survey_invitations WHERE kind <> 'nps'`); n != 0 {
			t.Errorf("the NPS conversation got %d CSAT/CES invitations", n)
		}
	})
}
