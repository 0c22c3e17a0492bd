package console

import (
	"context"
	"fmt"
	"strings"

	"github.com/passerelle-org/passerelle/bot"
)

// AlertText is the message for a caseworkers' group when handoff h opens:
// priority, language, channel and a link to the console, and no personal
// data (no address, name or message text). base is the public URL of the
// service; without it the link is a path.
func (c *Console) AlertText(ctx context.Context, h bot.Handoff, base string) (string, error) {
	item, err := c.store.HandoffByID(ctx, h.ID)
	if err != nil {
		return "", fmt.Errorf("alert: %w", err)
	}
	lang := item.Lang
	if l, ok := c.locales.Language(lang); ok {
		lang = l.Name + " (" + l.Code + ")"
	}
	// The group is the caseworkers': the alert is in the console's
	// default interface language.
	p := c.locales.Printer(uiLangs[0])
	if lang == "" {
		lang = p.T("console.alert.lang_unknown", nil)
	}
	prio := p.T("console.alert.new", nil)
	if item.Urgent {
		prio = p.T("console.alert.urgent", nil)
	}
	return fmt.Sprintf("%s · %s · %s\n%s/console/handoffs/%d", prio, lang, item.Channel,
		strings.TrimSuffix(base, "/"), item.ID), nil
}
