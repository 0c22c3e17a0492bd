// Package deploy holds the deployment files (Dockerfile, compose,
// Kubernetes, systemd, example config). Its test parses every YAML file
// and checks what can be checked without Docker or a cluster: variable
// names exist in cmd/passerelle/config.go, probes point at /readyz and
// /healthz, Secrets referenced exist, the image is static and non-root.
package deploy
