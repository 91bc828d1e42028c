package ids

import (
	"strings"
	"testing"
)

func TestCSVHeaderWithoutIDColumn(t *testing.T) {
	tests := []struct {
		in      string
		wantIDs int
		wantErr string
	}{
		{"name,status\nfirst,finished\nsecond,failed\n", 0, "1: a CSV header (name, status) with no id"},
		{"Title;Created\nIntro;2026-01-01\n", 0, "with no id"},
		{"job-1,job-2\njob-3\n", 3, ""},   // words with digits are IDs
		{"alpha,beta\n", 2, ""},           // no usual column name: IDs
		{"id,name\njob-1,Intro\n", 1, ""}, // a header with an ID column
		{"name\nstatus\n", 2, ""},         // one field a line: a plain list
	}
	for _, tt := range tests {
		got, errs, err := Parse("f.csv", strings.NewReader(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.wantIDs {
			t.Errorf("%q: %d IDs %v, want %d", tt.in, len(got), got, tt.wantIDs)
		}
		switch {
		case tt.wantErr == "" && len(errs) > 0:
			t.Errorf("%q: unexpected errors %v", tt.in, errs)
		case tt.wantErr != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.wantErr)):
			t.Errorf("%q: errors %v, want one containing %q", tt.in, errs, tt.wantErr)
		}
	}
}
