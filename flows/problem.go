package flows

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a flow file. Line is 1-based; 0 means the
// whole file.
type Problem struct {
	File string
	Line int
	Msg  string
}

// String formats the problem as "file:line: msg", the form editors and
// their tools recognise.
func (p Problem) String() string {
	switch {
	case p.File == "":
		return p.Msg
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems is every problem found, in file then line order. Parse,
// Validate and CheckFiles return it as an error so that all of them can be
// reported at once.
type Problems []Problem

// Error lists the problems one a line.
func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// problemList accumulates problems of one file.
type problemList struct {
	file string
	ps   Problems
}

func (l *problemList) add(line int, format string, args ...any) {
	l.ps = append(l.ps, Problem{File: l.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// err returns the problems sorted by line, or nil if there are none.
func (l *problemList) err() error {
	if len(l.ps) == 0 {
		return nil
	}
	sortProblems(l.ps)
	return l.ps
}

func sortProblems(ps Problems) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}

// addYAMLError turns a yaml.v3 error ("yaml: line 3: ...") into problems.
func (l *problemList) addYAMLError(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	for _, m := range strings.Split(msg, "\n") {
		m = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), "unmarshal errors:"))
		if m == "" {
			continue
		}
		line, rest := splitYAMLLine(m)
		l.add(line, "%s", rest)
	}
}

// splitYAMLLine takes "line N: " out of a yaml.v3 message, returning N (0
// when absent) and the message without it.
func splitYAMLLine(m string) (int, string) {
	i := strings.Index(m, "line ")
	if i < 0 {
		return 0, m
	}
	end := strings.Index(m[i+5:], ": ")
	if end < 0 {
		return 0, m
	}
	n, err := strconv.Atoi(m[i+5 : i+5+end])
	if err != nil {
		return 0, m
	}
	return n, m[:i] + m[i+5+end+2:]
}
