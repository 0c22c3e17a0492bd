package metrics

import (
	"strings"
	"testing"
)

func TestTextFormat(t *testing.T) {
	c := NewCounter("x_total", "Things.", "channel", "reason")
	c.Inc("sms", "retry")
	c.Add(2, "sms", "retry")
	c.Inc("web", `a"b`)
	h := NewHistogram("lat_seconds", "Latency.", "route", []float64{0.01, 0.1})
	h.Observe(0.005, "GET /")
	h.Observe(0.05, "GET /")
	h.Observe(3, "GET /")
	var b strings.Builder
	c.WriteTo(&b)
	h.WriteTo(&b)
	WriteGauge(&b, "depth", "Depth.", 4)
	want := `# HELP x_total Things.
# TYPE x_total counter
x_total{channel="sms",reason="retry"} 3
x_total{channel="web",reason="a\"b"} 1
# HELP lat_seconds Latency.
# TYPE lat_seconds histogram
lat_seconds_bucket{route="GET /",le="0.01"} 1
lat_seconds_bucket{route="GET /",le="0.1"} 2
lat_seconds_bucket{route="GET /",le="+Inf"} 3
lat_seconds_sum{route="GET /"} 3.055
lat_seconds_count{route="GET /"} 3
# HELP depth Depth.
# TYPE depth gauge
depth 4
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if c.Value("sms", "retry") != 3 || h.Count("GET /") != 3 {
		t.Errorf("Value/Count wrong")
	}
}
