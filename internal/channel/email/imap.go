package email

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/mailer"
)

// IMAPOptions configure the IMAP poller. Zero values take the defaults.
type IMAPOptions struct {
	PollInterval time.Duration // between checks when the server has no IDLE (60 s)
	IdleMax      time.Duration // longest IDLE before checking anyway (10 min)
	Rescan       time.Duration // how often the inbox list is reread (1 min)
	MinBackoff   time.Duration // first wait after an error (5 s), doubled up to MaxBackoff
	MaxBackoff   time.Duration // (10 min)
	Timeout      time.Duration // dial, login and each command (1 min)
	// TLSConfig, when set, is used for TLS and STARTTLS (tests).
	TLSConfig *tls.Config
}

func (o *IMAPOptions) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.PollInterval, time.Minute)
	def(&o.IdleMax, 10*time.Minute)
	def(&o.Rescan, time.Minute)
	def(&o.MinBackoff, 5*time.Second)
	def(&o.MaxBackoff, 10*time.Minute)
	def(&o.Timeout, time.Minute)
}

// RunIMAP polls the IMAP server of every enabled email inbox whose
// settings name one, until ctx ends: one worker per inbox, restarted when
// its settings change and stopped when the inbox is disabled or its IMAP
// settings removed.
func (s *Service) RunIMAP(ctx context.Context, opts IMAPOptions) error {
	opts.defaults()
	type worker struct {
		cfg    inbox.IMAPServer
		cancel context.CancelFunc
	}
	workers := map[int64]*worker{}
	var wg sync.WaitGroup
	defer func() {
		for _, w := range workers {
			w.cancel()
		}
		wg.Wait()
	}()
	t := time.NewTicker(opts.Rescan)
	defer t.Stop()
	for {
		boxes, err := s.inboxes.List(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("email: imap: list inboxes", "error", err)
		}
		want := map[int64]inbox.IMAPServer{}
		for _, b := range boxes {
			if b.Channel != inbox.ChannelEmail || !b.Enabled {
				continue
			}
			cfg, ok, err := s.inboxes.IMAP(ctx, b.ID)
			if err != nil {
				s.log.Error("email: imap settings", "inbox_id", b.ID, "error", err)
				continue
			}
			if ok {
				want[b.ID] = cfg
			}
		}
		for id, w := range workers {
			if cfg, ok := want[id]; !ok || cfg != w.cfg {
				w.cancel()
				delete(workers, id)
			}
		}
		for id, cfg := range want {
			if _, ok := workers[id]; ok {
				continue
			}
			wctx, cancel := context.WithCancel(ctx)
			workers[id] = &worker{cfg: cfg, cancel: cancel}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.pollLoop(wctx, id, cfg, opts)
			}()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// pollLoop keeps one inbox's IMAP session going, with exponential backoff
// after errors.
func (s *Service) pollLoop(ctx context.Context, inboxID int64, cfg inbox.IMAPServer, opts IMAPOptions) {
	backoff := opts.MinBackoff
	for ctx.Err() == nil {
		start := time.Now()
		err := s.imapSession(ctx, inboxID, cfg, opts, true)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > 2*opts.MaxBackoff {
			backoff = opts.MinBackoff // it ran fine for a while
		}
		s.log.Warn("email: imap session ended", "inbox_id", inboxID, "host", cfg.Host, "error", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, opts.MaxBackoff)
	}
}

// PollIMAP connects once to inbox inboxID's IMAP server, ingests the mail
// that arrived since the last poll and logs out, returning how many mails
// were handed to Ingest. Errors: *errs.ValidationError when the inbox has
// no IMAP settings; connection and database errors.
func (s *Service) PollIMAP(ctx context.Context, inboxID int64, opts IMAPOptions) (int, error) {
	opts.defaults()
	cfg, ok, err := s.inboxes.IMAP(ctx, inboxID)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errs.Invalid("settings.imap", "required", "inbox %d has no IMAP server", inboxID)
	}
	c, err := dialIMAP(ctx, cfg, opts, nil)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	n, err := s.fetchNew(ctx, c, inboxID, cfg)
	if err != nil {
		return n, err
	}
	return n, c.Logout().Wait()
}

// imapSession connects, then fetches new mail, waits (IDLE when the
// server has it, else PollInterval) and fetches again until ctx ends or an
// error.
func (s *Service) imapSession(ctx context.Context, inboxID int64, cfg inbox.IMAPServer, opts IMAPOptions, loop bool) error {
	wake := make(chan struct{}, 1)
	handler := &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
		if d.NumMessages != nil {
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	}}
	c, err := dialIMAP(ctx, cfg, opts, handler)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	for {
		if _, err := s.fetchNew(ctx, c, inboxID, cfg); err != nil {
			return err
		}
		if !loop {
			return c.Logout().Wait()
		}
		if c.Caps().Has(imap.CapIdle) || c.Caps().Has(imap.CapIMAP4rev2) {
			idle, err := c.Idle()
			if err != nil {
				return fmt.Errorf("idle: %w", err)
			}
			select {
			case <-ctx.Done():
			case <-wake:
			case <-time.After(opts.IdleMax):
			}
			if err := idle.Close(); err != nil {
				return fmt.Errorf("idle: %w", err)
			}
			if err := idle.Wait(); err != nil {
				return fmt.Errorf("idle: %w", err)
			}
		} else {
			select {
			case <-ctx.Done():
			case <-time.After(opts.PollInterval):
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// dialIMAP connects with TLS as configured and logs in.
func dialIMAP(ctx context.Context, cfg inbox.IMAPServer, opts IMAPOptions, h *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	d := net.Dialer{Timeout: opts.Timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	tlsConfig := opts.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	copts := &imapclient.Options{TLSConfig: tlsConfig, UnilateralDataHandler: h}
	var c *imapclient.Client
	_ = conn.SetDeadline(time.Now().Add(opts.Timeout))
	switch cfg.TLS {
	case mailer.TLSNone:
		c = imapclient.New(conn, copts)
	case mailer.TLSStartTLS:
		if c, err = imapclient.NewStartTLS(conn, copts); err != nil {
			conn.Close()
			return nil, fmt.Errorf("STARTTLS with %s: %w", addr, err)
		}
	default:
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS with %s: %w", addr, err)
		}
		c = imapclient.New(tc, copts)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("greeting from %s: %w", addr, err)
	}
	if err := c.Login(cfg.Username, cfg.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login to %s as %q: %w", addr, cfg.Username, err)
	}
	_ = conn.SetDeadline(time.Time{})
	return c, nil
}

// fetchNew selects the folder and ingests messages with a UID above the
// stored last UID (the first time, only unseen messages) (all of them again when UIDVALIDITY changed: dedupe
// keeps them from being added twice), marking each as processed and
// saving the last UID after each one, so a restart resumes where it
// stopped.
func (s *Service) fetchNew(ctx context.Context, c *imapclient.Client, inboxID int64, cfg inbox.IMAPServer) (int, error) {
	sel, err := c.Select(cfg.Folder, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("select %q: %w", cfg.Folder, err)
	}
	var validity, last int64
	err = s.db.R().QueryRow(ctx, `SELECT uid_validity, last_uid FROM imap_state WHERE inbox_id = ? AND folder = ?`, inboxID, cfg.Folder).
		Scan(&validity, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	// The first time, mail already read in the folder is history, not new:
	// only unseen mail is taken.
	firstRun := err != nil
	if err == nil && validity != int64(sel.UIDValidity) {
		s.log.Warn("email: imap UIDVALIDITY changed; fetching the folder again", "inbox_id", inboxID, "folder", cfg.Folder,
			"old", validity, "new", sel.UIDValidity)
		last = 0
	}
	if err := s.saveIMAPState(ctx, inboxID, cfg.Folder, int64(sel.UIDValidity), last); err != nil {
		return 0, err
	}
	if sel.NumMessages == 0 {
		return 0, nil
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(last+1), 0) // last+1:*
	criteria := &imap.SearchCriteria{UID: []imap.UIDSet{set}}
	if firstRun {
		criteria.NotFlag = []imap.Flag{imap.FlagSeen}
	}
	found, err := c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("search: %w", err)
	}
	var uids []imap.UID
	for _, u := range found.AllUIDs() {
		if int64(u) > last { // "n:*" always matches the highest message
			uids = append(uids, u)
		}
	}
	n := 0
	section := &imap.FetchItemBodySection{Peek: true}
	for _, uid := range uids {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return n, fmt.Errorf("fetch uid %d: %w", uid, err)
		}
		if len(msgs) == 1 {
			raw := msgs[0].FindBodySection(section)
			res, err := s.Ingest(ctx, inboxID, raw, SourceIMAP)
			var verr *errs.ValidationError
			if errors.As(err, &verr) {
				s.log.Warn("email: imap mail refused", "inbox_id", inboxID, "uid", uid, "error", err)
			} else if err != nil {
				return n, err
			} else {
				n++
				s.log.Info("email: received by imap", "inbox_id", inboxID, "uid", uid, "raw_id", res.RawID, "status", res.Status)
			}
			if err := markProcessed(c, uid, cfg.Processed); err != nil {
				return n, err
			}
		}
		if err := s.saveIMAPState(ctx, inboxID, cfg.Folder, int64(sel.UIDValidity), int64(uid)); err != nil {
			return n, err
		}
	}
	return n, nil
}

// markProcessed applies the inbox's "processed" setting to a message.
func markProcessed(c *imapclient.Client, uid imap.UID, processed string) error {
	set := imap.UIDSetNum(uid)
	var err error
	switch {
	case strings.HasPrefix(processed, "move:") && strings.TrimPrefix(processed, "move:") != "":
		_, err = c.Move(set, strings.TrimPrefix(processed, "move:")).Wait()
	case processed == "flag":
		err = c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen, imap.FlagFlagged}}, nil).Close()
	case processed == "none":
	default:
		err = c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
	}
	if err != nil {
		return fmt.Errorf("mark uid %d processed (%q): %w", uid, processed, err)
	}
	return nil
}

func (s *Service) saveIMAPState(ctx context.Context, inboxID int64, folder string, validity, last int64) error {
	return s.db.WriteTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO imap_state (inbox_id, folder, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (inbox_id, folder) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
			updated_at = excluded.updated_at`, inboxID, folder, validity, last, db.Ms(s.Now()))
		return err
	})
}
