package ui

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
)

// The README's keys table lists every key the dashboard answers to.
func TestReadmeListsEveryKey(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "### Keys")
	if start < 0 {
		t.Fatal("README has no keys section")
	}
	var cells []string // the words of the first column
	begun := false
	for _, line := range strings.Split(s[start:], "\n") {
		if !strings.HasPrefix(line, "|") {
			if begun {
				break
			}
			continue
		}
		begun = true
		c, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " |")
		for _, w := range strings.FieldsFunc(c, func(r rune) bool { return r == ',' || r == ' ' || r == '(' || r == ')' }) {
			cells = append(cells, w)
			if w != "/" {
				cells = append(cells, strings.Split(w, "/")...)
			}
		}
	}
	km := reflect.ValueOf(newKeyMap())
	for i := range km.NumField() {
		b, ok := km.Field(i).Interface().(key.Binding)
		if !ok {
			continue
		}
		label := b.Help().Key
		found := false
		for _, part := range append([]string{label}, strings.Split(label, "/")...) {
			for _, c := range cells {
				if c == part {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("README's keys table lacks %s (%s)", label, b.Help().Desc)
		}
	}
}
