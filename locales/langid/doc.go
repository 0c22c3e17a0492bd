// Package langid identifies the language of a short message typed on a
// phone, for Passerelle's 16 languages (see shared/kb/languages.yaml).
//
// Messages are short, full of typos, often romanised (Arabizi, Finglish,
// Roman Urdu, romanised Tigrinya...) and sprinkled with French
// administrative words (OQTF, OFII, préfecture, 115). Detection therefore
// works from general evidence rather than from a statistical model:
//
//   - the script (Arabic, Ethiopic, Devanagari, Gurmukhi, Cyrillic,
//     Georgian, Latin) settles most languages at once;
//   - letters only one language uses (Pashto ټ ښ, Urdu ے ں, Sorani ە ێ,
//     Tigrinya ኣ ቐ, Vietnamese ư ơ, Albanian ë...);
//   - weighted function words, common vocabulary, prefixes and suffixes,
//     including romanised spellings;
//   - a few shape rules (Arabizi digits such as 3, 7, 2 inside words,
//     Somali double vowels, French elision, the consonant clusters of
//     romanised Georgian such as gv, mkh, dzl).
//
// The word lists live in embedded YAML files under data/, one per language
// (plus shared Hindustani vocabulary and the neutral admin and courtesy
// words), so that a speaker can extend them without touching code. Detect
// guesses the language of one message; Keep decides whether a conversation
// should change language, which happens only on a change of script or
// strong evidence in a long enough message.
//
// Words are matched after a light fold of their own (foldWord), not
// knowledge.Normalize: search wants every variant folded together, while
// identification must keep the letters that tell languages apart (Pashto ې,
// Urdu ے ں, Sorani ە ێ) and the digits inside Arabizi words (3andi), which
// Normalize folds away or splits off.
//
// Accuracy is measured by the tests on shared/eval/dev.jsonl and on the
// package's own sets in testdata/ (run go test -v -run 'Dev|Own').
package langid
