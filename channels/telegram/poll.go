package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// OffsetStore keeps the long-polling offset (the next update_id to ask
// for) across restarts.
type OffsetStore interface {
	// LoadOffset returns the saved offset, 0 when none was saved.
	LoadOffset() (int64, error)
	SaveOffset(int64) error
}

// FileOffsets keeps the offset in a small file (in the data dir), replaced
// atomically on each save.
type FileOffsets struct{ Path string }

// LoadOffset reads the file; a missing file is offset 0.
func (f FileOffsets) LoadOffset() (int64, error) {
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("telegram offset: %w", err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("telegram offset %s: %w", f.Path, err)
	}
	return n, nil
}

// SaveOffset writes the offset to a temporary file, syncs it and renames
// it over the old one, so a crash leaves the old or the new offset.
func (f FileOffsets) SaveOffset(n int64) error {
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".telegram-offset-*")
	if err != nil {
		return fmt.Errorf("telegram offset: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(strconv.FormatInt(n, 10) + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("telegram offset: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("telegram offset: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("telegram offset: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("telegram offset: %w", err)
	}
	return nil
}

// Run connects the channel to Telegram until ctx ends: in webhook mode it
// registers the webhook (retrying until Telegram accepts it) and returns;
// in polling mode it removes any webhook and polls.
func (c *Channel) Run(ctx context.Context) error {
	// The bot's name, for removing mentions of it and for the group
	// notice's link; without it both still work, less well.
	if _, err := c.Username(ctx); err != nil && ctx.Err() == nil {
		c.log.Warn("telegram getMe failed; the bot's @name is not known yet", "err", err)
	}
	if c.cfg.WebhookURL != "" {
		c.retry(ctx, "setWebhook", c.setWebhook)
		return nil
	}
	c.retry(ctx, "deleteWebhook", func(ctx context.Context) error {
		_, err := c.call(ctx, tgbotapi.DeleteWebhookConfig{})
		return err
	})
	return c.Poll(ctx)
}

// setWebhook points Telegram at WebhookURL with the secret token and the
// update types handled. The library's WebhookConfig predates secret_token,
// so the call is made with its parameters.
func (c *Channel) setWebhook(ctx context.Context) error {
	if c.cfg.WebhookSecret == "" {
		return errors.New("telegram webhook: no secret token")
	}
	allowed, _ := json.Marshal(AllowedUpdates)
	params := tgbotapi.Params{
		"url": c.cfg.WebhookURL, "secret_token": c.cfg.WebhookSecret,
		"allowed_updates": string(allowed), "max_connections": "40",
	}
	if _, err := c.bot(ctx).MakeRequest("setWebhook", params); err != nil {
		return c.redact(err)
	}
	c.log.Info("telegram webhook set")
	return nil
}

// retry calls fn until it succeeds or ctx ends (the service is
// stopping), with backoff from 1s to 1 minute.
func (c *Channel) retry(ctx context.Context, what string, fn func(context.Context) error) {
	for delay := time.Second; ; delay = min(2*delay, time.Minute) {
		err := fn(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		c.log.Error("telegram "+what+" failed; retrying", "in", delay, "err", err)
		if sleep(ctx, delay) != nil {
			return
		}
	}
}

// maxTries is how many times polling hands one update to the handler
// before giving it up (as Telegram gives up on a webhook that keeps
// failing), so one bad update cannot stop every later one.
const maxTries = 5

// Poll receives updates with getUpdates until ctx ends. Updates are
// handled in order; after each, the offset (its update_id + 1) is saved,
// so a restart neither repeats nor skips one. The offset follows the last
// update received, even when update ids restart lower (Telegram does that
// after a week without updates). Telegram keeps what was not confirmed, so
// even a lost offset loses nothing: updates handled already come again and
// the engine's dedupe drops them.
func (c *Channel) Poll(ctx context.Context) error {
	offset, err := c.loadOffset()
	if err != nil {
		// Offset 0 asks for every update not yet confirmed: nothing is
		// lost, and what was handled already is dropped by the dedupe.
		c.log.Error("telegram offset unreadable; asking for every unconfirmed update", "err", err)
		offset = 0
	}
	// Handling goes on past ctx's end, so an update being handled at
	// shutdown is finished rather than half-done.
	hctx := context.WithoutCancel(ctx)
	delay := time.Second
	for ctx.Err() == nil {
		raws, err := c.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			c.log.Error("telegram getUpdates failed; retrying", "in", delay, "err", err)
			sleep(ctx, delay)
			delay = min(2*delay, time.Minute)
			continue
		}
		delay = time.Second
		for _, raw := range raws {
			id, ok := c.handleRaw(ctx, hctx, raw)
			if !ok {
				return nil // stopped while retrying; the update comes again next time
			}
			if id > 0 {
				offset = id + 1
				if err := c.saveOffset(offset); err != nil {
					c.log.Error("telegram offset not saved", "err", err)
				}
			}
		}
	}
	return nil
}

// handleRaw handles one update from getUpdates, retrying failures, and
// returns its update_id. ok is false when ctx ended before it was handled.
func (c *Channel) handleRaw(ctx, hctx context.Context, raw json.RawMessage) (id int64, ok bool) {
	var head struct {
		UpdateID int64 `json:"update_id"`
	}
	_ = json.Unmarshal(raw, &head)
	u, err := decodeUpdate(raw)
	if err != nil {
		c.log.Warn("telegram getUpdates: malformed update skipped", "update", head.UpdateID)
		return head.UpdateID, true
	}
	for try := 1; ; try++ {
		callback, err := c.process(hctx, u)
		if err == nil {
			if callback != "" {
				c.answerCallback(hctx, callback)
			}
			return head.UpdateID, true
		}
		if try == maxTries {
			c.log.Error("telegram update given up after repeated failures", "update", head.UpdateID, "err", err)
			return head.UpdateID, true
		}
		c.log.Error("telegram update not handled; retrying", "update", head.UpdateID, "err", err)
		if sleep(ctx, time.Duration(try)*time.Second) != nil {
			return 0, false
		}
	}
}

// getUpdates asks for the updates from offset on, waiting up to
// PollTimeout for one to come.
func (c *Channel) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	allowed, _ := json.Marshal(AllowedUpdates)
	params := tgbotapi.Params{
		"limit": "100", "timeout": strconv.Itoa(int(c.cfg.PollTimeout / time.Second)),
		"allowed_updates": string(allowed),
	}
	if offset != 0 {
		params["offset"] = strconv.FormatInt(offset, 10)
	}
	resp, err := c.bot(ctx).MakeRequest("getUpdates", params)
	if err != nil {
		return nil, c.redact(err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, fmt.Errorf("getUpdates result: %w", err)
	}
	return raws, nil
}

func (c *Channel) loadOffset() (int64, error) {
	if c.cfg.Offsets == nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.offset, nil
	}
	return c.cfg.Offsets.LoadOffset()
}

func (c *Channel) saveOffset(n int64) error {
	if c.cfg.Offsets == nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.offset = n
		return nil
	}
	return c.cfg.Offsets.SaveOffset(n)
}
