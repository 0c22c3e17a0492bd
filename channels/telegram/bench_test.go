package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkWebhook measures one webhook request on loopback, from the POST
// to the 200 that follows the commit of the inbound record and its replies
// in the outbox: secret check, decoding, mapping, the real Engine (triage,
// language, search, flows) and SQLite. The mix: questions in four scripts,
// button presses, a deep-link /start and a photo, over 50 chats. It
// reports the median and the 99th percentile.
func BenchmarkWebhook(b *testing.B) {
	e := newEnv(b, nil)
	type msg struct{ text, data, media string }
	mix := []msg{
		{text: "how much money do I get for a voluntary return?"},
		{text: "C'est combien l'aide au retour pour un Guinéen ?"},
		{data: "menu"},
		{text: "برای افغان ها چقدر پول میتن اگر برگردیم؟"},
		{text: "ሕቶ ዑቕባይ ብOFPRA ተነጺጉ፣ ናብ CNDA ከመይ ገይረ ይግባይ ክብል?"},
		{data: "more"},
		{text: "/start calais3-ar"},
		{text: "كم مبلغ المساعدة للعودة الطوعية؟"},
		{media: "photo"},
	}
	bodies := make([][]byte, 0, b.N)
	for i := range b.N {
		m := mix[i%len(mix)]
		chat := 710000000 + int64(i%50)
		u := map[string]any{"update_id": 600000000 + i}
		from := map[string]any{"id": chat, "is_bot": false, "first_name": "Bench", "language_code": "en"}
		chatObj := map[string]any{"id": chat, "first_name": "Bench", "type": "private"}
		date := 1781000000 + i
		switch {
		case m.data != "":
			u["callback_query"] = map[string]any{"id": fmt.Sprint(9000000000 + i), "from": from, "chat_instance": "1",
				"data": m.data, "message": map[string]any{"message_id": 1, "date": date, "chat": chatObj}}
		case m.media != "":
			u["message"] = map[string]any{"message_id": i, "date": date, "from": from, "chat": chatObj,
				"photo": []map[string]any{{"file_id": "x", "file_unique_id": "y", "width": 90, "height": 90}}}
		default:
			msg := map[string]any{"message_id": i, "date": date, "from": from, "chat": chatObj, "text": m.text}
			if m.text[0] == '/' {
				msg["entities"] = []map[string]any{{"type": "bot_command", "offset": 0, "length": 6}}
			}
			u["message"] = msg
		}
		body, _ := json.Marshal(u)
		bodies = append(bodies, body)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	url := e.hook.URL + WebhookPath
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		req, _ := http.NewRequest("POST", url, bytes.NewReader(bodies[i]))
		req.Header.Set(SecretHeader, testSecret)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		lat = append(lat, time.Since(start))
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	if n := e.counts()["inbound_dedupe"]; n != b.N {
		b.Errorf("%d recorded, want %d", n, b.N)
	}
}

// BenchmarkDecode is the channel's own share of a request: decoding and
// mapping an update (without HTTP, engine or database).
func BenchmarkDecode(b *testing.B) {
	s := &spy{}
	ch, err := New(Config{Token: testToken, Username: "passerelle_test_bot"}, s, nil)
	if err != nil {
		b.Fatal(err)
	}
	body := fixture(b, "26-mention-after-emoji")
	b.ReportAllocs()
	for b.Loop() {
		u, err := decodeUpdate(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ch.process(b.Context(), u); err != nil {
			b.Fatal(err)
		}
		s.got = s.got[:0]
	}
}
