package knowledge

import (
	"fmt"
	"strings"
)

// Problem is one validation failure in an article file. Line is 1-based
// and counts from the top of the file; 0 means the whole file.
type Problem struct {
	Path string
	Line int
	Msg  string
}

// String formats the problem as "path:line: msg", the form editors and
// editors' tools recognise.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.Path, p.Msg)
}

// Problems is every validation failure found, in file then line order. It
// is returned as an error so that callers can report all of them at once.
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

// problemList accumulates the problems of one file.
type problemList struct {
	path string
	ps   Problems
}

func (l *problemList) add(line int, format string, args ...any) {
	l.ps = append(l.ps, Problem{Path: l.path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// err returns the accumulated problems as an error, or nil if there are none.
func (l *problemList) err() error {
	if len(l.ps) == 0 {
		return nil
	}
	return l.ps
}
