// Money in the UI: amounts travel as integer minor units with an ISO 4217
// currency. Formatting turns minor units into a decimal string exactly
// (no float division) and hands it to Intl.NumberFormat; parsing reads what
// an agent types in major units into minor units with string arithmetic.
import { i18n } from '@/i18n'

const cache = new Map<string, Intl.NumberFormat>()

/** he-IL or en-US, following the UI language. */
export function moneyLocale(): string {
  return i18n.global.locale.value === 'he' ? 'he-IL' : 'en-US'
}

function formatter(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`
  let f = cache.get(key)
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency })
    } catch {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency: 'ILS' })
    }
    cache.set(key, f)
  }
  return f
}

/** How many minor-unit digits a currency has (2 for ILS and USD, 0 for JPY). */
export function currencyDigits(currency: string): number {
  return formatter(currency, 'en-US').resolvedOptions().maximumFractionDigits ?? 2
}

/** Minor units as an exact decimal string in major units: 1230 → "12.30", -5 → "-0.05". */
export function minorToDecimal(minor: number, currency: string): string {
  const digits = currencyDigits(currency)
  const neg = minor < 0
  const s = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0')
  const whole = digits ? s.slice(0, s.length - digits) : s
  const frac = digits ? '.' + s.slice(s.length - digits) : ''
  return (neg ? '-' : '') + whole + frac
}

/** An amount for display, e.g. 25900 ILS → "‏259.00 ₪" (he) or "₪259.00" (en). */
export function formatMoney(minor: number | null | undefined, currency = 'ILS', locale = moneyLocale()): string {
  if (minor === null || minor === undefined) return ''
  // A decimal string keeps the exact value (Intl formats strings without going through a double).
  return formatter(currency, locale).format(minorToDecimal(minor, currency) as unknown as number)
}

/**
 * Reads an amount typed in major units ("12.30", "12.3", "12") into minor
 * units (1230); null when it is not a plain positive decimal with at most
 * the currency's digits ("12.345", "1e3", "-1", "").
 */
export function parseMoney(text: string, currency = 'ILS'): number | null {
  const digits = currencyDigits(currency)
  const s = text.trim()
  const re = digits ? new RegExp(`^(\\d+)(?:[.,](\\d{1,${digits}}))?$`) : /^(\d+)$/
  const m = re.exec(s)
  if (!m) return null
  const minor = BigInt(m[1]) * 10n ** BigInt(digits) + BigInt((m[2] ?? '').padEnd(digits, '0') || '0')
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return null
  return Number(minor)
}

/** Minor units as the string an amount input starts with ("12.30"). */
export function minorToInput(minor: number, currency = 'ILS'): string {
  return minorToDecimal(minor, currency)
}
