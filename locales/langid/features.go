package langid

import (
	"strings"
	"unicode/utf8"
)

// scoreToken adds the evidence of one word to s.
func (l *lexicon) scoreToken(s *scores, t token) {
	hit := l.lookup(s, t.key)
	if !hit && t.script == Latin && strings.Contains(t.key, "'") {
		hit = l.apostrophe(s, t.key)
	}
	l.letterEvidence(s, t)
	if hit {
		return
	}
	l.affixes(s, t.key)
	if t.script == Latin {
		shapeEvidence(s, l, t)
	}
}

// lookup adds the word-list weights of key and reports whether it was found.
func (l *lexicon) lookup(s *scores, key string) bool {
	ws, ok := l.words[key]
	for _, w := range ws {
		s[w.lang] += w.w
	}
	return ok
}

// apostrophe handles elision and contractions not in the lists: French
// j'/l'/qu'..., English 's/'t/'m..., and otherwise the word without its
// apostrophe (Somali go'aan, Albanian t'u).
func (l *lexicon) apostrophe(s *scores, key string) bool {
	i := strings.IndexByte(key, '\'')
	head, tail := key[:i], key[i+1:]
	switch head {
	case "j", "l", "d", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu":
		if tail != "" {
			s[l.index["fr"]] += 1.5
			l.lookup(s, tail)
			return true
		}
	}
	switch tail {
	case "s", "t", "m", "re", "ve", "ll", "d":
		s[l.index["en"]] += 1.5
		l.lookup(s, head)
		return true
	}
	return l.lookup(s, strings.ReplaceAll(key, "'", ""))
}

// letterEvidence adds, for each language, the highest weight among the
// word's characteristic letters (and the lowest negative one), so that a
// long word counts once.
func (l *lexicon) letterEvidence(s *scores, t token) {
	var pos, neg scores
	first := true
	for _, r := range t.raw {
		if first {
			first = false
			for _, w := range l.initial[r] {
				pos[w.lang] = max(pos[w.lang], w.w)
			}
		}
		for _, w := range l.letters[r] {
			if w.w > 0 {
				pos[w.lang] = max(pos[w.lang], w.w)
			} else {
				neg[w.lang] = min(neg[w.lang], w.w)
			}
		}
	}
	for i := range s {
		s[i] += pos[i] + neg[i]
	}
}

// affixes adds the weight of the longest known prefix and suffix of a word
// that is in no list, for each language that has affixes.
func (l *lexicon) affixes(s *scores, key string) {
	n := utf8.RuneCountInString(key)
	for i := range l.prefixes {
		for _, a := range l.prefixes[i] {
			if n >= a.n+2 && strings.HasPrefix(key, a.s) {
				s[i] += a.w
				break
			}
		}
		for _, a := range l.suffixes[i] {
			if n >= a.n+2 && strings.HasSuffix(key, a.s) {
				s[i] += a.w
				break
			}
		}
	}
}

// shapeEvidence looks at the shape of a Latin word that is in no list.
func shapeEvidence(s *scores, l *lexicon, t token) {
	k := t.key
	if t.digits && arabizi(k) {
		s[l.index["ar"]] += 2.5
		return
	}
	if t.digits {
		return
	}
	// Somali writes long vowels double: caawin, laabasho, xaaska, dhiig.
	if len(k) >= 4 && (strings.Contains(k, "aa") || strings.Contains(k, "ii") || strings.Contains(k, "uu")) {
		s[l.index["so"]] += 0.7
	}
	// Vietnamese without accents: short syllables with typical onsets and codas.
	if vietSyllable(k) {
		s[l.index["vi"]] += 0.4
	}
	// Romanised Georgian: consonant clusters no other language here writes.
	if georgianShape(k) {
		s[l.index["ka"]] += 1
	}
}

// arabizi reports whether a word mixes Latin letters with the digits that
// romanised Arabic uses for its own sounds (2 ء, 3 ع, 5 خ, 7 ح, 8 ق, 9 ق/ص):
// 3andi, nrje3, ya3ni, 7abibi, but not 48h, 2eme, 3ans, 10h30, mp3.
func arabizi(k string) bool {
	letters, digits := 0, 0
	inner := false
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if c == '2' || c == '3' || c == '5' || c == '7' || c == '8' || c == '9' {
				if i > 0 && isLower(k[i-1]) {
					inner = true // 7a9, ya3ni, nrje3
				}
				if i == 0 && len(k) > 2 && isLower(k[1]) && isLower(k[2]) {
					inner = true // 3andi, 7abibi
				}
			}
		case isLower(c):
			letters++
		}
	}
	if !inner || letters < 2 || digits > 2 {
		return false
	}
	switch strings.TrimLeft(k, "0123456789") {
	case "ans", "an", "eme", "em", "er", "ere", "h", "min", "mn", "jours", "j", "mois", "km", "kg", "euros", "eur", "e", "th", "nd", "rd", "st", "am", "pm", "ieme", "x", "d", "g", "gb", "mb":
		return false
	}
	return true
}

// georgianClusters are letter groups of romanised Georgian that none of the
// other Latin-written languages here (Albanian, Somali, Vietnamese, Roman
// Urdu, Hinglish, Arabizi, Finglish, French, English) produces: gv (gvinda),
// tkv (tkven), tskh (tskhovreba), mkh mch mts (mkholod, mchirdeba), vq
// (vqna), ghv, mgz igz (mgzavri, gamigzavnes), and dz before a consonant or
// after m, r (sheidzleba, dzma, dzveli, mdzime, gagrdzeleba). Left out on
// purpose: ts (Tigrinya tsbuq, Pashto tsanga), tq (Darija tqdr), gza (Urdu
// kagzat) and dz before a vowel (Arabizi dzayer).
var georgianClusters = []string{"gv", "tkv", "tskh", "mkh", "mch", "mts", "vq", "ghv", "mgz", "igz", "dzl", "dzm", "dzv", "mdz", "rdz"}

// georgianShape reports whether k has the consonant clusters of romanised
// Georgian (see georgianClusters). Its endings (-shi, -tvis, -vs...) are
// suffixes in data/ka.yaml.
func georgianShape(k string) bool {
	if len(k) < 4 {
		return false
	}
	for _, c := range georgianClusters {
		if strings.Contains(k, c) {
			return true
		}
	}
	return false
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

// vietSyllable reports whether k looks like an unaccented Vietnamese
// syllable with a typical onset (ng, nh, kh, ngh, tr, ph, gi, qu) or coda
// (ng, nh, ch).
func vietSyllable(k string) bool {
	if len(k) < 3 || len(k) > 7 {
		return false
	}
	onset := ""
	for _, o := range []string{"ngh", "ng", "nh", "kh", "tr", "ph", "gi", "qu", "th", "ch"} {
		if strings.HasPrefix(k, o) {
			onset = o
			break
		}
	}
	if onset == "" && len(k) > 0 && strings.IndexByte("bcdghklmnpqrstvx", k[0]) >= 0 {
		onset = k[:1]
	}
	rest := k[len(onset):]
	coda := ""
	for _, c := range []string{"ng", "nh", "ch", "c", "m", "n", "p", "t"} {
		if strings.HasSuffix(rest, c) {
			coda = c
			break
		}
	}
	nucleus := rest[:len(rest)-len(coda)]
	if nucleus == "" || len(nucleus) > 3 || strings.Trim(nucleus, "aeiouy") != "" {
		return false
	}
	typical := len(onset) >= 2 && onset != "th" && onset != "ch" || coda == "ng" || coda == "nh"
	return typical
}
