// A minimal SMTP sink on 127.0.0.1 for end-to-end tests (RFC 5321 subset:
// EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no auth). Each
// message received is kept with its envelope and raw data, dot-unstuffed.
import net from 'node:net'

export async function startSmtpSink() {
  const messages = []
  const waiters = []
  const server = net.createServer((sock) => {
    let buf = ''
    let inData = false
    let env = { from: '', to: [] }
    const reply = (line) => sock.write(line + '\r\n')
    reply('220 sink.kesher.test ESMTP')
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1')
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n')
          if (end < 0) return
          const raw = Buffer.from(buf.slice(0, end + 2).replace(/\r\n\.\./g, '\r\n.'), 'latin1')
          buf = buf.slice(end + 5)
          inData = false
          const msg = { from: env.from, to: env.to, raw, text: raw.toString('utf8') }
          messages.push(msg)
          env = { from: '', to: [] }
          reply('250 2.0.0 queued')
          for (const w of waiters.splice(0)) w()
          continue
        }
        const nl = buf.indexOf('\r\n')
        if (nl < 0) return
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 2)
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO') reply('250-sink.kesher.test\r\n250-8BITMIME\r\n250 SMTPUTF8')
        else if (verb === 'HELO') reply('250 sink.kesher.test')
        else if (verb === 'MAIL') { env.from = line.replace(/^MAIL FROM:\s*/i, '').replace(/[<>]|\s.*$/g, ''); reply('250 2.1.0 ok') }
        else if (verb === 'RCPT') { env.to.push(line.replace(/^RCPT TO:\s*/i, '').replace(/[<>]|\s.*$/g, '')); reply('250 2.1.5 ok') }
        else if (verb === 'DATA') { inData = true; reply('354 end with <CRLF>.<CRLF>') }
        else if (verb === 'RSET') { env = { from: '', to: [] }; reply('250 ok') }
        else if (verb === 'NOOP') reply('250 ok')
        else if (verb === 'QUIT') { reply('221 bye'); sock.end() }
        else reply('502 5.5.2 not implemented')
      }
    })
    sock.on('error', () => {})
  })
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok))
  return {
    port: server.address().port,
    messages,
    /** Resolves with the first message matching pred, waiting up to ms. */
    async waitFor(pred, ms = 20_000) {
      const end = Date.now() + ms
      for (;;) {
        const m = messages.find(pred)
        if (m) return m
        if (Date.now() > end) throw new Error(`no matching mail at the SMTP sink (${messages.length} received)`)
        await new Promise((r) => { waiters.push(r); setTimeout(r, 250) })
      }
    },
    close: () => new Promise((ok) => server.close(ok)),
  }
}

/** Sends one raw message to an SMTP server on 127.0.0.1 (Kesher's receiver). */
export function sendMail(port, from, to, raw) {
  return new Promise((ok, fail) => {
    const sock = net.connect(port, '127.0.0.1')
    const steps = [`EHLO e2e.kesher.test`, `MAIL FROM:<${from}>`, `RCPT TO:<${to}>`, 'DATA', null, 'QUIT']
    let buf = ''
    let i = -1
    sock.on('data', (d) => {
      buf += d.toString()
      // A reply is complete when its last line has a space after the code.
      const lines = buf.split('\r\n').filter(Boolean)
      const last = lines[lines.length - 1]
      if (!buf.endsWith('\r\n') || !/^\d{3} /.test(last)) return
      buf = ''
      if (/^[45]/.test(last)) { sock.destroy(); fail(new Error(`SMTP refused: ${last}`)); return }
      i++
      if (i >= steps.length) return
      if (steps[i] === null) {
        const body = raw.replace(/\r?\n/g, '\r\n').replace(/\r\n\./g, '\r\n..')
        sock.write(body + (body.endsWith('\r\n') ? '' : '\r\n') + '.\r\n')
      } else sock.write(steps[i] + '\r\n')
      if (steps[i] === 'QUIT') ok()
    })
    sock.on('error', fail)
  })
}

/**
 * The readable text of a received message: every text part decoded from
 * quoted-printable or base64 (a rough MIME walk, enough for tests).
 */
export function mailText(raw) {
  const src = Buffer.isBuffer(raw) ? raw.toString('latin1') : raw
  const out = []
  const parts = src.split(/\r?\n--[^\r\n]+\r?\n/)
  for (const part of parts) {
    const sep = part.search(/\r?\n\r?\n/)
    if (sep < 0) continue
    const head = part.slice(0, sep)
    let body = part.slice(sep).replace(/^\r?\n\r?\n/, '')
    if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
      body = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)))
      out.push(Buffer.from(body, 'latin1').toString('utf8'))
    } else if (/content-transfer-encoding:\s*base64/i.test(head)) {
      out.push(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8'))
    } else {
      out.push(Buffer.from(body, 'latin1').toString('utf8'))
    }
  }
  return out.join('\n')
}
