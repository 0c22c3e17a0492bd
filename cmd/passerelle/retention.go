package main

import (
	"context"
	"log/slog"
	"time"
)

// runRetention deletes what is older than PASSERELLE_RETENTION_DAYS once
// at start, then every RetentionEvery (a day by default), until ctx ends.
// It logs counts only. With several replicas each runs it; Purge works in
// small batches and deleting what is already gone costs little.
func (m *Main) runRetention(ctx context.Context) {
	every := m.RetentionEvery
	if every <= 0 {
		every = 24 * time.Hour
	}
	log := m.Log.With("component", "retention")
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		m.purgeOnce(ctx, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// purgeOnce runs one retention pass and records it in the metrics.
func (m *Main) purgeOnce(ctx context.Context, log *slog.Logger) {
	start := time.Now()
	before := m.Clock().UTC().AddDate(0, 0, -m.Config.RetentionDays)
	n, err := m.Store.Purge(ctx, before)
	sm := m.serviceMetrics()
	sm.purged.Add(float64(n))
	if err != nil {
		if ctx.Err() == nil {
			sm.purgeRuns.Inc("error")
			log.Error("retention purge failed", "err", err, "rows", n)
		}
		return
	}
	sm.purgeRuns.Inc("ok")
	log.Info("retention purge done", "rows", n, "retention_days", m.Config.RetentionDays,
		"took_ms", time.Since(start).Milliseconds())
}
