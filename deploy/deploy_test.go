// Every configuration name the deployment files use exists in
// cmd/passerelle/config.go. The other tests validate each file with its
// own tool: k8s_*_test.go, compose_test.go, dockerfile_test.go,
// static_build_test.go, systemd_test.go.
package deploy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
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

// TestConfigNames checks the example config's keys and the PASSERELLE_*
// variables of compose.yaml, the Kubernetes manifests and the Dockerfile
// (the unit's are checked by checkUnit).
func TestConfigNames(t *testing.T) {
	env, keys := configVars(t)

	data, err := os.ReadFile("passerelle.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var example map[string]any
	if err := yaml.Unmarshal(data, &example); err != nil {
		t.Fatal(err)
	}
	for k := range example {
		if !keys[k] {
			t.Errorf("passerelle.example.yaml: %q is not a key of cmd/passerelle/config.go", k)
		}
	}

	data, err = os.ReadFile("compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadCompose(data, composeEnv(), "postgres")
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range p.Services {
		for v := range s.Environment {
			checkVar(t, "compose.yaml: "+name, v, env)
		}
	}

	for name, data := range k8sFiles(t) {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		ms, err := decodeManifests(name, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			var pod *corev1.PodSpec
			switch o := m.obj.(type) {
			case *corev1.ConfigMap:
				for v := range o.Data {
					checkVar(t, m.String(), v, env)
				}
			case *appsv1.Deployment:
				pod = &o.Spec.Template.Spec
			case *appsv1.StatefulSet:
				pod = &o.Spec.Template.Spec
			}
			if pod == nil {
				continue
			}
			for _, c := range pod.Containers {
				for _, e := range c.Env {
					checkVar(t, m.String(), e.Name, env)
				}
			}
		}
	}

	data, err = os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	stages, err := parseDockerfile(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stages {
		for _, e := range commands[*instructions.EnvCommand](s) {
			for _, kv := range e.Env {
				checkVar(t, "Dockerfile", kv.Key, env)
			}
		}
	}
}
