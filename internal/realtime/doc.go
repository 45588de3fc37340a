// Package realtime pushes live updates to the agent web app over one
// WebSocket per browser tab, GET /api/v1/ws, and tracks which agents are
// viewing and typing in each conversation (collision detection).
//
// # Connecting
//
// The upgrade request authenticates like the REST API: the kesher_session
// cookie (browsers cannot set headers on a WebSocket) or Authorization:
// Bearer <token> (tools and tests). Missing or invalid credentials get 401
// with a problem document before any upgrade; a token without the
// conversations:read scope gets 403. The Origin header, when present, must be
// the server's own origin or match Options.TrustedOrigins, else 403: a page
// on another site cannot ride the agent's cookie. Browsers do not expose the
// status of a refused upgrade (the socket just closes with 1006), so a client
// whose reconnects keep failing should call GET /api/v1/me and go to the
// sign-in page on 401.
//
// # Frames
//
// Every frame is one JSON object in a text message. Server to client:
//
//	{"type":"hello","agent_id":7,"name":"Noa","last_event_id":1234,"typing_ttl_ms":6000}
//	{"type":"conversation.created","conversation_id":42,"event_id":1235,<payload>,"conversation":{…}}
//	{"type":"conversation.updated","conversation_id":42,"event_id":1236,<payload>,"conversation":{…}}
//	{"type":"message.created","conversation_id":42,"event_id":1237,<payload>,"conversation":{…}}
//	{"type":"conversation.sla_changed","conversation_id":42,"event_id":1238,<payload>,"conversation":{…}}
//	{"type":"presence","conversation_id":42,"agents":[{"agent_id":7,"name":"Noa","typing":false}],"visitor_typing":false}
//	{"type":"notification","notification":{"id":9,"agent_id":7,"kind":"assigned","conversation_id":42,"data":{…},"read_at":null,"created_at":"…"}}
//	{"type":"pong"}
//	{"type":"error","code":"not_found","message":"…","conversation_id":42}
//
// <payload> stands for the domain event's own fields, flattened into the
// frame: conversation.created carries inbox_id, team_id, assignee_id and
// status (or follow_up_of for a follow-up); conversation.updated carries
// changes (the changed field names), status, assignee_id and team_id;
// message.created carries message_id, kind ("reply", "note", …), direction
// and author_type; message.updated (an outbound email was sent or failed)
// carries message_id, delivery_status and delivery_error; conversation.sla_changed (the SLA summary moved: a
// timer fired, a clock paused or resumed) carries sla_state,
// previous_sla_state, sla_due_at and policy_id. "conversation" is the conversation as GET
// /api/v1/conversations/{id} returns it, read when the frame was built (it
// may be newer than the event). Event frames go to every connected agent who
// may see the conversation at that moment (auth.Principal.CanSeeConversation),
// internal notes included. Delivery is at least once, and frames are safe to
// apply twice: they carry the current conversation, and message bodies are
// not pushed — a client showing the conversation fetches GET
// /api/v1/conversations/{id}/messages?after=<last message id shown>. Do not
// dedupe on event_id: it is the outbox row id, which SQLite reuses once the
// outbox has been drained.
//
// Notification frames go only to the sockets of the notified agent, once
// per new notification ("notification.created"); "notification" is the
// notification as GET /api/v1/notifications lists it. An agent without an
// open socket sees it in that list.
//
// visitor_typing is true while the live-chat visitor of the conversation
// types (SetVisitorTyping; internal/channel/chat). The chat channel sees the
// agents' typing through ObserveTyping.
//
// Presence frames go to every connection viewing the conversation whenever
// the list changes (a view, a leave, a disconnect, typing starting or
// expiring) and to a connection when it starts viewing. agents lists each
// viewing agent once, the receiving agent included (filter on hello's
// agent_id), sorted by agent_id; typing is true while any of that agent's
// tabs is typing.
//
// Error codes: bad_frame (not a JSON text frame, or a field of the wrong
// type), unknown_type, not_found (no such conversation, or one the agent may
// not see; the two are not told apart), not_viewing (typing in a
// conversation the connection does not view), internal.
//
// Client to server:
//
//	{"type":"view","conversation_id":42}     start viewing 42 (leaves any previous one)
//	{"type":"view","conversation_id":null}   leave
//	{"type":"typing","conversation_id":42,"typing":true}
//	{"type":"typing","conversation_id":42,"typing":false}
//	{"type":"ping"}                          answered by {"type":"pong"}
//
// Typing lapses typing_ttl_ms (6 s) after the last typing:true, so a client
// refreshes it about every 3 s while the agent types and sends typing:false
// when the draft is sent or cleared. Client frames are at most 8 KiB
// (larger closes with 1009) and at most 10 a second with bursts of 20
// (more closes with 1008). Browsers cannot see WebSocket ping frames, so a
// client that wants to notice a dead link sends {"type":"ping"} every 20 s
// or so and reconnects when no pong arrives within 10 s.
//
// # Reconnecting and resync
//
// The server pings every 25 s and drops a connection that does not answer
// within 15 s. A client reconnects after any close with exponential backoff
// and jitter (for example 0.5 s doubling to 30 s). Nothing is replayed, so
// after every reconnect (not the first connect) the client refetches what
// it shows — the conversation lists and counts and the open conversation's
// messages after the last one shown — and re-sends its view frame. Events
// committed while it refetches arrive as frames and apply harmlessly on top.
// hello.last_event_id is the id of the last event this server pushed to
// anyone (0 after a restart); it is informational until outbox ids are
// strictly increasing on every store (see "Do not dedupe" above), after
// which a client may skip the refetch when it equals the last event_id it
// saw.
//
// Close codes: 1001 the server is shutting down (reconnect); 1008 too many
// frames; 1009 a frame over 8 KiB; 1013 the connection fell behind (more
// than Options.SendBuffer frames queued; reconnect and resync);
// CloseUnauthenticated (4401) the session or token ended or the agent was
// deactivated (sign in again, do not reconnect).
//
// # Authorization changes
//
// A connection re-authenticates its credential every 30 s, and soon after an
// agent.updated event names its agent, so team changes, revoked tokens,
// logouts and deactivations take effect without a reconnect. A viewer who
// may no longer see a conversation is removed from its presence.
//
// # One node
//
// Connections and presence live in this process's memory and events come
// from the in-process events.Local bus. With several Kesher nodes, a NATS
// implementation of events.Bus delivers the domain events to every node;
// presence will need the same fan-out (publishing view and typing changes
// on a presence subject) before agents on different nodes see each other.
package realtime
