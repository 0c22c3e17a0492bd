// The Dockerfile, parsed by BuildKit's own Dockerfile frontend (what
// `docker build` runs), since no engine here can build it.
package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// parseDockerfile parses data into stages as BuildKit does, with every
// parser and linter warning turned into an error.
func parseDockerfile(data []byte) ([]instructions.Stage, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, w := range res.Warnings {
		errs = append(errs, fmt.Errorf("warning: %s", w.Short))
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		errs = append(errs, fmt.Errorf("line %d: %s: %s", line, rule, msg))
	}})
	stages, _, err := instructions.Parse(res.AST, lint)
	if err != nil {
		return nil, err
	}
	return stages, errors.Join(errs...)
}

// commands returns the commands of type T in a stage.
func commands[T any](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if t, ok := c.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// goBuild finds the build stage's `go build` of ./cmd/passerelle and
// returns its shell command line (one && step).
func goBuild(stages []instructions.Stage) (string, bool) {
	for _, s := range stages[:len(stages)-1] {
		for _, r := range commands[*instructions.RunCommand](s) {
			for _, step := range strings.Split(strings.Join(r.CmdLine, " "), "&&") {
				if strings.Contains(step, "go build") && strings.Contains(step, "./cmd/passerelle") {
					return strings.TrimSpace(step), true
				}
			}
		}
	}
	return "", false
}

// validateDockerfile checks the image Passerelle ships: multi-stage, a
// static (CGO_ENABLED=0) Go build of the go.mod version, a distroless or
// scratch final stage running as a numeric non-root user, the entrypoint
// `passerelle serve` in exec form (there is no shell), the listen port
// exposed and the data dir a volume owned by that user, and no health
// check that needs a shell or curl.
func validateDockerfile(data []byte, goVersion string) error {
	stages, err := parseDockerfile(data)
	if err != nil {
		return err
	}
	var errs []error
	errorf := func(format string, a ...any) { errs = append(errs, fmt.Errorf("Dockerfile: "+format, a...)) }
	if len(stages) < 2 {
		return fmt.Errorf("Dockerfile: %d stage, want a build stage and a runtime stage", len(stages))
	}
	if !strings.HasPrefix(stages[0].BaseName, "golang:"+goVersion) {
		errorf("build stage FROM %s, want golang:%s (go.mod)", stages[0].BaseName, goVersion)
	}
	build, ok := goBuild(stages)
	if !ok {
		errorf("no RUN go build ./cmd/passerelle")
	} else if !regexp.MustCompile(`(^|\s)CGO_ENABLED=0\s`).MatchString(build) {
		errorf("go build without CGO_ENABLED=0: %s", build)
	}
	out := ""
	if m := regexp.MustCompile(`\s-o\s+(\S+)`).FindStringSubmatch(build); m != nil {
		out = m[1]
	}

	final := stages[len(stages)-1]
	if !strings.HasPrefix(final.BaseName, "gcr.io/distroless/") && final.BaseName != "scratch" {
		errorf("final stage FROM %s, want distroless or scratch", final.BaseName)
	}
	users := commands[*instructions.UserCommand](final)
	uid, gid := "", ""
	if len(users) == 0 {
		errorf("final stage has no USER: the image runs as root")
	} else {
		u := users[len(users)-1].User
		uid, gid, _ = strings.Cut(u, ":")
		if !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(uid) || (gid != "" && !regexp.MustCompile(`^[0-9]+$`).MatchString(gid)) {
			errorf("USER %s: want a numeric non-root uid (runAsNonRoot cannot check a name)", u)
		}
	}
	binary := ""
	env := map[string]string{}
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.CopyCommand:
			if c.From != "" && out != "" && slices.Contains(c.SourcePaths, out) {
				binary = c.DestPath
				if strings.HasSuffix(binary, "/") {
					binary += path.Base(out)
				}
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				env[kv.Key] = kv.Value
			}
		case *instructions.HealthCheckCommand:
			if t := c.Health.Test; len(t) > 0 && t[0] != "NONE" && (t[0] != "CMD" || len(t) < 2 || t[1] != binary) {
				errorf("HEALTHCHECK %v: distroless has no shell or curl, only the passerelle binary can run", t)
			}
		}
	}
	if binary == "" {
		errorf("final stage does not COPY --from the build's %q", out)
	}
	var argv []string
	for _, kind := range []string{"ENTRYPOINT", "CMD"} {
		var line *instructions.ShellDependantCmdLine
		if kind == "ENTRYPOINT" {
			if e := commands[*instructions.EntrypointCommand](final); len(e) > 0 {
				line = &e[len(e)-1].ShellDependantCmdLine
			}
		} else if c := commands[*instructions.CmdCommand](final); len(c) > 0 {
			line = &c[len(c)-1].ShellDependantCmdLine
		}
		if line == nil {
			continue
		}
		if line.PrependShell {
			errorf("%s in shell form: distroless has no /bin/sh, use [\"...\"]", kind)
		}
		argv = append(argv, line.CmdLine...)
	}
	if want := []string{binary, "serve"}; !slices.Equal(argv, want) {
		errorf("the container runs %q, want %q", argv, want)
	}

	port, err := listenPort(env["PASSERELLE_ADDR"])
	exposes := slices.ContainsFunc(commands[*instructions.ExposeCommand](final), func(e *instructions.ExposeCommand) bool {
		return slices.Contains(e.Ports, fmt.Sprint(port)) || slices.Contains(e.Ports, fmt.Sprintf("%d/tcp", port))
	})
	if err != nil || !exposes {
		errorf("PASSERELLE_ADDR %q is not an EXPOSEd port (%v)", env["PASSERELLE_ADDR"], err)
	}
	dataDir := env["PASSERELLE_DATA_DIR"]
	if !slices.ContainsFunc(commands[*instructions.VolumeCommand](final), func(v *instructions.VolumeCommand) bool { return slices.Contains(v.Volumes, dataDir) }) {
		errorf("PASSERELLE_DATA_DIR %q is not a VOLUME", dataDir)
	}
	owned := slices.ContainsFunc(commands[*instructions.CopyCommand](final), func(c *instructions.CopyCommand) bool {
		return path.Clean(c.DestPath) == path.Clean(dataDir) && c.Chown == uid+":"+gid
	})
	if uid != "" && !owned {
		errorf("data dir %q is not copied in with --chown=%s:%s: the volume would belong to root", dataDir, uid, gid)
	}
	return errors.Join(errs...)
}

// goModVersion returns the major.minor Go version of ../go.mod.
func goModVersion(t *testing.T) string {
	t.Helper()
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod: no go directive")
	}
	return string(m[1])
}

// TestDockerfile validates deploy/Dockerfile.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if err := validateDockerfile(data, goModVersion(t)); err != nil {
		t.Fatal(err)
	}
}

// TestDockerfileValidatorBites feeds the Dockerfile with one deliberate
// mistake each and expects validateDockerfile to catch it.
func TestDockerfileValidatorBites(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"unknown instruction", "EXPOSE 8080", "EXPOSES 8080", "unknown instruction"},
		{"bad flag", "COPY --from=build /out/passerelle", "COPY --frm=build /out/passerelle", "unknown flag"},
		{"lint warning", "FROM golang:1.26 AS build", "FROM golang:1.26 as build", "FromAsCasing"},
		{"one stage", "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/passerelle", "COPY /out/passerelle", "stage"},
		{"old Go", "FROM golang:1.26 AS build", "FROM golang:1.22 AS build", "want golang:"},
		{"cgo", "CGO_ENABLED=0 go build", "go build", "CGO_ENABLED=0"},
		{"base with a shell", "FROM gcr.io/distroless/static-debian12:nonroot", "FROM debian:12-slim", "want distroless or scratch"},
		{"root", "USER 65532:65532", "USER 0", "non-root"},
		{"named user", "USER 65532:65532", "USER nonroot", "numeric"},
		{"no user", "USER 65532:65532\n", "", "no USER"},
		{"shell entrypoint", `ENTRYPOINT ["/usr/local/bin/passerelle"]`, "ENTRYPOINT /usr/local/bin/passerelle", "shell form"},
		{"wrong command", `CMD ["serve"]`, `CMD ["version"]`, `want ["/usr/local/bin/passerelle" "serve"]`},
		{"curl health check", `CMD ["serve"]`, `CMD ["serve"]` + "\nHEALTHCHECK CMD curl -f http://localhost:8080/healthz", "HEALTHCHECK"},
		{"port not exposed", "EXPOSE 8080", "EXPOSE 8081", "not an EXPOSEd port"},
		{"data dir not a volume", `VOLUME ["/data"]`, `VOLUME ["/var/data"]`, "not a VOLUME"},
		{"data dir owned by root", "COPY --from=build --chown=65532:65532 /out/data /data", "COPY --from=build /out/data /data", "--chown"},
	}
	orig, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(string(orig), c.old) {
				t.Fatalf("Dockerfile no longer contains %q: update this case", c.old)
			}
			data := []byte(strings.Replace(string(orig), c.old, c.new, 1))
			err := validateDockerfile(data, "1.26")
			if err == nil {
				t.Fatal("validateDockerfile accepted the mistake")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error does not mention %q:\n%v", c.want, err)
			}
		})
	}
}
