package knowledge

import (
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"
)

// topicsYAML is the topic taxonomy, a copy of shared/kb/topics.yaml.
//
//go:embed topics.yaml
var topicsYAML []byte

// NoFacts is the Facts value of topics that cite no sourced facts (they
// describe the service itself); their articles may have no sources.
const NoFacts = "-"

// Topics returns the embedded topic taxonomy in file order.
func Topics() ([]Topic, error) { return parseTopics(topicsYAML) }

func parseTopics(data []byte) ([]Topic, error) {
	var doc struct {
		Topics []Topic `yaml:"topics"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parsing topics: %w", err)
	}
	seen := make(map[string]bool, len(doc.Topics))
	for i, t := range doc.Topics {
		switch {
		case t.ID == "":
			return nil, fmt.Errorf("parsing topics: entry %d has no id", i+1)
		case seen[t.ID]:
			return nil, fmt.Errorf("parsing topics: duplicate id %q", t.ID)
		}
		switch t.Handoff {
		case HandoffNone, HandoffSuggest, HandoffAlways:
		default:
			return nil, fmt.Errorf("parsing topics: %s: unknown handoff %q", t.ID, t.Handoff)
		}
		seen[t.ID] = true
	}
	return doc.Topics, nil
}
