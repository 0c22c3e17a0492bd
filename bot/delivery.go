package bot

import (
	"context"
	"errors"
	"fmt"
)

// DeliveryRank orders a provider's message statuses by how far along a
// message's life they come, so that reports arriving out of order never
// move a message back: queued < sending < sent < delivered < read, and a
// failure (undelivered, failed, canceled) is final. An unknown status
// ranks 0 and never replaces a known one.
func DeliveryRank(status string) int {
	switch status {
	case "accepted", "scheduled", "queued":
		return 1
	case "sending":
		return 2
	case "sent":
		return 3
	case "partially_delivered", "delivered":
		return 4
	case "read":
		return 5
	case "undelivered", "failed", "canceled":
		return 6
	}
	return 0
}

// Report records a provider's delivery report (a status callback) on the
// message it names, and acts on a failure: an opted-out or blocked person
// is marked so nothing more is sent, and a message refused as outside the
// messaging window goes back to the queue to be sent the way that works
// outside it. A report on a message the store does not know returns an
// error wrapping ErrNotFound; the channel answers it with 200 and ignores
// it.
func (w *Worker) Report(ctx context.Context, d Delivery) error {
	w.init()
	if d.At.IsZero() {
		d.At = w.Clock().UTC()
	}
	o, err := w.Store.RecordDelivery(ctx, d)
	if err != nil {
		return fmt.Errorf("delivery report: %w", err)
	}
	if !d.Failed {
		return nil
	}
	log := w.Log.With("outbound", o.ID, "channel", o.Channel)
	switch d.Kind {
	case SendOptedOut, SendBlocked:
		log.Info("delivery failed: recipient unreachable; contact marked", "code", d.ErrorCode)
		err = w.Store.InTx(ctx, func(tx Tx) error {
			return tx.SetContactFlags(ctx, o.ContactID, d.Kind == SendOptedOut, d.Kind == SendBlocked)
		})
	case SendHeld:
		if o.Status != OutboxSent {
			return nil // a template's report: the reply is already held
		}
		log.Info("delivery refused outside the messaging window; message requeued", "code", d.ErrorCode)
		err = w.Store.MarkWindowClosed(ctx, o.ID, d.At)
		if err == nil {
			w.Wake()
		}
	default:
		log.Warn("delivery failed", "status", d.Status, "code", d.ErrorCode)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("delivery report: %w", err)
	}
	return nil
}
