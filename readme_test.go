package main

import (
	"os"
	"regexp"
	"testing"
)

// Every Markdown file the README names is in the repository: a newcomer
// following a reference must find it.
func TestReadmeNamesOnlyFilesThatExist(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`[\w./-]+\.md\b`).FindAllString(string(b), -1) {
		if _, err := os.Stat(m); err != nil {
			t.Errorf("README names %s, which is not in the repository", m)
		}
	}
}
