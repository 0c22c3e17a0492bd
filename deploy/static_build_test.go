// The Dockerfile's build step run for real (without Docker), and its
// .dockerignore checked against what that build reads.
package deploy

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// TestStaticBuild runs the Dockerfile's `go build` command line (same
// environment assignments and flags, output in a temporary directory)
// and checks that the binary is static, as distroless/static needs: no
// ELF interpreter and no shared library. It then runs `passerelle
// version` to see the -X main.version flag land.
func TestStaticBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/passerelle (about a minute when not cached)")
	}
	data, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	stages, err := parseDockerfile(data)
	if err != nil {
		t.Fatal(err)
	}
	line, ok := goBuild(stages)
	if !ok {
		t.Fatal("Dockerfile: no go build of ./cmd/passerelle")
	}
	words, err := shell.NewLex('\\').ProcessWords(line, shell.EnvsFromSlice([]string{"VERSION=deploy-test"}))
	if err != nil {
		t.Fatalf("Dockerfile: %q: %v", line, err)
	}
	bin := filepath.Join(t.TempDir(), "passerelle")
	env := os.Environ()
	for len(words) > 0 && strings.Contains(words[0], "=") {
		env = append(env, words[0]) // CGO_ENABLED=0 and the like
		words = words[1:]
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "build" {
		t.Fatalf("Dockerfile: cannot run %q", line)
	}
	args := words[1:]
	for i := range args {
		if args[i] == "-o" && i+1 < len(args) {
			args[i+1] = bin
		}
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}

	if err := staticELF(bin); err != nil {
		t.Error(err)
	}
	// The check itself rejects a dynamically linked program.
	if _, err := os.Stat("/bin/ls"); err == nil && staticELF("/bin/ls") == nil {
		t.Error("staticELF accepts /bin/ls, which is dynamically linked")
	}

	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "passerelle deploy-test" {
		t.Errorf("passerelle version: %q, %v; want \"passerelle deploy-test\" from -X main.version", out, err)
	}
}

// staticELF returns an error unless the ELF file at path is statically
// linked: no interpreter (PT_INTERP) and no shared library (DT_NEEDED).
func staticELF(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s has an ELF interpreter: it is dynamically linked", path)
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		return fmt.Errorf("%s needs shared libraries %v (%v)", path, libs, err)
	}
	return nil
}

// TestDockerIgnore checks that deploy/Dockerfile.dockerignore (which
// Docker reads for deploy/Dockerfile) keeps out nothing the build of
// ./cmd/passerelle needs: no Go file, embedded file, go.mod or go.sum.
func TestDockerIgnore(t *testing.T) {
	f, err := os.Open("Dockerfile.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", "-json=Dir,Module,GoFiles,EmbedFiles", "./cmd/passerelle")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	needed := []string{"go.mod", "go.sum"}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			Dir                 string
			Module              *struct{ Path string }
			GoFiles, EmbedFiles []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || p.Module.Path != "github.com/passerelle-org/passerelle" {
			continue // the standard library and modules, downloaded in the image
		}
		for _, name := range append(p.GoFiles, p.EmbedFiles...) {
			rel, err := filepath.Rel(root, filepath.Join(p.Dir, name))
			if err != nil {
				t.Fatal(err)
			}
			needed = append(needed, filepath.ToSlash(rel))
		}
	}
	if len(needed) < 10 {
		t.Fatalf("go list found only %v", needed)
	}
	for _, rel := range needed {
		if ignored, err := pm.MatchesOrParentMatches(rel); err != nil || ignored {
			t.Errorf("Dockerfile.dockerignore leaves %s out of the build context (%v)", rel, err)
		}
	}
}
