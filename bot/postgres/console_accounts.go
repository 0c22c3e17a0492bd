package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SetCaseworkerDisabled disables or enables account id; disabling ends its
// sessions. (Added by the console engineer alongside the interface method,
// in the style of console.go; move it there at will.)
func (s *Store) SetCaseworkerDisabled(ctx context.Context, id int64, disabled bool) error {
	return s.write(ctx, func(t pgx.Tx) error {
		tag, err := t.Exec(ctx, `UPDATE caseworkers SET disabled = $1 WHERE id = $2`, disabled, id)
		if err := affectedOne(tag, err, "set caseworker disabled", id); err != nil {
			return err
		}
		if disabled {
			if _, err := t.Exec(ctx, `DELETE FROM console_sessions WHERE caseworker_id = $1`, id); err != nil {
				return fmt.Errorf("set caseworker disabled %d: %w", id, err)
			}
		}
		return nil
	})
}
