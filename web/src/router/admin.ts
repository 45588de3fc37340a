import type { RouteRecordRaw } from 'vue-router'

// Admin, settings and contacts screens register their routes here (their
// components live in src/views/settings/ and src/views/contacts/). The routes
// are mounted inside the signed-in app shell, so they get the top bar and the
// sign-in guard. Import each component lazily, e.g.
//   { path: '/settings', name: 'settings', component: () => import('@/views/settings/SettingsView.vue') }
// so that these screens load as their own chunk, outside the inbox's first
// load. A route named "settings" makes the top bar show a link to it, and one
// named "contacts" turns the customer panel's name into a link (params: id).
//
// Every component below is a dynamic import: each screen is its own chunk.
// "contact-list" and "organization-list" are the lists; "contacts" (params:
// id) and "organization" (params: id) the profiles. "settings" redirects to
// the first section; each section is named "settings-<section>".

/** The settings sections, in the order the settings menu lists them. */
export const SETTINGS_SECTIONS = ['profile', 'tokens', 'agents', 'teams', 'inboxes', 'tags', 'canned', 'calendars', 'sla', 'rules', 'compensation', 'commerce'] as const
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number]

export const adminRoutes: RouteRecordRaw[] = [
  { path: 'contacts', name: 'contact-list', component: () => import('@/views/contacts/ContactsListView.vue') },
  { path: 'contacts/:id(\\d+)', name: 'contacts', component: () => import('@/views/contacts/ContactProfileView.vue') },
  { path: 'organizations', name: 'organization-list', component: () => import('@/views/contacts/OrganizationsListView.vue') },
  { path: 'organizations/:id(\\d+)', name: 'organization', component: () => import('@/views/contacts/OrganizationProfileView.vue') },
  // Orders and promises: compensation approvals (compensation:approve), the credit ledger and the orders (orders:read).
  { path: 'approvals', name: 'approvals', component: () => import('@/views/commerce/ApprovalsView.vue') },
  { path: 'ledger', name: 'ledger', component: () => import('@/views/commerce/LedgerView.vue') },
  { path: 'orders', name: 'orders', component: () => import('@/views/commerce/OrdersListView.vue') },
  // The KPI dashboard (reports:read): tiles, charts, heatmap, trends, agents and ROI, its own chunk with chart.js.
  { path: 'reports', name: 'reports', component: () => import('@/views/reports/ReportsView.vue') },
  // The knowledge base (kb:read; writers kb:write): articles, the editor, categories and the help center settings.
  {
    path: 'kb',
    component: () => import('@/views/kb/KbLayout.vue'),
    children: [
      { path: '', name: 'kb', component: () => import('@/views/kb/ArticlesView.vue') },
      { path: 'articles/:id(\\d+|new)', name: 'kb-article', component: () => import('@/views/kb/ArticleEditor.vue') },
      { path: 'categories', name: 'kb-categories', component: () => import('@/views/kb/CategoriesView.vue') },
      { path: 'settings', name: 'kb-settings', component: () => import('@/views/kb/HelpCenterSettings.vue') },
    ],
  },
  {
    path: 'settings',
    component: () => import('@/views/settings/SettingsView.vue'),
    children: [
      { path: '', name: 'settings', redirect: { name: 'settings-profile' } },
      { path: 'profile', name: 'settings-profile', component: () => import('@/views/settings/ProfileSettings.vue') },
      { path: 'tokens', name: 'settings-tokens', component: () => import('@/views/settings/TokensSettings.vue') },
      { path: 'agents', name: 'settings-agents', component: () => import('@/views/settings/AgentsSettings.vue') },
      { path: 'teams', name: 'settings-teams', component: () => import('@/views/settings/TeamsSettings.vue') },
      { path: 'inboxes', name: 'settings-inboxes', component: () => import('@/views/settings/InboxesSettings.vue') },
      { path: 'tags', name: 'settings-tags', component: () => import('@/views/settings/TagsSettings.vue') },
      { path: 'canned', name: 'settings-canned', component: () => import('@/views/settings/CannedSettings.vue') },
      { path: 'calendars', name: 'settings-calendars', component: () => import('@/views/settings/CalendarsSettings.vue') },
      { path: 'sla', name: 'settings-sla', component: () => import('@/views/settings/SlaPoliciesSettings.vue') },
      { path: 'rules', name: 'settings-rules', component: () => import('@/views/settings/RulesSettings.vue') },
      { path: 'compensation', name: 'settings-compensation', component: () => import('@/views/settings/CompensationSettings.vue') },
      { path: 'commerce', name: 'settings-commerce', component: () => import('@/views/settings/CommerceSettings.vue') },
    ],
  },
]
