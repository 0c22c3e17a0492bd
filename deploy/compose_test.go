// compose.yaml loaded by the Compose Specification's own Go library, as
// `docker compose config` loads it: schema validation, interpolation,
// profiles and consistency checks.
package deploy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"
)

// composeEnv is what compose.yaml needs from the environment (or .env),
// with placeholder values.
func composeEnv() map[string]string {
	return map[string]string{"MEILI_MASTER_KEY": "placeholder-master-key-0123456789"}
}

// loadCompose loads compose.yaml's content with env as the environment
// and the given profiles enabled.
func loadCompose(data []byte, env map[string]string, profiles ...string) (*types.Project, error) {
	wd, err := filepath.Abs(".")
	if err != nil {
		return nil, err
	}
	details := types.ConfigDetails{
		WorkingDir:  wd,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(wd, "compose.yaml"), Content: data}},
		Environment: types.Mapping(env),
	}
	return loader.LoadWithContext(context.Background(), details, loader.WithProfiles(profiles))
}

// validateCompose loads compose.yaml's content without and with the
// postgres profile, then checks what Passerelle needs: the three
// services, health checks, data on named volumes, passerelle starting
// after healthy dependencies, and no secret written in the file.
func validateCompose(data []byte, env map[string]string) error {
	var errs []error
	errorf := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	if _, err := loadCompose(data, env); err != nil {
		return fmt.Errorf("compose.yaml without profile: %w", err)
	}
	p, err := loadCompose(data, env, "postgres")
	if err != nil {
		return fmt.Errorf("compose.yaml with --profile postgres: %w", err)
	}
	for _, name := range []string{"passerelle", "meilisearch", "postgres"} {
		if _, ok := p.Services[name]; !ok {
			errorf("compose.yaml: no %s service", name)
		}
	}
	oneShot := map[string]bool{} // run to completion before another starts
	for _, s := range p.Services {
		for dep, d := range s.DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				oneShot[dep] = true
			}
		}
	}
	for name, s := range p.Services {
		if name == "passerelle" || oneShot[name] {
			continue // distroless: no shell or curl to run a check with
		}
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			errorf("compose.yaml: %s has no health check", name)
		}
	}
	dataDirs := map[string]string{"passerelle": "/data", "meilisearch": "/meili_data", "postgres": "/var/lib/postgresql/data"}
	for name, dir := range dataDirs {
		s := p.Services[name]
		found := false
		for _, v := range s.Volumes {
			if v.Target == dir && v.Type == types.VolumeTypeVolume {
				_, found = p.Volumes[v.Source]
			}
		}
		if !found {
			errorf("compose.yaml: %s keeps %s on no named volume", name, dir)
		}
	}
	for _, name := range []string{"passerelle", "meilisearch"} {
		if u := p.Services[name].User; u == "" || u == "0" || strings.HasPrefix(u, "0:") || strings.HasPrefix(u, "root") {
			if name != "passerelle" || u != "" { // passerelle's image sets a non-root user itself
				errorf("compose.yaml: %s runs as root (user %q)", name, u)
			}
		}
	}
	pass := p.Services["passerelle"]
	for _, dep := range []string{"meilisearch", "postgres"} {
		if d, ok := pass.DependsOn[dep]; !ok || d.Condition != types.ServiceConditionHealthy {
			errorf("compose.yaml: passerelle does not wait for %s to be healthy", dep)
		}
	}
	if b := pass.Build; b == nil {
		errorf("compose.yaml: passerelle has no build")
	} else if _, err := os.Stat(filepath.Join(b.Context, b.Dockerfile)); err != nil {
		errorf("compose.yaml: passerelle's Dockerfile: %v", err)
	}
	if v := p.Services["meilisearch"].Environment["MEILI_MASTER_KEY"]; v == nil || *v != env["MEILI_MASTER_KEY"] {
		errorf("compose.yaml: meilisearch's MEILI_MASTER_KEY is not taken from the environment")
	}
	if v := pass.Environment["PASSERELLE_MEILI_API_KEY"]; v == nil || *v == "" {
		errorf("compose.yaml: passerelle has no PASSERELLE_MEILI_API_KEY")
	}
	return errors.Join(append(errs, secretsInClear(data)...)...)
}

// secretsInClear reports every service environment entry whose name
// looks secret and whose value, as written, is anything but one
// ${VARIABLE...} taken from the environment or .env.
func secretsInClear(data []byte) []error {
	var raw struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return []error{fmt.Errorf("compose.yaml: environment as a map: %w", err)}
	}
	// ${NAME}, ${NAME:?message}, ${NAME:-} or ${NAME:-${OTHER}}: never a
	// literal default.
	interpolated := regexp.MustCompile(`^\$\{[A-Z_][A-Z0-9_]*(:?-(\$\{[A-Z_][A-Z0-9_]*\})?|:?\?[^}]*)?\}$`)
	secretName := regexp.MustCompile(`KEY|TOKEN|SECRET|PASSWORD|AUTH`)
	var errs []error
	for svc, s := range raw.Services {
		for name, value := range s.Environment {
			if secretName.MatchString(name) && !interpolated.MatchString(value) {
				errs = append(errs, fmt.Errorf("compose.yaml: %s: %s is written in the file, not taken from the environment", svc, name))
			}
		}
	}
	return errs
}

// TestCompose validates compose.yaml as `docker compose config` would.
func TestCompose(t *testing.T) {
	data, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := validateCompose(data, composeEnv()); err != nil {
		t.Fatal(err)
	}
	// Without the master key, compose refuses to start rather than run
	// Meilisearch in production mode with no key.
	if _, err := loadCompose(data, nil); err == nil || !strings.Contains(err.Error(), "MEILI_MASTER_KEY") {
		t.Errorf("compose.yaml loads without MEILI_MASTER_KEY (err %v)", err)
	}
}

// TestComposeValidatorBites feeds compose.yaml with one deliberate
// mistake each and expects validateCompose to catch it.
func TestComposeValidatorBites(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"unknown key", "    stop_grace_period: 30s", "    stop_grace_periode: 30s", "stop_grace_periode"},
		{"wrong type", "retries: 5", "retries: five", "retries"},
		{"bad duration", "interval: 10s", "interval: ten", "interval"},
		{"undefined dependency", "      meilisearch:\n        condition: service_healthy", "      meili:\n        condition: service_healthy", "meili"},
		{"undefined volume", "- meili_data:/meili_data", "- meili_dat:/meili_data", "meili_dat"},
		{"started is not healthy", "      meilisearch:\n        condition: service_healthy", "      meilisearch:\n        condition: service_started", "wait for meilisearch"},
		{"no health check", `      test: ["CMD", "pg_isready"`, `      disable: true` + "\n" + `      x-test: ["CMD", "pg_isready"`, "postgres has no health check"},
		{"data in the container", "- pg_data:/var/lib/postgresql/data", "- /tmp/pg:/var/lib/postgresql/data", "postgres keeps /var/lib/postgresql/data on no named volume"},
		{"secret in clear", "MEILI_MASTER_KEY: ${MEILI_MASTER_KEY:?set MEILI_MASTER_KEY (16 bytes or more)}", "MEILI_MASTER_KEY: hunter2hunter2hunter2", "MEILI_MASTER_KEY is written in the file"},
		{"default secret", "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-}", "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changeme}", "POSTGRES_PASSWORD is written in the file"},
		{"meilisearch as root", `    user: "1000:1000"`, `    user: "0:0"`, "meilisearch runs as root"},
		{"one-shot with no health check is still a service", "        condition: service_completed_successfully", "        condition: service_started", "meili-volume has no health check"},
		{"no Dockerfile", "dockerfile: deploy/Dockerfile", "dockerfile: deploy/Containerfile", "Containerfile"},
	}
	orig, err := os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(string(orig), c.old) {
				t.Fatalf("compose.yaml no longer contains %q: update this case", c.old)
			}
			data := []byte(strings.Replace(string(orig), c.old, c.new, 1))
			err := validateCompose(data, composeEnv())
			if err == nil {
				t.Fatal("validateCompose accepted the mistake")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error does not mention %q:\n%v", c.want, err)
			}
		})
	}
}
