package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestReportEndpoints checks the reports API: permission, JSON keys with
// nulls, CSV, field-naming errors, and the rollups kept up to date through
// the refresh of marked days.
func TestReportEndpoints(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		_, sup := k.agentWithToken("Sup", "supervisor")
		_, agentTok := k.agentWithToken("Ag", "agent")
		created := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
		var conv int64
		if err := d.WriteTx(ctx, func(tx *db.Tx) error {
			box, err := tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, created_at, updated_at) VALUES ('R', 'email', 0, 0)`)
			if err != nil {
				return err
			}
			c, err := tx.InsertID(ctx, `INSERT INTO contacts (name, email, created_at, updated_at) VALUES ('C', 'c@r', 0, 0)`)
			if err != nil {
				return err
			}
			conv, err = tx.InsertID(ctx, `INSERT INTO conversations (inbox_id, channel, subject, status, priority, requester_id, created_at,
 updated_at) VALUES (?, 'email', 's', 'open', 'normal', ?, ?, ?)`, box, c, db.Ms(created), db.Ms(created))
			if err != nil {
				return err
			}
			// One call-center CSAT answer (5) in 2026-03-10 (not the first week).
			_, err = tx.Exec(ctx, `INSERT INTO survey_responses (kind, source, score, channel, responded_at, updated_at)
 VALUES ('csat', 'call-center', 5, 'phone', ?, 0)`, db.Ms(created.AddDate(0, 0, 7)))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := k.core.Reports.MarkConversation(ctx, conv); err != nil {
			t.Fatal(err)
		}
		if err := k.core.Reports.RefreshDirty(ctx); err != nil {
			t.Fatal(err)
		}
		const q = "?from=2026-03-08&to=2026-03-15"
		if r := k.do("GET", "/api/v1/reports/summary"+q, agentTok, nil); r.status != 403 {
			t.Errorf("agent: status %d, want 403", r.status)
		}
		m := k.must(200, "GET", "/api/v1/reports/summary"+q, sup, nil)
		if num(m["conversations_created"]) != 1 || num(m["backlog_open"]) != 1 {
			t.Errorf("summary = %v", m)
		}
		for _, key := range []string{"first_response_median_seconds", "fcr_percent", "csat_percent", "nps", "ces_mean", "sla_compliance_percent"} {
			v, ok := m[key]
			if !ok || v != nil {
				t.Errorf("%s = %v (present %v), want null", key, v, ok)
			}
		}
		r := k.do("GET", "/api/v1/reports/summary"+q+"&format=csv", sup, nil)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(string(r.body), "conversations_created,1\n") {
			t.Errorf("csv: %d %s\n%s", r.status, r.header.Get("Content-Type"), r.body)
		}
		ts := k.must(200, "GET", "/api/v1/reports/timeseries"+q+"&metric=volume&interval=week", sup, nil)
		if pts, _ := ts["data"].([]any); len(pts) != 1 || num(pts[0].(map[string]any)["count"]) != 1 {
			t.Errorf("timeseries = %v", ts)
		}
		// SLA compliance series: no target due in the week → null, count 0
		// (not 0 %); CSV "start,sla,count".
		sla := k.must(200, "GET", "/api/v1/reports/timeseries"+q+"&metric=sla&interval=week", sup, nil)
		if pts, _ := sla["data"].([]any); len(pts) != 1 || pts[0].(map[string]any)["value"] != nil || num(pts[0].(map[string]any)["count"]) != 0 {
			t.Errorf("sla series = %v", sla)
		}
		if r := k.do("GET", "/api/v1/reports/timeseries"+q+"&metric=sla&interval=week&format=csv", sup, nil); r.status != 200 ||
			string(r.body) != "start,sla,count\n2026-03-07T22:00:00Z,,0\n" {
			t.Errorf("sla csv: %d\n%q", r.status, r.body)
		}
		// CSAT per agent: the call-center answer (5, no agent) of the
		// 15–22 March week is the unassigned row's: 100 %, 1 answer.
		ag := k.must(200, "GET", "/api/v1/reports/agents?from=2026-03-15&to=2026-03-22", sup, nil)
		if rows, _ := ag["data"].([]any); len(rows) != 1 || rows[0].(map[string]any)["key"] != "0" ||
			num(rows[0].(map[string]any)["csat_percent"]) != 100 || num(rows[0].(map[string]any)["csat_responses"]) != 1 {
			t.Errorf("agents csat = %v", ag)
		}
		if r := k.do("GET", "/api/v1/reports/agents?from=2026-03-15&to=2026-03-22&format=csv", sup, nil); r.status != 200 ||
			!strings.Contains(string(r.body), "fcr_percent,csat_percent,csat_responses\n0,0,,0,0,0,,,,100,1\n") {
			t.Errorf("agents csv: %d\n%s", r.status, r.body)
		}
		// Feedback by source: the summary narrowed to a source, and the
		// per-source report (JSON and CSV).
		const q2 = "?from=2026-03-15&to=2026-03-22"
		if m := k.must(200, "GET", "/api/v1/reports/summary"+q2+"&source=call-center", sup, nil); num(m["csat_responses"]) != 1 ||
			num(m["csat_percent"]) != 100 {
			t.Errorf("summary call-center = %v", m)
		}
		if m := k.must(200, "GET", "/api/v1/reports/summary"+q2+"&source=survey", sup, nil); num(m["csat_responses"]) != 0 || m["csat_percent"] != nil {
			t.Errorf("summary survey = %v", m)
		}
		fb := k.must(200, "GET", "/api/v1/reports/feedback"+q2, sup, nil)
		if rows, _ := fb["data"].([]any); len(rows) != 1 || rows[0].(map[string]any)["source"] != "call-center" ||
			num(rows[0].(map[string]any)["responses"]) != 1 || num(rows[0].(map[string]any)["csat_percent"]) != 100 {
			t.Errorf("feedback = %v", fb)
		}
		if r := k.do("GET", "/api/v1/reports/feedback"+q2, agentTok, nil); r.status != 403 {
			t.Errorf("feedback as agent: %d", r.status)
		}
		if r := k.do("GET", "/api/v1/reports/feedback"+q2+"&format=csv", sup, nil); r.status != 200 ||
			!strings.HasPrefix(string(r.body), "source,kind,responses,csat_percent,nps,ces_mean\ncall-center,csat,1,100,,\n") {
			t.Errorf("feedback csv: %d\n%s", r.status, r.body)
		}
		if m := k.must(200, "GET", "/api/v1/reports/summary"+q, sup, nil); m["chat_wait_median_seconds"] != nil || m["chat_wait_mean_seconds"] != nil {
			t.Errorf("chat wait without chats = %v", m)
		}
		if r := k.do("GET", "/api/v1/reports/customers"+q+"&format=csv", sup, nil); r.status != 200 ||
			!strings.Contains(string(r.body), "clv_currency,clv_by_currency") || !strings.Contains(string(r.body), ",ILS,[]") {
			t.Errorf("customers csv: %d\n%s", r.status, r.body)
		}
		for _, path := range []string{"heatmap", "agents", "tags", "channels", "customers"} {
			k.must(200, "GET", "/api/v1/reports/"+path+q, sup, nil)
		}
		for _, c := range []struct{ path, field string }{
			{"/api/v1/reports/summary?from=yesterday&to=2026-03-15", "from"},
			{"/api/v1/reports/summary?from=2026-03-08", "to"},
			{"/api/v1/reports/summary" + q + "&inbox=x", "inbox"},
			{"/api/v1/reports/timeseries" + q + "&metric=bogus", "metric"},
			{"/api/v1/reports/summary" + q + "&format=xml", "format"},
			{"/api/v1/reports/customers" + q + "&lifespan_years=-1", "lifespan_years"},
			{"/api/v1/reports/summary" + q + "&team=99999", "team"},
			{"/api/v1/reports/summary" + q + "&agent=99999", "agent"},
			{"/api/v1/reports/summary" + q + "&inbox=99999", "inbox"},
			{"/api/v1/reports/summary" + q + "&channel=fax", "channel"},
			{"/api/v1/reports/agents" + q + "&team=99999", "team"},
			{"/api/v1/reports/feedback" + q + "&inbox=99999", "inbox"},
			{"/api/v1/reports/feedback" + q + "&bogus=1", "bogus"},
		} {
			r := k.do("GET", c.path, sup, nil)
			if r.status != 400 || !strings.Contains(string(r.body), `"`+c.field+`"`) {
				t.Errorf("%s: %d %s", c.path, r.status, r.body)
			}
		}
	})
}

// TestFirstResponseSetterSkipsAutomatic: an automatic outbound message by an
// agent actor (channel_meta "automatic": true) and a bot reply leave
// first_response_at unset; the first human agent reply sets it.
func TestFirstResponseSetterSkipsAutomatic(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		ctx := context.Background()
		agentID, _ := k.agentWithToken("Resp", "agent")
		box := k.must(201, "POST", "/api/v1/inboxes", k.admin, map[string]any{"name": "FRT", "channel": "api"})
		conv := k.must(201, "POST", "/api/v1/conversations", k.admin, map[string]any{"inbox_id": box["id"], "subject": "s",
			"requester": map[string]any{"email": "frt@x.test"}, "message": map[string]any{"direction": "inbound", "body": "hi"}})
		id := num(conv["id"])
		actor := audit.Actor{Type: "agent", ID: agentID}
		out := func(m conversation.MessageInput) conversation.Conversation {
			m.Kind, m.Direction = conversation.KindReply, conversation.DirectionOutbound
			_, c, err := k.core.Conversations.AddMessage(ctx, actor, id, m)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		if c := out(conversation.MessageInput{Body: "auto", ChannelMeta: map[string]any{"automatic": true}}); c.FirstResponseAt != nil {
			t.Errorf("automatic message set first_response_at")
		}
		if c := out(conversation.MessageInput{Body: "bot", AuthorType: "bot"}); c.FirstResponseAt != nil {
			t.Errorf("bot reply set first_response_at")
		}
		if c := out(conversation.MessageInput{Body: "human"}); c.FirstResponseAt == nil {
			t.Errorf("agent reply did not set first_response_at")
		}
	})
}
