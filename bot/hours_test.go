package bot

import (
	"testing"
	"time"
)

func TestWorkingHours(t *testing.T) {
	w, err := ParseWorkingHours("mon-fri 09:00-18:00", "Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	paris := w.Location
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, paris) } // 23 Nov 2026 is a Monday
	for _, tc := range []struct {
		t    time.Time
		open bool
		next time.Time
	}{
		{at(23, 9, 0), true, at(23, 9, 0)},
		{at(23, 17, 59), true, at(23, 17, 59)},
		{at(23, 18, 0), false, at(24, 9, 0)},
		{at(23, 8, 59), false, at(23, 9, 0)},
		{at(27, 20, 0), false, at(30, 9, 0)}, // Friday evening: Monday
		{at(29, 12, 0), false, at(30, 9, 0)}, // Sunday
	} {
		if got := w.Open(tc.t); got != tc.open {
			t.Errorf("Open(%v) = %v", tc.t, got)
		}
		if got := w.NextOpen(tc.t.UTC()); !got.Equal(tc.next) {
			t.Errorf("NextOpen(%v) = %v, want %v", tc.t, got, tc.next)
		}
	}
	var none *WorkingHours
	if !none.Open(time.Now()) {
		t.Error("nil working hours must be always open")
	}
	w2, err := ParseWorkingHours("sat,sun 10:00-12:00", "UTC")
	if err != nil || !w2.Days[time.Saturday] || !w2.Days[time.Sunday] || w2.Days[time.Monday] {
		t.Errorf("comma list: %+v %v", w2, err)
	}
	if w3, err := ParseWorkingHours("fri-mon 10:00-12:00", "UTC"); err != nil || !w3.Days[time.Saturday] || w3.Days[time.Tuesday] {
		t.Errorf("wrapping range: %+v %v", w3, err)
	}
	for _, bad := range []string{"", "mon-fri", "mon-fri 18:00-09:00", "xyz 09:00-10:00", "mon 9-10"} {
		if _, err := ParseWorkingHours(bad, "Europe/Paris"); err == nil {
			t.Errorf("ParseWorkingHours(%q): want an error", bad)
		}
	}
	if _, err := ParseWorkingHours("mon 09:00-10:00", "Mars/Olympus"); err == nil {
		t.Error("unknown zone accepted")
	}
}
