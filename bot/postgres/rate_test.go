package postgres

import (
	"testing"

	"github.com/passerelle-org/passerelle/bot/storetest"
)

// TestSharedRate: two replicas on one database share the rate.
func TestSharedRate(t *testing.T) {
	url := freshSchema(t)
	storetest.RunSharedRate(t, openAt(t, url, testKeys(t, "k")), openAt(t, url, testKeys(t, "k")))
}
