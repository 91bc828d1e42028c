package api

import (
	"encoding/json"
	"testing"
)

func TestReason(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`{"status":"failed"}`, ""},
		{`{"status":"failed","failureReason":"avatar missing"}`, "avatar missing"},
		{`{"status":"failed","error":{"code":"E1","message":"render timed out"}}`, "render timed out"},
		{`{"status":"failed","error":{"code":"E1"}}`, "E1"},
		{`{"status":"failed","error":null,"message":"  quota  "}`, "quota"},
		{`{"status":"failed","error":42}`, ""},
	}
	for _, tt := range tests {
		var j Job
		if err := json.Unmarshal([]byte(tt.raw), &j); err != nil {
			t.Fatal(err)
		}
		if got := j.Reason(); got != tt.want {
			t.Errorf("Reason(%s) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
