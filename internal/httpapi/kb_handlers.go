package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/helpcenter"
	"github.com/kesherdesk/kesher/internal/kb"
)

// --- knowledge base (docs/knowledge.md, "Knowledge base")

func (a *API) listKBCategories(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	cs, err := a.svc.KB.Categories(r.Context())
	return list(w, r, cs, err)
}

func (a *API) createKBCategory(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return write(w, r, http.StatusCreated, a.svc.KB.CreateCategory)
}

func (a *API) getKBCategory(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.KB.Category)
}

func (a *API) updateKBCategory(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return writeID(w, r, a.svc.KB.UpdateCategory)
}

func (a *API) deleteKBCategory(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return deleteID(w, r, a.svc.KB.DeleteCategory)
}

func (a *API) listKBSections(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "category_id"); err != nil {
		return err
	}
	cat, err := queryInt(r, "category_id")
	if err != nil {
		return err
	}
	ss, err := a.svc.KB.Sections(r.Context(), cat)
	return list(w, r, ss, err)
}

func (a *API) createKBSection(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return write(w, r, http.StatusCreated, a.svc.KB.CreateSection)
}

func (a *API) getKBSection(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.KB.Section)
}

func (a *API) updateKBSection(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return writeID(w, r, a.svc.KB.UpdateSection)
}

func (a *API) deleteKBSection(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return deleteID(w, r, a.svc.KB.DeleteSection)
}

// writeID decodes a JSON body and calls fn with the {id} in the path.
func writeID[In, Out any](w http.ResponseWriter, r *http.Request, fn func(ctx context.Context, id int64, in In) (Out, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in In) (Out, error) { return fn(ctx, id, in) })
}

// deleteID calls fn with the {id} in the path and answers 204.
func deleteID(w http.ResponseWriter, r *http.Request, fn func(ctx context.Context, id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := fn(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listKBArticles answers {"data": [...], "next_cursor"}, newest update first.
func (a *API) listKBArticles(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "lang", "section_id", "status", "visibility", "q", "cursor", "limit"); err != nil {
		return err
	}
	q := r.URL.Query()
	p := kb.ListParams{Language: q.Get("lang"), Status: q.Get("status"), Visibility: q.Get("visibility"), Q: q.Get("q"), Cursor: q.Get("cursor")}
	var err error
	if p.SectionID, err = queryInt(r, "section_id"); err != nil {
		return err
	}
	n, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	p.Limit = int(n)
	res, err := a.svc.KB.Articles(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) createKBArticle(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in kb.ArticleInput) (kb.Article, error) {
		return a.svc.KB.CreateArticle(ctx, actorOf(p), in)
	})
}

func (a *API) getKBArticle(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return read(w, r, a.svc.KB.Article)
}

func (a *API) updateKBArticle(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return writeID(w, r, func(ctx context.Context, id int64, in kb.ArticlePatch) (kb.Article, error) {
		return a.svc.KB.UpdateArticle(ctx, actorOf(p), id, in)
	})
}

func (a *API) deleteKBArticle(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return deleteID(w, r, func(ctx context.Context, id int64) error { return a.svc.KB.DeleteArticle(ctx, actorOf(p), id) })
}

func (a *API) publishKBArticle(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return read(w, r, func(ctx context.Context, id int64) (kb.Article, error) {
		return a.svc.KB.SetStatus(ctx, actorOf(p), id, kb.StatusPublished)
	})
}

func (a *API) unpublishKBArticle(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return read(w, r, func(ctx context.Context, id int64) (kb.Article, error) {
		return a.svc.KB.SetStatus(ctx, actorOf(p), id, kb.StatusDraft)
	})
}

func (a *API) listKBVersions(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	vs, err := a.svc.KB.Versions(r.Context(), id)
	return list(w, r, vs, err)
}

func (a *API) getKBVersion(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := pathID(r, "v")
	if err != nil {
		return err
	}
	out, err := a.svc.KB.Version(r.Context(), id, int(v))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// diffKBArticle answers the line diff between versions from and to
// (defaults: the previous and the current version).
func (a *API) diffKBArticle(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "from", "to"); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	art, err := a.svc.KB.Article(r.Context(), id)
	if err != nil {
		return err
	}
	version := func(name string, def int) (int, error) {
		v := r.URL.Query().Get(name)
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > art.Version {
			return 0, errs.Invalid(name, "out_of_range", "%s must be a version between 1 and %d", name, art.Version)
		}
		return n, nil
	}
	from, err := version("from", max(1, art.Version-1))
	if err != nil {
		return err
	}
	to, err := version("to", art.Version)
	if err != nil {
		return err
	}
	d, err := a.svc.KB.Diff(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// kbPreview is the body of POST /kb/preview and its answer.
type kbPreview struct {
	BodyMarkdown string `json:"body_markdown"`
}

type kbPreviewResult struct {
	HTML string `json:"html"`
}

// previewKB renders Markdown as an article would be rendered (sanitized).
func (a *API) previewKB(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return write(w, r, http.StatusOK, func(_ context.Context, in kbPreview) (kbPreviewResult, error) {
		html, err := a.svc.KB.Render(in.BodyMarkdown)
		return kbPreviewResult{HTML: html}, err
	})
}

func (a *API) getKBSettings(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	st, err := a.svc.KB.Settings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) putKBSettings(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	return write(w, r, http.StatusOK, a.svc.KB.UpdateSettings)
}

// Help center rate limits per client IP, per minute: every page, and the
// posts (votes and the contact form).
const (
	helpPageRate = 120
	helpPostRate = 10
)

// HelpCenter serves the public help center of site at /help (mounted by
// internal/app outside /api), rate-limited per client IP (helpPageRate a
// minute, helpPostRate for votes and the contact form).
func (a *API) HelpCenter(site *helpcenter.Site) http.Handler {
	return site.Handler(helpcenter.HandlerOptions{SecureCookies: a.opts.SecureCookies,
		Allow: func(r *http.Request, bucket string) bool {
			ip := clientIP(r, a.opts.TrustProxy)
			if bucket == "post" {
				return a.helpPosts.allow("help-post:" + ip)
			}
			return a.helpPages.allow("help-ip:" + ip)
		}})
}
