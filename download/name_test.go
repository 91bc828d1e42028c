package download

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reel-dev/reel/api"
)

func TestSafeName(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Quarterly update", "Quarterly update"},
		{"../../etc/passwd", "_.._etc_passwd"},
		{`..\..\windows\system32`, "_.._windows_system32"},
		{"CON", "_CON"},
		{"con.txt", "_con.txt"},
		{"Lpt9", "_Lpt9"},
		{"COM¹", "_COM¹"},
		{"COM10", "COM10"},
		{"CONSOLE", "CONSOLE"},
		{"a\x1b[31mred\x1b[0m", "a [31mred [0m"},
		{"nul\x00byte", "nul byte"},
		{"...", ""},
		{". . .", ""},
		{"-rf", "rf"},
		{"--help me", "help me"},
		{".hidden", "hidden"},
		{"trailing dots...", "trailing dots"},
		{"trailing space   ", "trailing space"},
		{"a:b*c?d\"e<f>g|h", "a_b_c_d_e_f_g_h"},
		{"tab\there\nnewline\r", "tab here newline"},
		{"bidi \u202egnp.exe", "bidi gnp.exe"},
		{"zero\u200bwidth", "zerowidth"},
		{"bad \xff utf8", "bad _ utf8"},
		{"c1 \u0085 control", "c1 control"},
		{"日本語のビデオ", "日本語のビデオ"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := SafeName(tt.in, MaxNameBytes); got != tt.want {
				t.Errorf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSafeNameCap(t *testing.T) {
	for _, in := range []string{strings.Repeat("a", 500), strings.Repeat("é", 500), strings.Repeat("日", 500), strings.Repeat("ab. ", 200)} {
		got := SafeName(in, MaxNameBytes)
		if len(got) > MaxNameBytes || !utf8.ValidString(got) || strings.HasSuffix(got, ".") || strings.HasSuffix(got, " ") {
			t.Errorf("SafeName(%.10q...) = %q (%d bytes)", in, got, len(got))
		}
		if len(got) < MaxNameBytes-3 {
			t.Errorf("cut too short: %d bytes", len(got))
		}
	}
}

// FuzzSafeName: whatever comes in, the result is one plain path element.
func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"../../etc/passwd", "CON", "a\x1bb", "..", "日本", "\x00", "aux.mp4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SafeName(s, MaxNameBytes)
		checkPlain(t, got, MaxNameBytes)
		if got != "" && SafeName(got, MaxNameBytes) != got {
			t.Errorf("not idempotent: %q -> %q -> %q", s, got, SafeName(got, MaxNameBytes))
		}
	})
}

func checkPlain(t *testing.T, got string, maxBytes int) {
	t.Helper()
	if len(got) > maxBytes || !utf8.ValidString(got) || strings.ContainsAny(got, "/\\:*?\"<>|\x00") ||
		strings.HasPrefix(got, ".") || strings.HasPrefix(got, "-") || strings.HasPrefix(got, " ") ||
		strings.HasSuffix(got, ".") || strings.HasSuffix(got, " ") || reservedWindowsName(got) {
		t.Errorf("unsafe name %q", got)
	}
	for _, r := range got {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			t.Errorf("control character in %q", got)
		}
	}
}

// TestHostileNamesStayInside downloads videos whose name and id are
// hostile and checks each file lands in the folder, under a plain name.
func TestHostileNamesStayInside(t *testing.T) {
	h := newFileHost(t, 100)
	hostile := []string{
		"../../etc/passwd", "CON", "nul", "a\x1b]0;pwned\x07b", "a/b", `a\b`, "a\x00b",
		strings.Repeat("x", 500), "...", "..", ".", "-", " ", "/", "",
	}
	f, _ := testFetcher(t, nil)
	for i, name := range hostile {
		for _, id := range []string{"v" + string(rune('a'+i)), "../" + name, name + string(rune('a'+i))} {
			v := &api.Video{ID: id, Name: name, PublicURL: h.url("a")}
			p, err := f.Fetch(context.Background(), v)
			if err != nil {
				t.Fatalf("name %q id %q: %v", name, id, err)
			}
			if filepath.Dir(p) != f.Dir {
				t.Fatalf("name %q id %q: written outside the folder: %s", name, id, p)
			}
			base := filepath.Base(p)
			if !strings.HasSuffix(base, ".mp4") {
				t.Fatalf("name %q id %q: file %q", name, id, base)
			}
			checkPlain(t, strings.TrimSuffix(base, ".mp4"), 255)
		}
	}
	es, _ := os.ReadDir(f.Dir)
	for _, e := range es {
		if !e.Type().IsRegular() || strings.HasSuffix(e.Name(), ".part") {
			t.Errorf("unexpected entry %q", e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(f.Dir), "etc")); err == nil {
		t.Error("something escaped the folder")
	}
}

func TestPathsNeverStartWithADash(t *testing.T) {
	for _, name := range []string{"-rf", "--help", "- -x", "—dash", ""} {
		if got := FileName(&api.Video{ID: "-v", Name: name}); strings.HasPrefix(got, "-") {
			t.Errorf("FileName(%q) = %q", name, got)
		}
	}
	if got, want := OptionSafe(filepath.Join("-out", "x.mp4")), "."+string(filepath.Separator)+filepath.Join("-out", "x.mp4"); got != want {
		t.Errorf("OptionSafe = %q, want %q", got, want)
	}
	if got := OptionSafe("/tmp/-x/a.mp4"); got != "/tmp/-x/a.mp4" {
		t.Errorf("absolute path changed: %q", got)
	}
}

func TestDownloadIntoADashFolderPrintsADotSlashPath(t *testing.T) {
	h := newFileHost(t, 1000)
	f, _ := testFetcher(t, nil)
	t.Chdir(f.Dir)
	f.Dir = "-out"
	res, err := f.Download(context.Background(), &api.Video{ID: "v", Name: "x", PublicURL: h.url("a")}, nil)
	if want := "." + string(filepath.Separator) + filepath.Join("-out", "x-v.mp4"); err != nil || res.Path != want {
		t.Fatalf("got %+v, %v; want path %s", res, err, want)
	}
	if _, err := os.Stat(res.Path); err != nil {
		t.Error(err)
	}
}
