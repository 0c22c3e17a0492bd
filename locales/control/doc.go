// Package control recognises the control words people type to steer
// Passerelle rather than ask a question: menu, language, stop, start, help,
// delete (my data), more, person (talk to a caseworker), yes and no, in all
// 16 languages, plus the SMS keywords carriers and Twilio expect (STOP,
// STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT; START, UNSTOP;
// HELP, INFO).
//
// A message is a control word only when the whole message is one, after
// knowledge.Normalize folds case, punctuation, emoji, accents and
// Arabic-script letter variants; a word inside a longer question ("how do I
// stop my asylum claim") is never one. Telegram commands (/start, /menu,
// /start@Bot payload) are control words too.
//
// The words live in words.yaml, embedded; WORDS.md, generated from it, is
// the table translators use to tell users what to type.
package control
