package triage

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestAssess(t *testing.T) {
	tr := newTriage(t)
	for _, tc := range []struct {
		text, lang string
		kind       Kind // "" when not urgent
		topic      string
	}{
		// violence now, by a partner or anyone
		{"my husband is hitting me right now", "en", KindViolenceWomen, topicViolenceWomen},
		{"he locked me in the room and took my phone", "en", KindDanger, topicEmergency},
		{"mon copain m'a enfermée à clé", "fr", KindViolenceWomen, topicViolenceWomen},
		{"jouzi kaydrabni daba", "ar", KindViolenceWomen, topicViolenceWomen},
		// past, negated, elsewhere, general: not urgent
		{"my ex used to hit me back home, now I am safe", "en", "", ""},
		{"il ne me frappe pas, je veux juste des infos", "fr", "", ""},
		{"il me frappe pas, c'est juste une question", "fr", "", ""},
		{"violence against women support in France", "en", "", ""},
		{"what is the 3919 number", "en", "", ""},
		{"if I go back to Guinea they will kill me", "en", "", ""},
		// trafficking: passport held with control; a passport alone is not
		{"my boss keeps my passport and won't let me leave", "en", KindTrafficking, topicTrafficking},
		{"the prefecture keeps my passport during the procedure", "en", "", ""},
		// children
		{"I am 15 and I sleep in the street tonight", "en", KindChild, topicMinors},
		{"je suis dehors avec mon bébé ce soir, nulle part où dormir", "fr", KindChild, topicShelter},
		{"the neighbour is beating his child right now", "en", KindChild, topicChild},
		{"I am 16, how do I get help from ASE?", "en", "", ""},
		// self-harm; "here" makes "don't want to live" about a place
		{"I want to kill myself", "en", KindSelfHarm, topicEmergency},
		{"I don't want to live anymore", "en", KindSelfHarm, topicEmergency},
		{"I don't want to live here anymore, I want to go home", "en", "", ""},
		{"I would never kill myself", "en", "", ""},
		// detention and removal
		{"je suis au CRA, vol demain pour Alger", "fr", KindDetention, topicDetention},
		{"what are my rights in detention?", "en", "", ""},
		{"how long can they keep someone in CRA", "en", "", ""},
		{"my OFII flight home is tomorrow, what can I bring", "en", "", ""},
		{"I am not in CRA, my flight with OFII is tomorrow", "en", "", ""},
		// deadlines
		{"OQTF with 48h to appeal, what do I do", "en", KindDeadline, topicOQTFAppeal},
		{"I got an OQTF with 30 days, how to appeal", "en", "", ""},
		{"is it true an OQTF can give only 48 hours to appeal?", "en", "", ""},
		{"CNDA hearing tomorrow and no lawyer", "en", KindDeadline, topicAsylumAppeal},
		{"OQTF sans délai, que faire", "fr", KindDeadline, topicOQTFAppeal},
		{"I have an appointment tomorrow at the prefecture about my OQTF", "en", "", ""},
		{"what happens if I refuse the flight tomorrow? I am in CRA", "en", KindDetention, topicDetention},
		{"can I take a kitchen knife in my luggage when I go home?", "en", "", ""},
		// medical
		{"my friend can't breathe", "en", KindMedical, topicEmergency},
		{"I am pregnant and in pain", "en", KindMedical, topicEmergency},
		{"can I return with a medical condition?", "en", "", ""},
		// ordinary questions
		{"how much money for return", "en", "", ""},
		{"", "en", "", ""},
		{"   ", "", "", ""},
	} {
		got := tr.Assess(tc.text, tc.lang)
		if got.Urgent != (tc.kind != "") {
			t.Errorf("%q: urgent=%v %v, want %v (%s)", tc.text, got.Urgent, got.Kinds, tc.kind != "", tr.explain(tc.text))
			continue
		}
		if tc.kind != "" && (!slices.Contains(got.Kinds, tc.kind) || got.Topic != tc.topic) {
			t.Errorf("%q: kinds %v topic %q, want %s and %q", tc.text, got.Kinds, got.Topic, tc.kind, tc.topic)
		}
		if !got.Urgent && (len(got.Kinds) != 0 || got.Topic != "") {
			t.Errorf("%q: not urgent but kinds %v topic %q", tc.text, got.Kinds, got.Topic)
		}
	}
}

// TestMixedLanguages checks that a message mixing languages is caught
// whichever language was detected, or none.
func TestMixedLanguages(t *testing.T) {
	tr := newTriage(t)
	for _, text := range []string{
		"ana f CRA, l'avion ghedwa, ma3andich avocat",   // Arabizi + French
		"راني في CRA، vol demain، عاونوني",              // Arabic + French
		"man dar CRA hastam, farda deport mekonan",      // Finglish + French acronym
		"main CRA mein hoon, kal subah flight hai",      // Roman Urdu + English
		"ma fille 3ndha 15 ans w kat n3es f zan9a lila", // French + Arabizi
	} {
		for _, lang := range []string{"ar", "fr", "en", "fa", "ur", "so", ""} {
			if got := tr.Assess(text, lang); !got.Urgent {
				t.Errorf("%q as %q: not urgent (%s)", text, lang, tr.explain(text))
			}
		}
	}
}

// TestResultKinds checks Kinds order and that several kinds are reported.
func TestResultKinds(t *testing.T) {
	tr := newTriage(t)
	got := tr.Assess("mon patron a pris mon passeport et il menace de me tuer", "fr")
	if !slices.Equal(got.Kinds, []Kind{KindTrafficking, KindDanger}) || got.Topic != topicTrafficking {
		t.Errorf("got %+v", got)
	}
}

func TestConcurrentAssess(t *testing.T) {
	tr := newTriage(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 200 {
				if !tr.Assess(fmt.Sprintf("my husband is beating me now %d", i), "en").Urgent {
					t.Error("not urgent")
					return
				}
			}
		})
	}
	wg.Wait()
}

func ExampleTriage_Assess() {
	tr, err := New()
	if err != nil {
		panic(err)
	}
	r := tr.Assess("j'ai reçu une OQTF, 48h pour faire le recours", "fr")
	fmt.Println(r.Urgent, r.Kinds, r.Topic)
	r = tr.Assess("c'est combien l'aide au retour ?", "fr")
	fmt.Println(r.Urgent, r.Kinds, r.Topic)
	// Output:
	// true [deadline] rights.oqtf.appeal
	// false []
}
