package migrations

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Dialect names an SQL dialect with its own directory of migrations.
type Dialect string

// Dialects with migrations.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int    // 1, 2, ...: the number in the file name
	Name    string // file name, e.g. "0001_init.sql"
	SQL     string // statements, run as one batch inside a transaction
}

// FS returns the migration files of dialect d, rooted at its directory.
func FS(d Dialect) (fs.FS, error) {
	switch d {
	case SQLite, Postgres:
	default:
		return nil, fmt.Errorf("migrations: unknown dialect %q", d)
	}
	sub, err := fs.Sub(files, string(d))
	if err != nil {
		return nil, fmt.Errorf("migrations %s: %w", d, err)
	}
	return sub, nil
}

// List returns the migrations of dialect d in version order. It fails when
// a file name is not NNNN_name.sql, or when versions repeat or skip.
func List(d Dialect) ([]Migration, error) {
	fsys, err := FS(d)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migrations %s: %w", d, err)
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		v, err := version(e.Name())
		if err != nil {
			return nil, fmt.Errorf("migrations %s: %w", d, err)
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("migrations %s: %w", d, err)
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations %s: %s: want version %d", d, m.Name, i+1)
		}
	}
	return out, nil
}

// version parses the leading number of "0001_init.sql".
func version(name string) (int, error) {
	num, rest, ok := strings.Cut(name, "_")
	if !ok || len(num) != 4 || rest == ".sql" {
		return 0, fmt.Errorf("%s: name must look like 0001_name.sql", name)
	}
	v, err := strconv.Atoi(num)
	if err != nil || v < 1 {
		return 0, fmt.Errorf("%s: bad version number %q", name, num)
	}
	return v, nil
}
