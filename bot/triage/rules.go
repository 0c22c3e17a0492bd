package triage

import "slices"

// rule makes a message urgent for kind when its classes include every
// class of all, at least one class of each set in any, and none of none.
type rule struct {
	kind  Kind
	topic string
	all   mask
	any   []mask
	none  mask
}

// Topic ids the rules point to (knowledge/topics.yaml).
const (
	topicViolenceWomen = "safety.violence-women"
	topicChild         = "safety.child-protection"
	topicMinors        = "rights.minors"
	topicShelter       = "housing.115"
	topicTrafficking   = "rights.trafficking"
	topicEmergency     = "safety.emergency-numbers"
	topicDetention     = "rights.detention"
	topicOQTFAppeal    = "rights.oqtf.appeal"
	topicAsylumAppeal  = "rights.asylum.appeal"
)

var (
	cueNow      = set(cNow, cSoon, cHours)             // now, or within hours or days
	cuePresent  = set(cNow, cAgain, cConfine, cThreat) // the violence goes on
	soonOrHours = set(cSoon, cHours)                   // tomorrow, or 48 hours
	general     = set(cHypo)                           // a general or hypothetical question
	elsewhere   = set(cHypo, cCond)                    // the threat is about going back
)

// rules, grouped by kind. Within a kind the first rule that holds gives the
// topic. Strong classes (self_harm, danger, violence, forced, medical)
// suffice alone; the others need a cue of presence or imminence.
var rules = []rule{
	{kind: KindViolenceWomen, topic: topicViolenceWomen, all: set(cPartner, cViolence)},
	{kind: KindViolenceWomen, topic: topicViolenceWomen, all: set(cPartner, cHurt), any: []mask{cuePresent | cueNow}, none: elsewhere},
	{kind: KindViolenceWomen, topic: topicViolenceWomen, all: set(cPartner, cConfine)},
	{kind: KindViolenceWomen, topic: topicViolenceWomen, all: set(cPartner, cThreat), none: elsewhere},

	{kind: KindChild, topic: topicMinors, all: set(cMinor, cStreet)},
	{kind: KindChild, topic: topicMinors, all: set(cMinor), any: []mask{set(cViolence, cThreat, cConfine, cForced)}},
	{kind: KindChild, topic: topicChild, all: set(cChild, cViolence)},
	{kind: KindChild, topic: topicChild, all: set(cChild, cHurt), any: []mask{set(cNow, cAgain, cConfine)}, none: elsewhere},
	{kind: KindChild, topic: topicShelter, all: set(cChild, cStreet), any: []mask{cueNow}},

	{kind: KindTrafficking, topic: topicTrafficking, all: set(cForced)},
	{kind: KindTrafficking, topic: topicTrafficking, all: set(cPassport),
		any: []mask{set(cConfine, cExploit, cThreat, cForced, cViolence, cHurt)}},
	{kind: KindTrafficking, topic: topicTrafficking, all: set(cExploit), any: []mask{set(cConfine, cThreat, cViolence)}},

	{kind: KindSelfHarm, topic: topicEmergency, all: set(cSelfHarm)},
	{kind: KindSelfHarm, topic: topicEmergency, all: set(cDespair), none: set(cPlace, cCond)},

	{kind: KindDetention, topic: topicDetention, all: set(cDeport),
		any: []mask{cueNow | set(cDetained)}, none: general},
	{kind: KindDetention, topic: topicDetention, all: set(cRemoval),
		any: []mask{set(cDetained, cPolice), cueNow}, none: general},

	{kind: KindDeadline, topic: topicDetention, all: set(cDeadline, cDetained), any: []mask{soonOrHours}, none: general},
	{kind: KindDeadline, topic: topicAsylumAppeal, all: set(cAsylum), any: []mask{soonOrHours}, none: general},
	{kind: KindDeadline, topic: topicOQTFAppeal, all: set(cDeadline), any: []mask{soonOrHours}, none: general},
	{kind: KindDeadline, topic: topicOQTFAppeal, all: set(cOQTF, cHours), none: general},

	{kind: KindMedical, topic: topicEmergency, all: set(cMedical)},
	{kind: KindMedical, topic: topicEmergency, all: set(cPregnant, cPain)},
	{kind: KindMedical, topic: topicEmergency, all: set(cPain, cNow)},

	{kind: KindDanger, topic: topicEmergency, all: set(cDanger), none: elsewhere},
	{kind: KindDanger, topic: topicEmergency, all: set(cViolence)},
	{kind: KindDanger, topic: topicEmergency, all: set(cHurt), any: []mask{cuePresent}, none: elsewhere},
	{kind: KindDanger, topic: topicEmergency, all: set(cThreat), none: elsewhere},
	{kind: KindDanger, topic: topicEmergency, all: set(cConfine), none: set(cDetained, cHypo)},
	{kind: KindDanger, topic: topicShelter, all: set(cPregnant, cStreet), any: []mask{cueNow}},
}

// evaluate applies the rules to the classes found in a message.
func evaluate(m mask) Result {
	var topics [len(kindOrder)]string
	n := 0
	for _, r := range rules {
		if m&r.all != r.all || m&r.none != 0 || !meetsEach(m, r.any) {
			continue
		}
		i := slices.Index(kindOrder[:], r.kind)
		if i >= 0 && topics[i] == "" {
			topics[i] = r.topic
			n++
		}
	}
	if n == 0 {
		return Result{}
	}
	res := Result{Urgent: true, Kinds: make([]Kind, 0, n)}
	for i, k := range kindOrder {
		if topics[i] == "" {
			continue
		}
		if res.Topic == "" {
			res.Topic = topics[i]
		}
		res.Kinds = append(res.Kinds, k)
	}
	return res
}

// meetsEach reports whether m shares a class with every set of sets.
func meetsEach(m mask, sets []mask) bool {
	for _, s := range sets {
		if m&s == 0 {
			return false
		}
	}
	return true
}
