package metrics

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Counter is a monotonically increasing count split by label values. The
// zero value is not usable; make one with NewCounter.
type Counter struct {
	name, help string
	labels     []string

	mu     sync.Mutex
	values map[string]*counterValue
}

type counterValue struct {
	labels []string
	n      float64
}

// NewCounter makes a counter named name with the given label names.
func NewCounter(name, help string, labels ...string) *Counter {
	return &Counter{name: name, help: help, labels: labels, values: map[string]*counterValue{}}
}

// Add adds n (n >= 0) to the series with these label values, one per label
// name in order.
func (c *Counter) Add(n float64, values ...string) {
	if len(values) != len(c.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", c.name, len(c.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	c.mu.Lock()
	v, ok := c.values[key]
	if !ok {
		v = &counterValue{labels: slices.Clone(values)}
		c.values[key] = v
	}
	v.n += n
	c.mu.Unlock()
}

// Inc adds one.
func (c *Counter) Inc(values ...string) { c.Add(1, values...) }

// Value returns the series' count (for tests).
func (c *Counter) Value(values ...string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.values[strings.Join(values, "\xff")]; ok {
		return v.n
	}
	return 0
}

// WriteTo writes the counter's series in the text format, sorted by
// label values. A counter with labels and no series writes only its HELP
// and TYPE lines; one without labels writes 0.
func (c *Counter) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	header(&b, c.name, c.help, "counter")
	c.mu.Lock()
	keys := sortedKeys(c.values)
	if len(c.labels) == 0 && len(keys) == 0 {
		fmt.Fprintf(&b, "%s 0\n", c.name)
	}
	for _, k := range keys {
		v := c.values[k]
		fmt.Fprintf(&b, "%s%s %s\n", c.name, labelSet(c.labels, v.labels, "", ""), num(v.n))
	}
	c.mu.Unlock()
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Histogram counts observations in cumulative buckets, split by the values
// of one label. Make one with NewHistogram.
type Histogram struct {
	name, help, label string
	buckets           []float64

	mu     sync.Mutex
	series map[string]*histValue
}

type histValue struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      uint64
}

// DefaultLatencyBuckets suit request latencies in seconds, 1 ms to 10 s.
var DefaultLatencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}

// NewHistogram makes a histogram with upper bounds buckets (ascending)
// split by label.
func NewHistogram(name, help, label string, buckets []float64) *Histogram {
	return &Histogram{name: name, help: help, label: label, buckets: buckets, series: map[string]*histValue{}}
}

// Observe records v in the series for value.
func (h *Histogram) Observe(v float64, value string) {
	i, _ := slices.BinarySearch(h.buckets, v) // first bound >= v, or len = +Inf
	h.mu.Lock()
	s, ok := h.series[value]
	if !ok {
		s = &histValue{counts: make([]uint64, len(h.buckets)+1)}
		h.series[value] = s
	}
	s.counts[i]++
	s.sum += v
	s.n++
	h.mu.Unlock()
}

// Count returns how many observations the series has (for tests).
func (h *Histogram) Count(value string) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.series[value]; ok {
		return s.n
	}
	return 0
}

// WriteTo writes the histogram in the text format: cumulative _bucket
// series with le, then _sum and _count, for each label value.
func (h *Histogram) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	header(&b, h.name, h.help, "histogram")
	h.mu.Lock()
	names := []string{h.label}
	for _, k := range sortedKeys(h.series) {
		s := h.series[k]
		var cum uint64
		for i, c := range s.counts {
			cum += c
			le := "+Inf"
			if i < len(h.buckets) {
				le = num(h.buckets[i])
			}
			fmt.Fprintf(&b, "%s_bucket%s %d\n", h.name, labelSet(names, []string{k}, "le", le), cum)
		}
		fmt.Fprintf(&b, "%s_sum%s %s\n", h.name, labelSet(names, []string{k}, "", ""), num(s.sum))
		fmt.Fprintf(&b, "%s_count%s %d\n", h.name, labelSet(names, []string{k}, "", ""), s.n)
	}
	h.mu.Unlock()
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// WriteGauge writes one unlabelled gauge.
func WriteGauge(w io.Writer, name, help string, v float64) {
	var b strings.Builder
	header(&b, name, help, "gauge")
	fmt.Fprintf(&b, "%s %s\n", name, num(v))
	io.WriteString(w, b.String())
}

func header(b *strings.Builder, name, help, typ string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
}

// labelSet renders {a="x",b="y"} with an optional extra pair, or "".
func labelSet(names, values []string, extraName, extraValue string) string {
	if len(names) == 0 && extraName == "" {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=\"%s\"", n, escapeValue(values[i]))
	}
	if extraName != "" {
		if len(names) > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=\"%s\"", extraName, escapeValue(extraValue))
	}
	b.WriteByte('}')
	return b.String()
}

var (
	valueEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeValue(s string) string { return valueEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func num(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
