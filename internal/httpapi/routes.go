package httpapi

import "github.com/kesherdesk/kesher/internal/auth"

// routeTable lists every endpoint with the permission it needs. Object-level
// rules (an agent sees only their teams' conversations; a supervisor edits
// only their own teams) are checked in the handlers on top of these.
func (a *API) routeTable() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/openapi.json", Public: true, Handler: a.openAPI},

		{Method: "POST", Pattern: "/api/v1/auth/login", Public: true, Handler: a.login},
		{Method: "POST", Pattern: "/api/v1/auth/password-reset", Public: true, Handler: a.requestPasswordReset},
		{Method: "POST", Pattern: "/api/v1/auth/password-reset/confirm", Public: true, Handler: a.confirmPasswordReset},
		{Method: "POST", Pattern: "/api/v1/auth/logout", Handler: a.logout},
		{Method: "GET", Pattern: "/api/v1/me", Handler: a.me},
		{Method: "PATCH", Pattern: "/api/v1/me", Handler: a.updateMe},

		{Method: "GET", Pattern: "/api/v1/tokens", Perm: auth.TokensWrite, Handler: a.listTokens},
		{Method: "POST", Pattern: "/api/v1/tokens", Perm: auth.TokensWrite, Handler: a.createToken},
		{Method: "DELETE", Pattern: "/api/v1/tokens/{id}", Perm: auth.TokensWrite, Handler: a.revokeToken},

		// Search: any signed-in caller; the hits follow the caller's
		// permissions (conversations:read and visibility, contacts:read,
		// kb:read for drafts and internal articles).
		{Method: "GET", Pattern: "/api/v1/search", Handler: a.search},

		{Method: "GET", Pattern: "/api/v1/conversations", Perm: auth.ConversationsRead, Handler: a.listConversations},
		{Method: "POST", Pattern: "/api/v1/conversations", Perm: auth.ConversationsWrite, Handler: a.createConversation},
		{Method: "GET", Pattern: "/api/v1/conversations/{id}", Perm: auth.ConversationsRead, Handler: a.getConversation},
		{Method: "PATCH", Pattern: "/api/v1/conversations/{id}", Perm: auth.ConversationsWrite, Handler: a.updateConversation},
		{Method: "GET", Pattern: "/api/v1/conversations/{id}/messages", Perm: auth.ConversationsRead, Handler: a.listMessages},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/messages", Perm: auth.ConversationsWrite, Handler: a.createMessage},
		{Method: "GET", Pattern: "/api/v1/conversations/{id}/audit", Perm: auth.ConversationsRead, Handler: a.conversationAudit},
		// A macro applies a canned response's actions and answers its text.
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/macros", Perm: auth.ConversationsWrite, Handler: a.applyMacro},
		{Method: "GET", Pattern: "/api/v1/conversations/{id}/sla", Perm: auth.ConversationsRead, Handler: a.conversationSLA},
		// Agent assist: also needs kb:read (checked in the handler) and the
		// conversation's visibility; canned responses follow their scope.
		{Method: "GET", Pattern: "/api/v1/conversations/{id}/suggestions", Perm: auth.ConversationsRead, Handler: a.conversationSuggestions},

		// Saved views are the caller's own; counts follow conversation visibility.
		{Method: "GET", Pattern: "/api/v1/views", Perm: auth.ConversationsRead, Handler: a.listViews},
		{Method: "POST", Pattern: "/api/v1/views", Perm: auth.ConversationsRead, Handler: a.createView},
		{Method: "GET", Pattern: "/api/v1/views/counts", Perm: auth.ConversationsRead, Handler: a.viewCounts},
		{Method: "PATCH", Pattern: "/api/v1/views/{id}", Perm: auth.ConversationsRead, Handler: a.updateView},
		{Method: "DELETE", Pattern: "/api/v1/views/{id}", Perm: auth.ConversationsRead, Handler: a.deleteView},

		// Canned responses of other teams are invisible (404) to non-admins;
		// rendering also needs the conversation to be visible.
		{Method: "GET", Pattern: "/api/v1/canned-responses", Perm: auth.CannedRead, Handler: a.listCanned},
		{Method: "POST", Pattern: "/api/v1/canned-responses", Perm: auth.CannedWrite, Handler: a.createCanned},
		{Method: "GET", Pattern: "/api/v1/canned-responses/{id}", Perm: auth.CannedRead, Handler: a.getCanned},
		{Method: "PATCH", Pattern: "/api/v1/canned-responses/{id}", Perm: auth.CannedWrite, Handler: a.updateCanned},
		{Method: "DELETE", Pattern: "/api/v1/canned-responses/{id}", Perm: auth.CannedWrite, Handler: a.deleteCanned},
		{Method: "GET", Pattern: "/api/v1/canned-responses/{id}/render", Perm: auth.CannedRead, Handler: a.renderCanned},

		// Notifications are the caller's own.
		{Method: "GET", Pattern: "/api/v1/notifications", Handler: a.listNotifications},
		{Method: "POST", Pattern: "/api/v1/notifications/read", Handler: a.markNotificationsRead},

		// Compensation (docs/commerce.md): the policy and quotes are read by
		// every role; grants within the caller's authority limits, approval
		// requests above them decided by supervisors and admins; the credit
		// ledger is append-only, admins reverse entries.
		{Method: "GET", Pattern: "/api/v1/compensation/policy", Perm: auth.OrdersRead, Handler: a.getCompensationPolicy},
		{Method: "PUT", Pattern: "/api/v1/compensation/policy", Perm: auth.CommerceAdmin, Handler: a.putCompensationPolicy},
		{Method: "GET", Pattern: "/api/v1/compensation/policy/versions", Perm: auth.OrdersRead, Handler: a.listCompensationPolicyVersions},
		{Method: "POST", Pattern: "/api/v1/orders/{id}/compensation/quote", Perm: auth.OrdersRead, Handler: a.quoteCompensation},
		{Method: "POST", Pattern: "/api/v1/compensation/grants", Perm: auth.CompensationGrant, Handler: a.createGrant},
		{Method: "GET", Pattern: "/api/v1/compensation/requests", Perm: auth.CompensationGrant, Handler: a.listCompensationRequests},
		{Method: "POST", Pattern: "/api/v1/compensation/requests/{id}/approve", Perm: auth.CompensationApprove, Handler: a.approveCompensationRequest},
		{Method: "POST", Pattern: "/api/v1/compensation/requests/{id}/deny", Perm: auth.CompensationApprove, Handler: a.denyCompensationRequest},
		{Method: "GET", Pattern: "/api/v1/compensation/authority-limits", Perm: auth.OrdersRead, Handler: a.getAuthorityLimits},
		{Method: "PUT", Pattern: "/api/v1/compensation/authority-limits", Perm: auth.CommerceAdmin, Handler: a.putAuthorityLimits},
		{Method: "GET", Pattern: "/api/v1/compensation/authority/me", Perm: auth.CompensationGrant, Handler: a.myAuthority},
		{Method: "GET", Pattern: "/api/v1/compensation/export-settings", Perm: auth.CommerceAdmin, Handler: a.getExportSettings},
		{Method: "PUT", Pattern: "/api/v1/compensation/export-settings", Perm: auth.CommerceAdmin, Handler: a.putExportSettings},
		{Method: "GET", Pattern: "/api/v1/ledger", Perm: auth.OrdersRead, Handler: a.listLedger},
		{Method: "GET", Pattern: "/api/v1/ledger/summary", Perm: auth.OrdersRead, Handler: a.ledgerSummary},
		{Method: "POST", Pattern: "/api/v1/ledger/{id}/reverse", Perm: auth.CommerceAdmin, Handler: a.reverseLedgerEntry},

		{Method: "POST", Pattern: "/api/v1/attachments", Perm: auth.ConversationsWrite, Handler: a.uploadAttachment},
		{Method: "GET", Pattern: "/api/v1/attachments/{id}", Perm: auth.ConversationsRead, Handler: a.downloadAttachment},
		{Method: "GET", Pattern: "/api/v1/messages/{id}/raw", Perm: auth.ConversationsRead, Handler: a.downloadRawMessage},

		{Method: "GET", Pattern: "/api/v1/contacts", Perm: auth.ContactsRead, Handler: a.listContacts},
		{Method: "POST", Pattern: "/api/v1/contacts", Perm: auth.ContactsWrite, Handler: a.createContact},
		{Method: "GET", Pattern: "/api/v1/contacts/{id}", Perm: auth.ContactsRead, Handler: a.getContact},
		{Method: "PATCH", Pattern: "/api/v1/contacts/{id}", Perm: auth.ContactsWrite, Handler: a.updateContact},
		{Method: "POST", Pattern: "/api/v1/contacts/{id}/merge", Perm: auth.ContactsWrite, Handler: a.mergeContact},
		// The customer 360 also needs orders:read (checked in the handler);
		// its conversations follow the caller's visibility.
		{Method: "GET", Pattern: "/api/v1/contacts/{id}/overview", Perm: auth.ContactsRead, Handler: a.contactOverview},

		{Method: "GET", Pattern: "/api/v1/organizations", Perm: auth.ContactsRead, Handler: a.listOrganizations},
		{Method: "POST", Pattern: "/api/v1/organizations", Perm: auth.ContactsWrite, Handler: a.createOrganization},
		{Method: "GET", Pattern: "/api/v1/organizations/{id}", Perm: auth.ContactsRead, Handler: a.getOrganization},
		{Method: "PATCH", Pattern: "/api/v1/organizations/{id}", Perm: auth.ContactsWrite, Handler: a.updateOrganization},

		{Method: "GET", Pattern: "/api/v1/agents", Perm: auth.AgentsRead, Handler: a.listAgents},
		{Method: "POST", Pattern: "/api/v1/agents", Perm: auth.AgentsWrite, Handler: a.createAgent},
		{Method: "GET", Pattern: "/api/v1/agents/{id}", Perm: auth.AgentsRead, Handler: a.getAgent},
		{Method: "PATCH", Pattern: "/api/v1/agents/{id}", Perm: auth.AgentsWrite, Handler: a.updateAgent},

		{Method: "GET", Pattern: "/api/v1/teams", Perm: auth.TeamsRead, Handler: a.listTeams},
		{Method: "POST", Pattern: "/api/v1/teams", Perm: auth.AgentsWrite, Handler: a.createTeam},
		{Method: "GET", Pattern: "/api/v1/teams/{id}", Perm: auth.TeamsRead, Handler: a.getTeam},
		{Method: "PATCH", Pattern: "/api/v1/teams/{id}", Perm: auth.TeamsWrite, Handler: a.updateTeam},

		{Method: "GET", Pattern: "/api/v1/inboxes", Perm: auth.InboxesRead, Handler: a.listInboxes},
		{Method: "POST", Pattern: "/api/v1/inboxes", Perm: auth.InboxesWrite, Handler: a.createInbox},
		{Method: "GET", Pattern: "/api/v1/inboxes/{id}", Perm: auth.InboxesRead, Handler: a.getInbox},
		{Method: "PATCH", Pattern: "/api/v1/inboxes/{id}", Perm: auth.InboxesWrite, Handler: a.updateInbox},
		{Method: "POST", Pattern: "/api/v1/inboxes/{id}/test", Perm: auth.InboxesWrite, Handler: a.testInbox},
		// Receiving mail through the API is an integration's job (an inbound-mail
		// webhook): it can write into any conversation of the inbox, so it needs
		// the inbox administration permission, not just conversations:write.
		{Method: "POST", Pattern: "/api/v1/inboxes/{id}/mail", Perm: auth.InboxesWrite, Handler: a.ingestMail},

		{Method: "GET", Pattern: "/api/v1/tags", Perm: auth.TagsRead, Handler: a.listTags},
		{Method: "POST", Pattern: "/api/v1/tags", Perm: auth.TagsWrite, Handler: a.createTag},
		{Method: "PATCH", Pattern: "/api/v1/tags/{id}", Perm: auth.TagsWrite, Handler: a.updateTag},

		// Surveys (docs/reports.md): per-inbox settings, responses for
		// reports, NPS campaigns and the external feedback import; the
		// public answer pages /s/{token} are mounted outside /api (SurveyPages).
		{Method: "GET", Pattern: "/api/v1/inboxes/{id}/survey-settings", Perm: auth.InboxesRead, Handler: a.getSurveySettings},
		{Method: "PUT", Pattern: "/api/v1/inboxes/{id}/survey-settings", Perm: auth.SurveysWrite, Handler: a.putSurveySettings},
		{Method: "GET", Pattern: "/api/v1/survey-responses", Perm: auth.ReportsRead, Handler: a.listSurveyResponses},
		{Method: "GET", Pattern: "/api/v1/nps-campaigns", Perm: auth.SurveysWrite, Handler: a.listNPSCampaigns},
		{Method: "POST", Pattern: "/api/v1/nps-campaigns", Perm: auth.SurveysWrite, Handler: a.createNPSCampaign},
		{Method: "POST", Pattern: "/api/v1/nps-campaigns/{id}/start", Perm: auth.SurveysWrite, Handler: a.startNPSCampaign},
		{Method: "POST", Pattern: "/api/v1/nps-campaigns/{id}/pause", Perm: auth.SurveysWrite, Handler: a.pauseNPSCampaign},
		{Method: "POST", Pattern: "/api/v1/feedback/import", Perm: auth.FeedbackImport, Handler: a.importFeedback},

		// Knowledge base (docs/knowledge.md): every role reads (drafts and
		// internal-only articles included); supervisors and admins write.
		// The public help center (/help) is mounted outside /api.
		{Method: "GET", Pattern: "/api/v1/kb/categories", Perm: auth.KBRead, Handler: a.listKBCategories},
		{Method: "POST", Pattern: "/api/v1/kb/categories", Perm: auth.KBWrite, Handler: a.createKBCategory},
		{Method: "GET", Pattern: "/api/v1/kb/categories/{id}", Perm: auth.KBRead, Handler: a.getKBCategory},
		{Method: "PATCH", Pattern: "/api/v1/kb/categories/{id}", Perm: auth.KBWrite, Handler: a.updateKBCategory},
		{Method: "DELETE", Pattern: "/api/v1/kb/categories/{id}", Perm: auth.KBWrite, Handler: a.deleteKBCategory},
		{Method: "GET", Pattern: "/api/v1/kb/sections", Perm: auth.KBRead, Handler: a.listKBSections},
		{Method: "POST", Pattern: "/api/v1/kb/sections", Perm: auth.KBWrite, Handler: a.createKBSection},
		{Method: "GET", Pattern: "/api/v1/kb/sections/{id}", Perm: auth.KBRead, Handler: a.getKBSection},
		{Method: "PATCH", Pattern: "/api/v1/kb/sections/{id}", Perm: auth.KBWrite, Handler: a.updateKBSection},
		{Method: "DELETE", Pattern: "/api/v1/kb/sections/{id}", Perm: auth.KBWrite, Handler: a.deleteKBSection},
		{Method: "GET", Pattern: "/api/v1/kb/articles", Perm: auth.KBRead, Handler: a.listKBArticles},
		{Method: "POST", Pattern: "/api/v1/kb/articles", Perm: auth.KBWrite, Handler: a.createKBArticle},
		{Method: "GET", Pattern: "/api/v1/kb/articles/{id}", Perm: auth.KBRead, Handler: a.getKBArticle},
		{Method: "PATCH", Pattern: "/api/v1/kb/articles/{id}", Perm: auth.KBWrite, Handler: a.updateKBArticle},
		{Method: "DELETE", Pattern: "/api/v1/kb/articles/{id}", Perm: auth.KBWrite, Handler: a.deleteKBArticle},
		{Method: "POST", Pattern: "/api/v1/kb/articles/{id}/publish", Perm: auth.KBWrite, Handler: a.publishKBArticle},
		{Method: "POST", Pattern: "/api/v1/kb/articles/{id}/unpublish", Perm: auth.KBWrite, Handler: a.unpublishKBArticle},
		{Method: "GET", Pattern: "/api/v1/kb/articles/{id}/versions", Perm: auth.KBRead, Handler: a.listKBVersions},
		{Method: "GET", Pattern: "/api/v1/kb/articles/{id}/versions/{v}", Perm: auth.KBRead, Handler: a.getKBVersion},
		{Method: "GET", Pattern: "/api/v1/kb/articles/{id}/diff", Perm: auth.KBRead, Handler: a.diffKBArticle},
		{Method: "POST", Pattern: "/api/v1/kb/preview", Perm: auth.KBRead, Handler: a.previewKB},
		{Method: "GET", Pattern: "/api/v1/kb/settings", Perm: auth.KBRead, Handler: a.getKBSettings},
		{Method: "PUT", Pattern: "/api/v1/kb/settings", Perm: auth.KBWrite, Handler: a.putKBSettings},

		// Late-delivery detection settings (docs/commerce.md).
		{Method: "GET", Pattern: "/api/v1/commerce/lateness-settings", Perm: auth.OrdersRead, Handler: a.getLatenessSettings},
		{Method: "PUT", Pattern: "/api/v1/commerce/lateness-settings", Perm: auth.CommerceAdmin, Handler: a.putLatenessSettings},
		// An admin's "scan now": a whole late-delivery scan round at once.
		{Method: "POST", Pattern: "/api/v1/commerce/lateness-scan", Perm: auth.CommerceAdmin, Handler: a.scanLateness},

		// Automation rules: any agent reads them; admins change them.
		{Method: "GET", Pattern: "/api/v1/automation-rules", Perm: auth.AutomationRead, Handler: a.listRules},
		{Method: "POST", Pattern: "/api/v1/automation-rules", Perm: auth.AutomationWrite, Handler: a.createRule},
		{Method: "POST", Pattern: "/api/v1/automation-rules/reorder", Perm: auth.AutomationWrite, Handler: a.reorderRules},
		{Method: "POST", Pattern: "/api/v1/automation-rules/dry-run", Perm: auth.AutomationWrite, Handler: a.dryRunRule},
		{Method: "GET", Pattern: "/api/v1/automation-rules/{id}", Perm: auth.AutomationRead, Handler: a.getRule},
		{Method: "PATCH", Pattern: "/api/v1/automation-rules/{id}", Perm: auth.AutomationWrite, Handler: a.updateRule},
		{Method: "DELETE", Pattern: "/api/v1/automation-rules/{id}", Perm: auth.AutomationWrite, Handler: a.deleteRule},
		// Business-hours calendars (addressed by name; the built-in "il" is
		// read-only) and SLA policies: agents read, admins change.
		// Reports (internal/report): supervisors and admins.
		{Method: "GET", Pattern: "/api/v1/reports/summary", Perm: auth.ReportsRead, Handler: a.reportSummary},
		{Method: "GET", Pattern: "/api/v1/reports/timeseries", Perm: auth.ReportsRead, Handler: a.reportTimeseries},
		{Method: "GET", Pattern: "/api/v1/reports/heatmap", Perm: auth.ReportsRead, Handler: a.reportHeatmap},
		{Method: "GET", Pattern: "/api/v1/reports/agents", Perm: auth.ReportsRead, Handler: a.reportAgents},
		{Method: "GET", Pattern: "/api/v1/reports/tags", Perm: auth.ReportsRead, Handler: a.reportTags},
		{Method: "GET", Pattern: "/api/v1/reports/channels", Perm: auth.ReportsRead, Handler: a.reportChannels},
		{Method: "GET", Pattern: "/api/v1/reports/customers", Perm: auth.ReportsRead, Handler: a.reportCustomers},
		{Method: "GET", Pattern: "/api/v1/reports/feedback", Perm: auth.ReportsRead, Handler: a.reportFeedback},

		{Method: "GET", Pattern: "/api/v1/calendars", Perm: auth.SLARead, Handler: a.listCalendars},
		{Method: "POST", Pattern: "/api/v1/calendars", Perm: auth.SLAWrite, Handler: a.createCalendar},
		{Method: "GET", Pattern: "/api/v1/calendars/{name}", Perm: auth.SLARead, Handler: a.getCalendar},
		{Method: "PATCH", Pattern: "/api/v1/calendars/{name}", Perm: auth.SLAWrite, Handler: a.updateCalendar},
		{Method: "DELETE", Pattern: "/api/v1/calendars/{name}", Perm: auth.SLAWrite, Handler: a.deleteCalendar},
		{Method: "GET", Pattern: "/api/v1/calendars/{name}/due", Perm: auth.SLARead, Handler: a.calendarDue},
		{Method: "GET", Pattern: "/api/v1/calendars/{name}/between", Perm: auth.SLARead, Handler: a.calendarBetween},
		{Method: "GET", Pattern: "/api/v1/calendars/{name}/days", Perm: auth.SLARead, Handler: a.calendarDays},
		{Method: "GET", Pattern: "/api/v1/sla-policies", Perm: auth.SLARead, Handler: a.listSLAPolicies},
		{Method: "POST", Pattern: "/api/v1/sla-policies", Perm: auth.SLAWrite, Handler: a.createSLAPolicy},
		{Method: "POST", Pattern: "/api/v1/sla-policies/reorder", Perm: auth.SLAWrite, Handler: a.reorderSLAPolicies},
		{Method: "GET", Pattern: "/api/v1/sla-policies/{id}", Perm: auth.SLARead, Handler: a.getSLAPolicy},
		{Method: "PATCH", Pattern: "/api/v1/sla-policies/{id}", Perm: auth.SLAWrite, Handler: a.updateSLAPolicy},
		{Method: "DELETE", Pattern: "/api/v1/sla-policies/{id}", Perm: auth.SLAWrite, Handler: a.deleteSLAPolicy},

		// Orders: every role reads; admins and integrations write.
		{Method: "GET", Pattern: "/api/v1/orders", Perm: auth.OrdersRead, Handler: a.listOrders},
		{Method: "POST", Pattern: "/api/v1/orders", Perm: auth.OrdersWrite, Handler: a.upsertOrder},
		{Method: "POST", Pattern: "/api/v1/orders/import", Perm: auth.OrdersWrite, Handler: a.importOrders},
		{Method: "GET", Pattern: "/api/v1/orders/{id}", Perm: auth.OrdersRead, Handler: a.getOrder},
		{Method: "POST", Pattern: "/api/v1/orders/{id}/carrier-status", Perm: auth.OrdersWrite, Handler: a.orderCarrierStatus},
		{Method: "GET", Pattern: "/api/v1/commerce/shop-settings", Perm: auth.CommerceAdmin, Handler: a.getShopSettings},
		{Method: "PUT", Pattern: "/api/v1/commerce/shop-settings", Perm: auth.CommerceAdmin, Handler: a.putShopSettings},
		// Shop order webhooks are public: the HMAC signature under the secret
		// set in shop-settings authenticates them; rate-limited per IP.
		{Method: "POST", Pattern: "/api/v1/webhooks/shopify/orders", Public: true, Handler: a.shopifyOrderWebhook},
		{Method: "POST", Pattern: "/api/v1/webhooks/woocommerce/orders", Public: true, Handler: a.wooCommerceOrderWebhook},

		// Historical import, ROI and trends (docs/reports.md).
		{Method: "POST", Pattern: "/api/v1/imports/conversations", Perm: auth.FeedbackImport, Handler: a.importConversations},
		{Method: "GET", Pattern: "/api/v1/reports/roi", Perm: auth.ReportsRead, Handler: a.getROI},
		{Method: "PUT", Pattern: "/api/v1/reports/roi", Perm: auth.ROIWrite, Handler: a.putROI},
		{Method: "GET", Pattern: "/api/v1/reports/roi/history", Perm: auth.ReportsRead, Handler: a.roiHistory},
		{Method: "GET", Pattern: "/api/v1/reports/trends", Perm: auth.ReportsRead, Handler: a.getTrends},

		// The answer bot's deflection and handover rates (docs/knowledge.md).
		{Method: "GET", Pattern: "/api/v1/bot/stats", Perm: auth.ReportsRead, Handler: a.botStats},
	}
}
