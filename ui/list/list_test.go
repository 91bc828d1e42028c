package list

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// item is a test row: a key, its place, a group and a name to filter on.
type item struct {
	key   string
	order int64
	group int
	name  string
}

func (i *item) Key() string        { return i.key }
func (i *item) Order() int64       { return i.order }
func (i *item) Group() int         { return i.group }
func (i *item) FilterText() string { return strings.ToLower(i.name) }

func it(n int, group int, name string) *item {
	return &item{key: fmt.Sprintf("k%02d", n), order: int64(n), group: group, name: name}
}

// build returns a settled list of n items, h rows high; item i is in group
// i%3 and named "Name-i".
func build(n, h int) *List[*item] {
	l := New[*item](3)
	for i := range n {
		l.Put(it(i, i%3, fmt.Sprintf("Name-%d", i)))
	}
	l.SetHeight(h)
	l.Settle()
	return l
}

func keys(rows []*item) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.key)
	}
	return out
}

func sel(l *List[*item]) string {
	s, ok := l.Selected()
	if !ok {
		return ""
	}
	return s.key
}

func TestPutKeepsOrderAndCounts(t *testing.T) {
	l := New[*item](3)
	for _, n := range []int{0, 1, 3, 4} {
		l.Put(it(n, n%3, ""))
	}
	l.Put(it(2, 2, "")) // put back in its place
	l.Settle()
	if got, want := keys(l.All()), []string{"k00", "k01", "k02", "k03", "k04"}; !slices.Equal(got, want) {
		t.Errorf("All %v, want %v", got, want)
	}
	if got := [3]int{l.Count(0), l.Count(1), l.Count(2)}; got != [3]int{2, 2, 1} {
		t.Errorf("counts %v, want [2 2 1]", got)
	}
	old, replaced := l.Put(it(1, 2, "moved group"))
	if !replaced || old.group != 1 {
		t.Fatalf("Put of an existing key: replaced %v, old %+v", replaced, old)
	}
	if got := [3]int{l.Count(0), l.Count(1), l.Count(2)}; got != [3]int{2, 1, 2} {
		t.Errorf("counts after a change of group %v, want [2 1 2]", got)
	}
	if l.Len() != 5 {
		t.Errorf("Len %d after a replacement, want 5", l.Len())
	}
	if g, _ := l.Get("k01"); g.name != "moved group" || l.Rows()[1] != g {
		t.Errorf("the replacement is not what Get and Rows return")
	}
	if _, ok := l.Remove("k03"); !ok {
		t.Fatal("Remove of a present key failed")
	}
	if _, ok := l.Remove("k03"); ok {
		t.Error("Remove of an absent key succeeded")
	}
	l.Settle()
	if got, want := keys(l.Rows()), []string{"k00", "k01", "k02", "k04"}; !slices.Equal(got, want) {
		t.Errorf("rows after Remove %v, want %v", got, want)
	}
	if got := l.Count(0); got != 1 {
		t.Errorf("group 0 counts %d after removing k03, want 1", got)
	}
}

func TestFilterAndOrder(t *testing.T) {
	l := build(12, 5)
	if !l.SetFilter("NAME-1") || l.SetFilter("NAME-1") {
		t.Error("SetFilter must report a change once")
	}
	l.Settle()
	if got, want := keys(l.Rows()), []string{"k01", "k10", "k11"}; !slices.Equal(got, want) {
		t.Errorf("filtered rows %v, want %v (case ignored)", got, want)
	}
	if l.Shown() != 3 || l.Len() != 12 {
		t.Errorf("shown %d of %d, want 3 of 12", l.Shown(), l.Len())
	}
	l.SetFilter("")
	l.SetOrder(func(a, b *item) bool { return a.group < b.group })
	l.Settle()
	want := []string{"k00", "k03", "k06", "k09", "k01", "k04", "k07", "k10", "k02", "k05", "k08", "k11"}
	if got := keys(l.Rows()); !slices.Equal(got, want) {
		t.Errorf("ordered by group %v, want %v (stable)", got, want)
	}
	// A change that moves an item to another group moves its row.
	l.Put(it(0, 2, "Name-0"))
	l.Settle()
	if got := l.Rows()[7].key; got != "k00" {
		t.Errorf("k00 moved to the last group is at %v, want it first of that group, by its order", keys(l.Rows()))
	}
	l.SetOrder(nil)
	l.Settle()
	if got := keys(l.Rows()); got[0] != "k00" || got[11] != "k11" {
		t.Errorf("order added restored %v", got)
	}
}

// TestSelectionFollowsItem: the cursor follows the selected item when rows
// move under it, and stays in place when it goes.
func TestSelectionFollowsItem(t *testing.T) {
	l := build(12, 5)
	l.MoveTo(4)
	l.SetOrder(func(a, b *item) bool { return a.group < b.group })
	l.Settle()
	if sel(l) != "k04" || l.Rows()[l.Cursor()].key != "k04" {
		t.Errorf("after sorting the selection is %s at row %d, want k04", sel(l), l.Cursor())
	}
	if l.Cursor() != 5 {
		t.Errorf("k04 sorted by group is row %d, want 5", l.Cursor())
	}
	l.Remove("k04")
	l.Settle()
	if l.Cursor() != 5 || sel(l) != "k07" {
		t.Errorf("after removing the selected item: row %d, %s; want row 5, k07", l.Cursor(), sel(l))
	}
	l.SetFilter("name-1")
	l.Settle()
	if l.Cursor() != 2 || sel(l) != "k11" {
		t.Errorf("a filter without the selection: row %d, %s; want the last row, k11", l.Cursor(), sel(l))
	}
	l.SetFilter("nothing")
	l.Settle()
	if _, ok := l.Selected(); ok || l.Cursor() != 0 || l.SelectedKey() != "" {
		t.Errorf("no rows, yet a selection: row %d, %q", l.Cursor(), l.SelectedKey())
	}
}

// TestReadersDoNotSettle: between a change and Settle, readers see the rows
// as last settled; only Settle (or a move) folds the change in.
func TestReadersDoNotSettle(t *testing.T) {
	l := build(6, 5)
	l.MoveTo(2)
	l.SetOrder(func(a, b *item) bool { return a.key > b.key })
	before := keys(l.Rows())
	for range 3 {
		_ = l.Rows()
		_, _ = l.Selected()
		_, _ = l.Cursor(), l.Offset()
	}
	if got := keys(l.Rows()); !slices.Equal(got, before) || l.Cursor() != 2 {
		t.Errorf("reading changed the rows to %v, cursor %d", got, l.Cursor())
	}
	if s := sel(l); s != "k02" {
		t.Errorf("selected %s before settling, want k02", s)
	}
	l.Settle()
	if got := keys(l.Rows()); got[0] != "k05" || l.Cursor() != 3 {
		t.Errorf("after Settle rows %v, cursor %d; want k05 first, cursor on k02 at 3", got, l.Cursor())
	}
}

func TestMovesAndScroll(t *testing.T) {
	l := build(20, 5)
	type state struct{ cur, off int }
	at := func() state { return state{l.Cursor(), l.Offset()} }
	steps := []struct {
		name string
		do   func()
		want state
	}{
		{"start", func() {}, state{0, 0}},
		{"up at the top", func() { l.Move(-1) }, state{0, 0}},
		{"down 4", func() { l.Move(4) }, state{4, 0}},
		{"down past the window", func() { l.Move(1) }, state{5, 1}},
		{"page down", func() { l.Page(1) }, state{9, 5}},
		{"page up", func() { l.Page(-1) }, state{5, 5}},
		{"bottom", func() { l.Bottom() }, state{19, 15}},
		{"down at the bottom", func() { l.Move(1) }, state{19, 15}},
		{"top", func() { l.Top() }, state{0, 0}},
		{"wheel down drags the cursor", func() { l.Scroll(3) }, state{3, 3}},
		{"wheel past the end", func() { l.Scroll(100) }, state{15, 15}},
		{"wheel up keeps the cursor in sight", func() { l.Scroll(-3) }, state{15, 12}},
		{"click the second line", func() { l.Click(1) }, state{13, 12}},
		{"click below the window", func() { l.Click(5) }, state{13, 12}},
		{"shorter window", func() { l.SetHeight(2) }, state{13, 12}},
		{"shorter still", func() { l.SetHeight(1) }, state{13, 13}},
		{"taller than the rows", func() { l.SetHeight(30) }, state{13, 0}},
	}
	for _, s := range steps {
		s.do()
		if got := at(); got != s.want {
			t.Fatalf("%s: cursor/offset %v, want %v", s.name, got, s.want)
		}
		if want := l.Rows()[l.Cursor()].key; sel(l) != want {
			t.Fatalf("%s: selected %s, the cursor's row is %s", s.name, sel(l), want)
		}
	}
}

func TestEmpty(t *testing.T) {
	l := New[*item](1)
	l.SetHeight(5)
	l.Settle()
	l.Move(1)
	l.Bottom()
	l.Scroll(3)
	if l.Click(0) {
		t.Error("a click on an empty list selected something")
	}
	if _, ok := l.Selected(); ok || l.Cursor() != 0 || l.Offset() != 0 {
		t.Errorf("an empty list has a selection: cursor %d offset %d", l.Cursor(), l.Offset())
	}
}

// BenchmarkPutUnsorted: one item changes among 10,000 in the order added,
// the common case, which must not rebuild the rows.
func BenchmarkPutUnsorted(b *testing.B) {
	l := build(10_000, 40)
	x := *l.All()[5000]
	b.ReportAllocs()
	for b.Loop() {
		y := x
		l.Put(&y)
		l.Settle()
	}
}

// Rows are the rows as last settled: a removal or an insertion before
// Settle must not show through them (the rows used to share all's array,
// so a removal shifted them and repeated the last row), and a caller
// writing into the slice it was given does not change the list.
func TestRowsDoNotAliasTheItems(t *testing.T) {
	l := build(4, 10)
	before := keys(l.Rows())
	l.Remove("k01")
	l.Put(it(9, 0, "Name-9"))
	if got := keys(l.Rows()); !slices.Equal(got, before) {
		t.Errorf("rows before Settle after a change: %q, want as last settled %q", got, before)
	}
	l.Settle()
	if got, want := keys(l.Rows()), []string{"k00", "k02", "k03", "k09"}; !slices.Equal(got, want) {
		t.Errorf("rows after Settle: %q, want %q", got, want)
	}

	rows := l.Rows()
	rows[0] = it(7, 1, "stranger")
	if got, want := keys(l.All()), []string{"k00", "k02", "k03", "k09"}; !slices.Equal(got, want) {
		t.Errorf("a caller's write into Rows() changed the items: %q, want %q", got, want)
	}
	if g, ok := l.Get("k00"); !ok || g.name != "Name-0" {
		t.Errorf("k00 is now %+v", g)
	}
}

// A replacement in place (same key, same place) still shows at once,
// without a Settle, as it did when the rows shared the items' array.
func TestPutInPlaceShowsAtOnce(t *testing.T) {
	l := build(3, 10)
	l.Put(&item{key: "k01", order: 1, group: 2, name: "renamed"})
	if r := l.Rows(); len(r) != 3 || r[1].name != "renamed" {
		t.Errorf("rows after an in-place Put: %+v", r)
	}
}
