package auth

import "slices"

// Roles of an agent.
const (
	RoleAdmin      = "admin"
	RoleSupervisor = "supervisor"
	RoleAgent      = "agent"
)

// Roles lists the valid roles, most powerful first.
var Roles = []string{RoleAdmin, RoleSupervisor, RoleAgent}

// Permission is an action on a kind of resource, "resource:action". API
// token scopes use the same strings; "*" grants whatever the role allows.
type Permission string

// Permissions checked by the route table.
const (
	ConversationsRead  Permission = "conversations:read"
	ConversationsWrite Permission = "conversations:write"
	ContactsRead       Permission = "contacts:read"
	ContactsWrite      Permission = "contacts:write"
	AgentsRead         Permission = "agents:read"
	AgentsWrite        Permission = "agents:write"
	TeamsRead          Permission = "teams:read"
	TeamsWrite         Permission = "teams:write"
	InboxesRead        Permission = "inboxes:read"
	InboxesWrite       Permission = "inboxes:write"
	TagsRead           Permission = "tags:read"
	TagsWrite          Permission = "tags:write"
	AuditRead          Permission = "audit:read"
	TokensWrite        Permission = "tokens:write"
	CannedRead         Permission = "canned:read"
	CannedWrite        Permission = "canned:write"
	// AutomationRead lists and reads automation rules (every role; their
	// webhook URLs included); AutomationWrite manages them (admins only).
	AutomationRead  Permission = "automation:read"
	AutomationWrite Permission = "automation:write"
	// SLARead reads business-hours calendars and SLA policies; SLAWrite
	// changes them (admins only).
	SLARead  Permission = "sla:read"
	SLAWrite Permission = "sla:write"
	// OrdersRead reads orders, compensation quotes, the credit ledger and
	// the customer 360 overview; OrdersWrite upserts orders and carrier
	// status (integrations, admins). CompensationGrant grants compensation
	// within the caller's role's authority limits (or requests approval
	// above them); CompensationApprove decides approval requests
	// (supervisors, admins); CommerceAdmin changes the compensation policy,
	// the authority limits and reverses ledger entries (admins only).
	OrdersRead          Permission = "orders:read"
	OrdersWrite         Permission = "orders:write"
	CompensationGrant   Permission = "compensation:grant"
	CompensationApprove Permission = "compensation:approve"
	CommerceAdmin       Permission = "commerce:admin"
	// ReportsRead reads the KPI reports, the dashboard, trends, survey
	// responses and the ROI of the service center (supervisors, admins).
	// SurveysWrite changes survey settings and runs NPS campaigns;
	// FeedbackImport imports historical conversations and external
	// feedback; ROIWrite records the ROI inputs of a period (admins only).
	ReportsRead    Permission = "reports:read"
	SurveysWrite   Permission = "surveys:write"
	FeedbackImport Permission = "feedback:import"
	ROIWrite       Permission = "roi:write"
	// KBRead reads knowledge-base articles, drafts and internal-only ones
	// included, and their history (every role); KBWrite creates, edits,
	// publishes and deletes articles, categories and sections and sets the
	// help center's look (supervisors, admins).
	KBRead  Permission = "kb:read"
	KBWrite Permission = "kb:write"
)

// AllPermissions lists every permission (valid token scopes besides "*").
var AllPermissions = []Permission{
	ConversationsRead, ConversationsWrite, ContactsRead, ContactsWrite, AgentsRead, AgentsWrite,
	TeamsRead, TeamsWrite, InboxesRead, InboxesWrite, TagsRead, TagsWrite, AuditRead, TokensWrite,
	CannedRead, CannedWrite, AutomationRead, AutomationWrite,
	SLARead, SLAWrite,
	OrdersRead, OrdersWrite, CompensationGrant, CompensationApprove, CommerceAdmin,
	ReportsRead, SurveysWrite, FeedbackImport, ROIWrite,
	KBRead, KBWrite,
}

// rolePermissions: admin may do everything; a supervisor also manages tags
// and canned responses, the teams they belong to and reads the audit log; an
// agent works conversations and contacts and reads settings and canned
// responses.
var rolePermissions = map[string][]Permission{
	RoleSupervisor: {ConversationsRead, ConversationsWrite, ContactsRead, ContactsWrite, AgentsRead,
		TeamsRead, TeamsWrite, InboxesRead, TagsRead, TagsWrite, AuditRead, TokensWrite, CannedRead, CannedWrite,
		SLARead, AutomationRead, OrdersRead, CompensationGrant, CompensationApprove, ReportsRead,
		KBRead, KBWrite},
	RoleAgent: {ConversationsRead, ConversationsWrite, ContactsRead, ContactsWrite, AgentsRead,
		TeamsRead, InboxesRead, TagsRead, TokensWrite, CannedRead,
		SLARead, AutomationRead, OrdersRead, CompensationGrant, KBRead},
}

// Principal is an authenticated agent, through a session or an API token.
type Principal struct {
	AgentID int64
	Name    string
	Email   string
	Role    string
	TeamIDs []int64
	// Scopes limit an API token; nil for a session (no limit beyond role).
	Scopes []string
	// TokenID is the API token used, 0 for a session.
	TokenID int64
	// SessionDigest identifies the session used, "" for a token.
	SessionDigest string
}

// Can reports whether the principal's role and, for a token, its scopes
// allow perm.
func (p *Principal) Can(perm Permission) bool {
	if p == nil {
		return false
	}
	if p.Scopes != nil && !slices.Contains(p.Scopes, "*") && !slices.Contains(p.Scopes, string(perm)) {
		return false
	}
	if p.Role == RoleAdmin {
		return true
	}
	return slices.Contains(rolePermissions[p.Role], perm)
}

// InTeam reports whether the principal belongs to team id.
func (p *Principal) InTeam(id int64) bool { return slices.Contains(p.TeamIDs, id) }

// SeesAllConversations is true for admins: no team restriction applies.
func (p *Principal) SeesAllConversations() bool { return p.Role == RoleAdmin }

// CanSeeConversation applies the visibility rule: admins see everything;
// supervisors and agents see conversations of their teams, conversations
// with no team (the shared queue), and conversations assigned to them.
func (p *Principal) CanSeeConversation(teamID, assigneeID int64) bool {
	if p.SeesAllConversations() {
		return true
	}
	return teamID == 0 || p.InTeam(teamID) || (assigneeID != 0 && assigneeID == p.AgentID)
}

// ValidScope reports whether s is a known token scope.
func ValidScope(s string) bool {
	return s == "*" || slices.Contains(AllPermissions, Permission(s))
}
