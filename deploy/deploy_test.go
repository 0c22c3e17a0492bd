// The test of the deployment files: see doc.go.
package deploy

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// configVars reads the Config struct's tags in cmd/passerelle/config.go:
// env variable name → whether it is a secret (may come from _FILE), and
// the YAML keys.
func configVars(t *testing.T) (env map[string]bool, keys map[string]bool) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../cmd/passerelle/config.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	env, keys = map[string]bool{}, map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "Config" {
			return true
		}
		for _, field := range ts.Type.(*ast.StructType).Fields.List {
			if field.Tag == nil {
				continue
			}
			tag, _ := strconv.Unquote(field.Tag.Value)
			st := reflect.StructTag(tag)
			if name := st.Get("env"); name != "" {
				env[name] = st.Get("secret") == "true"
			}
			if k := st.Get("yaml"); k != "" {
				keys[k] = true
			}
		}
		return false
	})
	if len(env) < 10 {
		t.Fatalf("found only %d variables in config.go", len(env))
	}
	return env, keys
}

// checkVar fails when name is not a configuration variable (or a secret's
// _FILE form).
func checkVar(t *testing.T, where, name string, env map[string]bool) {
	t.Helper()
	if !strings.HasPrefix(name, "PASSERELLE_") {
		return
	}
	if _, ok := env[name]; ok {
		return
	}
	if base, ok := strings.CutSuffix(name, "_FILE"); ok {
		secret, known := env[base]
		if known && secret {
			return
		}
		if known {
			t.Errorf("%s: %s: %s is not a secret, it has no _FILE form", where, name, base)
			return
		}
	}
	t.Errorf("%s: %s is not a variable of cmd/passerelle/config.go", where, name)
}

// docs parses every YAML document of every .yaml file under deploy/.
func docs(t *testing.T) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Errorf("%s: %v", path, err)
				break
			}
			if doc != nil {
				out[filepath.ToSlash(path)] = append(out[filepath.ToSlash(path)], doc)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"compose.yaml", "passerelle.example.yaml", "k8s/deployment.yaml",
		"k8s/service.yaml", "k8s/meilisearch.yaml", "k8s/configmap.yaml", "k8s/secret.example.yaml"} {
		if len(out[want]) == 0 {
			t.Errorf("deploy/%s: missing or empty", want)
		}
	}
	return out
}

// get walks a decoded YAML tree by map keys and list indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[p]
		case int:
			l, ok := v.([]any)
			if !ok || p >= len(l) {
				return nil
			}
			v = l[p]
		}
	}
	return v
}

// kind returns the documents of one Kubernetes kind across deploy/k8s.
func kind(all map[string][]map[string]any, k string) []map[string]any {
	var out []map[string]any
	for path, ds := range all {
		if !strings.HasPrefix(path, "k8s/") {
			continue
		}
		for _, d := range ds {
			if d["kind"] == k {
				out = append(out, d)
			}
		}
	}
	return out
}

func TestYAMLFiles(t *testing.T) {
	env, keys := configVars(t)
	all := docs(t)

	// Every Kubernetes document names its API and kind.
	for path, ds := range all {
		if !strings.HasPrefix(path, "k8s/") {
			continue
		}
		for i, d := range ds {
			if d["apiVersion"] == nil || d["kind"] == nil {
				t.Errorf("%s: document %d has no apiVersion or kind", path, i)
			}
		}
	}

	// The example config uses only known keys.
	for k := range all["passerelle.example.yaml"][0] {
		if !keys[k] {
			t.Errorf("passerelle.example.yaml: %q is not a key of cmd/passerelle/config.go", k)
		}
	}

	// compose: builds deploy/Dockerfile; every variable exists.
	compose := all["compose.yaml"][0]
	if df := get(compose, "services", "passerelle", "build", "dockerfile"); df != "deploy/Dockerfile" {
		t.Errorf("compose.yaml: passerelle builds %v, want deploy/Dockerfile", df)
	}
	for _, svc := range []string{"passerelle", "meilisearch", "postgres"} {
		if get(compose, "services", svc) == nil {
			t.Errorf("compose.yaml: no %s service", svc)
		}
	}
	for name := range get(compose, "services", "passerelle", "environment").(map[string]any) {
		checkVar(t, "compose.yaml", name, env)
	}

	// ConfigMap variables exist.
	for _, cm := range kind(all, "ConfigMap") {
		for name := range get(cm, "data").(map[string]any) {
			checkVar(t, "ConfigMap", name, env)
		}
	}

	// The Deployment: 2+ replicas, probes, secrets as files that exist.
	deps := kind(all, "Deployment")
	if len(deps) != 1 {
		t.Fatalf("%d Deployments, want 1", len(deps))
	}
	dep := deps[0]
	if r, _ := get(dep, "spec", "replicas").(int); r < 2 {
		t.Errorf("Deployment: %d replicas, want 2 or more", r)
	}
	c := get(dep, "spec", "template", "spec", "containers", 0)
	if p := get(c, "readinessProbe", "httpGet", "path"); p != "/readyz" {
		t.Errorf("Deployment: readiness probe on %v, want /readyz", p)
	}
	if p := get(c, "livenessProbe", "httpGet", "path"); p != "/healthz" {
		t.Errorf("Deployment: liveness probe on %v, want /healthz", p)
	}
	if get(dep, "spec", "template", "spec", "securityContext", "runAsNonRoot") != true {
		t.Error("Deployment: runAsNonRoot is not set")
	}
	secretKeys := map[string]bool{}
	for _, s := range kind(all, "Secret") {
		if get(s, "metadata", "name") == "passerelle" {
			for k := range get(s, "stringData").(map[string]any) {
				secretKeys[k] = true
			}
		}
	}
	var names []string
	for _, e := range get(c, "env").([]any) {
		name, _ := get(e, "name").(string)
		names = append(names, name)
		checkVar(t, "Deployment", name, env)
		if v, _ := get(e, "value").(string); strings.HasPrefix(v, "/run/secrets/passerelle/") {
			if k := strings.TrimPrefix(v, "/run/secrets/passerelle/"); !secretKeys[k] {
				t.Errorf("Deployment: %s reads %s, not a key of the passerelle Secret", name, k)
			}
		}
	}
	for _, want := range []string{"PASSERELLE_DATABASE_URL_FILE", "PASSERELLE_SECRET_KEY_FILE"} {
		if !slices.Contains(names, want) {
			t.Errorf("Deployment: no %s (replicas share PostgreSQL and one key)", want)
		}
	}
	delay := 0.0
	for _, cm := range kind(all, "ConfigMap") {
		if s, ok := get(cm, "data", "PASSERELLE_SHUTDOWN_DELAY").(string); ok {
			delay, _ = strconv.ParseFloat(s, 64)
		}
	}
	if delay == 0 && get(c, "lifecycle", "preStop") == nil {
		t.Error("Deployment: neither PASSERELLE_SHUTDOWN_DELAY nor a preStop hook")
	}
	if g, _ := get(dep, "spec", "template", "spec", "terminationGracePeriodSeconds").(int); float64(g) < delay+10 {
		t.Errorf("Deployment: terminationGracePeriodSeconds %d < shutdown delay %g + 10 s of draining", g, delay)
	}

	// Meilisearch: a StatefulSet with a volume claim and the master key
	// from a Secret.
	sts := kind(all, "StatefulSet")
	if len(sts) != 1 || get(sts[0], "spec", "volumeClaimTemplates", 0) == nil {
		t.Fatal("want one Meilisearch StatefulSet with a volumeClaimTemplate")
	}
	found := false
	for _, e := range get(sts[0], "spec", "template", "spec", "containers", 0, "env").([]any) {
		if get(e, "name") == "MEILI_MASTER_KEY" && get(e, "valueFrom", "secretKeyRef", "name") != nil {
			found = true
		}
	}
	if !found {
		t.Error("StatefulSet: MEILI_MASTER_KEY does not come from a Secret")
	}

	// kustomization lists files that exist.
	for _, r := range get(all["k8s/kustomization.yaml"][0], "resources").([]any) {
		if _, err := os.Stat(filepath.Join("k8s", r.(string))); err != nil {
			t.Errorf("kustomization.yaml: %v", err)
		}
	}
}

// TestDockerfileAndUnit checks the few lines the image and the unit rely on.
func TestDockerfileAndUnit(t *testing.T) {
	df, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FROM golang:1.26 AS build", "CGO_ENABLED=0", "USER 65532", "EXPOSE 8080",
		`VOLUME ["/data"]`, "./cmd/passerelle"} {
		if !strings.Contains(string(df), want) {
			t.Errorf("Dockerfile: no %q", want)
		}
	}
	unit, err := os.ReadFile("passerelle.service")
	if err != nil {
		t.Fatal(err)
	}
	env, _ := configVars(t)
	for _, line := range strings.Split(string(unit), "\n") {
		if v, ok := strings.CutPrefix(line, "Environment="); ok {
			checkVar(t, "passerelle.service", strings.SplitN(v, "=", 2)[0], env)
		}
	}
	for _, want := range []string{"ExecStart=/usr/local/bin/passerelle --config /etc/passerelle/passerelle.yaml serve",
		"NoNewPrivileges=yes", "ProtectSystem=strict", "StateDirectory=passerelle"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("passerelle.service: no %q", want)
		}
	}
}
