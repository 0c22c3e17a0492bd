// The systemd unit: checked by systemd-analyze where it is installed
// (Debian's systemd package), and by its hardening options everywhere.
package deploy

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// unitSettings parses a systemd unit: section → key → values, in order
// (a key may repeat).
func unitSettings(data string) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			out[section] = map[string][]string{}
		default:
			k, v, _ := strings.Cut(line, "=")
			if out[section] != nil {
				out[section][strings.TrimSpace(k)] = append(out[section][strings.TrimSpace(k)], strings.TrimSpace(v))
			}
		}
	}
	return out
}

// checkUnit checks what Passerelle relies on in passerelle.service: it
// runs `passerelle --config /etc/passerelle/... serve` as an unprivileged
// user, under ProtectSystem=strict with only its data dir writable, with
// no new privileges; and every PASSERELLE_* variable exists.
func checkUnit(data string, env map[string]bool) error {
	var errs []error
	errorf := func(format string, a ...any) { errs = append(errs, fmt.Errorf("passerelle.service: "+format, a...)) }
	s := unitSettings(data)["Service"]
	if s == nil {
		return errors.New("passerelle.service: no [Service] section")
	}
	last := func(k string) string {
		if v := s[k]; len(v) > 0 {
			return v[len(v)-1]
		}
		return ""
	}
	exec := strings.Fields(last("ExecStart"))
	if len(exec) < 4 || exec[0] != "/usr/local/bin/passerelle" || exec[1] != "--config" ||
		!strings.HasPrefix(exec[2], "/etc/"+last("ConfigurationDirectory")+"/") || exec[len(exec)-1] != "serve" {
		errorf("ExecStart=%s, want /usr/local/bin/passerelle --config /etc/passerelle/FILE serve", last("ExecStart"))
	}
	if u := last("User"); u == "" || u == "root" || u == "0" {
		errorf("User=%q: want an unprivileged user", u)
	}
	for k, want := range map[string]string{"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "ProtectHome": "yes"} {
		if got := last(k); got != want {
			errorf("%s=%q, want %s", k, got, want)
		}
	}
	vars := map[string]string{}
	for _, e := range s["Environment"] {
		for _, kv := range strings.Fields(e) {
			k, v, _ := strings.Cut(strings.Trim(kv, `"`), "=")
			vars[k] = v
			if strings.HasPrefix(k, "PASSERELLE_") {
				if _, ok := env[k]; !ok && !strings.HasSuffix(k, "_FILE") {
					errorf("Environment=%s: not a variable of cmd/passerelle/config.go", k)
				}
			}
		}
	}
	// ProtectSystem=strict leaves writable only ReadWritePaths= and the
	// /var/lib directories of StateDirectory=.
	writable := slices.Clone(s["ReadWritePaths"])
	for _, d := range s["StateDirectory"] {
		for _, f := range strings.Fields(d) {
			writable = append(writable, "/var/lib/"+f)
		}
	}
	dataDir := vars["PASSERELLE_DATA_DIR"]
	inside := func(w string) bool {
		rel, err := filepath.Rel(path.Clean(strings.TrimLeft(w, "-+")), dataDir)
		return err == nil && !strings.HasPrefix(rel, "..")
	}
	if dataDir == "" || !slices.ContainsFunc(writable, inside) {
		errorf("data dir %q is not writable under ProtectSystem=strict (ReadWritePaths=, StateDirectory= %v)", dataDir, writable)
	}
	return errors.Join(errs...)
}

// analyzeUnit runs systemd-analyze verify and security on a copy of the
// unit whose ExecStart binary is a stub (verify wants an executable
// there), and returns what they said when they found anything.
func analyzeUnit(t *testing.T, data string) error {
	t.Helper()
	dir := t.TempDir()
	stub := filepath.Join(dir, "passerelle")
	if err := os.WriteFile(stub, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(dir, "passerelle.service")
	data = regexp.MustCompile(`(?m)^ExecStart=/usr/local/bin/passerelle`).ReplaceAllString(data, "ExecStart="+stub)
	if err := os.WriteFile(unit, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	// verify prints problems (unknown keys, bad values) and still exits 0.
	out, err := exec.Command("systemd-analyze", "verify", "--man=no", unit).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		return fmt.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The unit rates 1.4 ("OK"); 2.0 leaves room for one small change.
	out, err = exec.Command("systemd-analyze", "security", "--offline=yes", "--threshold=20", unit).CombinedOutput()
	if err != nil {
		overall := regexp.MustCompile(`Overall exposure level.*`).Find(out)
		return fmt.Errorf("systemd-analyze security: exposure above 2.0: %v: %s", err, overall)
	}
	return nil
}

// TestSystemdUnit checks passerelle.service, and shows each check fails
// on a unit with one mistake.
func TestSystemdUnit(t *testing.T) {
	raw, err := os.ReadFile("passerelle.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(raw)
	env, _ := configVars(t)
	if err := checkUnit(unit, env); err != nil {
		t.Error(err)
	}
	haveAnalyze := true
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		haveAnalyze = false
		t.Log("no systemd-analyze: only the parsed checks run (apt-get install systemd for more)")
	} else if err := analyzeUnit(t, unit); err != nil {
		t.Error(err)
	}

	cases := []struct {
		name, old, new, want string
		analyze              bool // only systemd-analyze sees it
	}{
		{"no NoNewPrivileges", "NoNewPrivileges=yes", "NoNewPrivileges=no", "NoNewPrivileges", false},
		{"ProtectSystem full", "ProtectSystem=strict", "ProtectSystem=full", "ProtectSystem", false},
		{"root", "User=passerelle", "User=root", "unprivileged", false},
		{"data dir read-only", "StateDirectory=passerelle\n", "", "not writable", false},
		{"unknown variable", "Environment=PASSERELLE_DATA_DIR", "Environment=PASSERELLE_DATADIR", "PASSERELLE_DATADIR", false},
		{"no serve", "passerelle.yaml serve", "passerelle.yaml", "ExecStart", false},
		{"misspelt key", "ProtectHostname=yes", "ProtectHostnam=yes", "Unknown key", true},
		{"bad value", "ProtectClock=yes", "ProtectClock=maybe", "Failed to parse boolean", true},
		{"weak sandbox", "SystemCallFilter=@system-service\nSystemCallFilter=~@privileged\n", "", "exposure", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(unit, c.old) {
				t.Fatalf("passerelle.service no longer contains %q: update this case", c.old)
			}
			if c.analyze && !haveAnalyze {
				t.Skip("needs systemd-analyze")
			}
			bad := strings.Replace(unit, c.old, c.new, 1)
			var err error
			if c.analyze {
				err = analyzeUnit(t, bad)
			} else {
				err = checkUnit(bad, env)
			}
			if err == nil {
				t.Fatal("the mistake was accepted")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error does not mention %q:\n%v", c.want, err)
			}
		})
	}
}
