package demo

import "github.com/kesherdesk/kesher/internal/inbox"

// Static tables the demo draws from. They are read-only; every random choice
// among them goes through the seed's own generator.

// name is a name in its own script with a Latin spelling for email addresses.
type name struct{ text, latin string }

var hebrewFirstNames = []name{
	{"נועה", "noa"}, {"תמר", "tamar"}, {"מאיה", "maya"}, {"יעל", "yael"}, {"שירה", "shira"}, {"אביגיל", "avigail"},
	{"רותם", "rotem"}, {"הדר", "hadar"}, {"מיכל", "michal"}, {"ליאור", "lior"}, {"אורית", "orit"}, {"רונית", "ronit"},
	{"דנה", "dana"}, {"ענבל", "inbal"}, {"קרן", "keren"}, {"גלית", "galit"}, {"סיוון", "sivan"}, {"אסתר", "ester"},
	{"רחל", "rachel"}, {"חנה", "hana"}, {"אפרת", "efrat"}, {"הילה", "hila"}, {"שני", "shani"}, {"אושרת", "osherat"},
	{"יוסי", "yossi"}, {"דוד", "david"}, {"משה", "moshe"}, {"אבי", "avi"}, {"איתי", "itai"}, {"עומר", "omer"},
	{"יונתן", "yonatan"}, {"אריאל", "ariel"}, {"נדב", "nadav"}, {"אלון", "alon"}, {"גיל", "gil"}, {"רועי", "roee"},
	{"עידו", "ido"}, {"אורי", "uri"}, {"אליהו", "eliyahu"}, {"שמעון", "shimon"}, {"יעקב", "yaakov"}, {"עמית", "amit"},
	{"רון", "ron"}, {"תומר", "tomer"}, {"מתן", "matan"}, {"נתנאל", "netanel"}, {"אלעד", "elad"}, {"שי", "shai"},
}

var hebrewLastNames = []name{
	{"כהן", "cohen"}, {"לוי", "levi"}, {"מזרחי", "mizrahi"}, {"פרץ", "peretz"}, {"ביטון", "biton"}, {"דהן", "dahan"},
	{"אברהם", "avraham"}, {"פרידמן", "friedman"}, {"אזולאי", "azulay"}, {"מלכה", "malka"}, {"חדד", "hadad"},
	{"גבאי", "gabay"}, {"שפירא", "shapira"}, {"כץ", "katz"}, {"אוחיון", "ohayon"}, {"יוסף", "yosef"}, {"עמר", "amar"},
	{"בן דוד", "bendavid"}, {"רוזנברג", "rosenberg"}, {"גולדשטיין", "goldstein"}, {"שושן", "shoshan"},
	{"אשכנזי", "ashkenazi"}, {"נחום", "nachum"}, {"סעדה", "saada"}, {"חזן", "hazan"}, {"ברק", "barak"},
	{"אלמוג", "almog"}, {"וקנין", "vaknin"}, {"טל", "tal"}, {"קליין", "klein"}, {"זילברמן", "zilberman"}, {"נגר", "nagar"},
}

var englishFirstNames = []string{
	"James", "Emma", "Olivia", "Michael", "Sarah", "David", "Jessica", "Daniel", "Rebecca", "Jonathan", "Hannah",
	"Benjamin", "Rachel", "Joshua", "Leah", "Adam", "Natalie", "Samuel", "Abigail", "Ethan", "Sophie", "Nathan",
	"Chloe", "Aaron", "Megan", "Jacob", "Laura", "Matthew", "Emily", "Ryan", "Anna", "Noah", "Grace", "Lucas", "Ava",
}

var englishLastNames = []string{
	"Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor", "Anderson", "Thomas", "Moore", "Martin",
	"Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Green", "Baker", "Adams", "Nelson", "Carter",
	"Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Collins", "Stewart", "Morris",
	"Goldberg", "Rosen", "Feldman", "Stein", "Segal", "Bloom", "Weiss",
}

// Email domains are reserved for documentation (RFC 2606), so replying to a
// demo conversation on a desk with a real mail server reaches nobody.
var emailDomains = []string{"example.com", "example.net", "example.org", "mail.example", "inbox.example"}

// Israeli mobile prefixes (after +972).
var mobilePrefixes = []string{"50", "52", "53", "54", "55", "58"}

var hebrewCities = []string{"תל אביב", "ירושלים", "חיפה", "באר שבע", "ראשון לציון", "פתח תקווה", "נתניה", "חולון",
	"רמת גן", "אשדוד", "מודיעין", "הרצליה", "כפר סבא", "רחובות"}

// place is where an English-speaking contact lives.
type place struct {
	zone   string
	cities []string
	weight int
	israel bool
}

var englishPlaces = []place{
	{"Asia/Jerusalem", []string{"Tel Aviv", "Jerusalem", "Haifa", "Ra'anana", "Modi'in", "Beit Shemesh"}, 55, true},
	{"Europe/London", []string{"London", "Manchester", "Leeds"}, 20, false},
	{"America/New_York", []string{"New York", "Boston", "Philadelphia"}, 15, false},
	{"America/Los_Angeles", []string{"Los Angeles", "San Francisco"}, 10, false},
}

// organizationDef is a business customer.
type organizationDef struct {
	name, domain, plan string
}

var organizations = []organizationDef{
	{"סטודיו גל לעיצוב", "galstudio.example", "business"},
	{"Blue Harbor Cafe", "blueharbor.example", "business"},
	{"משרד עו\"ד לוינסון ושות'", "levinson-law.example", "business"},
	{"TechNova Ltd.", "technova.example", "enterprise"},
	{"גן ילדים השקד", "hashaked.example", "business"},
}

// agentDef is one agent of the demo desk. Name is in the agent's own
// script; signatures use the first name in the conversation's language.
type agentDef struct {
	name, email, role    string
	first                [2]string // first name in Hebrew and in English
	languages            []string
	capacity             int
	availability, locale string
	teams                []int
	weight               int // share of the team's conversations
}

var agentDefs = []agentDef{
	{"נועה לוי", "noa.levi@kesher.test", "supervisor", [2]string{"נועה", "Noa"}, []string{"he", "en"}, 15, "online", "he", []int{teamGeneral, teamBilling}, 1},
	{"Daniel Cohen", "daniel.cohen@kesher.test", "supervisor", [2]string{"דניאל", "Daniel"}, []string{"en", "he"}, 15, "away", "en", []int{teamShipping}, 1},
	{"מיכל אברהם", "michal.avraham@kesher.test", "agent", [2]string{"מיכל", "Michal"}, []string{"he"}, 25, "online", "he", []int{teamGeneral}, 3},
	{"יוסי מזרחי", "yossi.mizrahi@kesher.test", "agent", [2]string{"יוסי", "Yossi"}, []string{"he", "en"}, 20, "online", "he", []int{teamGeneral, teamShipping}, 3},
	{"Sarah Goldberg", "sarah.goldberg@kesher.test", "agent", [2]string{"שרה", "Sarah"}, []string{"en"}, 20, "online", "en", []int{teamGeneral}, 3},
	{"אורי פרידמן", "uri.friedman@kesher.test", "agent", [2]string{"אורי", "Uri"}, []string{"he"}, 20, "offline", "he", []int{teamBilling}, 3},
	{"Rachel Katz", "rachel.katz@kesher.test", "agent", [2]string{"רחל", "Rachel"}, []string{"en", "he"}, 20, "online", "en", []int{teamBilling}, 3},
	{"עומר ביטון", "omer.biton@kesher.test", "agent", [2]string{"עומר", "Omer"}, []string{"he"}, 25, "online", "he", []int{teamShipping}, 3},
	{"Emily Rosen", "emily.rosen@kesher.test", "agent", [2]string{"אמילי", "Emily"}, []string{"en"}, 20, "away", "en", []int{teamShipping}, 3},
}

// Teams, by index.
const (
	teamGeneral = iota
	teamBilling
	teamShipping
)

// teamDef is a team; supervisor indexes agentDefs; mode is its
// assignment mode (internal/assignment): manual, round_robin or
// load_balanced.
type teamDef struct {
	name, description string
	supervisor        int
	mode              string
}

// Billing balances load and Shipping takes turns, so new conversations
// there are assigned automatically (to online members; skills matching
// the conversation's tags count).
var teamDefs = []teamDef{
	{"תמיכה כללית / General support", "Accounts and sign-in, product questions, complaints.", 0, "manual"},
	{"חיובים / Billing", "Payments, refunds, invoices and double charges.", 0, "load_balanced"},
	{"משלוחים / Shipping", "Deliveries, couriers, damaged and missing items.", 1, "round_robin"},
}

// agentSkills gives a few agents skills (demo tag names), by email, for
// assignment by skill.
var agentSkills = map[string][]string{
	"omer.biton@kesher.test":    {"shipping", "late-delivery", "damaged"},
	"yossi.mizrahi@kesher.test": {"shipping", "return"},
	"rachel.katz@kesher.test":   {"billing", "refund", "double-charge"},
	"noa.levi@kesher.test":      {"billing", "vip"},
}

// Inboxes (and channels), by index.
const (
	inboxEmail = iota
	inboxChat
	inboxAPI
)

// inboxDef is an inbox with its default team.
type inboxDef struct {
	name, channel, address string
	team                   int
	settings               map[string]any
}

var inboxDefs = []inboxDef{
	{"מייל תמיכה / Support email", "email", "support@kesher.test", teamGeneral, map[string]any{"from_name": "Kesher Shop Support"}},
	{"צ'אט באתר / Website chat", "chat", "shop.kesher.test", teamGeneral, map[string]any{"greeting": "היי! איך אפשר לעזור? / Hi! How can we help?"}},
	{"מערכת ההזמנות (API) / Order system (API)", "api", "", teamShipping, map[string]any{"source": "order-system"}},
}

// Demo chat widget and answer bot settings (inbox.Widget,
// inbox.BotSettings). The bot's threshold is the least search confidence
// of an article it offers: 0.4 lets the demo's short articles answer
// questions that share a few words with them without offering unrelated
// ones.
const demoBotThreshold = 0.4

// demoAllowedOrigins are the pages that may embed the demo widget besides
// the desk itself (always allowed): a local development server on any
// port and the demo shop.
var demoAllowedOrigins = []any{"http://localhost:*", "http://127.0.0.1:*", "https://shop.kesher.test"}

// chatSettings returns base with the website chat's widget (a fresh
// token, shown on the help center, always open: the widget is online
// whenever an agent has the app open) and its answer bot.
func chatSettings(base map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	out["widget"] = map[string]any{
		"token":           inbox.NewWidgetToken(),
		"allowed_origins": demoAllowedOrigins,
		"greeting": map[string]any{
			"he": "היי! איך אפשר לעזור? אפשר לשאול כאן כל שאלה על הזמנות, משלוחים והחזרות.",
			"en": "Hi! How can we help? Ask anything about orders, delivery and returns.",
		},
		"color":          "#0f766e",
		"prechat":        map[string]any{"name": inbox.PrechatOptional, "email": inbox.PrechatOptional},
		"business_hours": "",
		"help_center":    true,
	}
	out["bot"] = map[string]any{"enabled": true, "threshold": demoBotThreshold, "max_articles": 3, "handover_team_id": nil}
	return out
}

// tagColors gives the demo's tags a color each.
var tagColors = []struct{ name, color string }{
	{"late-delivery", "#d97706"}, {"shipping", "#0891b2"}, {"refund", "#7c3aed"}, {"return", "#a855f7"},
	{"damaged", "#dc2626"}, {"billing", "#2563eb"}, {"double-charge", "#1d4ed8"}, {"login", "#0d9488"},
	{"account", "#14b8a6"}, {"product-question", "#16a34a"}, {"pre-sale", "#65a30d"}, {"complaint", "#be123c"},
	{"vip", "#ca8a04"}, {"urgent", "#b91c1c"},
}

// product is a catalogue item: Hebrew, English, and English with its
// article ("a blender", "a pair of …").
type product struct{ he, en, enA string }

var products = []product{
	{"אוזניות אלחוטיות", "wireless headphones", "a pair of wireless headphones"},
	{"מכונת קפה", "coffee machine", "a coffee machine"},
	{"שואב אבק רובוטי", "robot vacuum", "a robot vacuum"},
	{"בלנדר", "blender", "a blender"},
	{"מטען נייד", "power bank", "a power bank"},
	{"מנורת שולחן", "desk lamp", "a desk lamp"},
	{"סיר לחץ חשמלי", "electric pressure cooker", "an electric pressure cooker"},
	{"שעון חכם", "smartwatch", "a smartwatch"},
	{"מזוודה", "suitcase", "a suitcase"},
	{"כיסא משרדי", "office chair", "an office chair"},
	{"מייבש שיער", "hair dryer", "a hair dryer"},
	{"רמקול בלוטות'", "Bluetooth speaker", "a Bluetooth speaker"},
	{"מחבת נון-סטיק", "non-stick frying pan", "a non-stick frying pan"},
	{"טוסטר אובן", "toaster oven", "a toaster oven"},
}

var couriers = [][2]string{{"דואר ישראל", "Israel Post"}, {"HFD", "HFD"}, {"צ'יטה משלוחים", "Cheetah Express"}, {"UPS", "UPS"}}

var coupons = []string{"SORRY30", "THANKS50", "KESHER20", "WELCOME-BACK", "ONUS15"}
