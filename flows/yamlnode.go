package flows

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file holds the parser's readers of single YAML nodes: each checks
// the node's shape and records a problem, with its line, when it is wrong.

// mapping checks that n is a mapping with only the allowed keys, each once,
// and returns its values by key; nil if n is not a mapping.
func (p *parser) mapping(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	if !p.usable(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.pl.add(n.Line, "%s must be a set of name: value lines", what)
		return nil
	}
	m := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			p.pl.add(k.Line, "%s: a field name must be a word", what)
		case m[k.Value] != nil:
			p.pl.add(k.Line, "%s: %q appears twice", what, k.Value)
		case !slices.Contains(allowed, k.Value):
			p.pl.add(k.Line, "%s: unknown field %q (known: %s)", what, k.Value, strings.Join(allowed, ", "))
		case p.usable(v):
			m[k.Value] = v
		}
	}
	return m
}

// usable rejects aliases (*name), which this format does not support.
func (p *parser) usable(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		p.pl.add(n.Line, "anchors and aliases (*%s) are not supported: write the value out", n.Value)
		return false
	}
	return true
}

// scalar returns a single value's text ("" for an empty value).
func (p *parser) scalar(n *yaml.Node, what string) string {
	if !p.usable(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.pl.add(n.Line, "%s must be a single value", what)
		return ""
	}
	if n.Tag == "!!null" {
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// name reads an id, step name or message key: one word.
func (p *parser) name(n *yaml.Node, what string) string {
	s := p.scalar(n, what)
	if s != "" && !nameRE.MatchString(s) {
		p.pl.add(n.Line, "%s %q must be one word of letters, digits, _ . -", what, s)
		return ""
	}
	if s == "" && n.Kind == yaml.ScalarNode {
		p.pl.add(n.Line, "%s is empty", what)
	}
	return s
}

func (p *parser) varName(n *yaml.Node, what string) string {
	s := p.scalar(n, what)
	if !varRE.MatchString(s) {
		if n.Kind == yaml.ScalarNode {
			p.pl.add(n.Line, "%s: var name %q must be one word of letters, digits and _", what, s)
		}
		return ""
	}
	return s
}

// keys reads one message key or a list of them, with their lines.
func (p *parser) keys(n *yaml.Node, what string) (keys []string, lines []int) {
	if !p.usable(n) {
		return nil, nil
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	for _, c := range items {
		if k := p.name(c, what); k != "" {
			keys, lines = append(keys, k), append(lines, c.Line)
		}
	}
	return keys, lines
}

// template reads a value that may hold {{var}} references.
func (p *parser) template(n *yaml.Node, what string) string {
	s := p.scalar(n, what)
	if _, err := templateVars(s); err != nil {
		p.pl.add(n.Line, "%s: %v", what, err)
		return ""
	}
	return s
}
