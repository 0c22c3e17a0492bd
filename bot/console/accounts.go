package console

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/passerelle-org/passerelle/bot"
)

type accountsData struct {
	page
	Accounts []bot.Caseworker
	// Created and Password are shown once, after an account was made.
	Created  string
	Password string
	Error    string
}

// admin runs next only for admins.
func (c *Console) admin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if caseworker(r).Role != bot.RoleAdmin {
			c.fail(w, r, errForbidden)
			return
		}
		next(w, r)
	}
}

func (c *Console) accountsPage(w http.ResponseWriter, r *http.Request) {
	c.showAccounts(w, r, http.StatusOK, accountsData{})
}

func (c *Console) showAccounts(w http.ResponseWriter, r *http.Request, status int, d accountsData) {
	var err error
	d.page = c.page(r, "console.nav.accounts")
	if d.Accounts, err = c.store.Caseworkers(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, status, "accounts.html", d)
}

// createAccount makes an account with a generated password, shown once.
func (c *Console) createAccount(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	name := strings.TrimSpace(r.PostFormValue("name"))
	role := r.PostFormValue("role")
	var langs []string
	for _, l := range strings.Split(r.PostFormValue("languages"), ",") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if _, ok := c.locales.Language(l); !ok {
			c.showAccounts(w, r, http.StatusBadRequest, accountsData{Error: c.printer(r).T("console.accounts.unknown_lang", map[string]any{"Code": l})})
			return
		}
		langs = append(langs, l)
	}
	if !strings.Contains(email, "@") || name == "" || (role != bot.RoleCaseworker && role != bot.RoleAdmin) {
		c.showAccounts(w, r, http.StatusBadRequest, accountsData{Error: c.printer(r).T("console.accounts.missing", nil)})
		return
	}
	password := GeneratePassword()
	hash, err := HashPassword(password)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	cw, err := c.store.CreateCaseworker(r.Context(), bot.Caseworker{Email: email, Name: name, Languages: langs,
		Role: role, PasswordHash: hash, CreatedAt: c.clock()})
	if errors.Is(err, bot.ErrConflict) {
		c.showAccounts(w, r, http.StatusConflict, accountsData{Error: c.printer(r).T("console.accounts.exists", nil)})
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.audit(r, caseworker(r).ID, "account.create", 0, cw.Email+" ("+cw.Role+")")
	c.showAccounts(w, r, http.StatusOK, accountsData{Created: cw.Email, Password: password})
}

// setDisabled disables or enables an account; admins cannot disable
// themselves (someone must stay able to manage accounts).
func (c *Console) setDisabled(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			c.fail(w, r, fmt.Errorf("account %q: %w", r.PathValue("id"), bot.ErrNotFound))
			return
		}
		me := caseworker(r)
		if id == me.ID && disabled {
			c.showAccounts(w, r, http.StatusBadRequest, accountsData{Error: c.printer(r).T("console.accounts.self", nil)})
			return
		}
		if err := c.store.SetCaseworkerDisabled(r.Context(), id, disabled); err != nil {
			c.fail(w, r, err)
			return
		}
		action := "account.enable"
		if disabled {
			action = "account.disable"
		}
		c.audit(r, me.ID, action, 0, fmt.Sprintf("account %d", id))
		http.Redirect(w, r, "/console/accounts", http.StatusSeeOther)
	}
}
