package httpapi_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestSurveySettingsAPI: agents read an inbox's survey settings (defaults
// until saved), only surveys:write changes them, bad values are 400s
// naming the field, an unknown inbox is a 404.
func TestSurveySettingsAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, agentTok := k.agentWithToken("Noa", "agent")
		ib, err := k.core.Inboxes.Create(context.Background(), audit.System, inbox.Input{Name: "Support", Channel: "email",
			Address: "s@kesher.test"})
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/inboxes/" + strconv.FormatInt(ib.ID, 10) + "/survey-settings"
		got := k.must(200, "GET", path, agentTok, nil)
		if got["csat_enabled"] != false || got["ces_enabled"] != false || num(got["delay_minutes"]) != 60 || num(got["inbox_id"]) != ib.ID {
			t.Errorf("defaults %v", got)
		}
		body := map[string]any{"csat_enabled": true, "ces_enabled": true, "delay_minutes": 30}
		if r := k.do("PUT", path, agentTok, body); r.status != 403 {
			t.Errorf("agent PUT: %d, want 403", r.status)
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"delay_minutes": -1}, "delay_minutes"},
			{map[string]any{"delay_minutes": 10081}, "delay_minutes"},
			{map[string]any{"nps": true}, "nps"},
		} {
			if f := fieldOf(t, k.do("PUT", path, k.admin, c.body)); f != c.field {
				t.Errorf("PUT %v: error names %q, want %q", c.body, f, c.field)
			}
		}
		k.must(200, "PUT", path, k.admin, body)
		got = k.must(200, "GET", path, agentTok, nil)
		if got["csat_enabled"] != true || got["ces_enabled"] != true || num(got["delay_minutes"]) != 30 {
			t.Errorf("stored %v", got)
		}
		if r := k.do("GET", "/api/v1/inboxes/99999/survey-settings", agentTok, nil); r.status != 404 {
			t.Errorf("unknown inbox: %d", r.status)
		}
	})
}

// TestFeedbackImportAndResponsesAPI: the CSV import needs feedback:import
// and text/csv, is all or nothing with line and column in the error, and
// idempotent; survey-responses needs reports:read and filters by kind.
func TestFeedbackImportAndResponsesAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, agentTok := k.agentWithToken("Noa", "agent")
		_, supTok := k.agentWithToken("Dana", "supervisor")
		csv := "external_id,kind,score,responded_at,source,contact_email\nx-1,csat,5,2026-11-01,call_center,a@example.com\nx-2,nps,10,2026-11-02,,\n"
		ct := []string{"Content-Type", "text/csv"}
		if r := k.do("POST", "/api/v1/feedback/import", supTok, csv, ct...); r.status != 403 {
			t.Errorf("supervisor import: %d, want 403", r.status)
		}
		if f := fieldOf(t, k.do("POST", "/api/v1/feedback/import", k.admin, csv)); f != "Content-Type" {
			t.Errorf("JSON content type: field %q", f)
		}
		if f := fieldOf(t, k.do("POST", "/api/v1/feedback/import", k.admin, strings.Replace(csv, "nps,10", "nps,12", 1), ct...)); f != "line[3].score" {
			t.Errorf("bad score: field %q", f)
		}
		got := k.must(200, "POST", "/api/v1/feedback/import", k.admin, csv, ct...)
		if num(got["created"]) != 2 || num(got["unchanged"]) != 0 {
			t.Errorf("import %v", got)
		}
		got = k.must(200, "POST", "/api/v1/feedback/import", k.admin, csv, ct...)
		if num(got["created"]) != 0 || num(got["unchanged"]) != 2 {
			t.Errorf("re-import %v", got)
		}
		if f := fieldOf(t, k.do("POST", "/api/v1/feedback/import", k.admin, strings.Replace(csv, "x-1,csat,5", "x-1,nps,5", 1), ct...)); f != "line[2].kind" {
			t.Errorf("kind change csat → nps: field %q, want line[2].kind", f)
		}
		if r := k.do("GET", "/api/v1/survey-responses", agentTok, nil); r.status != 403 {
			t.Errorf("agent list: %d, want 403", r.status)
		}
		page := k.must(200, "GET", "/api/v1/survey-responses?kind=csat", supTok, nil)
		data, _ := page["data"].([]any)
		if len(data) != 1 || data[0].(map[string]any)["source"] != "call_center" || num(data[0].(map[string]any)["score"]) != 5 {
			t.Errorf("csat responses %v", page)
		}
		if f := fieldOf(t, k.do("GET", "/api/v1/survey-responses?from=yesterday", supTok, nil)); f != "from" {
			t.Errorf("bad from: %q", f)
		}
	})
}

// TestNPSCampaignAPI: create (201, draft), list, start and pause need
// surveys:write; a bad per_hour is a 400 naming it; the public survey
// page of a bad token is a 404 HTML page outside /api.
func TestNPSCampaignAPI(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		_, supTok := k.agentWithToken("Dana", "supervisor")
		k.must(201, "POST", "/api/v1/contacts", k.admin, map[string]any{"name": "Gold", "tier": "gold"})
		body := map[string]any{"name": "Q4", "segment": map[string]any{"tiers": []string{"gold"}, "has_orders": true}, "per_hour": 50}
		if r := k.do("POST", "/api/v1/nps-campaigns", supTok, body); r.status != 403 {
			t.Errorf("supervisor create: %d", r.status)
		}
		if f := fieldOf(t, k.do("POST", "/api/v1/nps-campaigns", k.admin, map[string]any{"name": "x", "per_hour": 0})); f != "per_hour" {
			t.Errorf("per_hour 0: field %q", f)
		}
		c := k.must(201, "POST", "/api/v1/nps-campaigns", k.admin, body)
		id := strconv.FormatInt(num(c["id"]), 10)
		if c["status"] != "draft" || num(c["min_days_between"]) != 90 || num(c["per_hour"]) != 50 {
			t.Errorf("created %v", c)
		}
		if c = k.must(200, "POST", "/api/v1/nps-campaigns/"+id+"/start", k.admin, nil); c["status"] != "running" || c["started_at"] == nil {
			t.Errorf("started %v", c)
		}
		if c = k.must(200, "POST", "/api/v1/nps-campaigns/"+id+"/pause", k.admin, nil); c["status"] != "paused" {
			t.Errorf("paused %v", c)
		}
		list := k.must(200, "GET", "/api/v1/nps-campaigns", k.admin, nil)
		if data, _ := list["data"].([]any); len(data) != 1 {
			t.Errorf("list %v", list)
		}
		if r := k.do("POST", "/api/v1/nps-campaigns/999/start", k.admin, nil); r.status != 404 {
			t.Errorf("unknown campaign: %d", r.status)
		}
		r := k.do("GET", "/s/bogus-token", "", nil)
		if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("bad survey link: %d %s", r.status, r.header.Get("Content-Type"))
		}
	})
}

// TestSurveyPagesRateLimited: one client gets 30 survey page requests a
// minute, then 429s.
func TestSurveyPagesRateLimited(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		codes := map[int]int{}
		for i := 0; i < 35; i++ {
			codes[k.do("GET", "/s/bogus-token", "", nil).status]++
		}
		if codes[404] != 30 || codes[429] != 5 {
			t.Errorf("statuses %v, want 30×404 then 5×429", codes)
		}
	})
}

// TestNPSCampaignSegmentChecked: a segment naming a tier no contact has
// or an organization that does not exist is a 400 naming the element;
// the default tier and tiers and organizations in use are accepted.
func TestNPSCampaignSegmentChecked(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		k := newDesk(t, d)
		org := k.must(201, "POST", "/api/v1/organizations", k.admin, map[string]any{"name": "Acme"})
		orgID := num(org["id"])
		k.must(201, "POST", "/api/v1/contacts", k.admin, map[string]any{"name": "Gold", "tier": "gold"})
		for _, c := range []struct {
			name    string
			segment map[string]any
			field   string
		}{
			{"unknown tier", map[string]any{"tiers": []string{"gold", "platinum"}}, "segment.tiers[1]"},
			{"tier in another case", map[string]any{"tiers": []string{"GOLD"}}, "segment.tiers[0]"},
			{"unknown organization", map[string]any{"organization_ids": []int64{orgID, 99999}}, "segment.organization_ids[1]"},
			{"valid", map[string]any{"tiers": []string{"gold", "standard"}, "organization_ids": []int64{orgID}}, ""},
		} {
			r := k.do("POST", "/api/v1/nps-campaigns", k.admin, map[string]any{"name": c.name, "segment": c.segment})
			if c.field == "" {
				if r.status != 201 {
					t.Errorf("%s: %d %s", c.name, r.status, r.body)
				}
				continue
			}
			if r.status != 400 || fieldOf(t, r) != c.field {
				t.Errorf("%s: %d %s, want 400 naming %s", c.name, r.status, r.body, c.field)
			}
		}
		if n := k.count(`SELECT COUNT(*) FROM nps_campaigns`); n != 1 {
			t.Errorf("%d campaigns stored, want 1", n)
		}
	})
}
