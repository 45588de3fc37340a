// Timeline events (messages of kind "event") as one localized line.
// channel_meta.event names the event; from/to carry its values.
import type { Message } from '@/api/types'

export interface EventContext {
  t: (key: string, values?: Record<string, unknown>) => string
  agentName: (id: number) => string | undefined
  teamName: (id: number) => string | undefined
  contactName: string | undefined
  formatList: (items: string[]) => string
}

function actorName(m: Message, ctx: EventContext): string {
  if (m.author_type === 'agent' && m.author_id) return ctx.agentName(m.author_id) ?? ctx.t('events.unknownAgent', { id: m.author_id })
  if (m.author_type === 'contact') return ctx.contactName || ctx.t('events.customer')
  // Changes made by an automation rule carry the rule's name.
  const rule = m.channel_meta?.rule_name
  if (typeof rule === 'string' && rule) return rule
  return ctx.t('events.system')
}

function ruleName(meta: Record<string, unknown>, ctx: EventContext): string {
  return typeof meta.rule_name === 'string' && meta.rule_name ? meta.rule_name : ctx.t('events.ruleUnnamed')
}

function asArray(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : []
}

function asId(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN
  return Number.isFinite(n) && n > 0 ? n : null
}

/** One line describing a timeline event in the UI language, e.g. "Dana changed the status from Open to Solved". */
export function describeEvent(m: Message, ctx: EventContext): string {
  const meta = m.channel_meta ?? {}
  const actor = actorName(m, ctx)
  const { t } = ctx
  const status = (s: unknown) => (typeof s === 'string' ? t(`status.${s}`) : t('common.none'))
  const priority = (s: unknown) => (typeof s === 'string' ? t(`priority.${s}`) : t('common.none'))
  const agent = (v: unknown) => {
    const id = asId(v)
    return id ? ctx.agentName(id) ?? t('events.unknownAgent', { id }) : t('common.nobody')
  }
  const team = (v: unknown) => {
    const id = asId(v)
    return id ? ctx.teamName(id) ?? t('events.unknownTeam', { id }) : t('common.none')
  }
  switch (meta.event) {
    case 'status_changed':
      return t('events.statusChanged', { actor, from: status(meta.from), to: status(meta.to) })
    case 'reopened':
      return t('events.reopened', { actor, from: status(meta.from), to: status(meta.to) })
    case 'priority_changed':
      return t('events.priorityChanged', { actor, from: priority(meta.from), to: priority(meta.to) })
    case 'assigned':
      if (asId(meta.to) === null) return t('events.unassigned', { actor, from: agent(meta.from) })
      if (asId(meta.from) === null) return t('events.assigned', { actor, to: agent(meta.to) })
      return t('events.reassigned', { actor, from: agent(meta.from), to: agent(meta.to) })
    case 'team_changed':
      if (asId(meta.to) === null) return t('events.teamRemoved', { actor, from: team(meta.from) })
      if (asId(meta.from) === null) return t('events.teamSet', { actor, to: team(meta.to) })
      return t('events.teamChanged', { actor, from: team(meta.from), to: team(meta.to) })
    case 'tags_changed': {
      const from = asArray(meta.from)
      const to = asArray(meta.to)
      const added = to.filter((x) => !from.includes(x))
      const removed = from.filter((x) => !to.includes(x))
      if (added.length && removed.length) return t('events.tagsChanged', { actor, added: ctx.formatList(added), removed: ctx.formatList(removed) })
      if (added.length) return t('events.tagsAdded', { actor, tags: ctx.formatList(added) })
      if (removed.length) return t('events.tagsRemoved', { actor, tags: ctx.formatList(removed) })
      return t('events.tagsUnchanged', { actor })
    }
    case 'delivery_failed': {
      // A bounce came back for a mail Kesher sent (internal/channel/email).
      const to = typeof meta.to === 'string' ? meta.to : ''
      const diagnostic = typeof meta.diagnostic === 'string' ? meta.diagnostic : ''
      return diagnostic ? t('events.deliveryFailedWhy', { to, diagnostic }) : t('events.deliveryFailed', { to })
    }
    case 'rule_notified': {
      const rule = ruleName(meta, ctx)
      const ids = Array.isArray(meta.agent_ids) ? meta.agent_ids.map(asId).filter((id): id is number => id !== null) : []
      if (!ids.length) return t('events.ruleNotifiedSomeone', { rule })
      return t('events.ruleNotified', { rule, agents: ctx.formatList(ids.map(agent)) })
    }
    case 'rule_webhook':
      // Agents never see the webhook's URL (older events stored it in "to").
      return t('events.ruleWebhook', { rule: ruleName(meta, ctx) })
    case 'bot_handover': {
      // The answer bot stepped out (internal/bot): reason no, requested or low_confidence.
      const reason = typeof meta.reason === 'string' ? meta.reason : ''
      return t('events.botHandover', { reason: ['no', 'requested', 'low_confidence'].includes(reason) ? t(`bot.reasons.${reason}`) : reason })
    }
    case 'bot_solved':
      return t('events.botSolved')
    default:
      return m.body_text || t('events.unknown')
  }
}
