package httpapi

import (
	"context"
	"io"
	"mime"
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/survey"
)

// --- surveys (docs/reports.md, "Surveys")

// surveyPageRate is the public survey page requests allowed per client IP
// per minute.
const surveyPageRate = 30

func (a *API) getSurveySettings(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	return read(w, r, a.svc.Surveys.Settings)
}

func (a *API) putSurveySettings(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return write(w, r, http.StatusOK, func(ctx context.Context, in survey.SettingsInput) (survey.Settings, error) {
		return a.svc.Surveys.UpdateSettings(ctx, actorOf(p), id, in)
	})
}

// listSurveyResponses answers {"data": [...], "next_cursor"} newest first.
func (a *API) listSurveyResponses(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r, "kind", "source", "from", "to", "cursor", "limit"); err != nil {
		return err
	}
	q := r.URL.Query()
	p := survey.ListParams{Kind: q.Get("kind"), Source: q.Get("source"), Cursor: q.Get("cursor")}
	var err error
	if p.From, err = queryTime(r, "from"); err != nil {
		return err
	}
	if p.To, err = queryTime(r, "to"); err != nil {
		return err
	}
	n, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	p.Limit = int(n)
	res, err := a.svc.Surveys.Responses(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// importFeedback reads a CSV body (text/csv) and imports it all or nothing.
func (a *API) importFeedback(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "text/csv" && mt != "application/csv") {
		return errs.Invalid("Content-Type", "unsupported", "send the feedback as text/csv (got %q)", r.Header.Get("Content-Type"))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCSVBody))
	if err != nil {
		return jsonError(err)
	}
	res, err := a.svc.Surveys.Import(r.Context(), actorOf(p), bytesReader(body))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) listNPSCampaigns(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	cs, err := a.svc.Surveys.Campaigns(r.Context())
	return list(w, r, cs, err)
}

func (a *API) createNPSCampaign(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return write(w, r, http.StatusCreated, func(ctx context.Context, in survey.CampaignInput) (survey.Campaign, error) {
		return a.svc.Surveys.CreateCampaign(ctx, actorOf(p), in)
	})
}

func (a *API) startNPSCampaign(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return read(w, r, func(ctx context.Context, id int64) (survey.Campaign, error) {
		return a.svc.Surveys.StartCampaign(ctx, actorOf(p), id)
	})
}

func (a *API) pauseNPSCampaign(w http.ResponseWriter, r *http.Request, p *auth.Principal) error {
	return read(w, r, func(ctx context.Context, id int64) (survey.Campaign, error) {
		return a.svc.Surveys.PauseCampaign(ctx, actorOf(p), id)
	})
}

// SurveyPages serves the public survey pages GET/POST /s/{token} (mounted
// by internal/app outside /api), rate-limited per client IP
// (surveyPageRate a minute). Nil when the API has no survey service.
func (a *API) SurveyPages() http.Handler {
	if a.svc.Surveys == nil {
		return nil
	}
	return surveyPages(a.svc.Surveys, func(r *http.Request) bool {
		return a.surveyLimiter.allow("survey-ip:" + clientIP(r, a.opts.TrustProxy))
	}, a.log)
}
