package bot

import "context"

// Events carries the caseworker console's live-update events between the
// replicas that share one database, so that a handoff opened by a webhook
// on one replica shows at once in a console open on another.
//
// An event is a short name with ids only, never personal data: "queue"
// (the queue changed) or "conversation:<id>" (a conversation has a new
// message). The console delivers its own events to its own pages itself;
// an Events carries them to the other replicas. A single process needs
// none (the console's default).
type Events interface {
	// Publish sends events to the other replicas, together (on
	// PostgreSQL, one statement). They may be lost if a replica is not
	// listening at that moment (see EventResync).
	Publish(ctx context.Context, events ...string) error
	// Listen calls deliver with each event another replica published,
	// until ctx ends; it reconnects by itself when its connection drops.
	// Events published while it was disconnected are lost: after each
	// reconnection it delivers EventResync so that pages refresh what
	// they show. It returns when ctx ends.
	Listen(ctx context.Context, deliver func(event string)) error
}

// EventResync is the event Events.Listen delivers after a reconnection:
// events may have been missed, every open page should refresh.
const EventResync = "resync"
