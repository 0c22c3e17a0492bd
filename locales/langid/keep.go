package langid

// Thresholds for Keep.
const (
	// minSwitchWords is how many words (not counting admin words such as
	// OQTF, courtesy words such as merci, acronyms or numbers) a message in
	// the conversation's script needs before it may switch the language.
	minSwitchWords = 4
	// minSwitchConfidence is the confidence Detect must reach to switch on
	// such a message.
	minSwitchConfidence = 0.7
	// minScriptLetters is how many letters of another non-Latin script a
	// message needs to switch a conversation by script alone.
	minScriptLetters = 2
)

// Keep decides the language of a conversation after the message text.
// The conversation keeps current unless the person clearly switches:
//
//   - they write in another non-Latin script than current's (a French
//     conversation that receives Arabic script, an Arabic one that receives
//     Ethiopic), or send a language's own name alone ("ትግርኛ", "Soomaali");
//   - or, in the same script or in Latin letters, the message has at least
//     four meaningful words and its evidence for another language is strong
//     and clearly above the evidence for current.
//
// Short messages, French administrative words (OQTF, OFII, préfecture...),
// numbers, "ok", "merci" and names never switch. Latin letters in a
// conversation in another script switch only on strong evidence, because
// people romanise their own language (Arabizi, Finglish, Roman Urdu).
// With no current language, Keep returns Detect's language (switched is
// true when there is one).
func Keep(current, text string) (lang string, switched bool) {
	a := analyze(text)
	det := a.best.Lang
	if det == "" || det == current {
		return current, false
	}
	l := lex()
	cur, known := l.index[current]
	if current == "" || !known {
		return det, true
	}
	if a.name >= 0 {
		return det, true
	}
	if a.script != Latin && a.script != l.script[cur] && a.letters >= minScriptLetters {
		return det, true
	}
	d := l.index[det]
	if a.content >= minSwitchWords && a.best.Confidence >= minSwitchConfidence &&
		a.s[d] >= 2*a.s[cur]+2 {
		return det, true
	}
	return current, false
}
