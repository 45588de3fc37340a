// Bidirectional text helpers for user-provided names (teams, agents,
// calendars, inboxes) shown where markup cannot isolate them: <option>
// text, attributes and interpolated strings. A mixed Hebrew/English name
// such as "Order system (API)" placed in a right-to-left sentence is
// otherwise reordered by the surrounding text ("(API) Order system").

/** FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE around s: the name keeps
 * its own direction (from its first strong letter) wherever it is placed.
 * "" stays "". */
export function isolate(s: string | null | undefined): string {
  return s ? `\u2068${s}\u2069` : ''
}
