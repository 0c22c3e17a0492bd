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
//     Somali double vowels, French elision).
//
// The word lists live in embedded YAML files under data/, one per language
// (plus shared Hindustani vocabulary), so that a speaker can extend them
// without touching code. Detect guesses the language of one message; Keep
// decides whether a conversation should change language, which happens only
// on a change of script or strong evidence in a long enough message.
package langid
