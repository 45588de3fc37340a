// The widget's strings, Hebrew and English. Hebrew is the default.
export type Lang = 'he' | 'en'

const he = {
  open: 'פתיחת צ׳אט',
  close: 'סגירת הצ׳אט',
  title: 'צ׳אט עם הצוות',
  name: 'שם',
  email: 'אימייל',
  optional: '(לא חובה)',
  start: 'התחלת שיחה',
  message: 'הודעה',
  placeholder: 'כתבו הודעה…',
  send: 'שליחה',
  attach: 'צירוף קובץ',
  typing: '{name} מקלידים…',
  someone: 'נציג/ה',
  you: 'את/ה',
  bot: 'בוט',
  solved: 'זה פתר את הבעיה?',
  yes: 'כן, תודה',
  no: 'לא',
  human: 'דברו עם נציג/ה',
  offlineTitle: 'אין כרגע נציגים זמינים',
  offlineText: 'השאירו הודעה ונחזור אליכם באימייל.',
  leave: 'שליחת הודעה',
  thanks: 'תודה! נחזור אליכם באימייל.',
  transcript: 'שלחו לי את תמליל השיחה',
  transcriptSent: 'התמליל נשלח לאימייל שלך.',
  reconnecting: 'מתחבר מחדש…',
  error: 'משהו השתבש. נסו שוב.',
  required: 'שדה חובה',
}
const en: typeof he = {
  open: 'Open chat',
  close: 'Close chat',
  title: 'Chat with us',
  name: 'Name',
  email: 'Email',
  optional: '(optional)',
  start: 'Start chat',
  message: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  attach: 'Attach a file',
  typing: '{name} is typing…',
  someone: 'An agent',
  you: 'You',
  bot: 'Bot',
  solved: 'Did this solve it?',
  yes: 'Yes, thanks',
  no: 'No',
  human: 'Talk to a person',
  offlineTitle: 'No one is available right now',
  offlineText: 'Leave a message and we will answer by email.',
  leave: 'Send message',
  thanks: 'Thanks! We will answer by email.',
  transcript: 'Email me the transcript',
  transcriptSent: 'The transcript was sent to your email.',
  reconnecting: 'Reconnecting…',
  error: 'Something went wrong. Try again.',
  required: 'Required',
}

export type Key = keyof typeof he
export const strings: Record<Lang, typeof he> = { he, en }

/** t returns the string key in lang with {name}-style placeholders filled. */
export function t(lang: Lang, key: Key, vars: Record<string, string> = {}): string {
  return strings[lang][key].replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '')
}

/** pickLang chooses he or en from an explicit setting, else the page's language (default he). */
export function pickLang(explicit: string | null | undefined, pageLang: string): Lang {
  const l = (explicit || pageLang || '').toLowerCase()
  return l.startsWith('en') ? 'en' : 'he'
}
