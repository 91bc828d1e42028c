package api

import (
	"encoding/json"
	"testing"
)

// FuzzDecode checks that no server answer makes the decoders panic, and that
// whatever decodes keeps its raw bytes for JSON output.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"j","status":"generating","progress":5,"maximumProgress":250}`,
		`{"id":1,"progress":"x","maximumProgress":null}`,
		`{"id":"v","videoSizeBytes":"12","videoDurationSeconds":true}`,
		`[]`, `null`, `"str"`, `{"status":{"a":1}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var j Job
		if err := json.Unmarshal(b, &j); err == nil {
			_ = j.Fraction()
			if f := j.Fraction(); f < 0 || f > 1 {
				t.Fatalf("Fraction %v out of range", f)
			}
		}
		var v Video
		if err := json.Unmarshal(b, &v); err == nil {
			_ = v.Created()
		}
	})
}
