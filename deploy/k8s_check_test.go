// What the Kubernetes API types do not check: references between the
// manifests, ports, resources, security, and Passerelle's own needs.
package deploy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// minPasserelleMemory is the least memory limit for a Passerelle pod: the
// service was measured under 200 MB RSS, and a lower limit gets it
// OOM-killed under load.
var minPasserelleMemory = resource.MustParse("200Mi")

// workload is a Deployment or StatefulSet: what both say about their pods.
type workload struct {
	where    string
	selector *metav1.LabelSelector
	pod      corev1.PodTemplateSpec
	claims   []string // StatefulSet volume claim template names
}

// k8sIndex holds the decoded manifests by kind, and the problems found.
type k8sIndex struct {
	files      map[string][]byte
	workloads  []workload
	services   []manifest
	configMaps map[string]map[string]string // name → data
	secrets    map[string]map[string]bool   // name → keys
	kustomize  []manifest
	errs       []error
}

func (x *k8sIndex) errorf(format string, a ...any) {
	x.errs = append(x.errs, fmt.Errorf(format, a...))
}

// checkManifests checks the decoded manifests of deploy/k8s (all its
// files are in files, by name) and returns every problem found.
func checkManifests(all []manifest, files map[string][]byte) []error {
	x := &k8sIndex{files: files, configMaps: map[string]map[string]string{}, secrets: map[string]map[string]bool{}}
	var deployments, statefulSets []manifest
	for _, m := range all {
		switch o := m.obj.(type) {
		case *appsv1.Deployment:
			deployments = append(deployments, m)
			x.workloads = append(x.workloads, workload{m.String(), o.Spec.Selector, o.Spec.Template, nil})
		case *appsv1.StatefulSet:
			statefulSets = append(statefulSets, m)
			var claims []string
			for _, c := range o.Spec.VolumeClaimTemplates {
				claims = append(claims, c.Name)
			}
			x.workloads = append(x.workloads, workload{m.String(), o.Spec.Selector, o.Spec.Template, claims})
		case *corev1.Service:
			x.services = append(x.services, m)
		case *corev1.ConfigMap:
			x.configMaps[o.Name] = o.Data
		case *corev1.Secret:
			keys := map[string]bool{}
			for k := range o.Data {
				keys[k] = true
			}
			for k := range o.StringData {
				keys[k] = true
			}
			x.secrets[o.Name] = keys
		case *kustomization:
			x.kustomize = append(x.kustomize, m)
		}
	}
	x.checkKustomization(all)
	for _, w := range x.workloads {
		x.checkWorkload(w)
	}
	for _, s := range x.services {
		x.checkService(s)
	}
	if len(deployments) != 1 || len(statefulSets) != 1 {
		x.errorf("k8s: %d Deployments and %d StatefulSets, want one of each (Passerelle, Meilisearch)", len(deployments), len(statefulSets))
	} else {
		x.checkPasserelle(deployments[0])
		x.checkMeilisearch(statefulSets[0])
	}
	return x.errs
}

// checkKustomization: its resources exist, every manifest but the
// examples is listed, and all objects live in its namespace.
func (x *k8sIndex) checkKustomization(all []manifest) {
	if len(x.kustomize) != 1 {
		x.errorf("k8s: %d Kustomizations, want 1", len(x.kustomize))
		return
	}
	k := x.kustomize[0].obj.(*kustomization)
	for _, r := range k.Resources {
		if _, ok := x.files[r]; !ok {
			x.errorf("k8s/kustomization.yaml: %s: no such file", r)
		}
	}
	for name := range x.files {
		if strings.HasSuffix(name, ".yaml") && name != "kustomization.yaml" &&
			!strings.HasSuffix(name, ".example.yaml") && !slices.Contains(k.Resources, name) {
			x.errorf("k8s/kustomization.yaml: %s is not among the resources", name)
		}
	}
	for _, m := range all {
		switch o := m.obj.(type) {
		case *kustomization:
		case *corev1.Namespace:
			if o.Name != k.Namespace {
				x.errorf("%s: Namespace %q, kustomization says %q", m, o.Name, k.Namespace)
			}
		case metav1.Object:
			if ns := o.GetNamespace(); ns != k.Namespace {
				x.errorf("%s: namespace %q, kustomization says %q", m, ns, k.Namespace)
			}
		}
	}
}

// checkWorkload: the selector matches the pod labels, volumes and the
// ConfigMaps and Secrets named exist, probes use container ports,
// requests fit under limits and memory is limited.
func (x *k8sIndex) checkWorkload(w workload) {
	sel, err := metav1.LabelSelectorAsSelector(w.selector)
	if err != nil || w.selector == nil || sel.Empty() {
		x.errorf("%s: no usable selector (%v)", w.where, err)
	} else if !sel.Matches(labels.Set(w.pod.Labels)) {
		x.errorf("%s: selector %s does not match the pod labels %v", w.where, sel, w.pod.Labels)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range w.pod.Spec.Volumes {
		volumes[v.Name] = v
		if s := v.Secret; s != nil {
			x.secretKeys(w.where, s.SecretName, s.Items)
			if s.DefaultMode != nil && (*s.DefaultMode < 0 || *s.DefaultMode > 0o777) {
				x.errorf("%s: volume %q: defaultMode %o", w.where, v.Name, *s.DefaultMode)
			}
		}
		if c := v.ConfigMap; c != nil {
			if _, ok := x.configMaps[c.Name]; !ok {
				x.errorf("%s: volume %q: ConfigMap %q does not exist", w.where, v.Name, c.Name)
			}
		}
	}
	for _, c := range w.pod.Spec.Containers {
		where := fmt.Sprintf("%s: container %q", w.where, c.Name)
		for _, m := range c.VolumeMounts {
			v, ok := volumes[m.Name]
			if !ok && !slices.Contains(w.claims, m.Name) {
				x.errorf("%s mounts volume %q, neither a pod volume nor a volume claim", where, m.Name)
			}
			if ok && v.Secret != nil {
				x.checkSecretFiles(where, c, m, v.Secret.SecretName)
			}
		}
		x.checkEnvRefs(where, c)
		x.checkProbes(where, c)
		x.checkResources(where, c)
	}
}

// secretKeys reports a Secret that does not exist or lacks one of items.
func (x *k8sIndex) secretKeys(where, name string, items []corev1.KeyToPath) {
	keys, ok := x.secrets[name]
	if !ok {
		x.errorf("%s: Secret %q does not exist", where, name)
		return
	}
	for _, it := range items {
		if !keys[it.Key] {
			x.errorf("%s: %q is not a key of Secret %q", where, it.Key, name)
		}
	}
}

// checkSecretFiles: an env value naming a file in a mounted Secret (the
// PASSERELLE_*_FILE variables) names one of its keys.
func (x *k8sIndex) checkSecretFiles(where string, c corev1.Container, m corev1.VolumeMount, secret string) {
	for _, e := range c.Env {
		key, ok := strings.CutPrefix(e.Value, strings.TrimSuffix(m.MountPath, "/")+"/")
		if ok && x.secrets[secret] != nil && !x.secrets[secret][key] {
			x.errorf("%s: %s: %q is not a key of Secret %q", where, e.Name, key, secret)
		}
	}
}

// checkEnvRefs: ConfigMaps, Secrets and keys named by env and envFrom
// exist (unless marked optional).
func (x *k8sIndex) checkEnvRefs(where string, c corev1.Container) {
	for _, f := range c.EnvFrom {
		if r := f.ConfigMapRef; r != nil && !ptrTrue(r.Optional) {
			if _, ok := x.configMaps[r.Name]; !ok {
				x.errorf("%s: envFrom ConfigMap %q does not exist", where, r.Name)
			}
		}
		if r := f.SecretRef; r != nil && !ptrTrue(r.Optional) {
			if _, ok := x.secrets[r.Name]; !ok {
				x.errorf("%s: envFrom Secret %q does not exist", where, r.Name)
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			continue
		}
		if r := e.ValueFrom.SecretKeyRef; r != nil && !ptrTrue(r.Optional) {
			x.secretKeys(where+": "+e.Name, r.Name, []corev1.KeyToPath{{Key: r.Key}})
		}
		if r := e.ValueFrom.ConfigMapKeyRef; r != nil && !ptrTrue(r.Optional) {
			if data, ok := x.configMaps[r.Name]; !ok {
				x.errorf("%s: %s: ConfigMap %q does not exist", where, e.Name, r.Name)
			} else if _, ok := data[r.Key]; !ok {
				x.errorf("%s: %s: %q is not a key of ConfigMap %q", where, e.Name, r.Key, r.Name)
			}
		}
	}
}

func ptrTrue(b *bool) bool { return b != nil && *b }

// checkProbes: HTTP and TCP probes point at a port the container declares.
func (x *k8sIndex) checkProbes(where string, c corev1.Container) {
	probes := []struct {
		name string
		p    *corev1.Probe
	}{{"readinessProbe", c.ReadinessProbe}, {"livenessProbe", c.LivenessProbe}, {"startupProbe", c.StartupProbe}}
	for _, pr := range probes {
		if pr.p == nil {
			continue
		}
		var port *intstr.IntOrString
		if h := pr.p.HTTPGet; h != nil {
			port = &h.Port
		} else if s := pr.p.TCPSocket; s != nil {
			port = &s.Port
		}
		if port != nil && !hasPort(c, *port) {
			x.errorf("%s: %s: port %s is not a container port", where, pr.name, portString(*port))
		}
	}
}

// hasPort tells whether c declares port, by name or number.
func hasPort(c corev1.Container, port intstr.IntOrString) bool {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return true
		}
	}
	return false
}

func portString(p intstr.IntOrString) string {
	if p.Type == intstr.String {
		return strconv.Quote(p.StrVal)
	}
	return strconv.Itoa(int(p.IntVal))
}

// checkResources: a memory limit, and no request above its limit (the API
// server refuses such a pod).
func (x *k8sIndex) checkResources(where string, c corev1.Container) {
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
		x.errorf("%s: no memory limit", where)
	}
	for name, req := range c.Resources.Requests {
		if lim, ok := c.Resources.Limits[name]; ok && req.Cmp(lim) > 0 {
			x.errorf("%s: %s request %s > limit %s", where, name, req.String(), lim.String())
		}
	}
}

// checkService: the selector picks some workload's pods, and each
// targetPort is a port of those pods.
func (x *k8sIndex) checkService(m manifest) {
	svc := m.obj.(*corev1.Service)
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	var pods []corev1.PodTemplateSpec
	for _, w := range x.workloads {
		if len(svc.Spec.Selector) > 0 && sel.Matches(labels.Set(w.pod.Labels)) {
			pods = append(pods, w.pod)
		}
	}
	if len(pods) == 0 {
		x.errorf("%s: Service %q selects no pod", m, svc.Name)
		return
	}
	for _, p := range svc.Spec.Ports {
		target := p.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(p.Port)
		}
		for _, pod := range pods {
			if !slices.ContainsFunc(pod.Spec.Containers, func(c corev1.Container) bool { return hasPort(c, target) }) {
				x.errorf("%s: port %d: targetPort %s is not a port of the pods it selects", m, p.Port, portString(target))
			}
			// A headless Service's name resolves to the pods: clients
			// reach the container port itself, nothing maps port.
			if svc.Spec.ClusterIP == corev1.ClusterIPNone && !slices.ContainsFunc(pod.Spec.Containers, func(c corev1.Container) bool {
				return hasPort(c, target) && hasPort(c, intstr.FromInt32(p.Port))
			}) {
				x.errorf("%s: headless Service port %d is not the container port of targetPort %s", m, p.Port, portString(target))
			}
		}
	}
}

// servicePort tells whether a Service called name has port.
func (x *k8sIndex) servicePort(name string, port int32) bool {
	for _, m := range x.services {
		svc := m.obj.(*corev1.Service)
		if svc.Name == name && slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Port == port }) {
			return true
		}
	}
	return false
}

// containerEnv is the environment a container starts with, from its
// envFrom ConfigMaps and its literal env values.
func (x *k8sIndex) containerEnv(c corev1.Container) map[string]string {
	env := map[string]string{}
	for _, f := range c.EnvFrom {
		if f.ConfigMapRef != nil {
			for k, v := range x.configMaps[f.ConfigMapRef.Name] {
				env[f.Prefix+k] = v
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env[e.Name] = e.Value
		}
	}
	return env
}

// checkMeilisearch: the StatefulSet keeps its index on a volume claim,
// takes its master key from a Secret, runs as a non-root user that can
// write the claim (fsGroup), and its governing Service exists.
func (x *k8sIndex) checkMeilisearch(m manifest) {
	sts := m.obj.(*appsv1.StatefulSet)
	if len(sts.Spec.VolumeClaimTemplates) == 0 {
		x.errorf("%s: no volumeClaimTemplates: the index would not survive the pod", m)
	}
	i := slices.IndexFunc(x.services, func(s manifest) bool { return s.obj.(*corev1.Service).Name == sts.Spec.ServiceName })
	if i < 0 {
		x.errorf("%s: serviceName %q is not a Service", m, sts.Spec.ServiceName)
	} else if svc := x.services[i].obj.(*corev1.Service); svc.Spec.ClusterIP != corev1.ClusterIPNone {
		x.errorf("%s: governing Service %q is not headless (clusterIP: None)", m, svc.Name)
	}
	pod := sts.Spec.Template.Spec.SecurityContext
	if pod == nil || !ptrTrue(pod.RunAsNonRoot) || pod.RunAsUser == nil || *pod.RunAsUser == 0 {
		x.errorf("%s: the pod may run as root: set runAsNonRoot and a runAsUser (the image's default user is root)", m)
	} else if pod.FSGroup == nil {
		x.errorf("%s: no fsGroup: user %d cannot write the volume", m, *pod.RunAsUser)
	}
	for _, c := range sts.Spec.Template.Spec.Containers {
		if sc := c.SecurityContext; sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			x.errorf("%s: container %q allows privilege escalation", m, c.Name)
		}
		found := slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool {
			return e.Name == "MEILI_MASTER_KEY" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil
		})
		if !found {
			x.errorf("%s: container %q: MEILI_MASTER_KEY does not come from a Secret", m, c.Name)
		}
	}
}
