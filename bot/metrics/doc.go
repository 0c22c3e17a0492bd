// Package metrics is the small part of Prometheus that Passerelle needs:
// counters and histograms with labels, written in the text exposition
// format. Labels are for bounded sets only (channels, languages, route
// patterns, failure kinds); callers map anything else to "other".
package metrics
