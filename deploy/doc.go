// Package deploy holds the deployment files (Dockerfile, compose,
// Kubernetes, systemd, example config) and, in its tests only, their
// validation with the tools that read them, short of Docker or a
// cluster: the Kubernetes manifests decoded strictly into k8s.io/api
// types, compose.yaml loaded by compose-go with schema validation, the
// Dockerfile parsed by BuildKit's frontend and its go build run for
// real, the unit checked by systemd-analyze. Each validator is shown to
// reject files with a deliberate mistake. The test-only dependencies do
// not reach the passerelle binary.
package deploy
