// Package triage decides, for every incoming message and before anything
// else, whether the person who wrote it is in danger now or faces an
// imminent deadline. An urgent message gets the emergency numbers at once
// and opens an urgent handoff to a caseworker, whatever else is going on
// in the conversation (a flow, a caseworker already holding it).
//
// # What is urgent
//
// Urgent means that waiting for an ordinary answer could cost a life, a
// body, freedom or a right:
//   - violence happening or threatened now: beaten, locked in, threatened
//     with a knife, a husband or a boss hitting now (KindViolenceWomen when
//     a partner does it, KindDanger otherwise);
//   - trafficking: forced work or prostitution, a passport held together
//     with control, threats or unpaid work (KindTrafficking);
//   - a child at risk: a child being hurt, a minor alone on the street,
//     a family with a baby outside tonight (KindChild);
//   - suicide or self-harm thoughts (KindSelfHarm);
//   - detention with imminent removal: in a CRA, at the police, with a
//     flight tomorrow or being taken to the airport (KindDetention);
//   - a deadline of hours or days: an OQTF with 48 hours to appeal, "I
//     must leave in 2 days", a hearing tomorrow (KindDeadline);
//   - a medical emergency: bleeding, cannot breathe, unconscious, pregnant
//     and in pain (KindMedical).
//
// Not urgent: general questions on these subjects ("what are my rights in
// detention?", "what is 3919?", how to appeal an OQTF with 30 days),
// events in the past or in another country with no danger now ("my ex used
// to hit me back home"), fear of what happens on return ("if I go back they
// will kill me" is an asylum question), and every ordinary question on
// money, papers and return. A false alarm costs a caseworker's time and
// frightens the person; a missed alarm can cost far more, so when the two
// conflict the lexicons lean towards recall.
//
// # How
//
// Each language has a lexicon, lexicon/<code>.yaml, embedded in the binary:
// term patterns grouped in classes (lexicon.go lists them). Some classes
// are harms (violence, passport, detained, deadline...), some are cues of
// presence or imminence (now, soon, hours, again, confine), some qualify
// the message (neg, past, hypo, cond, place). Rules (rules.go) combine
// classes: a strong phrase suffices alone ("kill myself", "is beating me",
// "can't breathe"), a weaker harm needs a cue ("OQTF" + "48 hours",
// "appeal" + "tomorrow", "CRA" + "flight" + "tomorrow", "hit me" + "now").
// An OQTF alone is not a deadline: "my appointment about my OQTF is
// tomorrow" is not urgent, "OQTF, 48h to appeal" is. A negation just before a term (or, for neg_after, a negation or
// past auxiliary just after it) cancels that term; a past marker a few
// words before it does too (a stray "not" far from the danger does not
// cancel it). A general question (hypo) silences the rules
// on deadlines, removal, threats and past-tense violence; a danger located
// on return (cond) silences threats; a place ("I don't want to live here")
// silences despair.
//
// Messages are normalised with knowledge.Normalize (case, accents, Arabic
// letter variants, ZWNJ, Ethiopic homophones, digits), and so are the
// patterns, so a lexicon is written as people type. Assess matches every
// pattern of every language in one pass over the words, then evaluates the
// rules on the detected language's terms with French and English mixed in
// (people write OQTF, CRA, vol demain, police in any language); when that
// finds nothing urgent, it tries each other language whose terms appeared,
// because people mix languages and detection can be wrong.
//
// # Pattern syntax
//
// A pattern is words separated by spaces that must follow each other in
// the message. A "*" at the end of a word lets the message word go on
// ("beat*" matches "beating"); at the start it lets the word begin earlier
// ("*يضربني*" matches بيضربني and كيضربني). "~" lets up to two words stand
// between its neighbours ("took ~ passport*" matches "took my passport").
// "#age" stands for a number from 10 to 17 ("#age years", "عمري #age").
// A pattern that starts with "*" must be quoted in YAML. A lexicon may also
// list clitics glued to the front of any term's first word (Arabic و).
//
// The lexicons were written per language as people write under stress,
// with dialect, romanised forms (Arabizi, Finglish, Roman Urdu, Hinglish,
// romanised Tigrinya and Amharic) and common misspellings. They need a
// native speaker's review, language by language; testdata/cases.jsonl
// holds the package's own urgent and tricky non-urgent messages, and the
// tests measure recall and precision per language on it and on the shared
// development set.
package triage
