// Strict decoding of the Kubernetes manifests into the API's own Go types.
package deploy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// kustomization is the part of kustomize's Kustomization that
// deploy/k8s uses. It is decoded strictly too, so a misspelt key fails;
// a real kustomize key added to the file must be added here.
type kustomization struct {
	metav1.TypeMeta `json:",inline"`
	Namespace       string   `json:"namespace,omitempty"`
	Resources       []string `json:"resources,omitempty"`
}

// manifest is one YAML document of deploy/k8s decoded into its API type
// (*appsv1.Deployment, *corev1.Service, ...).
type manifest struct {
	file  string // path under deploy/k8s
	index int    // document number in the file, from 0
	obj   any
}

func (m manifest) String() string { return fmt.Sprintf("k8s/%s#%d", m.file, m.index) }

// newObject returns an empty object of the API type for apiVersion and
// kind, or nil for a kind these manifests are not expected to hold.
func newObject(tm metav1.TypeMeta) any {
	switch tm.APIVersion + " " + tm.Kind {
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}
	case "apps/v1 StatefulSet":
		return &appsv1.StatefulSet{}
	case "v1 Service":
		return &corev1.Service{}
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}
	case "v1 Secret":
		return &corev1.Secret{}
	case "v1 Namespace":
		return &corev1.Namespace{}
	case "kustomize.config.k8s.io/v1beta1 Kustomization":
		return &kustomization{}
	}
	return nil
}

// decodeManifests splits a YAML file into documents and decodes each one
// as the API server does with fieldValidation=Strict: YAML to JSON (no
// duplicate keys), then case-sensitive JSON into the typed object with
// unknown fields rejected. A number where the API wants a string
// (ConfigMap data, env values) is an error here as it is for kubectl,
// which sigs.k8s.io/yaml.UnmarshalStrict would have quietly converted.
func decodeManifests(file string, data []byte) ([]manifest, error) {
	var out []manifest
	var errs []error
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return out, fmt.Errorf("k8s/%s: %w", file, err)
		}
		where := fmt.Sprintf("k8s/%s#%d", file, i)
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		if s := string(bytes.TrimSpace(js)); s == "null" || s == "" {
			continue // comments only
		}
		var tm metav1.TypeMeta
		if err := kjson.UnmarshalCaseSensitivePreserveInts(js, &tm); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		obj := newObject(tm)
		if obj == nil {
			errs = append(errs, fmt.Errorf("%s: unexpected %q %q", where, tm.APIVersion, tm.Kind))
			continue
		}
		strict, err := kjson.UnmarshalStrict(js, obj)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %w", where, tm.Kind, err))
			continue
		}
		for _, e := range strict {
			errs = append(errs, fmt.Errorf("%s (%s): %w", where, tm.Kind, e))
		}
		out = append(out, manifest{file: file, index: i, obj: obj})
	}
	return out, errors.Join(errs...)
}

// k8sFiles reads every file of deploy/k8s, by name.
func k8sFiles(t *testing.T) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir("k8s")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("k8s", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = data
	}
	return files
}

// validateK8s decodes every .yaml file of files (name → content, as in
// deploy/k8s) strictly, then checks what the types cannot: see
// checkManifests.
func validateK8s(files map[string][]byte) error {
	var all []manifest
	var errs []error
	for name, data := range files {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		ms, err := decodeManifests(name, data)
		errs = append(errs, err)
		all = append(all, ms...)
	}
	errs = append(errs, checkManifests(all, files)...)
	return errors.Join(errs...)
}

// TestKubernetesManifests validates deploy/k8s against the Kubernetes API
// types and the invariants of checkManifests.
func TestKubernetesManifests(t *testing.T) {
	files := k8sFiles(t)
	if err := validateK8s(files); err != nil {
		t.Fatal(err)
	}
}

// TestKubernetesValidatorBites feeds deploy/k8s with one deliberate
// mistake each and expects validateK8s to name it: a validator that
// accepts everything would pass TestKubernetesManifests too.
func TestKubernetesValidatorBites(t *testing.T) {
	cases := []struct {
		name, file, old, new, want string
	}{
		{"unknown field", "deployment.yaml", "readinessProbe:", "readinesProbe:", `unknown field "spec.template.spec.containers[0].readinesProbe"`},
		{"field in wrong case", "service.yaml", "targetPort:", "targetport:", "targetport"},
		{"wrong type", "deployment.yaml", "replicas: 2", `replicas: "two"`, "cannot unmarshal string"},
		{"number for a string", "configmap.yaml", `PASSERELLE_RETENTION_DAYS: "30"`, "PASSERELLE_RETENTION_DAYS: 30", "cannot unmarshal number"},
		{"bad quantity", "deployment.yaml", "limits: {memory: 256Mi}", "limits: {memory: 256MiB}", "quantities must match"},
		{"duplicate key", "namespace.yaml", "  name: passerelle", "  name: passerelle\n  name: other", "already set in map"},
		{"unknown kind", "namespace.yaml", "kind: Namespace", "kind: Namespaces", `unexpected "v1" "Namespaces"`},
		{"misspelt kustomize key", "kustomization.yaml", "resources:", "resource:", `unknown field "resource"`},
		{"missing resource file", "kustomization.yaml", "- service.yaml", "- services.yaml", "services.yaml: no such file"},
		{"selector misses template", "deployment.yaml", "    metadata:\n      labels: {app.kubernetes.io/name: passerelle}", "    metadata:\n      labels: {app.kubernetes.io/name: passerell}", "selector"},
		{"probe on unknown port", "deployment.yaml", "{path: /readyz, port: http}", "{path: /readyz, port: web}", `readinessProbe: port "web"`},
		{"probe on wrong number", "deployment.yaml", "{path: /healthz, port: http}\n            initialDelaySeconds", "{path: /healthz, port: 8081}\n            initialDelaySeconds", "livenessProbe: port 8081"},
		{"service to unknown port", "service.yaml", "targetPort: http", "targetPort: web", `targetPort "web"`},
		{"service selects nothing", "service.yaml", "selector: {app.kubernetes.io/name: passerelle}", "selector: {app: passerelle}", "selects no pod"},
		{"request over limit", "deployment.yaml", "requests: {cpu: 250m, memory: 128Mi}", "requests: {cpu: 250m, memory: 300Mi}", "request 300Mi > limit 256Mi"},
		{"memory limit too low", "deployment.yaml", "limits: {memory: 256Mi}", "limits: {memory: 150Mi}", "below 200Mi"},
		{"no memory limit", "meilisearch.yaml", "limits: {memory: 1Gi}", "limits: {}", "no memory limit"},
		{"secret file not a key", "deployment.yaml", "/run/secrets/passerelle/secret-key}", "/run/secrets/passerelle/secretkey}", `"secretkey" is not a key of Secret "passerelle"`},
		{"unknown ConfigMap", "deployment.yaml", "configMapRef: {name: passerelle}", "configMapRef: {name: passerelle-config}", `ConfigMap "passerelle-config"`},
		{"unknown Secret key", "meilisearch.yaml", "key: master-key", "key: masterkey", `"masterkey" is not a key of Secret "meilisearch"`},
		{"Meilisearch key in clear", "meilisearch.yaml", "- name: MEILI_MASTER_KEY\n              valueFrom:\n                secretKeyRef: {name: meilisearch, key: master-key}", "- {name: MEILI_MASTER_KEY, value: abc}", "MEILI_MASTER_KEY does not come from a Secret"},
		{"no volume claim", "meilisearch.yaml", "  volumeClaimTemplates:\n    - metadata:\n        name: meili-data", "  volumeClaimTemplates:\n    - metadata:\n        name: meili-date", `volume "meili-data"`},
		{"meilisearch as root", "meilisearch.yaml", "runAsUser: 1000", "runAsUser: 0", "may run as root"},
		{"root allowed", "deployment.yaml", "runAsNonRoot: true", "runAsNonRoot: false", "runAsNonRoot"},
		{"read-only data dir", "deployment.yaml", "{name: data, mountPath: /data}", "{name: data, mountPath: /var/data}", "data dir /data is on the read-only root"},
		{"wrong namespace", "service.yaml", "namespace: passerelle", "namespace: default", `namespace "default"`},
		{"container port not the listen port", "deployment.yaml", "containerPort: 8080", "containerPort: 8081", "PASSERELLE_ADDR"},
		{"Meilisearch URL to no Service", "configmap.yaml", "meilisearch.passerelle.svc:7700", "meili.passerelle.svc:7700", "PASSERELLE_MEILI_URL"},
		{"governing Service not headless", "meilisearch.yaml", "  clusterIP: None\n", "", "not headless"},
		{"headless port remapped", "meilisearch.yaml", "{name: http, port: 7700, targetPort: http}", "{name: http, port: 80, targetPort: http}", "headless Service port 80"},
		{"grace shorter than shutdown", "deployment.yaml", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 12", "terminationGracePeriodSeconds"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := k8sFiles(t)
			src := string(files[c.file])
			if !strings.Contains(src, c.old) {
				t.Fatalf("k8s/%s no longer contains %q: update this case", c.file, c.old)
			}
			files[c.file] = []byte(strings.Replace(src, c.old, c.new, 1))
			err := validateK8s(files)
			if err == nil {
				t.Fatalf("validateK8s accepted the mistake")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error does not mention %q:\n%v", c.want, err)
			}
		})
	}
}

// TestKustomizeRenders renders deploy/k8s with kubectl's built-in
// kustomize, as `kubectl apply -k` does first, and decodes the result
// strictly: it holds every object of the listed files, in the namespace.
func TestKustomizeRenders(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("no kubectl")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "kubectl", "kustomize", "k8s")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl kustomize: %v\n%s", err, stderr.Bytes())
	}
	rendered, err := decodeManifests("(kustomize output)", out)
	if err != nil {
		t.Fatal(err)
	}
	files := k8sFiles(t)
	k, err := decodeManifests("kustomization.yaml", files["kustomization.yaml"])
	if err != nil || len(k) != 1 {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	want := 0
	for _, r := range k[0].obj.(*kustomization).Resources {
		ms, err := decodeManifests(r, files[r])
		if err != nil {
			t.Fatal(err)
		}
		want += len(ms)
	}
	if len(rendered) != want {
		t.Errorf("kustomize rendered %d objects, the resources hold %d", len(rendered), want)
	}
	for _, m := range rendered {
		if _, ns := m.obj.(*corev1.Namespace); ns {
			continue
		}
		if o, ok := m.obj.(metav1.Object); ok && o.GetNamespace() != "passerelle" {
			t.Errorf("%s: %s in namespace %q", m, o.GetName(), o.GetNamespace())
		}
	}
}
