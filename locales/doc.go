// Package locales holds every user-facing string of Passerelle and the catalogue of the
// languages the service speaks.
//
// Everything is embedded in the binary:
//
//   - languages.yaml: the 16 languages in menu order, with script, direction and the
//     Meilisearch language code;
//   - messages/<code>.yaml: one go-i18n v2 YAML file per language, flat dotted keys
//     ("menu.person"), English (en.yaml) is the source and defines the set of keys;
//   - review.yaml: whether a native speaker has checked each language's file.
//
// Use:
//
//	cat, err := locales.Load()          // once, at start; the Catalog is read-only afterwards
//	p := cat.Printer(conversation.Lang) // once per request or conversation, never shared
//	text := p.T("welcome.privacy", map[string]any{"Days": 30})
//
// Fallback: a key missing (or empty, or with a broken template) in a language's own file is
// rendered from English; T never panics and never returns an empty string for a known key. An
// unknown key is returned as is, so a typo shows up in tests and transcripts instead of as a
// blank message. A language listed in languages.yaml without a messages file (yet) is served
// entirely in English, but Printer.Lang and Printer.Dir still report the person's language.
//
// Translators: keep every key of en.yaml and every template value ({{.Days}}, {{.Language}},
// {{.Sources}}, {{.Date}}) exactly as written; keep the English control words (MENU, DELETE,
// STOP...) next to the words in the language; write numbers a phone can dial in Western
// digits. The tests enforce all of that.
//
// Right-to-left text (ar, fa, ps, ur, ckb): chat apps choose a paragraph's direction from its
// first strong character, so a message that began with a Latin word (OQTF, AME, a template
// value) would be laid out left-to-right. Messages are worded so that their first strong
// character is Arabic script, and a test checks it for every right-to-left file; if a message
// ever must begin with a Latin word, start it with U+200F RIGHT-TO-LEFT MARK, which the test
// accepts. Inside right-to-left text a U+200E LEFT-TO-RIGHT MARK precedes {{.Date}} so that a
// date such as 2025-01-31 keeps its order. Invisible marks are written as YAML escapes
// ("\u200E") so that reviewers can see them; the ZERO WIDTH NON-JOINER of Persian spelling
// (می‌خواهم) is written as the character itself, as Persian typists do.
//
// No file has been reviewed by a native speaker: see review.yaml and Catalog.Reviewed, and
// show answer.not_reviewed where that matters.
package locales
