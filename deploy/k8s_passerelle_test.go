// What Passerelle itself needs from its Deployment.
package deploy

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// checkPasserelle: two replicas sharing PostgreSQL and one secret key,
// probes on /readyz and /healthz, enough memory, non-root, writable data
// dir under a read-only root, the container port is the listen port, the
// Meilisearch URL names a Service, and the grace period covers the
// shutdown delay plus draining.
func (x *k8sIndex) checkPasserelle(m manifest) {
	dep := m.obj.(*appsv1.Deployment)
	pod := dep.Spec.Template.Spec
	i := slices.IndexFunc(pod.Containers, func(c corev1.Container) bool { return c.Name == "passerelle" })
	if i < 0 {
		x.errorf("%s: no container named passerelle", m)
		return
	}
	c := pod.Containers[i]
	where := fmt.Sprintf("%s: container %q", m, c.Name)
	env := x.containerEnv(c)

	if dep.Spec.Replicas == nil || *dep.Spec.Replicas < 2 {
		x.errorf("%s: want 2 replicas or more", m)
	}
	for _, want := range []string{"PASSERELLE_DATABASE_URL_FILE", "PASSERELLE_SECRET_KEY_FILE"} {
		if _, ok := env[want]; !ok {
			x.errorf("%s: no %s (replicas share PostgreSQL and one key)", where, want)
		}
	}
	if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" {
		x.errorf("%s: the readinessProbe must GET /readyz", where)
	}
	if p := c.LivenessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" {
		x.errorf("%s: the livenessProbe must GET /healthz", where)
	}
	if lim, ok := c.Resources.Limits[corev1.ResourceMemory]; ok && lim.Cmp(minPasserelleMemory) < 0 {
		x.errorf("%s: memory limit %s is below %s (measured RSS approaches 200 MB)", where, lim.String(), minPasserelleMemory.String())
	}

	x.checkPasserelleSecurity(where, pod, c, env)

	if port, err := listenPort(env["PASSERELLE_ADDR"]); err != nil {
		x.errorf("%s: PASSERELLE_ADDR %q: %v", where, env["PASSERELLE_ADDR"], err)
	} else if !slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.ContainerPort == port }) {
		x.errorf("%s: PASSERELLE_ADDR %q listens on %d, not a container port", where, env["PASSERELLE_ADDR"], port)
	}
	if raw := env["PASSERELLE_MEILI_URL"]; raw != "" {
		name, ns, port, err := meiliService(raw)
		if err != nil || (ns != "" && ns != dep.Namespace) || !x.servicePort(name, port) {
			x.errorf("%s: PASSERELLE_MEILI_URL %s is not a Service port in namespace %q (%v)", where, raw, dep.Namespace, err)
		}
	}

	delay := 0.0
	if s := env["PASSERELLE_SHUTDOWN_DELAY"]; s != "" {
		var err error
		if delay, err = strconv.ParseFloat(s, 64); err != nil {
			x.errorf("%s: PASSERELLE_SHUTDOWN_DELAY %q: %v", where, s, err)
		}
	}
	if delay == 0 && (c.Lifecycle == nil || c.Lifecycle.PreStop == nil) {
		x.errorf("%s: neither PASSERELLE_SHUTDOWN_DELAY nor a preStop hook: the Service routes to a closing pod", where)
	}
	grace := int64(30) // the Kubernetes default
	if pod.TerminationGracePeriodSeconds != nil {
		grace = *pod.TerminationGracePeriodSeconds
	}
	if float64(grace) < delay+10 {
		x.errorf("%s: terminationGracePeriodSeconds %d < shutdown delay %g s + 10 s of draining", m, grace, delay)
	}
}

// checkPasserelleSecurity: runAsNonRoot, and when the root filesystem is
// read-only, the data dir and /tmp on writable volumes.
func (x *k8sIndex) checkPasserelleSecurity(where string, pod corev1.PodSpec, c corev1.Container, env map[string]string) {
	nonRoot := pod.SecurityContext != nil && ptrTrue(pod.SecurityContext.RunAsNonRoot)
	if sc := c.SecurityContext; sc != nil && sc.RunAsNonRoot != nil {
		nonRoot = *sc.RunAsNonRoot
	}
	if !nonRoot {
		x.errorf("%s: runAsNonRoot is not true", where)
	}
	if c.SecurityContext == nil || !ptrTrue(c.SecurityContext.ReadOnlyRootFilesystem) {
		return
	}
	writable := func(dir string) bool {
		return slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool {
			rel, under := strings.CutPrefix(path.Clean(dir), path.Clean(m.MountPath))
			return under && !m.ReadOnly && (rel == "" || strings.HasPrefix(rel, "/"))
		})
	}
	dataDir := env["PASSERELLE_DATA_DIR"]
	if dataDir == "" {
		x.errorf("%s: no PASSERELLE_DATA_DIR", where)
	} else if !writable(dataDir) {
		x.errorf("%s: data dir %s is on the read-only root filesystem: mount a volume there", where, dataDir)
	}
	if !writable("/tmp") {
		x.errorf("%s: /tmp is on the read-only root filesystem: mount an emptyDir there", where)
	}
}

// listenPort returns the port of a host:port listen address.
func listenPort(addr string) (int32, error) {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(p, 10, 32)
	return int32(n), err
}

// meiliService splits a Meilisearch URL such as
// http://meilisearch.passerelle.svc:7700 into the Service name, its
// namespace ("" when not named) and port.
func meiliService(raw string) (name, ns string, port int32, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", 0, err
	}
	parts := strings.Split(u.Hostname(), ".")
	name = parts[0]
	if len(parts) > 1 {
		ns = parts[1]
	}
	port = 80
	if p := u.Port(); p != "" {
		n, err := strconv.ParseInt(p, 10, 32)
		if err != nil {
			return "", "", 0, err
		}
		port = int32(n)
	}
	return name, ns, port, nil
}
