package bot_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// BenchmarkHandle measures Engine.Handle from inbound to committed outbox
// on SQLite (search, triage, flows and the transaction included), over a
// mix of questions, menu presses and new contacts. It reports p50 and p99.
func BenchmarkHandle(b *testing.B) {
	h := newHarness(b)
	msgs := []bot.Inbound{
		{Text: "how much money for return"},
		{Text: "C'est combien l'aide au retour pour un Guinéen ?"},
		{Payload: "menu"},
		{Text: "برای افغان ها چقدر پول میتن اگر برگردیم؟"},
		{Text: "ሕቶ ዑቕባይ ብOFPRA ተነጺጉ፣ ናብ CNDA ከመይ ገይረ ይግባይ ክብል?"},
		{Text: "more"},
	}
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := msgs[i%len(msgs)]
		in.Channel = bot.ChannelTelegram
		in.Address = fmt.Sprintf("%d", 1000+i%50)
		in.ProviderID = fmt.Sprintf("b%d", i)
		start := time.Now()
		if err := h.e.Handle(ctx, in); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}
