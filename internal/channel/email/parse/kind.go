package parse

import (
	"bufio"
	"bytes"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// autoReplySubject matches subjects of common out-of-office and
// autoresponder messages (English, German, French, Hebrew), after reply
// prefixes are stripped or at the very start.
var autoReplySubject = regexp.MustCompile(`(?i)^\s*(automatic reply|auto(matic)?[- ]?(reply|response|responder)|autoreply|auto:|out of (the )?office|ooo:|abwesenheitsnotiz|automatische antwort|fuera de la oficina|absence du bureau|réponse automatique|respuesta automática|risposta automatica|מענה אוטומטי|תשובה אוטומטית|אני מחוץ למשרד|מחוץ למשרד)`)

// bounceSubject matches subjects of common non-standard bounces.
var bounceSubject = regexp.MustCompile(`(?i)(undeliver(ed|able)|returned mail|delivery status notification|delivery (has )?failed|mail delivery failed|failure notice|delivery failure|non[- ]?delivery|could not be delivered|returned to sender|nicht zustellbar|unzustellbar|לא נמסר|החזרת דואר)`)

// bounceSender matches the local part of addresses that send bounces.
var bounceSender = regexp.MustCompile(`(?i)^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@`)

// statusCode finds an enhanced status code (RFC 3463) in free text.
var statusCode = regexp.MustCompile(`\b([245])\.(\d{1,3})\.(\d{1,3})\b`)

// bodyMessageID finds a Message-ID header line in a returned original
// quoted in a bounce body.
var bodyMessageID = regexp.MustCompile(`(?im)^\s*Message-ID:\s*<?([^\s<>]+@[^\s<>]+)>?`)

var (
	delayedText     = regexp.MustCompile(`(?i)\b(delayed|will retry|still trying|temporar(y|ily))\b`)
	failedRecipient = regexp.MustCompile(`<([^\s<>@]+@[^\s<>]+)>:`)
	blankLine       = regexp.MustCompile(`\n[ \t]*\n`)
)

// classify sets m.Kind, m.KindReason and m.Bounce from the headers and MIME
// structure. Bounces win over auto-replies (a Postfix bounce also carries
// Auto-Submitted), auto-replies over bulk.
func classify(env *enmime.Envelope, m *Message) {
	h := env.GetHeader
	if b, reason := detectBounce(env, m); b != nil {
		m.Kind, m.KindReason, m.Bounce = KindBounce, reason, b
		return
	}
	if v := strings.ToLower(strings.TrimSpace(h("Auto-Submitted"))); v != "" && !strings.HasPrefix(v, "no") {
		m.Kind, m.KindReason = KindAutoReply, "Auto-Submitted: "+v
		return
	}
	for _, name := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "X-Autoreply-From", "X-Mail-Autoreply"} {
		if len(env.GetHeaderValues(name)) > 0 {
			m.Kind, m.KindReason = KindAutoReply, name+" header"
			return
		}
	}
	prec := strings.ToLower(strings.TrimSpace(h("Precedence")))
	if prec == "" {
		prec = strings.ToLower(strings.TrimSpace(h("X-Precedence")))
	}
	if prec == "auto_reply" || prec == "auto-reply" {
		m.Kind, m.KindReason = KindAutoReply, "Precedence: "+prec
		return
	}
	if autoReplySubject.MatchString(m.Subject) || autoReplySubject.MatchString(NormalizeSubject(m.Subject)) {
		m.Kind, m.KindReason = KindAutoReply, "subject"
		return
	}
	switch prec {
	case "bulk", "junk", "list":
		m.Kind, m.KindReason = KindBulk, "Precedence: "+prec
		return
	}
	if h("List-Id") != "" {
		m.Kind, m.KindReason = KindBulk, "List-Id header"
		return
	}
	if h("List-Unsubscribe") != "" && noReplySender(m.From.Email) {
		m.Kind, m.KindReason = KindBulk, "List-Unsubscribe from a no-reply sender"
		return
	}
}

var noReply = regexp.MustCompile(`(?i)^(no-?reply|do-?not-?reply|donotreply|newsletter|news|mailer|notifications?|info|marketing|bounces?)([-+.].*)?@`)

func noReplySender(addr string) bool { return noReply.MatchString(addr) }

// detectBounce recognises an RFC 3464 report (a message/delivery-status
// part, normally inside multipart/report; report-type=delivery-status) and
// common non-standard bounces (From MAILER-DAEMON/postmaster with a
// bounce subject). It returns nil when m is not a bounce.
func detectBounce(env *enmime.Envelope, m *Message) (*Bounce, string) {
	var status, original *enmime.Part
	walk(env.Root, func(p *enmime.Part) {
		switch strings.ToLower(p.ContentType) {
		case "message/delivery-status", "message/global-delivery-status":
			if status == nil {
				status = p
			}
		case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
			if original == nil {
				original = p
			}
		}
	})
	if status != nil {
		b := parseDeliveryStatus(status.Content)
		if original != nil {
			b.OriginalMessageID = headerMessageID(original.Content)
		}
		return b, "multipart/report delivery-status"
	}
	from := strings.ToLower(m.From.Email)
	if bounceSender.MatchString(from) || strings.EqualFold(m.From.Name, "Mail Delivery System") || strings.EqualFold(m.From.Name, "Mail Delivery Subsystem") {
		if !bounceSubject.MatchString(m.Subject) {
			return nil, ""
		}
		b := &Bounce{Permanent: true}
		text := m.Text
		if original != nil {
			b.OriginalMessageID = headerMessageID(original.Content)
		}
		if b.OriginalMessageID == "" {
			if sm := bodyMessageID.FindStringSubmatch(text); sm != nil {
				b.OriginalMessageID = trimID(sm[1])
			}
		}
		if sm := statusCode.FindStringSubmatch(text); sm != nil && sm[1] != "2" {
			b.Status = sm[0]
			b.Permanent = sm[1] == "5"
		}
		if delayedText.MatchString(m.Subject+"\n"+text) && b.Status == "" {
			b.Permanent = false
		}
		for _, a := range failedRecipient.FindAllStringSubmatch(text, 10) {
			b.Recipients = appendUnique(b.Recipients, a[1])
		}
		return b, "bounce sender and subject (" + m.From.Email + ")"
	}
	return nil, ""
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

// walk calls fn for p and every descendant, depth first.
func walk(p *enmime.Part, fn func(*enmime.Part)) {
	for ; p != nil; p = p.NextSibling {
		fn(p)
		walk(p.FirstChild, fn)
	}
}

// parseDeliveryStatus reads the per-message and per-recipient field blocks
// of a message/delivery-status body (RFC 3464 §2.2, §2.3).
func parseDeliveryStatus(data []byte) *Bounce {
	b := &Bounce{}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	var blocks []textproto.MIMEHeader
	for _, chunk := range blankLine.Split(string(data), -1) {
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		r := textproto.NewReader(bufio.NewReader(strings.NewReader(chunk + "\n\n")))
		hdr, _ := r.ReadMIMEHeader()
		if len(hdr) > 0 {
			blocks = append(blocks, hdr)
		}
	}
	permanent, chosen, failedChosen := false, false, false
	var all, failedRcpts []string
	for _, hdr := range blocks {
		rcpt := hdr.Get("Final-Recipient")
		if rcpt == "" {
			rcpt = hdr.Get("Original-Recipient")
		}
		action := strings.ToLower(strings.TrimSpace(hdr.Get("Action")))
		if rcpt == "" && action == "" {
			continue // per-message block
		}
		if rcpt != "" {
			all = appendUnique(all, addrType(rcpt))
			if action == "failed" {
				failedRcpts = appendUnique(failedRcpts, addrType(rcpt))
			}
		}
		st := strings.TrimSpace(hdr.Get("Status"))
		code := statusCode.FindString(st)
		if code == "" {
			code = st
		}
		failed := action == "failed"
		if failed && !strings.HasPrefix(code, "4") {
			permanent = true
		}
		// Report the first failed recipient, else the first one.
		if !chosen || (failed && !failedChosen) {
			b.Status = code
			b.Diagnostic = strings.Join(strings.Fields(addrType(hdr.Get("Diagnostic-Code"))), " ")
			failedChosen = failed
			chosen = true
		}
	}
	b.Permanent = permanent
	// The failed recipients; all of them when none failed (a delay report).
	b.Recipients = failedRcpts
	if len(b.Recipients) == 0 {
		b.Recipients = all
	}
	return b
}

// addrType strips the "type;" prefix of a DSN field ("rfc822; a@b" → "a@b",
// "smtp; 550 …" → "550 …").
func addrType(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		return strings.TrimSpace(v[i+1:])
	}
	return strings.TrimSpace(v)
}

// headerMessageID reads the Message-ID of a returned original (a whole
// message or its headers only).
func headerMessageID(data []byte) string {
	msg, err := mail.ReadMessage(bytes.NewReader(append(append([]byte{}, data...), '\n', '\n')))
	if err == nil {
		if id := trimID(msg.Header.Get("Message-Id")); id != "" {
			return id
		}
	}
	if sm := bodyMessageID.FindSubmatch(data); sm != nil {
		return trimID(string(sm[1]))
	}
	return ""
}
