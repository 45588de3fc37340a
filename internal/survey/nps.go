package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/jobs"
)

// JobCampaign is the durable job that sends one hour's batch of an NPS
// campaign; payload {"campaign_id"}. It reschedules itself an hour later
// while contacts of the segment are left, and marks the campaign done
// when none are.
const JobCampaign = "survey.nps_campaign"

// NPSTag tags the conversation each NPS invitation is sent in, so
// reports can leave these conversations out of volume figures.
const NPSTag = "nps-survey"

// Campaign statuses.
const (
	CampaignDraft   = "draft"
	CampaignRunning = "running"
	CampaignPaused  = "paused"
	CampaignDone    = "done"
)

// Segment selects an NPS campaign's contacts; every given criterion must
// hold. Tags: contacts with a conversation carrying one of the tags.
// HasOrders: true only contacts with orders, false only those without.
// OrderedWithinDays: contacts with an order placed in the last N days.
type Segment struct {
	Tiers             []string `json:"tiers"`
	OrganizationIDs   []int64  `json:"organization_ids"`
	Tags              []string `json:"tags"`
	HasOrders         *bool    `json:"has_orders"`
	OrderedWithinDays int      `json:"ordered_within_days"`
}

// Campaign is an NPS campaign.
type Campaign struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Segment        Segment    `json:"segment"`
	Status         string     `json:"status"`
	PerHour        int        `json:"per_hour"`
	MinDaysBetween int        `json:"min_days_between"`
	InboxID        *int64     `json:"inbox_id"`
	CreatedBy      *int64     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	StartedAt      *time.Time `json:"started_at"`
	FinishedAt     *time.Time `json:"finished_at"`
	// Sent counts the campaign's invitations sent (answered included).
	Sent int `json:"sent"`
}

// CampaignInput creates a campaign. PerHour 1–100000 (default 100),
// MinDaysBetween 0–3650 (default 90); InboxID an email inbox (default: the
// first enabled email inbox at send time).
type CampaignInput struct {
	Name           string  `json:"name"`
	Segment        Segment `json:"segment"`
	PerHour        *int    `json:"per_hour"`
	MinDaysBetween *int    `json:"min_days_between"`
	InboxID        *int64  `json:"inbox_id"`
}

const campaignCols = `SELECT n.id, n.name, n.segment, n.status, n.per_hour, n.min_days_between, n.inbox_id, n.created_by,
	n.created_at, n.started_at, n.finished_at,
	(SELECT COUNT(*) FROM survey_invitations i WHERE i.campaign_id = n.id AND i.status IN ('sent', 'answered'))
	FROM nps_campaigns n `

func loadCampaigns(ctx context.Context, q db.Querier, where string, args ...any) ([]Campaign, error) {
	rows, err := q.Query(ctx, campaignCols+where, args...)
	if err != nil {
		return nil, fmt.Errorf("survey: campaigns: %w", err)
	}
	defer rows.Close()
	out := []Campaign{}
	for rows.Next() {
		var c Campaign
		var seg string
		var inbox, by, started, finished sql.NullInt64
		var created int64
		if err := rows.Scan(&c.ID, &c.Name, &seg, &c.Status, &c.PerHour, &c.MinDaysBetween, &inbox, &by, &created, &started,
			&finished, &c.Sent); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(seg), &c.Segment)
		c.InboxID, c.CreatedBy = ptr64(inbox), ptr64(by)
		c.CreatedAt, c.StartedAt, c.FinishedAt = db.Time(created), db.TimePtr(started), db.TimePtr(finished)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Campaigns lists the NPS campaigns, newest first.
func (s *Service) Campaigns(ctx context.Context) ([]Campaign, error) {
	return loadCampaigns(ctx, s.db.R(), `ORDER BY n.id DESC`)
}

// Campaign returns campaign id. Errors: errs.ErrNotFound.
func (s *Service) Campaign(ctx context.Context, id int64) (Campaign, error) {
	cs, err := loadCampaigns(ctx, s.db.R(), `WHERE n.id = ?`, id)
	if err != nil {
		return Campaign{}, err
	}
	if len(cs) == 0 {
		return Campaign{}, errs.ErrNotFound
	}
	return cs[0], nil
}

// CreateCampaign stores a draft campaign. Errors: *errs.ValidationError
// naming the field (segment.tiers[i]: a tier no contact has and not the
// default tier; segment.organization_ids[i]: no such organization).
func (s *Service) CreateCampaign(ctx context.Context, actor audit.Actor, in CampaignInput) (Campaign, error) {
	in.Name = strings.TrimSpace(in.Name)
	perHour, minDays := 100, 90
	if in.PerHour != nil {
		perHour = *in.PerHour
	}
	if in.MinDaysBetween != nil {
		minDays = *in.MinDaysBetween
	}
	var c errs.Checker
	c.Check(in.Name != "", "name", "required", "name is required")
	c.MaxLen("name", in.Name, 200)
	c.Check(perHour >= 1 && perHour <= 100000, "per_hour", "out_of_range", "per_hour must be between 1 and 100000")
	c.Check(minDays >= 0 && minDays <= 3650, "min_days_between", "out_of_range", "min_days_between must be between 0 and 3650")
	c.Check(in.Segment.OrderedWithinDays >= 0 && in.Segment.OrderedWithinDays <= 36500, "segment.ordered_within_days",
		"out_of_range", "ordered_within_days must be between 0 and 36500")
	for i, t := range in.Segment.Tiers {
		c.Check(strings.TrimSpace(t) != "", fmt.Sprintf("segment.tiers[%d]", i), "required", "a tier must not be empty")
	}
	for i, t := range in.Segment.Tags {
		c.Check(strings.TrimSpace(t) != "", fmt.Sprintf("segment.tags[%d]", i), "required", "a tag must not be empty")
	}
	if err := c.Err(); err != nil {
		return Campaign{}, err
	}
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if err := checkSegment(ctx, tx, in.Segment); err != nil {
			return err
		}
		if in.InboxID != nil {
			var channel string
			err := tx.QueryRow(ctx, `SELECT channel FROM inboxes WHERE id = ?`, *in.InboxID).Scan(&channel)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && channel != "email") {
				return errs.Invalid("inbox_id", "invalid", "inbox %d is not an email inbox", *in.InboxID)
			}
			if err != nil {
				return err
			}
		}
		var by any
		if actor.Type == "agent" && actor.ID != 0 {
			by = actor.ID
		}
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO nps_campaigns (name, segment, per_hour, min_days_between, inbox_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, in.Name, db.JSON(in.Segment), perHour, minDays, ptrArg(in.InboxID), by, db.Ms(s.Now()))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "nps_campaign.created", EntityType: "nps_campaign", EntityID: id})
	})
	if err != nil {
		return Campaign{}, err
	}
	return s.Campaign(ctx, id)
}

// checkSegment refuses a segment naming a tier not in use (no contact has
// it, and it is not contact.DefaultTier) or an organization that does not
// exist: such a segment would silently ask nobody.
func checkSegment(ctx context.Context, q db.Querier, sg Segment) error {
	var c errs.Checker
	for i, t := range sg.Tiers {
		ok := t == contact.DefaultTier
		if !ok {
			var one int
			err := q.QueryRow(ctx, `SELECT 1 FROM contacts WHERE tier = ? LIMIT 1`, t).Scan(&one)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			ok = err == nil
		}
		c.Check(ok, fmt.Sprintf("segment.tiers[%d]", i), "unknown", "no contact has tier %q", t)
	}
	for i, o := range sg.OrganizationIDs {
		var one int
		err := q.QueryRow(ctx, `SELECT 1 FROM organizations WHERE id = ?`, o).Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		c.Check(err == nil, fmt.Sprintf("segment.organization_ids[%d]", i), "unknown", "organization %d does not exist", o)
	}
	return c.Err()
}

func ptrArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// StartCampaign sets a draft or paused campaign running and schedules its
// first batch now; starting a running campaign changes nothing. Errors:
// errs.ErrNotFound; errs.ErrConflict for a finished campaign.
func (s *Service) StartCampaign(ctx context.Context, actor audit.Actor, id int64) (Campaign, error) {
	return s.setStatus(ctx, actor, id, CampaignRunning)
}

// PauseCampaign stops a running campaign after the batch in progress.
// Errors: errs.ErrNotFound; errs.ErrConflict for a finished campaign.
func (s *Service) PauseCampaign(ctx context.Context, actor audit.Actor, id int64) (Campaign, error) {
	return s.setStatus(ctx, actor, id, CampaignPaused)
}

func (s *Service) setStatus(ctx context.Context, actor audit.Actor, id int64, to string) (Campaign, error) {
	now := s.Now()
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM nps_campaigns WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.ErrNotFound
		}
		if err != nil {
			return err
		}
		if status == to {
			return nil
		}
		if status == CampaignDone {
			return fmt.Errorf("%w: the campaign is done", errs.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `UPDATE nps_campaigns SET status = ?, started_at = COALESCE(started_at, ?) WHERE id = ?`,
			to, db.Ms(now), id); err != nil {
			return err
		}
		if to == CampaignRunning {
			if err := s.schedule(ctx, tx, jobs.Job{Kind: JobCampaign, UniqueKey: fmt.Sprintf("%s:%d:%d", JobCampaign, id, db.Ms(now)),
				RunAt: now, Payload: map[string]int64{"campaign_id": id}, MaxAttempts: 5}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "nps_campaign." + to, EntityType: "nps_campaign", EntityID: id,
			Changes: map[string]audit.Change{"status": {From: status, To: to}}})
	})
	if err != nil {
		return Campaign{}, err
	}
	return s.Campaign(ctx, id)
}

func (s *Service) runCampaign(ctx context.Context, tx *db.Tx, j jobs.Job) error {
	var p struct {
		CampaignID int64 `json:"campaign_id"`
	}
	if err := j.Decode(&p); err != nil {
		return nil
	}
	_, err := s.CampaignBatchTx(ctx, tx, p.CampaignID)
	return err
}

// candidates returns up to limit contacts of c's segment that this
// campaign has not invited and that got no NPS invitation (sent or
// answered) within min_days_between days, by id.
func candidates(ctx context.Context, tx *db.Tx, c Campaign, now time.Time, limit int) ([]int64, error) {
	where := []string{"p.merged_into_id IS NULL", "p.email <> ''",
		"NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.contact_id = p.id AND i.campaign_id = ?)",
		"NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.contact_id = p.id AND i.kind = 'nps' AND i.status IN ('sent', 'answered') AND i.sent_at > ?)"}
	args := []any{c.ID, db.Ms(now.Add(-time.Duration(c.MinDaysBetween) * 24 * time.Hour))}
	in := func(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
	sg := c.Segment
	if len(sg.Tiers) > 0 {
		where = append(where, "p.tier IN ("+in(len(sg.Tiers))+")")
		for _, t := range sg.Tiers {
			args = append(args, t)
		}
	}
	if len(sg.OrganizationIDs) > 0 {
		where = append(where, "p.organization_id IN ("+in(len(sg.OrganizationIDs))+")")
		for _, o := range sg.OrganizationIDs {
			args = append(args, o)
		}
	}
	if len(sg.Tags) > 0 {
		where = append(where, `EXISTS (SELECT 1 FROM conversations cv JOIN conversation_tags ct ON ct.conversation_id = cv.id
			JOIN tags t ON t.id = ct.tag_id WHERE cv.requester_id = p.id AND t.name IN (`+in(len(sg.Tags))+`))`)
		for _, t := range sg.Tags {
			args = append(args, strings.TrimSpace(t))
		}
	}
	if sg.HasOrders != nil {
		cond := "EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = p.id)"
		if !*sg.HasOrders {
			cond = "NOT " + cond
		}
		where = append(where, cond)
	}
	if sg.OrderedWithinDays > 0 {
		where = append(where, "EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = p.id AND o.placed_at >= ?)")
		args = append(args, db.Ms(now.Add(-time.Duration(sg.OrderedWithinDays)*24*time.Hour)))
	}
	ids, err := db.QueryIDs(ctx, tx, `SELECT p.id FROM contacts p WHERE `+strings.Join(where, " AND ")+` ORDER BY p.id LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("survey: campaign %d segment: %w", c.ID, err)
	}
	return ids, nil
}

// BatchReport is what one campaign batch did.
type BatchReport struct {
	Sent, Skipped int
	Done          bool
}

// CampaignBatchTx sends one batch of running campaign id in tx: at most
// per_hour invitations within any sliding hour (invitations of the
// campaign created in the last hour count), to contacts of the segment
// not surveyed within min_days_between days; a bounced or missing address
// or the automatic-mail limit skips the contact (an invitation row with
// the reason, so it is not tried again). Each invitation is an NPS email
// in a new solved conversation of the campaign's inbox, tagged NPSTag
// (the invitation's conversation_id). It schedules the
// next batch an hour later while contacts are left, else marks the
// campaign done. A paused or finished campaign does nothing.
func (s *Service) CampaignBatchTx(ctx context.Context, tx *db.Tx, id int64) (BatchReport, error) {
	var rep BatchReport
	cs, err := loadCampaigns(ctx, tx, `WHERE n.id = ?`, id)
	if err != nil || len(cs) == 0 || cs[0].Status != CampaignRunning {
		return rep, err
	}
	c := cs[0]
	now := s.Now()
	var recent int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM survey_invitations WHERE campaign_id = ? AND created_at > ?`, id,
		db.Ms(now.Add(-time.Hour))).Scan(&recent); err != nil {
		return rep, err
	}
	allowance := c.PerHour - recent
	next := func() error {
		return s.schedule(ctx, tx, jobs.Job{Kind: JobCampaign, UniqueKey: fmt.Sprintf("%s:%d:%d", JobCampaign, id, db.Ms(now.Add(time.Hour))),
			RunAt: now.Add(time.Hour), Payload: map[string]int64{"campaign_id": id}, MaxAttempts: 5})
	}
	if allowance <= 0 {
		return rep, next()
	}
	ids, err := candidates(ctx, tx, c, now, allowance+1)
	if err != nil {
		return rep, err
	}
	more := len(ids) > allowance
	if more {
		ids = ids[:allowance]
	}
	inboxID, settings, err := campaignInbox(ctx, tx, c)
	if err != nil {
		return rep, err
	}
	for _, contactID := range ids {
		sent, err := s.sendNPS(ctx, tx, c, inboxID, settings, contactID, now)
		if err != nil {
			return rep, err
		}
		if sent {
			rep.Sent++
		} else {
			rep.Skipped++
		}
	}
	if more {
		return rep, next()
	}
	rep.Done = true
	_, err = tx.Exec(ctx, `UPDATE nps_campaigns SET status = ?, finished_at = ? WHERE id = ?`, CampaignDone, db.Ms(now), id)
	return rep, err
}

// campaignInbox is the campaign's email inbox, else the first enabled
// email inbox (0 when the desk has none), with its settings JSON.
func campaignInbox(ctx context.Context, tx *db.Tx, c Campaign) (int64, string, error) {
	var id int64
	var settings string
	q, args := `SELECT id, settings FROM inboxes WHERE enabled = ? AND channel = 'email' ORDER BY id LIMIT 1`, []any{true}
	if c.InboxID != nil {
		q, args = `SELECT id, settings FROM inboxes WHERE id = ? AND channel = 'email'`, []any{*c.InboxID}
	}
	err := tx.QueryRow(ctx, q, args...).Scan(&id, &settings)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return id, settings, err
}

// sendNPS invites one contact; false when skipped.
func (s *Service) sendNPS(ctx context.Context, tx *db.Tx, c Campaign, inboxID int64, settings string, contactID int64,
	now time.Time) (bool, error) {
	var addr, name, lang string
	if err := tx.QueryRow(ctx, `SELECT email, name, language FROM contacts WHERE id = ?`, contactID).Scan(&addr, &name, &lang); err != nil {
		return false, err
	}
	lang = Language(lang)
	why := SkipNoInbox
	if inboxID != 0 {
		var err error
		if why, err = s.mayMail(ctx, tx, settings, addr, now); err != nil {
			return false, err
		}
	}
	expires := now.Add(AnswerWindow)
	row := invitationRow{kind: KindNPS, campaign: c.ID, contactID: contactID, lang: lang, sendAt: now, now: now,
		status: StatusSkipped, skipWhy: why, expiresAt: &expires}
	if why == "" {
		row.status, row.sentAt = StatusSent, &now
	}
	invID, err := s.insertInvitation(ctx, tx, row)
	if err != nil || why != "" {
		return false, err
	}
	token, err := s.NewLinkTx(ctx, tx, invID)
	if err != nil {
		return false, err
	}
	m := renderNPS(lang, name, s.Link(token))
	conv, msg, err := s.conversations.CreateTx(ctx, tx, Actor, conversation.CreateInput{InboxID: inboxID, Subject: m.Subject,
		Status: conversation.StatusSolved, Requester: conversation.RequesterInput{ID: contactID}, Language: lang, Tags: []string{NPSTag},
		Message: &conversation.MessageInput{Kind: conversation.KindReply, Direction: conversation.DirectionOutbound, Body: m.Body,
			KeepStatus: true, ChannelMeta: map[string]any{"automatic": true, "auto": "nps", "subject": m.Subject, "language": lang,
				"survey_invitation_id": invID, "campaign_id": c.ID}}})
	if err != nil {
		return false, fmt.Errorf("survey: NPS email to contact %d: %w", contactID, err)
	}
	// The invitation belongs to its conversation: the answer copies its
	// inbox and channel, the page shows the inbox's name.
	if _, err := tx.Exec(ctx, `UPDATE survey_invitations SET conversation_id = ? WHERE id = ?`, conv.ID, invID); err != nil {
		return false, err
	}
	if s.o.Mail != nil && msg.ID != 0 {
		if _, err := s.o.Mail.ScheduleTx(ctx, tx, msg.ID); err != nil {
			return false, err
		}
	}
	return true, nil
}
