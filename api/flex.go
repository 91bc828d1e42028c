package api

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// flexString accepts a JSON string, a number, or null (as ""). Servers drift;
// an id sent as a number must not fail the whole decode.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*s = flexString(b)
		return nil
	}
	// Objects, arrays, booleans: not a string we can use; keep it empty.
	*s = ""
	return nil
}

// flexNumber accepts a JSON number, a numeric string, or null. ok records
// whether a usable value was present, so nullable fields stay nullable.
type flexNumber struct {
	v  float64
	ok bool
}

func (n *flexNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*n = flexNumber{}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			*n = flexNumber{f, true}
		}
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		*n = flexNumber{f, true}
	}
	return nil // booleans and objects: unusable, left unset
}
