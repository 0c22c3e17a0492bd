package migrations

import (
	"strings"
	"testing"
)

func TestListDialectsAgree(t *testing.T) {
	lite, err := List(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := List(Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 {
		t.Fatal("no sqlite migrations")
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d: keep the numbering shared", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Name != pg[i].Name || lite[i].Version != pg[i].Version {
			t.Errorf("migration %d: sqlite %s, postgres %s", i+1, lite[i].Name, pg[i].Name)
		}
		if strings.TrimSpace(lite[i].SQL) == "" || strings.TrimSpace(pg[i].SQL) == "" {
			t.Errorf("%s: empty", lite[i].Name)
		}
	}
}

func TestVersion(t *testing.T) {
	for name, want := range map[string]int{"0001_init.sql": 1, "0012_outbox_index.sql": 12} {
		if got, err := version(name); err != nil || got != want {
			t.Errorf("version(%q) = %d, %v; want %d", name, got, err, want)
		}
	}
	for _, name := range []string{"init.sql", "1_init.sql", "0000_zero.sql", "00a1_x.sql", "0001_.sql"} {
		if _, err := version(name); err == nil {
			t.Errorf("version(%q): want an error", name)
		}
	}
}

func TestFSUnknownDialect(t *testing.T) {
	if _, err := FS("oracle"); err == nil {
		t.Fatal("want an error for an unknown dialect")
	}
}
