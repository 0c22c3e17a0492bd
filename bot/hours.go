package bot

import (
	"fmt"
	"strings"
	"time"
)

// WorkingHours is when caseworkers answer, in one time zone: the same
// opening and closing time on each working day. Outside them a person who
// asks for a caseworker is told when one will reply, and gets the
// emergency numbers; handoffs still open and alert.
type WorkingHours struct {
	Location   *time.Location
	Days       [7]bool       // indexed by time.Weekday (Sunday = 0)
	Start, End time.Duration // since local midnight; Start < End
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseWorkingHours reads "mon-fri 09:00-18:00" (days as a range or a
// comma list: "mon,wed,fri 10:00-16:00") in the named time zone
// ("Europe/Paris").
func ParseWorkingHours(spec, zone string) (*WorkingHours, error) {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", zone, err)
	}
	days, hours, ok := strings.Cut(strings.ToLower(strings.TrimSpace(spec)), " ")
	if !ok {
		return nil, fmt.Errorf("%q: want days and hours, e.g. \"mon-fri 09:00-18:00\"", spec)
	}
	w := &WorkingHours{Location: loc}
	for _, part := range strings.Split(days, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok1 := weekdays[from]
		b, ok2 := weekdays[to]
		if !isRange {
			b, ok2 = a, ok1
		}
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%q: unknown day in %q (use mon, tue, wed, thu, fri, sat, sun)", spec, part)
		}
		for d := a; ; d = (d + 1) % 7 {
			w.Days[d] = true
			if d == b {
				break
			}
		}
	}
	open, close, ok := strings.Cut(strings.TrimSpace(hours), "-")
	if !ok {
		return nil, fmt.Errorf("%q: want hours as HH:MM-HH:MM", spec)
	}
	if w.Start, err = clock(open); err == nil {
		w.End, err = clock(close)
	}
	if err != nil || w.Start >= w.End {
		return nil, fmt.Errorf("%q: want hours as HH:MM-HH:MM, opening before closing", spec)
	}
	return w, nil
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Open tells whether caseworkers work at t. A nil WorkingHours is always
// open.
func (w *WorkingHours) Open(t time.Time) bool {
	if w == nil {
		return true
	}
	l := t.In(w.Location)
	since := l.Sub(time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, w.Location))
	return w.Days[l.Weekday()] && since >= w.Start && since < w.End
}

// NextOpen is the next opening time at or after t, in the working hours'
// time zone (t itself when open).
func (w *WorkingHours) NextOpen(t time.Time) time.Time {
	if w == nil || w.Open(t) {
		return t
	}
	l := t.In(w.Location)
	for i := range 8 {
		d := time.Date(l.Year(), l.Month(), l.Day()+i, 0, 0, 0, 0, w.Location)
		open := d.Add(w.Start)
		if w.Days[d.Weekday()] && open.After(l) {
			return open
		}
	}
	return t // no working day at all: cannot happen after ParseWorkingHours
}
