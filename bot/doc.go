// Package bot is Passerelle's domain: contacts, conversations, messages,
// handoffs and outbound replies, the Engine that routes one inbound message
// to its replies, and the small interfaces the Engine needs from its
// adapters (Store, Sender, Searcher, Flows).
//
// Adapters live in subpackages (bot/sqlite, bot/postgres, bot/console) or
// under channels/ and knowledge/; they import bot for its types and never
// import each other.
package bot
