// Package survey asks customers how they were served (docs/reports.md,
// "Surveys"): per-inbox CSAT (and optionally CES) invitations after a
// conversation is solved, sent by email with a signed link; resolving
// those links and recording the answers of the public pages under
// /s/{token} (rendered by internal/httpapi); NPS campaigns; external
// feedback imported from CSV; and the list of responses for reports.
//
// CSAT and CES share one email: when an inbox has CES on, solving a
// conversation creates two invitations (kinds csat and ces, one each per
// conversation); the email carries the CSAT invitation's link only, and
// its page asks both questions. The CES invitation's own link is never
// sent; its answer is stored as the ces response of that invitation.
package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/jobs"
	"github.com/kesherdesk/kesher/internal/secret"
)

// Survey kinds (survey_invitations.kind, survey_responses.kind).
const (
	KindCSAT = "csat" // 1–5
	KindCES  = "ces"  // 1–7
	KindNPS  = "nps"  // 0–10
)

// Invitation statuses.
const (
	StatusScheduled = "scheduled"
	StatusSent      = "sent"
	StatusAnswered  = "answered"
	StatusSkipped   = "skipped"
)

// JobSend is the durable job that sends one scheduled CSAT invitation at
// its send_at; payload {"invitation_id"}.
const JobSend = "survey.send"

// AnswerWindow is how long after it was sent an invitation accepts (and
// replaces) an answer; later its page says the survey is closed.
const AnswerWindow = 7 * 24 * time.Hour

// linkKeyInfo is the HKDF info string of the survey links' HMAC key.
const linkKeyInfo = "kesher survey links v1"

// Actor is who survey emails are recorded as.
var Actor = audit.Actor{Type: "system", Name: "surveys"}

// Deliverer schedules the email delivery of a queued outbound message in
// the caller's transaction; outbound.Service implements it.
type Deliverer interface {
	ScheduleTx(ctx context.Context, tx *db.Tx, id int64) (bool, error)
}

// Options configure a Service.
type Options struct {
	// BaseURL is the public address of the desk ("https://desk.example");
	// survey links are BaseURL + "/s/{token}".
	BaseURL string
	// Secrets derives the links' HMAC key; nil uses an in-memory key
	// (tests; links then die with the process).
	Secrets *secret.Box
	// Mail schedules the survey email's delivery in the same transaction.
	Mail Deliverer
}

// Service keeps survey settings, invitations and responses. Create it with
// New, register its jobs with RegisterJobs and subscribe it with Subscribe.
type Service struct {
	db            *db.DB
	outbox        *events.Outbox
	conversations *conversation.Service
	runner        *jobs.Runner
	log           *slog.Logger
	o             Options
	key           []byte
	// Now is the clock (UTC, ms); tests may replace it.
	Now func() time.Time
}

// New returns the survey service. runner may be nil (jobs are then
// scheduled straight into the table).
func New(d *db.DB, outbox *events.Outbox, conversations *conversation.Service, runner *jobs.Runner, log *slog.Logger,
	o Options) *Service {
	if log == nil {
		log = slog.Default()
	}
	if o.Secrets == nil {
		o.Secrets = secret.Ephemeral()
	}
	key, err := o.Secrets.Derive(linkKeyInfo, 32)
	if err != nil {
		panic("survey: derive link key: " + err.Error())
	}
	return &Service{db: d, outbox: outbox, conversations: conversations, runner: runner, log: log, o: o, key: key,
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// Settings are one inbox's survey settings.
type Settings struct {
	InboxID      int64     `json:"inbox_id"`
	CSATEnabled  bool      `json:"csat_enabled"`
	CESEnabled   bool      `json:"ces_enabled"`
	DelayMinutes int       `json:"delay_minutes"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// SettingsInput replaces an inbox's settings. DelayMinutes is 0–10080
// (a week); nil keeps 60.
type SettingsInput struct {
	CSATEnabled  bool `json:"csat_enabled"`
	CESEnabled   bool `json:"ces_enabled"`
	DelayMinutes *int `json:"delay_minutes"`
}

// DefaultDelayMinutes is the delay after solving when none is set.
const DefaultDelayMinutes = 60

func loadSettings(ctx context.Context, q db.Querier, inboxID int64) (Settings, error) {
	st := Settings{InboxID: inboxID, DelayMinutes: DefaultDelayMinutes}
	var upd int64
	err := q.QueryRow(ctx, `SELECT csat_enabled, ces_enabled, delay_minutes, updated_at FROM survey_settings WHERE inbox_id = ?`,
		inboxID).Scan(&st.CSATEnabled, &st.CESEnabled, &st.DelayMinutes, &upd)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("survey: settings of inbox %d: %w", inboxID, err)
	}
	st.UpdatedAt = db.Time(upd)
	return st, nil
}

func inboxExists(ctx context.Context, q db.Querier, id int64) error {
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM inboxes WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.ErrNotFound
	}
	return nil
}

// Settings returns inbox id's survey settings (defaults — all off, delay
// 60 — when never set). Errors: errs.ErrNotFound for an unknown inbox.
func (s *Service) Settings(ctx context.Context, inboxID int64) (Settings, error) {
	if err := inboxExists(ctx, s.db.R(), inboxID); err != nil {
		return Settings{}, err
	}
	return loadSettings(ctx, s.db.R(), inboxID)
}

// UpdateSettings replaces inbox id's survey settings and records an audit
// entry. Errors: errs.ErrNotFound, *errs.ValidationError on
// delay_minutes.
func (s *Service) UpdateSettings(ctx context.Context, actor audit.Actor, inboxID int64, in SettingsInput) (Settings, error) {
	delay := DefaultDelayMinutes
	if in.DelayMinutes != nil {
		delay = *in.DelayMinutes
	}
	if delay < 0 || delay > 10080 {
		return Settings{}, errs.Invalid("delay_minutes", "out_of_range", "delay_minutes must be between 0 and 10080 (a week)")
	}
	now := s.Now()
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if err := inboxExists(ctx, tx, inboxID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO survey_settings (inbox_id, csat_enabled, ces_enabled, delay_minutes, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (inbox_id) DO UPDATE SET csat_enabled = excluded.csat_enabled,
			ces_enabled = excluded.ces_enabled, delay_minutes = excluded.delay_minutes, updated_at = excluded.updated_at`,
			inboxID, in.CSATEnabled, in.CESEnabled, delay, db.Ms(now)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "survey_settings.updated", EntityType: "inbox",
			EntityID: inboxID, Changes: map[string]audit.Change{"csat_enabled": {To: in.CSATEnabled},
				"ces_enabled": {To: in.CESEnabled}, "delay_minutes": {To: delay}}})
	})
	if err != nil {
		return Settings{}, err
	}
	return loadSettings(ctx, s.db.R(), inboxID)
}

// RegisterJobs registers the JobSend and JobCampaign handlers on r.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	r.Register(JobSend, s.runSend)
	r.Register(JobCampaign, s.runCampaign)
}

// Subscribe schedules CSAT invitations on conversation.updated events
// that solve a conversation and on conversation.created events of a
// conversation created already solved (POST /api/v1/conversations with
// status solved: it gets its invitation like one solved later); it returns
// a func that unsubscribes. The historical import (internal/importer)
// publishes no event, so imported history never gets a survey.
func (s *Service) Subscribe(bus events.Bus) (unsubscribe func()) {
	offUpdated := bus.Subscribe(events.ConversationUpdated, s.onUpdated)
	offCreated := bus.Subscribe(events.ConversationCreated, s.onUpdated)
	return func() { offUpdated(); offCreated() }
}

// onUpdated schedules on a conversation.updated event whose changes hold
// "status" and whose status is solved, or a conversation.created event
// (no changes list) whose status is solved.
func (s *Service) onUpdated(ctx context.Context, e events.Event) error {
	var p struct {
		ConversationID int64    `json:"conversation_id"`
		Changes        []string `json:"changes"`
		Status         string   `json:"status"`
	}
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return fmt.Errorf("survey: decode %s %d: %w", e.Topic, e.ID, err)
	}
	if p.ConversationID == 0 || p.Status != conversation.StatusSolved ||
		(e.Topic != events.ConversationCreated && !slices.Contains(p.Changes, "status")) {
		return nil
	}
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if e.Topic == events.ConversationCreated {
			// An NPS campaign's email is a conversation created solved:
			// it is a survey itself and gets no CSAT one.
			var nps int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM survey_invitations WHERE conversation_id = ? AND kind = ?`,
				p.ConversationID, KindNPS).Scan(&nps); err != nil || nps > 0 {
				return err
			}
		}
		_, err := s.ScheduleTx(ctx, tx, p.ConversationID)
		return err
	})
}

// ScheduleTx schedules the CSAT invitation (and the CES one when the inbox
// asks CES) of solved conversation convID at now + delay_minutes, with a
// JobSend job, when its inbox has CSAT on. There is at most one invitation
// per conversation and kind: solving again (after a reopen) or a repeated
// event schedules nothing and returns 0. It returns the new CSAT
// invitation's id.
func (s *Service) ScheduleTx(ctx context.Context, tx *db.Tx, convID int64) (int64, error) {
	var inboxID, contactID int64
	var status, lang, contactLang string
	err := tx.QueryRow(ctx, `SELECT c.inbox_id, c.requester_id, c.status, c.language, p.language FROM conversations c
		JOIN contacts p ON p.id = c.requester_id WHERE c.id = ?`, convID).Scan(&inboxID, &contactID, &status, &lang, &contactLang)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("survey: conversation %d: %w", convID, err)
	}
	if status != conversation.StatusSolved && status != conversation.StatusClosed {
		return 0, nil
	}
	st, err := loadSettings(ctx, tx, inboxID)
	if err != nil || !st.CSATEnabled {
		return 0, err
	}
	if lang == "" {
		lang = contactLang
	}
	lang = Language(lang)
	now := s.Now()
	sendAt := now.Add(time.Duration(st.DelayMinutes) * time.Minute)
	kinds := []string{KindCSAT}
	if st.CESEnabled {
		kinds = append(kinds, KindCES)
	}
	var csatID int64
	for _, kind := range kinds {
		id, err := s.insertInvitation(ctx, tx, invitationRow{kind: kind, convID: convID, contactID: contactID, lang: lang,
			sendAt: sendAt, now: now})
		if err != nil {
			return 0, err
		}
		if kind == KindCSAT {
			csatID = id
		}
	}
	if csatID == 0 {
		return 0, nil
	}
	return csatID, s.schedule(ctx, tx, jobs.Job{Kind: JobSend, UniqueKey: fmt.Sprintf("%s:%d", JobSend, csatID), RunAt: sendAt,
		Payload: map[string]int64{"invitation_id": csatID}, MaxAttempts: 5})
}

func (s *Service) schedule(ctx context.Context, tx *db.Tx, j jobs.Job) error {
	var err error
	if s.runner != nil {
		_, _, err = s.runner.Schedule(ctx, tx, j)
	} else {
		_, _, err = jobs.Schedule(ctx, tx, j)
	}
	return err
}

// invitationRow is a new invitation.
type invitationRow struct {
	kind              string
	convID, campaign  int64
	contactID         int64
	lang              string
	sendAt, now       time.Time
	status, skipWhy   string
	sentAt, expiresAt *time.Time
}

// insertInvitation inserts r with a placeholder token hash (the real one
// is set when the link is made) and returns its id, 0 when the
// conversation already has an invitation of that kind.
func (s *Service) insertInvitation(ctx context.Context, tx *db.Tx, r invitationRow) (int64, error) {
	var conv, camp any
	if r.convID != 0 {
		conv = r.convID
	}
	if r.campaign != 0 {
		camp = r.campaign
	}
	status := r.status
	if status == "" {
		status = StatusScheduled
	}
	expires := r.sendAt.Add(AnswerWindow)
	if r.expiresAt != nil {
		expires = *r.expiresAt
	}
	_, placeholder, err := newRandom()
	if err != nil {
		return 0, err
	}
	res, err := tx.Exec(ctx, `INSERT INTO survey_invitations (kind, conversation_id, campaign_id, contact_id, token_hash, language,
		status, skip_reason, send_at, sent_at, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		r.kind, conv, camp, r.contactID, "unsent:"+placeholder, r.lang, status, r.skipWhy, db.Ms(r.sendAt), db.MsArg(r.sentAt),
		db.Ms(expires), db.Ms(r.now))
	if err != nil {
		return 0, fmt.Errorf("survey: insert invitation: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `SELECT id FROM survey_invitations WHERE token_hash = ?`, "unsent:"+placeholder).Scan(&id)
	return id, err
}
