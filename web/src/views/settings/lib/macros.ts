// Macro actions (canned response "actions") for the settings screen.
import type { MacroAction } from '@/api/types'

/** The statuses a macro may set (closing is not a macro's job). */
export const MACRO_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved'] as const

/** "Billing, vip ,billing" → ["Billing", "vip"]: comma-separated, trimmed, no repeats. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))]
}

/** The index of the first action the server would refuse for an empty value (a tag action without tags), else -1. */
export function firstIncompleteAction(actions: readonly MacroAction[]): number {
  return actions.findIndex((a) => (a.type === 'add_tags' || a.type === 'remove_tags') && (!Array.isArray(a.value) || a.value.length === 0))
}
