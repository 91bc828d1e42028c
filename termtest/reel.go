package termtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
)

// Build compiles reel into dir and returns the binary's path; race adds the
// race detector, so a child gets the checks its test gets. It works from
// any directory inside the module. When the go tool is missing the error
// wraps exec.ErrNotFound, so a test can skip instead of fail.
func Build(dir string, race bool) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("build reel: the go tool is not on PATH: %w", err)
	}
	bin := filepath.Join(dir, "reel")
	args := []string{"build", "-o", bin}
	if race {
		args = append(args, "-race")
	}
	cmd := exec.Command(gobin, append(args, "github.com/reel-dev/reel")...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build reel: %w", err)
	}
	return bin, nil
}

// RaceEnabled reports whether the running program was built with -race;
// it reads the build settings, so it needs no build-tag pair.
func RaceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

// Env is a clean environment for a reel child: the API at baseURL with
// token, and every place reel keeps state or config under home, so the
// user's own store and config are never touched.
func Env(home, baseURL, token string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"TERM=xterm-256color",
		"COLOSSYAN_BASE_URL=" + baseURL,
		"COLOSSYAN_API_KEY=" + token,
	}
}
