package langid

import (
	"strings"
	"testing"
)

// Romanised Georgian used to lose to Albanian: its words were missing from
// the lists, and Albanian's folded suffixes (ën → en, ët → et) matched its
// verbs (adzleven, damdeportaven). These lines were written for this test,
// in the spellings people type (kh or x for ხ, q or k for ქ, w or ts for წ),
// and most use words that are in no list, so that the shape rules and the
// affixes of data/ka.yaml are what is tested.
func TestDetectRomanisedGeorgian(t *testing.T) {
	for _, text := range []string{
		"gamarjobat, OQTF mivige da ar vici ra vqna",
		"coltan da shvilebtan ertad minda davbrunde, fuli ar gvakvs",
		"CRA-shi var ukve 10 dghea, advokats rogor davukavshirde?",
		"OFII-s programit ramdens idzlevian batumshi chasvlistvis?",
		"prefekturashi mitxres rom OQTF momcemen, ras nishnavs es?",
		"tarjimani mchirdeba, frangulad ar vlaparakob",
		"dzalian gtxovt damexmaret, bavshvi avad maqvs",
		"ofisshi damirekes da mitxres rom sabutebi momitano",
		"adzleven tu ara bilets ojaxistvis?",
		"cixeshi chamsves, konsuls daukavshirdebian?",
		"xval gamafrenen? ar minda wasvla",
		"mosamartlestan wamiyvanes, tarjimani ar iyo",
		"vizas vada gauvida da axla ra momelis?",
		"gadasaxadi sad gadavixado?",
		"saavadmkofoshi wamiyvanet, guli mtkiva",
		"nomeri momecit, vinme vinc qartulad laparakobs",
		"sadguris axlos gvdzinavs bavshvebtan ertad",
	} {
		if got := Detect(text); got.Lang != "ka" || got.Script != Latin {
			t.Errorf("Detect(%q) = %+v, want ka in Latn", text, got)
		}
	}
}

// The Georgian evidence must not take lines of the other languages people
// write in Latin letters: Albanian typed without ë and ç, Somali,
// Vietnamese without diacritics, Roman Urdu and Hinglish (either of the
// two is right), Arabizi, French, English and Finglish.
func TestDetectLatinNeighbours(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"pershendetje, me kane dhene OQTF cfare duhet te bej", "sq"},
		{"a mund te me ndihmoni te kthehem ne shqiperi me femijet", "sq"},
		{"kam humbur pasaporten, si ta marr nje te re", "sq"},
		{"sa para japin per kthimin vullnetar ne kosove", "sq"},
		{"gruaja ime eshte e semure dhe nuk kemi ku te flejme sonte", "sq"},
		{"me mbajten ne CRA per dy jave, a kam te drejte per avokat", "sq"},
		{"dua te shkoj ne shtepi por nuk kam leke", "sq"},
		{"ku ndodhet zyra e OFII ne Lyon", "sq"},
		{"walaal OQTF ayaa la i siiyay maxaan sameeyaa", "so"},
		{"carruurtayda ma ila raaci karaan marka aan laabto", "so"},
		{"em bi bat vao trai giam, co duoc goi luat su khong", "vi"},
		{"toi muon ve nuoc thi phai lam giay to gi", "vi"},
		{"mujhe OQTF mila hai ab kya karun", "ur hi"},
		{"mera passport gum ho gaya hai, wapas kaise jaun", "ur hi"},
		{"bhai mujhe ghar wapas jana hai, ticket kaun dega", "ur hi"},
		{"salam khouya 3andi OQTF chno ndir", "ar"},
		{"bghit nrja3 l dzayer m3a wladi", "ar"},
		{"bonjour j'ai reçu une OQTF, est-ce que je peux avoir l'aide au retour", "fr"},
		{"mon fils est malade et on dort dehors", "fr"},
		{"they gave me an OQTF yesterday, what can I do", "en"},
		{"how long can they keep me in the detention centre", "en"},
		{"salam, mikham bargardam, bazgasht davtalabane chetor mishe", "fa"},
	} {
		got := Detect(c.text)
		if !strings.Contains(" "+c.want+" ", " "+got.Lang+" ") || got.Lang == "" {
			t.Errorf("Detect(%q) = %+v, want %s", c.text, got, c.want)
		}
	}
}

// A conversation in French switches to Georgian on a long enough message in
// romanised Georgian, as it would on Mkhedruli script.
func TestKeepRomanisedGeorgian(t *testing.T) {
	if got, sw := Keep("fr", "gamarjobat, OQTF mivige da ar vici ra vqna"); got != "ka" || !sw {
		t.Errorf("Keep(fr, romanised Georgian) = %q, %v; want ka, true", got, sw)
	}
	if got, sw := Keep("ka", "ok merci"); got != "ka" || sw {
		t.Errorf("Keep(ka, ok merci) = %q, %v; want ka, false", got, sw)
	}
}
