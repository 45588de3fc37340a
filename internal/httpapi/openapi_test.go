package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kesherdesk/kesher/internal/agent"
	"github.com/kesherdesk/kesher/internal/attachment"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/automation"
	"github.com/kesherdesk/kesher/internal/canned"
	"github.com/kesherdesk/kesher/internal/channel/email"
	"github.com/kesherdesk/kesher/internal/commerce"
	"github.com/kesherdesk/kesher/internal/commerce/compensation"
	"github.com/kesherdesk/kesher/internal/commerce/credit"
	"github.com/kesherdesk/kesher/internal/commerce/lateness"
	"github.com/kesherdesk/kesher/internal/commerce/overview"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/conversation"
	"github.com/kesherdesk/kesher/internal/errs"
	"github.com/kesherdesk/kesher/internal/inbox"
	"github.com/kesherdesk/kesher/internal/kb"
	"github.com/kesherdesk/kesher/internal/notification"
	"github.com/kesherdesk/kesher/internal/page"
	"github.com/kesherdesk/kesher/internal/report"
	"github.com/kesherdesk/kesher/internal/report/roi"
	"github.com/kesherdesk/kesher/internal/rules"
	"github.com/kesherdesk/kesher/internal/sla"
	"github.com/kesherdesk/kesher/internal/sla/policy"
	"github.com/kesherdesk/kesher/internal/survey"
	"github.com/kesherdesk/kesher/internal/tag"
	"github.com/kesherdesk/kesher/internal/view"
)

// openAPIMethods are the OpenAPI path item keys that hold operations.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	return doc
}

func openAPIRoutes(t *testing.T) []Route {
	t.Helper()
	a, err := New(Services{}, Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a.Routes()
}

// openAPIOperation is one documented operation.
type openAPIOperation struct {
	path, method string
	op           map[string]any
	item         map[string]any // the path item, for path-level parameters
}

func openAPIOperations(t *testing.T, doc map[string]any) []openAPIOperation {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal(`"paths" is missing or not an object`)
	}
	var ops []openAPIOperation
	for path, v := range paths {
		item, ok := v.(map[string]any)
		if !ok {
			t.Errorf("paths[%q] is not an object", path)
			continue
		}
		for _, m := range openAPIMethods {
			if o, ok := item[m]; ok {
				op, ok := o.(map[string]any)
				if !ok {
					t.Errorf("paths[%q].%s is not an object", path, m)
					continue
				}
				ops = append(ops, openAPIOperation{path: path, method: m, op: op, item: item})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].path != ops[j].path {
			return ops[i].path < ops[j].path
		}
		return ops[i].method < ops[j].method
	})
	return ops
}

// TestOpenAPIMatchesRoutes checks that the embedded OpenAPI document and the
// route table describe the same endpoints, with sound operations.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1") {
		t.Errorf(`"openapi" is %q, want 3.1.x`, v)
	}
	routes := openAPIRoutes(t)
	if len(routes) == 0 {
		t.Fatal("the route table is empty")
	}
	paths, _ := doc["paths"].(map[string]any)

	// Every route is documented.
	routeByKey := map[string]Route{}
	for _, rt := range routes {
		key := strings.ToLower(rt.Method) + " " + rt.Pattern
		routeByKey[key] = rt
		item, ok := paths[rt.Pattern].(map[string]any)
		if !ok {
			t.Errorf("route %s %s: no paths[%q] in openapi.json", rt.Method, rt.Pattern, rt.Pattern)
			continue
		}
		if _, ok := item[strings.ToLower(rt.Method)].(map[string]any); !ok {
			t.Errorf("route %s %s: no operation paths[%q].%s in openapi.json", rt.Method, rt.Pattern, rt.Pattern, strings.ToLower(rt.Method))
		}
	}

	ids := map[string]string{}
	for _, o := range openAPIOperations(t, doc) {
		name := strings.ToUpper(o.method) + " " + o.path

		// A unique operationId.
		id, _ := o.op["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", name)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s and %s share operationId %q", prev, name, id)
		} else {
			ids[id] = name
		}

		// At least one 2xx response.
		responses, _ := o.op["responses"].(map[string]any)
		has2xx := false
		for code := range responses {
			if len(code) == 3 && code[0] == '2' {
				has2xx = true
			}
		}
		if !has2xx {
			t.Errorf("%s documents no 2xx response", name)
		}

		// No documented operation without a route.
		rt, ok := routeByKey[o.method+" "+o.path]
		if !ok {
			t.Errorf("%s is documented but not in the route table", name)
			continue
		}

		// Security: public routes opt out with security: [], the others
		// must not.
		sec, hasSec := o.op["security"]
		list, isList := sec.([]any)
		emptySec := hasSec && isList && len(list) == 0
		switch {
		case rt.Public && !emptySec:
			t.Errorf("%s is public but does not declare security: []", name)
		case !rt.Public && emptySec:
			t.Errorf("%s requires authentication but declares security: []", name)
		}
	}
	if len(ids) == 0 {
		t.Error("openapi.json documents no operations")
	}
}

// TestOpenAPIGlobalSecurity checks the security schemes and that the document
// requires a bearer token or the session cookie by default.
func TestOpenAPIGlobalSecurity(t *testing.T) {
	doc := loadOpenAPI(t)
	components, _ := doc["components"].(map[string]any)
	schemes, _ := components["securitySchemes"].(map[string]any)
	bearer, _ := schemes["bearerAuth"].(map[string]any)
	if bearer["type"] != "http" || !strings.EqualFold(asString(bearer["scheme"]), "bearer") {
		t.Errorf("securitySchemes.bearerAuth = %v, want an http bearer scheme", bearer)
	}
	cookie, _ := schemes["cookieAuth"].(map[string]any)
	if cookie["type"] != "apiKey" || cookie["in"] != "cookie" || cookie["name"] != SessionCookie {
		t.Errorf("securitySchemes.cookieAuth = %v, want an apiKey in cookie %s", cookie, SessionCookie)
	}
	global, _ := doc["security"].([]any)
	found := map[string]bool{}
	for _, req := range global {
		r, _ := req.(map[string]any)
		if len(r) == 0 {
			t.Errorf("global security holds an empty requirement %v, which would make every operation public", req)
		}
		for name := range r {
			found[name] = true
		}
	}
	if !found["bearerAuth"] || !found["cookieAuth"] {
		t.Errorf("global security = %v, want alternatives bearerAuth and cookieAuth", global)
	}
}

// TestOpenAPIPermissionsAndParameters checks that each operation names the
// permission from the route table and declares its path parameters.
func TestOpenAPIPermissionsAndParameters(t *testing.T) {
	doc := loadOpenAPI(t)
	paths, _ := doc["paths"].(map[string]any)
	placeholder := regexp.MustCompile(`\{([^}]+)\}`)
	for _, rt := range openAPIRoutes(t) {
		item, _ := paths[rt.Pattern].(map[string]any)
		op, _ := item[strings.ToLower(rt.Method)].(map[string]any)
		if op == nil {
			continue // reported by TestOpenAPIMatchesRoutes
		}
		name := rt.Method + " " + rt.Pattern
		if rt.Perm != "" {
			if want := "Requires " + string(rt.Perm); !strings.Contains(asString(op["description"]), want) {
				t.Errorf("%s: description does not say %q", name, want)
			}
		}
		declared := map[string]bool{}
		for _, list := range []any{item["parameters"], op["parameters"]} {
			ps, _ := list.([]any)
			for _, p := range ps {
				pm := resolveRef(doc, p)
				if pm["in"] == "path" {
					declared[asString(pm["name"])] = true
				}
			}
		}
		for _, m := range placeholder.FindAllStringSubmatch(rt.Pattern, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: path parameter %q is not declared", name, m[1])
			}
		}
	}
}

// TestOpenAPIRefsResolve walks the whole document and checks that every
// $ref points at an existing component.
func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	n := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"]; ok {
				n++
				s, _ := r.(string)
				if !strings.HasPrefix(s, "#/components/") {
					t.Errorf("%s: $ref %q does not point into #/components/", path, s)
				} else if lookupPointer(doc, s) == nil {
					t.Errorf("%s: $ref %q does not resolve", path, s)
				}
			}
			for k, e := range x {
				walk(path+"/"+k, e)
			}
		case []any:
			for i, e := range x {
				walk(path+"/"+itoa(i), e)
			}
		}
	}
	walk("#", doc)
	if n == 0 {
		t.Error("the document holds no $ref at all")
	}
}

// TestOpenAPIServed checks that GET /api/v1/openapi.json serves the
// embedded document without credentials.
func TestOpenAPIServed(t *testing.T) {
	a, err := New(Services{}, Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: status %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if rec.Body.String() != string(OpenAPIDocument()) {
		t.Error("the served document differs from the embedded one")
	}
}

// openAPISchemaTypes pairs component schemas with the Go types whose JSON
// they describe.
var openAPISchemaTypes = map[string]any{
	"Problem":             Problem{},
	"FieldError":          errs.FieldError{},
	"LoginInput":          loginRequest{},
	"Me":                  meResponse{},
	"MePatch":             mePatch{},
	"Token":               auth.Token{},
	"TokenInput":          tokenRequest{},
	"TokenCreated":        tokenResponse{},
	"RequesterSummary":    conversation.Requester{},
	"Conversation":        conversation.Conversation{},
	"RequesterInput":      conversation.RequesterInput{},
	"MessageInput":        conversation.MessageInput{},
	"ConversationInput":   conversation.CreateInput{},
	"ConversationPatch":   conversation.Patch{},
	"Attachment":          attachment.Attachment{},
	"Message":             conversation.Message{},
	"ConversationCreated": createConversationResponse{},
	"MessageCreated":      createMessageResponse{},
	"AuditActor":          audit.Actor{},
	"AuditChange":         audit.Change{},
	"AuditEntry":          audit.Entry{},
	"Contact":             contact.Contact{},
	"ContactInput":        contact.Input{},
	"ContactPatch":        contact.Patch{},
	"Organization":        contact.Organization{},
	"OrganizationInput":   contact.OrganizationInput{},
	"OrganizationPatch":   contact.OrganizationPatch{},
	"Agent":               agent.Agent{},
	"AgentInput":          agent.Input{},
	"AgentPatch":          agent.Patch{},
	"Team":                agent.Team{},
	"TeamInput":           agent.TeamInput{},
	"TeamPatch":           agent.TeamPatch{},
	"Inbox":               inbox.Inbox{},
	"InboxInput":          inbox.Input{},
	"InboxPatch":          inbox.Patch{},
	"Tag":                 tag.Tag{},
	"TagInput":            tagInput{},
	"TagPatch":            tagPatch{},
	"ConversationPage":    page.Result[conversation.Conversation]{},
	"ContactPage":         page.Result[contact.Contact]{},
	"OrganizationPage":    page.Result[contact.Organization]{},

	"ConversationFilters":       conversation.Filters{},
	"View":                      view.View{},
	"ViewInput":                 view.Input{},
	"ViewPatch":                 view.Patch{},
	"ViewCounts":                view.Counts{},
	"CannedResponse":            canned.Response{},
	"CannedResponseInput":       canned.Input{},
	"CannedResponsePatch":       canned.Patch{},
	"RenderedCannedResponse":    renderResponse{},
	"MacroAction":               canned.Action{},
	"MacroInput":                macroRequest{},
	"MacroResult":               macroResponse{},
	"Notification":              notification.Notification{},
	"NotificationList":          notificationList{},
	"NotificationReadInput":     markReadRequest{},
	"ContactMergeInput":         mergeRequest{},
	"PasswordResetInput":        passwordResetRequest{},
	"PasswordResetConfirmInput": passwordResetConfirm{},
	"ServerCheck":               inbox.ServerCheck{},
	"InboxConnectionReport":     inbox.ConnectionReport{},
	"InboundMailResult":         email.Result{},

	"AutomationRule":        rules.Rule{},
	"AutomationRuleInput":   rules.Input{},
	"AutomationRulePatch":   rules.Patch{},
	"AutomationRuleReorder": rules.ReorderInput{},
	"AutomationCondition":   automation.Condition{},
	"AutomationConditions":  automation.Conditions{},
	"AutomationAction":      automation.Action{},
	"AutomationDryRun":      rules.DryRunResult{},
	"AutomationDryRunMatch": rules.DryRunMatch{},
	"CalendarInterval":      sla.Interval{},
	"CalendarDay":           sla.Day{},
	"Calendar":              sla.Calendar{},
	"LatenessSettings":      lateness.Settings{},
	"LatenessScanReport":    lateness.ScanReport{},
	// Surveys (docs/reports.md).
	"SurveySettings":        survey.Settings{},
	"SurveySettingsInput":   survey.SettingsInput{},
	"SurveyResponse":        survey.Response{},
	"NPSSegment":            survey.Segment{},
	"NPSCampaign":           survey.Campaign{},
	"NPSCampaignInput":      survey.CampaignInput{},
	"FeedbackImportResult":  survey.ImportResult{},
	"CalendarInput":         sla.CalendarInput{},
	"CalendarPatch":         sla.CalendarPatch{},
	"CalendarList":          itemsResponse[sla.Calendar]{},
	"CalendarDays":          itemsResponse[sla.Day]{},
	"CalendarDue":           dueResponse{},
	"CalendarBetween":       betweenResponse{},
	"SLATarget":             policy.Target{},
	"SLATargets":            sla.Targets{},
	"SLAConditions":         policy.Conditions{},
	"SLAAction":             sla.Action{},
	"SLAPolicy":             sla.Policy{},
	"SLAPolicyInput":        sla.PolicyInput{},
	"SLAPolicyPatch":        sla.PolicyPatch{},
	"SLAPolicyList":         itemsResponse[sla.Policy]{},
	"SLAPolicyOrder":        sla.ReorderInput{},
	"ConversationSLATarget": sla.TargetView{},
	"ConversationSLA":       sla.ConversationSLA{},
	// Orders and the customer 360.
	"Order":              commerce.Order{},
	"OrderItem":          commerce.Item{},
	"OrderEvent":         commerce.Event{},
	"OrderDetail":        commerce.OrderDetail{},
	"OrderPage":          page.Result[commerce.Order]{},
	"OrderUpsert":        commerce.UpsertInput{},
	"CarrierStatusInput": commerce.CarrierInput{},
	"OrderImportResult":  commerce.ImportResult{},
	"ShopSettings":       commerce.ShopSettings{},
	"ShopSettingsInput":  commerce.ShopSettingsInput{},
	"ShopWebhookResult":  webhookResult{},
	"Money":              overview.Money{},
	"ContactOverview":    overview.Overview{},
	// Compensation and the credit ledger.
	"CompensationPolicy":        compensation.Policy{},
	"CompensationTier":          compensation.Tier{},
	"CompensationRepeat":        compensation.Repeat{},
	"CompensationPolicyVersion": credit.PolicyVersion{},
	"CompensationQuote":         credit.Quote{},
	"CompensationGrantInput":    credit.GrantInput{},
	"CompensationGrantResult":   credit.GrantResult{},
	"CompensationRequest":       credit.Request{},
	"LedgerEntry":               credit.Entry{},
	"AuthorityLimit":            credit.Limit{},
	"AuthorityLimitUse":         credit.LimitUse{},
	"Authority":                 credit.Authority{},
	"LedgerExportSettings":      credit.ExportSettings{},
	"LedgerExportSettingsInput": credit.ExportSettingsInput{},
	"LedgerSum":                 credit.Sum{},
	"LedgerSummary":             credit.Summary{},
	"ReportSummary":             report.Summary{},
	"ReportSeries":              report.Series{},
	"ReportHeatCell":            report.HeatCell{},
	"ReportBreakdown":           report.Breakdown{},
	"ReportTagCount":            report.TagCount{},
	"ReportCustomers":           report.Customers{},
	"ReportCLVCurrency":         report.CLVCurrency{},
	"ReportFeedbackRow":         report.FeedbackRow{},
	"ROIPeriod":                 roi.Period{},
	"ROIOutputs":                roi.Outputs{},
	"ROIMovement":               roi.Movement{},
	"ROIKPI":                    roi.KPI{},
	"KBCategory":                kb.Category{},
	"KBSection":                 kb.Section{},
	"KBGroupInput":              kb.GroupInput{},
	"KBTranslation":             kb.Translation{},
	"KBArticle":                 kb.Article{},
	"KBArticlePage":             page.Result[kb.Article]{},
	"KBArticleInput":            kb.ArticleInput{},
	"KBArticlePatch":            kb.ArticlePatch{},
	"KBVersion":                 kb.Version{},
	"KBDiffLine":                kb.DiffLine{},
	"KBDiff":                    kb.Diff{},
	"KBSettings":                kb.Settings{},
	"KBSettingsInput":           kb.SettingsInput{},
	"KBPreview":                 kbPreview{},
	"KBPreviewResult":           kbPreviewResult{},
}

// TestOpenAPISchemasMatchGoTypes checks that each component schema lists
// exactly the JSON fields of its Go type, so a field added to or removed
// from a struct shows up here.
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	for name, v := range openAPISchemaTypes {
		schema, ok := schemas[name]
		if !ok {
			t.Errorf("components.schemas.%s is missing", name)
			continue
		}
		got := map[string]bool{}
		schemaProperties(doc, schema, got)
		want := map[string]bool{}
		jsonFieldNames(reflect.TypeOf(v), want)
		for f := range want {
			if !got[f] {
				t.Errorf("components.schemas.%s lacks property %q of %T", name, f, v)
			}
		}
		for f := range got {
			if !want[f] {
				t.Errorf("components.schemas.%s has property %q, which %T does not have", name, f, v)
			}
		}
	}
}

// schemaProperties collects the property names of a schema, following
// $ref and allOf.
func schemaProperties(doc map[string]any, schema any, into map[string]bool) {
	s := resolveRef(doc, schema)
	if s == nil {
		return
	}
	props, _ := s["properties"].(map[string]any)
	for p := range props {
		into[p] = true
	}
	all, _ := s["allOf"].([]any)
	for _, sub := range all {
		schemaProperties(doc, sub, into)
	}
}

// jsonFieldNames collects the names encoding/json uses for t's fields,
// flattening embedded structs and skipping json:"-".
func jsonFieldNames(t reflect.Type, into map[string]bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tagName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tagName == "-" {
			continue
		}
		if f.Anonymous && tagName == "" && f.Type.Kind() == reflect.Struct {
			jsonFieldNames(f.Type, into)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if tagName == "" {
			tagName = f.Name
		}
		into[tagName] = true
	}
}

// lookupPointer resolves a local JSON pointer ("#/a/b") in doc; nil when it
// does not exist.
func lookupPointer(doc map[string]any, ref string) any {
	var cur any = doc
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[tok]; !ok {
			return nil
		}
	}
	return cur
}

// resolveRef follows a $ref (if v is one) and returns the object.
func resolveRef(doc map[string]any, v any) map[string]any {
	m, _ := v.(map[string]any)
	for i := 0; i < 10 && m != nil; i++ {
		r, ok := m["$ref"].(string)
		if !ok {
			break
		}
		m, _ = lookupPointer(doc, r).(map[string]any)
	}
	return m
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
