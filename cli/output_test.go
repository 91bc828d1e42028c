package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

func TestMarshalJSONEscapesControlsButKeepsValues(t *testing.T) {
	raw := "a\u009b31mb\x7fc\x1b]52;c;x\x07 & é ✓"
	b, err := marshalJSON(map[string]string{"name": raw}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' || c == 0x7f || c == 0xc2 {
			t.Fatalf("control byte %#x in %q", c, b)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(b, &back); err != nil || back["name"] != raw {
		t.Fatalf("round trip: %q, %v", back["name"], err)
	}
}

func TestMarshalJSONRepairsInvalidUTF8AndEscapesFormatCharacters(t *testing.T) {
	raw := json.RawMessage("{\"name\":\"a\xffb\u202ec\u200bd\U000E0041\"}")
	b, err := marshalJSON(map[string]json.RawMessage{"video": raw}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) || !utf8.Valid(b) {
		t.Fatalf("not valid JSON/UTF-8: %q", b)
	}
	for _, bad := range []string{"\u202e", "\u200b", "\U000E0041"} {
		if strings.Contains(string(b), bad) {
			t.Errorf("raw %q left in %s", bad, b)
		}
	}
	var back map[string]map[string]string
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got, want := back["video"]["name"], "a\ufffdb\u202ec\u200bd\U000E0041"; got != want {
		t.Errorf("value %q, want %q", got, want)
	}
}

func TestWriteTableAlignsAndFitsTheWidth(t *testing.T) {
	rows := [][]string{
		{"ID", "STATUS", "NOTE"},
		{"a", "\x1b[32m✓ finished\x1b[0m", "short"},
		{"bbbb", "✗ failed", strings.Repeat("long reason ", 10)},
	}
	var b strings.Builder
	if err := writeTable(&b, rows, 40); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %q", len(lines), b.String())
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 40 {
			t.Errorf("line %q is %d cells wide, over 40", l, w)
		}
	}
	plain := ansi.Strip(lines[1])
	if col := ansi.StringWidth(plain[:strings.Index(plain, "short")]); col != strings.Index(lines[0], "NOTE") {
		t.Errorf("NOTE column not aligned past a coloured cell: %q / %q", lines[0], lines[1])
	}
	if !strings.HasSuffix(lines[2], "…") {
		t.Errorf("long note not cut: %q", lines[2])
	}
}
