package cli

import (
	"runtime/debug"
	"strings"
)

// buildVersion is the version --version shows. A release sets it with
// -ldflags; otherwise it comes from the build: the module's version for
// `go install ...@v1.2.3`, or the VCS revision (and whether the tree had
// changes) for a build from a clone.
func buildVersion(set string) string {
	if set != "" && set != "dev" {
		return set
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return versionFrom(info)
}

func versionFrom(info *debug.BuildInfo) string {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, when string
	dirty := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev (no version or VCS revision in this build)"
	}
	v := "dev-" + rev[:min(12, len(rev))]
	if dirty {
		v += "-dirty"
	}
	if when != "" {
		v += " (" + strings.TrimSuffix(when, "Z") + " UTC)"
	}
	return v
}
