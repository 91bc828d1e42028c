package cli

import (
	"encoding/json"
	"testing"
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
