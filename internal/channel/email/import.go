package email

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// ImportStats counts what an import did. Failed counts mails kept as
// unparseable and mails that could not be stored at all; Ignored counts
// mails kept but not shown (bounces for unknown mail and the like).
type ImportStats struct {
	Imported   int `json:"imported"`
	Duplicates int `json:"duplicates"`
	Failed     int `json:"failed"`
	Ignored    int `json:"ignored"`
}

func (st *ImportStats) add(res Result, err error) {
	switch {
	case err != nil || res.Status == StatusFailed:
		st.Failed++
	case res.Status == StatusDuplicate:
		st.Duplicates++
	case res.Status == StatusIgnored:
		st.Ignored++
	default:
		st.Imported++
	}
}

// Import ingests mail from files into inbox inboxID with source "import":
// each path is an .eml file (one RFC 5322 message), an mbox file (messages
// separated by "From " lines; mboxrd ">From " quoting undone), a Maildir
// folder (the files in its cur/ and new/) or a folder of such files.
// Mail dates backdate the messages. A mail that fails is counted and the
// import goes on; the error returned is for unreadable paths or a database
// failure (with the counts so far).
func (s *Service) Import(ctx context.Context, inboxID int64, paths []string) (ImportStats, error) {
	var st ImportStats
	// Mails are added in order (a reply must find what it answers); the
	// sequence parses the next one while the previous is being stored.
	// Results come back in the same order, so the queue of their paths
	// names each failure's file.
	var mu sync.Mutex
	var queued []string
	seq := s.NewSequence(ctx, inboxID, SourceImport, func(res Result, err error) {
		mu.Lock()
		p := queued[0]
		queued = queued[1:]
		mu.Unlock()
		if err != nil && ctx.Err() == nil {
			s.log.Warn("email: import", "path", p, "error", err)
		}
		st.add(res, err)
	})
	add := func(p string, raw []byte) error {
		mu.Lock()
		queued = append(queued, p)
		mu.Unlock()
		return seq.Add(raw)
	}
	var err error
	for _, p := range paths {
		if err = s.importPath(ctx, p, add, 0); err != nil {
			break
		}
	}
	seq.Close()
	if err == nil {
		err = ctx.Err()
	}
	return st, err
}

func (s *Service) importPath(ctx context.Context, p string, add func(string, []byte) error, depth int) error {
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if fi.IsDir() {
		if depth > 3 {
			return nil
		}
		files, err := mailFiles(p)
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := s.importPath(ctx, f, add, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(5)
	one := func(raw []byte) error {
		if len(bytes.TrimSpace(raw)) == 0 {
			return nil
		}
		return add(p, raw)
	}
	if string(head) == "From " {
		return ReadMbox(br, one)
	}
	raw, err := io.ReadAll(io.LimitReader(br, MaxRawBytes+1))
	if err != nil {
		return fmt.Errorf("import: %s: %w", p, err)
	}
	return one(raw)
}

// mailFiles lists a folder's mail files: a Maildir's cur/ and new/ files,
// else the folder's regular files and subfolders (hidden ones skipped),
// sorted by name.
func mailFiles(dir string) ([]string, error) {
	var out []string
	isMaildir := false
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		isMaildir = true
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				out = append(out, filepath.Join(dir, sub, e.Name()))
			}
		}
	}
	if isMaildir {
		sort.Strings(out)
		return out, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || e.Name() == "tmp" {
			continue
		}
		if e.IsDir() || e.Type().IsRegular() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// mboxFromRE matches an mbox separator: "From " then a sender and a date.
var mboxFromRE = regexp.MustCompile(`^From \S+ +\S+`)

// mboxDatedFromRE matches a separator with the asctime date mbox writers
// put there ("From a@b.c Mon Jan  1 00:00:00 2024", RFC 4155): such a line
// separates messages even without the empty line before it, which some
// writers omit; an unquoted body line is very unlikely to match it.
var mboxDatedFromRE = regexp.MustCompile(`^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{1,2}:\d{2}(:\d{2})? (.* )?\d{4}$`)

// quotedFromRE matches a body line mboxrd quoted (">From ", ">>From ", …).
var quotedFromRE = regexp.MustCompile(`^>+From `)

// ReadMbox splits an mbox stream into messages and calls fn with each (CRLF
// or LF line ends kept as read, the separator line dropped). A separator is
// a "From sender date" line at the start or after an empty line, or one
// with an asctime date anywhere (mboxDatedFromRE); ">From "
// lines have one ">" removed (mboxrd). An error from fn stops the read.
func ReadMbox(r io.Reader, fn func(raw []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var cur bytes.Buffer
	started, prevBlank := false, true
	flush := func() error {
		if !started {
			return nil
		}
		msg := cur.Bytes()
		// The empty line before the next separator belongs to the format.
		msg = bytes.TrimSuffix(msg, []byte("\r\n"))
		msg = bytes.TrimSuffix(msg, []byte("\n"))
		out := make([]byte, len(msg))
		copy(out, msg)
		cur.Reset()
		return fn(out)
	}
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			trimmed := bytes.TrimRight(line, "\r\n")
			switch {
			case prevBlank && mboxFromRE.Match(trimmed) || mboxDatedFromRE.Match(trimmed):
				if ferr := flush(); ferr != nil {
					return ferr
				}
				started = true
			case started:
				if quotedFromRE.Match(trimmed) {
					line = line[1:]
				}
				if cur.Len()+len(line) <= MaxRawBytes {
					cur.Write(line)
				}
			}
			prevBlank = len(trimmed) == 0
		}
		if errors.Is(err, io.EOF) {
			return flush()
		}
		if err != nil {
			return fmt.Errorf("mbox: %w", err)
		}
	}
}
