package sqlite

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// BenchmarkReserveSends measures one reservation on the single writer
// (what it would cost each send if serve used the store limiter on SQLite).
func BenchmarkReserveSends(b *testing.B) {
	s := openAt(b, filepath.Join(b.TempDir(), "bench.db"), testKeys(b, "k"))
	r := bot.PerSecond(1e6, 1)
	for b.Loop() {
		if _, _, err := s.ReserveSends(b.Context(), "telegram:1", 1, r, time.Now(), time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}
