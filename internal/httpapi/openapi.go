package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/kesherdesk/kesher/internal/auth"
)

// openAPIDoc is the OpenAPI 3.1 description of API v1. TestOpenAPIMatchesRoutes
// keeps it and the route table in step.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPIDocument returns the embedded OpenAPI 3.1 document.
func OpenAPIDocument() []byte { return openAPIDoc }

func (a *API) openAPI(w http.ResponseWriter, _ *http.Request, _ *auth.Principal) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(openAPIDoc)
	return err
}
