package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/passerelle-org/passerelle/bot/storetest"
)

// TestSharedRate: two Stores on one file (two processes) share the rate.
func TestSharedRate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passerelle.db")
	storetest.RunSharedRate(t, openAt(t, path, testKeys(t, "k")), openAt(t, path, testKeys(t, "k")))
}
