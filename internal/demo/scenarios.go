package demo

// Languages, by index into the [2] arrays of the text tables.
const (
	langHe = 0
	langEn = 1
)

var langCodes = [2]string{"he", "en"}

// story is one variant of a support situation, told consistently from the
// customer's first message to its resolution. Placeholders in braces are
// filled per conversation: {name} (customer's first name), {fullname},
// {agent} (agent's first name), {order}, {product}, {a_product} (with its
// article, English), {amount}, {date} (order date), {days} (days since the
// order), {courier}, {tracking}, {new_tracking}, {ticket}, {coupon},
// {last4} (card) and {phone} (a new phone number).
type story struct {
	subjects []string
	opening  string // the customer's first message
	ask      string // an agent asks for details (the conversation becomes pending)
	answer   string // the customer gives them
	hold     string // internal note: waiting on a third party (on hold)
	fix      string // an agent resolves it
	reopen   string // after the solve, the customer writes again
	refix    string // and an agent resolves that
}

// lines are the stories of one situation in one language, with what agents
// say and note in any of them.
type lines struct {
	stories []story
	acks    []string // an agent is looking into it (no resolution yet)
	notes   []string // internal notes
}

// common are the lines every situation shares, in one language.
type common struct {
	greetings   []string // an agent's email greeting
	signoffs    []string // an agent's email sign-off
	customerEnd []string // the end of a customer's email
	chatIntro   []string // an agent's first chat line
	nudges      []string // a customer asks for an update
	updates     []string // an agent: still waiting, no news yet
	apology     []string // before a second resolution after a reopen
	vipNotes    []string // a supervisor flags a VIP
}

// Paths a conversation takes after the first response.
const (
	pathDirect = iota // resolved in the first reply
	pathAsk           // the agent needs details: pending, the customer answers, resolved
	pathHold          // waiting on a courier, supplier or payment processor: on hold, resolved
	pathTalk          // a back-and-forth, then resolved
)

// scenario is one kind of support situation.
type scenario struct {
	key      string
	weight   int
	tags     []string
	team     int
	priority [4]int // weights of low, normal, high, urgent
	paths    [4]int // weights of pathDirect, pathAsk, pathHold, pathTalk
	channels [3]int // weights of the email, chat and API inboxes
	order    bool   // the situation is about an order (custom field "order")
	text     [2]*lines
}

// scenarios are the situations the demo desk sees, with their share of the
// traffic.
var scenarios = []scenario{
	{key: "late-delivery", weight: 22, tags: []string{"late-delivery", "shipping"}, team: teamShipping,
		priority: [4]int{5, 70, 22, 3}, paths: [4]int{30, 15, 40, 15}, channels: [3]int{50, 30, 20}, order: true,
		text: [2]*lines{&heLate, &enLate}},
	{key: "refund", weight: 16, tags: []string{"refund", "return"}, team: teamBilling,
		priority: [4]int{10, 70, 18, 2}, paths: [4]int{35, 30, 25, 10}, channels: [3]int{60, 20, 20}, order: true,
		text: [2]*lines{&heRefund, &enRefund}},
	{key: "damaged", weight: 12, tags: []string{"damaged", "shipping"}, team: teamShipping,
		priority: [4]int{0, 65, 30, 5}, paths: [4]int{15, 50, 25, 10}, channels: [3]int{60, 20, 20}, order: true,
		text: [2]*lines{&heDamaged, &enDamaged}},
	{key: "double-charge", weight: 12, tags: []string{"billing", "double-charge"}, team: teamBilling,
		priority: [4]int{0, 45, 45, 10}, paths: [4]int{30, 30, 30, 10}, channels: [3]int{70, 30, 0}, order: true,
		text: [2]*lines{&heCharge, &enCharge}},
	{key: "login", weight: 12, tags: []string{"login", "account"}, team: teamGeneral,
		priority: [4]int{20, 65, 13, 2}, paths: [4]int{45, 30, 10, 15}, channels: [3]int{50, 50, 0},
		text: [2]*lines{&heLogin, &enLogin}},
	{key: "product-question", weight: 14, tags: []string{"product-question", "pre-sale"}, team: teamGeneral,
		priority: [4]int{50, 48, 2, 0}, paths: [4]int{60, 15, 10, 15}, channels: [3]int{45, 55, 0},
		text: [2]*lines{&heProduct, &enProduct}},
	{key: "complaint", weight: 12, tags: []string{"complaint"}, team: teamGeneral,
		priority: [4]int{0, 45, 45, 10}, paths: [4]int{35, 15, 30, 20}, channels: [3]int{80, 20, 0}, order: true,
		text: [2]*lines{&heComplaint, &enComplaint}},
}

var commons = [2]*common{&heCommon, &enCommon}
