// Package inbox manages inboxes: channel instances through which
// conversations arrive (an email address, a chat widget, an API source, a
// phone line). Each conversation belongs to exactly one inbox.
package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/secret"
)

// Channel types.
const (
	ChannelEmail     = "email"
	ChannelChat      = "chat"
	ChannelAPI       = "api"
	ChannelPhone     = "phone"
	ChannelMessaging = "messaging"
)

// Channels lists the valid channel types.
var Channels = []string{ChannelEmail, ChannelChat, ChannelAPI, ChannelPhone, ChannelMessaging}

// Inbox is one channel instance. In Settings, the objects "smtp" and "imap"
// (an email inbox's mail servers) never show their "password": it is stored
// encrypted and "password_set" tells whether there is one.
type Inbox struct {
	ID        int64          `json:"id"`
	Name      string         `json:"name"`
	Channel   string         `json:"channel"`
	Address   string         `json:"address"`
	TeamID    *int64         `json:"team_id"`
	Settings  map[string]any `json:"settings"`
	Enabled   bool           `json:"enabled"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// Input creates an inbox. TeamID is the team new conversations go to.
type Input struct {
	Name     string         `json:"name"`
	Channel  string         `json:"channel"`
	Address  string         `json:"address"`
	TeamID   *int64         `json:"team_id"`
	Settings map[string]any `json:"settings"`
	Enabled  *bool          `json:"enabled"`
}

// Patch changes an inbox (the channel type cannot change). Settings
// replaces the settings, except that an "smtp" or "imap" object without a
// "password" keeps the stored one (send "" to remove it).
type Patch struct {
	Name     patch.Field[string]         `json:"name"`
	Address  patch.Field[string]         `json:"address"`
	TeamID   patch.Field[int64]          `json:"team_id"`
	Settings patch.Field[map[string]any] `json:"settings"`
	Enabled  patch.Field[bool]           `json:"enabled"`
}

// Service manages inboxes.
type Service struct {
	db      *db.DB
	secrets *secret.Box
}

// NewService returns an inbox service that encrypts mail server passwords
// with secrets (nil: an in-memory key, for tests).
func NewService(d *db.DB, secrets *secret.Box) *Service {
	if secrets == nil {
		secrets = secret.Ephemeral()
	}
	return &Service{db: d, secrets: secrets}
}

// check validates in; the mail servers in its settings only when
// withSettings (an update that leaves the settings alone does not re-judge
// them).
func (in *Input) check(withSettings bool) error {
	var c errs.Checker
	in.Name = strings.TrimSpace(in.Name)
	in.Address = strings.TrimSpace(in.Address)
	c.Check(in.Name != "", "name", "required", "an inbox needs a name")
	c.MaxLen("name", in.Name, 100)
	c.OneOf("channel", in.Channel, Channels...)
	c.MaxLen("address", in.Address, 254)
	if b, _ := json.Marshal(in.Settings); len(b) > 64<<10 {
		c.Add("settings", "too_long", "settings must encode to at most 64 KiB")
	}
	if withSettings {
		checkMailServers(&c, in.Settings)
		checkAutomatic(&c, in.Settings)
		checkWidget(&c, in.Channel, in.Settings)
		checkBot(&c, in.Channel, in.Settings)
	}
	return c.Err()
}

func teamArg(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}

// Create adds an inbox. A chat inbox always gets a widget with a token
// (fillWidgetToken). Errors: *errs.ValidationError.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in Input) (Inbox, error) {
	if in.Channel == ChannelChat && in.Settings == nil {
		in.Settings = map[string]any{}
	}
	fillWidgetToken(in.Channel, in.Settings, nil)
	if err := in.check(true); err != nil {
		return Inbox{}, err
	}
	enabled := in.Enabled == nil || *in.Enabled
	if in.Settings == nil {
		in.Settings = map[string]any{}
	}
	s.sealPasswords(in.Settings, nil)
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		if err := checkBotTeam(ctx, tx, in.Settings); err != nil {
			return err
		}
		if err := checkWidgetRefs(ctx, tx, 0, in.Settings); err != nil {
			return err
		}
		now := time.Now().UnixMilli()
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO inboxes (name, channel, address, team_id, settings, enabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.Channel, in.Address, teamArg(in.TeamID), db.JSON(in.Settings), enabled, now, now)
		if db.IsForeignKeyViolation(err) {
			return errs.Invalid("team_id", "not_found", "no team %d", *in.TeamID)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "inbox.created", EntityType: "inbox", EntityID: id})
	})
	if err != nil {
		return Inbox{}, err
	}
	return s.Get(ctx, id)
}

func (s *Service) load(ctx context.Context, q db.Querier, where string, args ...any) ([]Inbox, error) {
	rows, err := q.Query(ctx, `SELECT id, name, channel, address, team_id, settings, enabled, created_at, updated_at FROM inboxes `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Inbox{}
	for rows.Next() {
		var b Inbox
		var team db.NullMs
		var settings string
		var created, updated int64
		if err := rows.Scan(&b.ID, &b.Name, &b.Channel, &b.Address, &team, &settings, &b.Enabled, &created, &updated); err != nil {
			return nil, err
		}
		if team.Valid {
			b.TeamID = &team.Int64
		}
		_ = json.Unmarshal([]byte(settings), &b.Settings)
		b.CreatedAt, b.UpdatedAt = db.Time(created), db.Time(updated)
		out = append(out, b)
	}
	return out, rows.Err()
}

// Get returns inbox id or errs.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Inbox, error) {
	b, err := s.getRaw(ctx, s.db.R(), id)
	redact(b.Settings)
	return b, err
}

// GetTx reads inbox id inside tx.
func (s *Service) GetTx(ctx context.Context, tx *db.Tx, id int64) (Inbox, error) {
	b, err := s.getRaw(ctx, tx, id)
	redact(b.Settings)
	return b, err
}

// getRaw reads inbox id with its settings as stored (passwords sealed).
func (s *Service) getRaw(ctx context.Context, q db.Querier, id int64) (Inbox, error) {
	bs, err := s.load(ctx, q, `WHERE id = ?`, id)
	if err != nil {
		return Inbox{}, err
	}
	if len(bs) == 0 {
		return Inbox{}, fmt.Errorf("inbox %d: %w", id, errs.ErrNotFound)
	}
	return bs[0], nil
}

// List returns all inboxes by name.
func (s *Service) List(ctx context.Context) ([]Inbox, error) {
	bs, err := s.load(ctx, s.db.R(), `ORDER BY name, id`)
	for _, b := range bs {
		redact(b.Settings)
	}
	return bs, err
}

// Update applies p to inbox id. Settings replaces the whole settings object.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, p Patch) (Inbox, error) {
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		b, err := s.getRaw(ctx, tx, id)
		if err != nil {
			return err
		}
		in := Input{Name: b.Name, Channel: b.Channel, Address: b.Address, TeamID: b.TeamID, Settings: b.Settings}
		enabled := b.Enabled
		ch := map[string]audit.Change{}
		if p.Name.Set {
			ch["name"] = audit.Change{From: b.Name, To: p.Name.V}
			in.Name = p.Name.V
		}
		if p.Address.Set {
			ch["address"] = audit.Change{From: b.Address, To: p.Address.V}
			in.Address = p.Address.V
		}
		if p.TeamID.Set {
			in.TeamID = nil
			if !p.TeamID.Null {
				v := p.TeamID.V
				in.TeamID = &v
			}
			ch["team_id"] = audit.Change{From: b.TeamID, To: in.TeamID}
		}
		if p.Settings.Set {
			ch["settings"] = audit.Change{From: "(previous)", To: "(changed)"}
			in.Settings = p.Settings.V
			if in.Settings == nil {
				in.Settings = map[string]any{}
			}
			fillWidgetToken(in.Channel, in.Settings, b.Settings)
		}
		if err := in.check(p.Settings.Set); err != nil {
			return err
		}
		if p.Settings.Set {
			if err := checkBotTeam(ctx, tx, in.Settings); err != nil {
				return err
			}
			if err := checkWidgetRefs(ctx, tx, id, in.Settings); err != nil {
				return err
			}
			s.sealPasswords(in.Settings, b.Settings)
		}
		if p.Enabled.Set {
			ch["enabled"] = audit.Change{From: b.Enabled, To: p.Enabled.V}
			enabled = p.Enabled.V
		}
		_, err = tx.Exec(ctx, `UPDATE inboxes SET name = ?, address = ?, team_id = ?, settings = ?, enabled = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Address, teamArg(in.TeamID), db.JSON(in.Settings), enabled, time.Now().UnixMilli(), id)
		if db.IsForeignKeyViolation(err) {
			return errs.Invalid("team_id", "not_found", "no team %d", *in.TeamID)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "inbox.updated", EntityType: "inbox", EntityID: id, Changes: ch})
	})
	if err != nil {
		return Inbox{}, err
	}
	return s.Get(ctx, id)
}
