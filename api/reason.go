package api

import (
	"encoding/json"
	"strings"
)

// reasonKeys are field names that, in job objects seen in the wild, carry
// why a job failed. The docs document none, so reel looks for these and
// invents nothing.
var reasonKeys = []string{"failureReason", "failedReason", "errorMessage", "error", "reason", "message", "statusMessage"}

// Reason returns what the job object says about why it failed: the first of
// the usual fields that holds a string, or an object with a message. It is
// "" when the object says nothing. The text is raw server text: clean it
// before showing it on a terminal.
// It is at most MaxTextBytes long, saying so where it was cut.
func (j *Job) Reason() string {
	_, s := reasonOf(j.Raw)
	return cutText(s)
}

// reasonOf is the key and text of the first reason in a raw job object.
func reasonOf(raw []byte) (key, text string) {
	if len(raw) == 0 {
		return "", ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return "", ""
	}
	for _, k := range reasonKeys {
		if s := textOf(m[k]); s != "" {
			return k, s
		}
	}
	return "", ""
}

// textOf reads a string, or an object's message/description/code.
func textOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) == nil {
		for _, k := range []string{"message", "description", "detail", "code"} {
			if s := textOf(obj[k]); s != "" {
				return s
			}
		}
	}
	return ""
}
