// Package contact manages the desk's customers (contacts) and the companies
// they belong to (organizations). A contact is reachable through identities
// — email addresses, phone numbers, external ids — each of which belongs to
// exactly one contact, so an inbound sender always resolves to one contact.
package contact

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/events"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/search"
)

// Contact is a customer.
type Contact struct {
	ID               int64             `json:"id"`
	Name             string            `json:"name"`
	Emails           []string          `json:"emails"`
	Phones           []string          `json:"phones"`
	Language         string            `json:"language"`
	TimeZone         string            `json:"time_zone"`
	Tier             string            `json:"tier"`
	OrganizationID   *int64            `json:"organization_id"`
	ExternalIDs      map[string]string `json:"external_ids"`
	CustomAttributes map[string]any    `json:"custom_attributes"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// Input creates a contact. Emails are lower-cased; the first is primary.
type Input struct {
	Name             string            `json:"name"`
	Emails           []string          `json:"emails"`
	Phones           []string          `json:"phones"`
	Language         string            `json:"language"`
	TimeZone         string            `json:"time_zone"`
	Tier             string            `json:"tier"`
	OrganizationID   *int64            `json:"organization_id"`
	ExternalIDs      map[string]string `json:"external_ids"`
	CustomAttributes map[string]any    `json:"custom_attributes"`
}

// Patch changes a contact; absent fields stay as they are. Emails, Phones
// and ExternalIDs replace the whole set; CustomAttributes merges keys (a
// null value deletes the key).
type Patch struct {
	Name             patch.Field[string]            `json:"name"`
	Emails           patch.Field[[]string]          `json:"emails"`
	Phones           patch.Field[[]string]          `json:"phones"`
	Language         patch.Field[string]            `json:"language"`
	TimeZone         patch.Field[string]            `json:"time_zone"`
	Tier             patch.Field[string]            `json:"tier"`
	OrganizationID   patch.Field[int64]             `json:"organization_id"`
	ExternalIDs      patch.Field[map[string]string] `json:"external_ids"`
	CustomAttributes patch.Field[map[string]any]    `json:"custom_attributes"`
}

// Limits on contact fields.
const (
	MaxNameLength   = 200
	MaxIdentities   = 20
	MaxAttrBytes    = 16 << 10
	DefaultTier     = "standard"
	identityEmail   = "email"
	identityPhone   = "phone"
	identityExtern  = "external"
	externalIDRunes = 200
)

var (
	tierRE   = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	langRE   = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)
	phoneRE  = regexp.MustCompile(`^\+?[0-9]{4,20}$`)
	systemRE = regexp.MustCompile(`^[a-z0-9_.-]{1,40}$`)
)

// NormalizeEmail validates an address and returns its lower-cased bare form
// ("Dana <DANA@x.co.il>" → "dana@x.co.il").
func NormalizeEmail(s string) (string, bool) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || len(a.Address) > 254 {
		return "", false
	}
	return strings.ToLower(a.Address), true
}

// NormalizePhone keeps a leading + and the digits ("+972 (54) 123-4567" →
// "+972541234567").
func NormalizePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9', r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	p := b.String()
	return p, phoneRE.MatchString(p)
}

func checkTimeZone(c *errs.Checker, field, tz string) {
	if tz == "" {
		return
	}
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		c.Add(field, "invalid", "unknown IANA time zone %q", tz)
	}
}

func checkAttrs(c *errs.Checker, field string, m map[string]any) {
	if b, _ := json.Marshal(m); len(b) > MaxAttrBytes {
		c.Add(field, "too_long", "custom attributes must encode to at most %d bytes", MaxAttrBytes)
	}
}

// normalize validates in and returns cleaned emails and phones.
func (in *Input) normalize(c *errs.Checker, prefix string) {
	in.Name = strings.TrimSpace(in.Name)
	c.MaxLen(prefix+"name", in.Name, MaxNameLength)
	c.Check(len(in.Emails)+len(in.Phones) <= MaxIdentities, prefix+"emails", "too_many", "at most %d emails and phones", MaxIdentities)
	seen := map[string]bool{}
	for i, e := range in.Emails {
		n, ok := NormalizeEmail(e)
		c.Check(ok, fmt.Sprintf("%semails[%d]", prefix, i), "invalid", "not an email address")
		if ok && !seen[n] {
			seen[n] = true
			in.Emails[i] = n
		}
	}
	in.Emails = dedupe(in.Emails)
	for i, p := range in.Phones {
		n, ok := NormalizePhone(p)
		c.Check(ok, fmt.Sprintf("%sphones[%d]", prefix, i), "invalid", "not a phone number (digits, optional leading +)")
		in.Phones[i] = n
	}
	in.Phones = dedupe(in.Phones)
	if in.Tier == "" {
		in.Tier = DefaultTier
	}
	c.Check(tierRE.MatchString(in.Tier), prefix+"tier", "invalid", "tier must be 1-32 of a-z 0-9 _ -")
	c.Check(in.Language == "" || langRE.MatchString(in.Language), prefix+"language", "invalid", "language must be a BCP 47 tag such as he or en")
	checkTimeZone(c, prefix+"time_zone", in.TimeZone)
	for sys, v := range in.ExternalIDs {
		c.Check(systemRE.MatchString(sys), prefix+"external_ids."+sys, "invalid", "system name must be 1-40 of a-z 0-9 _ . -")
		c.Check(v != "" && len([]rune(v)) <= externalIDRunes, prefix+"external_ids."+sys, "invalid", "external id must be 1-%d characters", externalIDRunes)
	}
	checkAttrs(c, prefix+"custom_attributes", in.CustomAttributes)
}

func dedupe(xs []string) []string {
	out := xs[:0]
	seen := map[string]bool{}
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Service manages contacts and organizations.
type Service struct {
	db     *db.DB
	outbox *events.Outbox
}

// NewService returns a contact service.
func NewService(d *db.DB, o *events.Outbox) *Service { return &Service{db: d, outbox: o} }

// Create adds a contact. Errors: *errs.ValidationError, also (code "taken")
// when an email, phone or external id already belongs to another contact.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in Input) (Contact, error) {
	var c errs.Checker
	in.normalize(&c, "")
	c.Check(in.Name != "" || len(in.Emails) > 0 || len(in.Phones) > 0, "name", "required", "a contact needs a name, an email or a phone")
	if err := c.Err(); err != nil {
		return Contact{}, err
	}
	var id int64
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		var err error
		id, err = CreateTx(ctx, tx, in)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "contact.created", EntityType: "contact", EntityID: id}); err != nil {
			return err
		}
		return s.outbox.Publish(ctx, tx, events.ContactCreated, map[string]int64{"contact_id": id})
	})
	if err != nil {
		return Contact{}, err
	}
	return s.Get(ctx, id)
}

// CreateTx inserts a contact that in.normalize already validated. A taken
// identity is a *errs.ValidationError with code "taken".
func CreateTx(ctx context.Context, tx *db.Tx, in Input) (int64, error) {
	now := time.Now().UnixMilli()
	attrs := in.CustomAttributes
	if attrs == nil {
		attrs = map[string]any{}
	}
	primary := ""
	if len(in.Emails) > 0 {
		primary = in.Emails[0]
	}
	id, err := tx.InsertID(ctx, `INSERT INTO contacts (name, email, language, time_zone, tier, organization_id, custom_attributes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, primary, in.Language, in.TimeZone, in.Tier, ptrArg(in.OrganizationID), db.JSON(attrs), now, now)
	if db.IsForeignKeyViolation(err) {
		return 0, errs.Invalid("organization_id", "not_found", "no organization %d", *in.OrganizationID)
	}
	if err != nil {
		return 0, fmt.Errorf("contact: insert: %w", err)
	}
	if err := insertIdentities(ctx, tx, id, in.Emails, in.Phones, in.ExternalIDs); err != nil {
		return 0, err
	}
	return id, indexTx(ctx, tx, id)
}

// indexTx (re)indexes contacts for search in tx (see internal/search); the
// search service's indexing uses only the transaction.
func indexTx(ctx context.Context, tx *db.Tx, ids ...int64) error {
	return search.New(nil).IndexContactsTx(ctx, tx, ids...)
}

func ptrArg(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// writeIdentities replaces a contact's identities and primary email.
func writeIdentities(ctx context.Context, tx *db.Tx, id int64, emails, phones []string, ext map[string]string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM contact_identities WHERE contact_id = ?`, id); err != nil {
		return err
	}
	primary := ""
	if len(emails) > 0 {
		primary = emails[0]
	}
	if _, err := tx.Exec(ctx, `UPDATE contacts SET email = ? WHERE id = ?`, primary, id); err != nil {
		return err
	}
	return insertIdentities(ctx, tx, id, emails, phones, ext)
}

// insertIdentities adds identities to a contact that has none.
func insertIdentities(ctx context.Context, tx *db.Tx, id int64, emails, phones []string, ext map[string]string) error {
	type ident struct{ kind, value, field string }
	var all []ident
	for i, e := range emails {
		all = append(all, ident{identityEmail, e, fmt.Sprintf("emails[%d]", i)})
	}
	for i, p := range phones {
		all = append(all, ident{identityPhone, p, fmt.Sprintf("phones[%d]", i)})
	}
	systems := make([]string, 0, len(ext))
	for sys := range ext {
		systems = append(systems, sys)
	}
	sort.Strings(systems)
	for _, sys := range systems {
		all = append(all, ident{identityExtern, sys + ":" + ext[sys], "external_ids." + sys})
	}
	for pos, it := range all {
		_, err := tx.Exec(ctx, `INSERT INTO contact_identities (contact_id, kind, value, position) VALUES (?, ?, ?, ?)`, id, it.kind, it.value, pos)
		if db.IsUniqueViolation(err) {
			return &errs.ValidationError{Fields: []errs.FieldError{{Field: it.field, Code: "taken",
				Message: fmt.Sprintf("%s %q already belongs to another contact", it.kind, it.value)}}}
		}
		if err != nil {
			return fmt.Errorf("contact: insert identity: %w", err)
		}
	}
	return nil
}

// FindOrCreateTx resolves a requester inside tx: by id when id != 0 (the
// contact must exist; a merged contact resolves to the one it was merged
// into), else by the normalized email or phone, else creates a contact from
// in (which must name an email or phone). It returns the id and whether a
// contact was created.
func FindOrCreateTx(ctx context.Context, tx *db.Tx, id int64, in Input, field string) (int64, bool, error) {
	if id != 0 {
		var into sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT merged_into_id FROM contacts WHERE id = ?`, id).Scan(&into)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, errs.Invalid(field+".id", "not_found", "no contact %d", id)
		}
		if into.Valid {
			id = into.Int64 // merges keep chains one hop long
		}
		return id, false, err
	}
	var c errs.Checker
	in.normalize(&c, field+".")
	c.Check(len(in.Emails)+len(in.Phones) > 0, field, "required", "give the requester's id, email or phone")
	if err := c.Err(); err != nil {
		return 0, false, err
	}
	lookups := make([][2]string, 0, len(in.Emails)+len(in.Phones))
	for _, e := range in.Emails {
		lookups = append(lookups, [2]string{identityEmail, e})
	}
	for _, p := range in.Phones {
		lookups = append(lookups, [2]string{identityPhone, p})
	}
	for _, l := range lookups {
		var found int64
		err := tx.QueryRow(ctx, `SELECT contact_id FROM contact_identities WHERE kind = ? AND value = ?`, l[0], l[1]).Scan(&found)
		if err == nil {
			return found, false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, false, err
		}
	}
	nid, err := CreateTx(ctx, tx, in)
	return nid, err == nil, err
}

// Get returns contact id or errs.ErrNotFound (also once it was merged into
// another contact).
func (s *Service) Get(ctx context.Context, id int64) (Contact, error) {
	cs, err := s.load(ctx, s.db.R(), `WHERE id = ? AND merged_into_id IS NULL`, id)
	if err != nil {
		return Contact{}, err
	}
	if len(cs) == 0 {
		return Contact{}, fmt.Errorf("contact %d: %w", id, errs.ErrNotFound)
	}
	return cs[0], nil
}

// GetMany returns the contacts with the given ids, keyed by id.
func (s *Service) GetMany(ctx context.Context, ids []int64) (map[int64]Contact, error) {
	out := map[int64]Contact{}
	if len(ids) == 0 {
		return out, nil
	}
	marks, args := inList(ids)
	cs, err := s.load(ctx, s.db.R(), `WHERE id IN (`+marks+`)`, args...)
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, err
}

func inList(ids []int64) (string, []any) {
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = "?", id
	}
	return strings.Join(marks, ","), args
}

const contactColumns = `id, name, language, time_zone, tier, organization_id, custom_attributes, created_at, updated_at`

func (s *Service) load(ctx context.Context, q db.Querier, where string, args ...any) ([]Contact, error) {
	rows, err := q.Query(ctx, `SELECT `+contactColumns+` FROM contacts `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("contact: load: %w", err)
	}
	var out []Contact
	index := map[int64]int{}
	for rows.Next() {
		var c Contact
		var org sql.NullInt64
		var attrs string
		var created, updated int64
		if err := rows.Scan(&c.ID, &c.Name, &c.Language, &c.TimeZone, &c.Tier, &org, &attrs, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		if org.Valid {
			c.OrganizationID = &org.Int64
		}
		_ = json.Unmarshal([]byte(attrs), &c.CustomAttributes)
		c.CreatedAt, c.UpdatedAt = db.Time(created), db.Time(updated)
		c.Emails, c.Phones, c.ExternalIDs = []string{}, []string{}, map[string]string{}
		index[c.ID] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	marks, iargs := inList(ids)
	irows, err := q.Query(ctx, `SELECT contact_id, kind, value FROM contact_identities WHERE contact_id IN (`+marks+`) ORDER BY contact_id, position`, iargs...)
	if err != nil {
		return nil, err
	}
	defer irows.Close()
	for irows.Next() {
		var cid int64
		var kind, value string
		if err := irows.Scan(&cid, &kind, &value); err != nil {
			return nil, err
		}
		c := &out[index[cid]]
		switch kind {
		case identityEmail:
			c.Emails = append(c.Emails, value)
		case identityPhone:
			c.Phones = append(c.Phones, value)
		case identityExtern:
			if sys, v, ok := strings.Cut(value, ":"); ok {
				c.ExternalIDs[sys] = v
			}
		}
	}
	return out, irows.Err()
}

// Update applies p to contact id and records the changes in the audit log.
// Errors: errs.ErrNotFound, *errs.ValidationError.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, p Patch) (Contact, error) {
	err := s.db.WriteTx(ctx, func(tx *db.Tx) error {
		cs, err := s.load(ctx, tx, `WHERE id = ? AND merged_into_id IS NULL`, id)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return fmt.Errorf("contact %d: %w", id, errs.ErrNotFound)
		}
		old := cs[0]
		in := Input{Name: old.Name, Emails: old.Emails, Phones: old.Phones, Language: old.Language, TimeZone: old.TimeZone,
			Tier: old.Tier, OrganizationID: old.OrganizationID, ExternalIDs: old.ExternalIDs, CustomAttributes: old.CustomAttributes}
		changes := map[string]audit.Change{}
		setStr := func(f patch.Field[string], dst *string, name string) {
			if f.Set && f.V != *dst {
				changes[name] = audit.Change{From: *dst, To: f.V}
				*dst = f.V
			}
		}
		setStr(p.Name, &in.Name, "name")
		setStr(p.Language, &in.Language, "language")
		setStr(p.TimeZone, &in.TimeZone, "time_zone")
		setStr(p.Tier, &in.Tier, "tier")
		identsChanged := false
		if p.Emails.Set {
			changes["emails"] = audit.Change{From: old.Emails, To: p.Emails.V}
			in.Emails, identsChanged = append([]string{}, p.Emails.V...), true
		}
		if p.Phones.Set {
			changes["phones"] = audit.Change{From: old.Phones, To: p.Phones.V}
			in.Phones, identsChanged = append([]string{}, p.Phones.V...), true
		}
		if p.ExternalIDs.Set {
			changes["external_ids"] = audit.Change{From: old.ExternalIDs, To: p.ExternalIDs.V}
			in.ExternalIDs, identsChanged = p.ExternalIDs.V, true
		}
		if p.OrganizationID.Set {
			var to *int64
			if !p.OrganizationID.Null {
				v := p.OrganizationID.V
				to = &v
			}
			changes["organization_id"] = audit.Change{From: old.OrganizationID, To: to}
			in.OrganizationID = to
		}
		if p.CustomAttributes.Set {
			merged := map[string]any{}
			for k, v := range old.CustomAttributes {
				merged[k] = v
			}
			for k, v := range p.CustomAttributes.V {
				if v == nil {
					delete(merged, k)
				} else {
					merged[k] = v
				}
			}
			changes["custom_attributes"] = audit.Change{From: old.CustomAttributes, To: merged}
			in.CustomAttributes = merged
		}
		var c errs.Checker
		in.normalize(&c, "")
		if err := c.Err(); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE contacts SET name = ?, language = ?, time_zone = ?, tier = ?, organization_id = ?,
			custom_attributes = ?, updated_at = ? WHERE id = ?`, in.Name, in.Language, in.TimeZone, in.Tier,
			ptrArg(in.OrganizationID), db.JSON(in.CustomAttributes), time.Now().UnixMilli(), id)
		if db.IsForeignKeyViolation(err) {
			return errs.Invalid("organization_id", "not_found", "no organization %d", *in.OrganizationID)
		}
		if err != nil {
			return err
		}
		if identsChanged {
			if err := writeIdentities(ctx, tx, id, in.Emails, in.Phones, in.ExternalIDs); err != nil {
				return err
			}
		}
		if err := indexTx(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "contact.updated", EntityType: "contact", EntityID: id, Changes: changes}); err != nil {
			return err
		}
		return s.outbox.Publish(ctx, tx, events.ContactUpdated, map[string]any{"contact_id": id, "changes": keys(changes)})
	})
	if err != nil {
		return Contact{}, err
	}
	return s.Get(ctx, id)
}

func keys(m map[string]audit.Change) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
