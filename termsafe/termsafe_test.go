package termsafe

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii", "Quarterly update v2", "Quarterly update v2"},
		{"unicode letters and emoji", "Café 日本語 👍🏽 ñ", "Café 日本語 👍🏽 ñ"},
		{"emoji variation selector kept", "❤️", "❤️"},

		{"CSI colour", "\x1b[31mred\x1b[0m", "red"},
		{"CSI clear screen and home", "a\x1b[2J\x1b[Hb", "ab"},
		{"CSI private mode", "\x1b[?1049hx\x1b[?25l", "x"},
		{"CSI with intermediate", "a\x1b[1 qb", "ab"},
		{"CSI cut short by a control", "a\x1b[31\nb", "a b"},
		{"CSI at end", "a\x1b[", "a"},
		{"OSC 0 title, BEL", "\x1b]0;pwned\x07name", "name"},
		{"OSC 2 title, ST", "\x1b]2;pwned\x1b\\name", "name"},
		{"OSC 8 hyperlink", "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"OSC 52 clipboard write", "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07video", "video"},
		{"OSC ended by C1 ST", "\x1b]0;t\u009cname", "name"},
		{"OSC ended by another ESC", "\x1b]0;t\x1b[1mname", "name"},
		{"OSC unterminated keeps its text", "\x1b]0;title", "0;title"},
		{"DCS", "\x1bP1$r0m\x1b\\ok", "ok"},
		{"DCS sixel", "\x1bPq#0;2;0;0;0#0~~@@\x1b\\ok", "ok"},
		{"SOS PM APC", "a\x1bXs\x1b\\b\x1b^p\x1b\\c\x1b_a\x1b\\d", "abcd"},
		{"ESC c reset", "a\x1bcb", "ab"},
		{"ESC charset", "\x1b(0x\x1b(B", "x"},
		{"ESC 7 save cursor", "a\x1b7b", "ab"},
		{"lone ESC at end", "a\x1b", "a"},
		{"ESC ESC", "a\x1b\x1b[1mb", "ab"},
		{"ESC before non-ASCII", "a\x1bé", "aé"},

		{"C1 CSI as UTF-8", "\u009b31mred", "red"},
		{"C1 OSC as UTF-8", "\u009d0;t\u009cname", "name"},
		{"C1 OSC as UTF-8 with BEL", "\u009d8;;x\u0007name", "name"},
		{"C1 DCS, SOS, PM, APC as UTF-8", "a\u0090x\u009cb\u0098x\u009cc\u009ex\u009cd\u009fx\u009ce", "abcde"},
		{"C1 NEL", "a\u0085b", "a b"},
		{"other C1 as UTF-8", "a\u0080b\u009ac\u009cd", "a\ufffdb\ufffdc\ufffdd"},
		{"C1 CSI as raw byte", "\x9b31mred", "\ufffd31mred"},
		{"C1 OSC as raw byte", "\x9d0;t\x07n", "\ufffd0;t\ufffdn"},

		{"CR overwrite", "good\rbad", "good bad"},
		{"CR LF is one break", "a\r\nb", "a b"},
		{"LF", "line one\nline two", "line one line two"},
		{"two LFs", "a\n\nb", "a  b"},
		{"VT FF", "a\vb\fc", "a b c"},
		{"line and paragraph separators", "a\u2028b\u2029c", "a b c"},
		{"TAB", "a\tb", "a b"},
		{"BEL", "a\x07b", "a\ufffdb"},
		{"BS overwrite", "abc\b\b\bxyz", "abc\ufffd\ufffd\ufffdxyz"},
		{"NUL", "a\x00b", "a\ufffdb"},
		{"DEL", "a\x7fb", "a\ufffdb"},
		{"other C0", "\x01\x1f", "\ufffd\ufffd"},

		{"bidi override", "invoice\u202Egnp.exe", "invoicegnp.exe"},
		{"bidi embeddings and pops", "\u202Aa\u202Bb\u202Cc\u202Dd\u202E", "abcd"},
		{"bidi isolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
		{"bidi marks", "a\u200Eb\u200Fc\u061Cd", "abcd"},
		{"zero-width", "a\u200Bb\u200Cc\u200Dd\u2060e\uFEFFf", "abcdef"},
		{"soft hyphen", "in\u00ADvisible", "invisible"},
		{"tag characters", "a\U000E0041\U000E007Fb", "ab"},
		{"Mongolian vowel separator", "a\u180Eb", "ab"},
		{"interlinear annotation", "a\uFFF9b\uFFFBc", "abc"},
		{"Hangul fillers", "a\u3164b\u115Fc\uFFA0d", "abcd"},

		{"invalid byte", "a\xffb", "a\ufffdb"},
		{"truncated sequence", "\xe6\x97", "\ufffd\ufffd"},
		{"surrogate half", "\xed\xa0\x80", "\ufffd\ufffd\ufffd"},
		{"overlong slash", "\xc0\xaf", "\ufffd\ufffd"},
		{"replacement char kept", "\ufffd", "\ufffd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clean(tt.in)
			if got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Clean(got); again != got {
				t.Errorf("Clean not idempotent: Clean(%q) = %q", got, again)
			}
			if IsClean(tt.in) != (tt.in == tt.want) {
				t.Errorf("IsClean(%q) = %v", tt.in, IsClean(tt.in))
			}
		})
	}
}

func TestCleanDoesNotAllocateForCleanText(t *testing.T) {
	for _, s := range []string{"", "Quarterly update", "Café 日本語 👍🏽", strings.Repeat("x", 1<<20)} {
		if n := testing.AllocsPerRun(20, func() { _ = Clean(s) }); n != 0 {
			t.Errorf("Clean(%.20q...) allocated %v times", s, n)
		}
	}
}

func TestCleanLarge(t *testing.T) {
	const size = 10 << 20
	clean := strings.Repeat("name-42 日本 ", size/16)
	if got := Clean(clean); got != clean {
		t.Fatal("a clean 10 MB string was changed")
	}

	dirty := strings.Repeat("\x1b[31mx\u202E\r\n\xff", size/12)
	got := Clean(dirty)
	want := strings.Repeat("x \ufffd", size/12)
	if got != want {
		t.Fatalf("dirty 10 MB: got %d bytes, want %d", len(got), len(want))
	}

	// One unterminated OSC at the start must not make Clean quadratic or
	// swallow the rest.
	osc := "\x1b]0;" + strings.Repeat("a", size)
	if got := Clean(osc); got != osc[2:] {
		t.Fatalf("unterminated OSC: got %d bytes", len(got))
	}
}

func TestCleanURL(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"https://cdn.colossyan.com/videos/a.mp4?sig=abc&exp=1", true},
		{"http://127.0.0.1:8080/v/1", true},
		{"HTTPS://example.com/", true},
		{"", false},
		{"javascript:alert(1)", false},
		{"file:///etc/passwd", false},
		{"ftp://example.com/a", false},
		{"https:opaque", false},
		{"/relative/path", false},
		{"https://app.colossyan.com@evil.example/", false},
		{"https://example.com/a b", false},
		{"https://example.com/\x1b]8;;x\x07", false},
		{"https://example.com/\u202Egnp.exe", false},
		{"https://exämple.com/", false},
		{"https://", false},
		{"https://example.com/%ZZ", false},
	}
	for _, tt := range tests {
		got := CleanURL(tt.in)
		if tt.want && got != tt.in {
			t.Errorf("CleanURL(%q) = %q, want it unchanged", tt.in, got)
		}
		if !tt.want && got != "" {
			t.Errorf("CleanURL(%q) = %q, want it refused", tt.in, got)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"", "plain", "\x1b[31mred\x1b[0m", "\x1b]8;;https://x/\x1b\\l\x1b]8;;\x1b\\",
		"\x1b]52;c;YQ==\x07", "\x1bPq\x1b\\", "\u009b1m", "\x9b1m", "a\rb\r\n",
		"\u202Eabc\u2066", "\u200B\uFEFF", "\xff\xfe", "\xed\xa0\x80", "\x1b]0;unterminated",
		"日本語 👍🏽", "\U000E0041", "\u0085\u2028",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Clean(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Clean(%q) = %q: invalid UTF-8", s, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c < 0x20 || c == 0x7f {
				t.Fatalf("Clean(%q) = %q: control byte %#x", s, got, c)
			}
		}
		for _, r := range got {
			if (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029 {
				t.Fatalf("Clean(%q) = %q: unsafe rune %U", s, got, r)
			}
		}
		if again := Clean(got); again != got {
			t.Fatalf("Clean not idempotent: %q -> %q -> %q", s, got, again)
		}
		if !IsClean(got) {
			t.Fatalf("IsClean(Clean(%q)) = false", s)
		}
		if u := CleanURL(s); u != "" && u != s {
			t.Fatalf("CleanURL(%q) = %q: changed", s, u)
		}
	})
}

var sink string

func BenchmarkClean(b *testing.B) {
	inputs := []struct{ name, s string }{
		{"clean-short", "Quarterly update for the sales team (EN)"},
		{"clean-unicode", "Café 日本語 résumé 👍🏽 Überblick"},
		{"clean-10KB", strings.Repeat("abcdefghij", 1024)},
		{"dirty-short", "\x1b[31mQuarterly\x1b[0m update\r\n\u202Egnp"},
		{"dirty-10KB", strings.Repeat("abc\x1b[1mdef\tghi\u200B", 512)},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.s)))
			b.ReportAllocs()
			for b.Loop() {
				sink = Clean(in.s)
			}
		})
	}
}
