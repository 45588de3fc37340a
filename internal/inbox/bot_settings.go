package inbox

import (
	"context"
	"fmt"
	"math"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
)

// BotSettings are an inbox's answer-bot settings, kept in its settings
// under "bot" (read by internal/bot; see docs/knowledge.md "Answer bot"):
//
//	"bot": {"enabled": bool, "threshold": 0…1, "max_articles": 1…3, "handover_team_id": team id or null}
//
// The bot runs in chat and email inboxes only. Threshold is the least
// search confidence (search.Hit.Confidence, 0..1) of an article the bot
// offers; MaxArticles the most articles in one answer; HandoverTeamID the
// team a handed-over conversation goes to (0: the conversation keeps its
// team).
type BotSettings struct {
	Enabled        bool
	Threshold      float64
	MaxArticles    int
	HandoverTeamID int64
}

// Defaults of the bot settings when a key is absent.
const (
	DefaultBotThreshold   = 0.5
	DefaultBotMaxArticles = 3
	MaxBotArticles        = 3
)

// Bot returns the inbox's bot settings with defaults for absent keys; a
// disabled bot when there are none or the inbox's channel is neither chat
// nor email.
func (b Inbox) Bot() BotSettings {
	out := BotSettings{Threshold: DefaultBotThreshold, MaxArticles: DefaultBotMaxArticles}
	m, _ := b.Settings["bot"].(map[string]any)
	if m == nil || (b.Channel != ChannelChat && b.Channel != ChannelEmail) {
		return out
	}
	out.Enabled, _ = m["enabled"].(bool)
	if f, ok := m["threshold"].(float64); ok {
		out.Threshold = f
	}
	if f, ok := m["max_articles"].(float64); ok {
		out.MaxArticles = int(f)
	}
	if f, ok := m["handover_team_id"].(float64); ok {
		out.HandoverTeamID = int64(f)
	}
	return out
}

// checkBot validates settings.bot of an inbox on channel: an object whose
// enabled is a boolean (true only for chat and email inboxes), threshold a
// number from 0 to 1, max_articles a whole number from 1 to 3 and
// handover_team_id a positive whole number or null. Each problem names its
// field ("settings.bot.threshold", …).
func checkBot(c *errs.Checker, channel string, settings map[string]any) {
	v, ok := settings["bot"]
	if !ok || v == nil {
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.Add("settings.bot", "wrong_type", "bot must be an object")
		return
	}
	for k := range m {
		switch k {
		case "enabled", "threshold", "max_articles", "handover_team_id":
		default:
			c.Add("settings.bot."+k, "unknown", "unknown bot setting %q", k)
		}
	}
	if e, ok := m["enabled"]; ok && e != nil {
		on, isBool := e.(bool)
		c.Check(isBool, "settings.bot.enabled", "wrong_type", "enabled must be true or false")
		c.Check(!on || channel == ChannelChat || channel == ChannelEmail, "settings.bot.enabled", "unsupported",
			"the answer bot runs in chat and email inboxes only")
	}
	if t, ok := m["threshold"]; ok && t != nil {
		f, isNum := t.(float64)
		c.Check(isNum && f >= 0 && f <= 1, "settings.bot.threshold", "invalid", "threshold must be a number from 0 to 1")
	}
	if n, ok := m["max_articles"]; ok && n != nil {
		f, isNum := n.(float64)
		c.Check(isNum && f == math.Trunc(f) && f >= 1 && f <= MaxBotArticles, "settings.bot.max_articles", "invalid",
			"max_articles must be a whole number from 1 to %d", MaxBotArticles)
	}
	if n, ok := m["handover_team_id"]; ok && n != nil {
		f, isNum := n.(float64)
		c.Check(isNum && f == math.Trunc(f) && f >= 1 && f <= 1<<53, "settings.bot.handover_team_id", "invalid",
			"handover_team_id must be a team id or null")
	}
}

// checkBotTeam reports settings.bot.handover_team_id naming no team, read
// through q (the writing transaction).
func checkBotTeam(ctx context.Context, q db.Querier, settings map[string]any) error {
	m, _ := settings["bot"].(map[string]any)
	f, ok := m["handover_team_id"].(float64)
	if !ok {
		return nil
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, int64(f)).Scan(&n); err != nil {
		return fmt.Errorf("inbox: check handover team: %w", err)
	}
	if n == 0 {
		return errs.Invalid("settings.bot.handover_team_id", "not_found", "no team %d", int64(f))
	}
	return nil
}
