// Package list is the dashboard's table of jobs as plain data: the items in
// the order they were added, the filter and order that pick and arrange the
// rows shown, the counts by group, and the cursor and scroll over the rows.
// It draws nothing and knows nothing of Bubble Tea: the ui package calls its
// methods while it handles a message and reads it while it draws.
//
// Changes to the items, the filter or the order are folded in lazily, by
// Settle (and by the moves, which settle first), so that a batch of changes
// costs one rebuild. Readers never rebuild: between a change and Settle
// they see the rows as last settled.
package list

import (
	"slices"
	"sort"
	"strings"
)

// Item is what the list holds.
type Item interface {
	// Key names the item; no two items share one.
	Key() string
	// Order is where the item goes among the others: the order added, so
	// an item put back after a removal returns to its place.
	Order() int64
	// Group is what Count counts the item under, in [0, groups).
	Group() int
	// FilterText is the lower-case text the filter looks in.
	FilterText() string
}

// List holds the items and the view over them. The zero value is not
// ready: use New.
type List[T Item] struct {
	byKey  map[string]T
	all    []T // by Order
	rows   []T // filtered and ordered: what is shown; never shares all's array
	counts []int

	filter string
	lower  string // filter, lower-cased
	less   func(a, b T) bool

	cursor int
	offset int
	sel    string // the selected item's key, which the cursor follows
	height int    // rows shown at once
	dirty  bool   // rows must be rebuilt
}

// New returns an empty list counting items in groups groups.
func New[T Item](groups int) *List[T] {
	return &List[T]{byKey: map[string]T{}, counts: make([]int, groups)}
}

// Put adds an item, or replaces the one with the same key, which it
// returns.
func (l *List[T]) Put(it T) (old T, replaced bool) {
	k := it.Key()
	old, replaced = l.byKey[k]
	l.byKey[k] = it
	l.counts[it.Group()]++
	if !replaced {
		l.insert(it)
		l.dirty = true
		return old, false
	}
	l.counts[old.Group()]--
	if i := l.index(old); i >= 0 && old.Order() == it.Order() {
		l.all[i] = it
		// Unfiltered and unordered, the rows are all as last settled: the
		// same item in the same place is shown at once, as it was.
		if !l.dirty && l.filter == "" && l.less == nil && i < len(l.rows) && l.rows[i].Key() == k {
			l.rows[i] = it
		}
	} else {
		if i >= 0 {
			l.all = append(l.all[:i], l.all[i+1:]...)
		}
		l.insert(it)
		l.dirty = true
	}
	if l.filter != "" || l.less != nil {
		l.dirty = true // the item may now sort or match otherwise
	}
	return old, true
}

// insert puts it into all by Order: usually at the end, in place for an
// item put back.
func (l *List[T]) insert(it T) {
	n, o := len(l.all), it.Order()
	if n == 0 || l.all[n-1].Order() <= o {
		l.all = append(l.all, it)
		return
	}
	i := sort.Search(n, func(i int) bool { return l.all[i].Order() > o })
	var zero T
	l.all = append(l.all, zero)
	copy(l.all[i+1:], l.all[i:])
	l.all[i] = it
}

// index finds it in all by its Order, or -1.
func (l *List[T]) index(it T) int {
	o, k := it.Order(), it.Key()
	for i := sort.Search(len(l.all), func(i int) bool { return l.all[i].Order() >= o }); i < len(l.all) && l.all[i].Order() == o; i++ {
		if l.all[i].Key() == k {
			return i
		}
	}
	for i, x := range l.all {
		if x.Key() == k {
			return i
		}
	}
	return -1
}

// Remove takes the item with key k out of the list and returns it.
func (l *List[T]) Remove(k string) (T, bool) {
	it, ok := l.byKey[k]
	if !ok {
		return it, false
	}
	delete(l.byKey, k)
	l.counts[it.Group()]--
	if i := l.index(it); i >= 0 {
		l.all = append(l.all[:i], l.all[i+1:]...)
	}
	l.dirty = true
	return it, true
}

// Get returns the item with key k.
func (l *List[T]) Get(k string) (T, bool) {
	it, ok := l.byKey[k]
	return it, ok
}

// All is every item in the order added, filtered or not. The caller must
// not change it.
func (l *List[T]) All() []T { return l.all }

// Len is how many items the list holds.
func (l *List[T]) Len() int { return len(l.all) }

// Count is how many items are in group g.
func (l *List[T]) Count(g int) int { return l.counts[g] }

// Filter is the text rows must contain, as set.
func (l *List[T]) Filter() string { return l.filter }

// SetFilter shows only the items whose FilterText contains f, ignoring
// case; "" shows all. It reports whether the filter changed.
func (l *List[T]) SetFilter(f string) bool {
	if f == l.filter {
		return false
	}
	l.filter, l.lower = f, strings.ToLower(f)
	l.dirty = true
	return true
}

// SetOrder orders the rows by less, keeping the order added among equals;
// nil is the order added.
func (l *List[T]) SetOrder(less func(a, b T) bool) {
	l.less = less
	l.dirty = true
}

// SetHeight says how many rows are shown at once, and scrolls the cursor
// into them.
func (l *List[T]) SetHeight(h int) {
	l.height = max(0, h)
	l.clamp()
}

// Height is how many rows are shown at once.
func (l *List[T]) Height() int { return l.height }

// Settle folds in the changes since the last call: it rebuilds the rows,
// keeps the selection on the same item when rows move under it, and keeps
// the cursor in view.
func (l *List[T]) Settle() {
	if l.dirty {
		l.rebuild()
		l.reselect()
	}
	l.clamp()
}

func (l *List[T]) rebuild() {
	l.dirty = false
	// A fresh array each time: the rows handed out stay as settled while
	// all changes under them, and a caller's slice never writes into all.
	if l.filter == "" && l.less == nil {
		l.rows = slices.Clone(l.all)
		return
	}
	l.rows = l.rows[:0:0]
	for _, it := range l.all {
		if l.lower == "" || strings.Contains(it.FilterText(), l.lower) {
			l.rows = append(l.rows, it)
		}
	}
	if less := l.less; less != nil {
		sort.SliceStable(l.rows, func(i, j int) bool { return less(l.rows[i], l.rows[j]) })
	}
}

// reselect follows the selected item to its new row; when it is gone the
// cursor stays where it was, within the rows, on whatever is there now.
func (l *List[T]) reselect() {
	if l.cursor < len(l.rows) && l.rows[l.cursor].Key() == l.sel {
		return
	}
	for i, it := range l.rows {
		if it.Key() == l.sel {
			l.cursor = i
			return
		}
	}
	l.cursor = min(l.cursor, max(len(l.rows)-1, 0))
	l.syncSel()
}

func (l *List[T]) syncSel() {
	if l.cursor < len(l.rows) {
		l.sel = l.rows[l.cursor].Key()
	} else {
		l.sel = ""
	}
}

// clamp keeps the cursor inside the window of rows shown.
func (l *List[T]) clamp() {
	h, n := l.height, len(l.rows)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if h > 0 && l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	l.offset = max(0, min(l.offset, n-h))
}

// Rows are the rows shown, filtered and ordered, as last settled. The
// caller must not change them.
func (l *List[T]) Rows() []T { return l.rows }

// Shown is how many rows pass the filter, as last settled.
func (l *List[T]) Shown() int { return len(l.rows) }

// Cursor is the selected row's index in Rows.
func (l *List[T]) Cursor() int { return l.cursor }

// Offset is the index in Rows of the first row shown.
func (l *List[T]) Offset() int { return l.offset }

// SelectedKey is the selected item's key; "" when there are no rows.
func (l *List[T]) SelectedKey() string { return l.sel }

// Selected is the selected item, if any. It is the item itself, not the
// row it was in, so a change not yet settled cannot swap it for another.
func (l *List[T]) Selected() (T, bool) {
	it, ok := l.byKey[l.sel]
	return it, ok && l.sel != ""
}

// MoveTo selects row i, clamped to the rows, and scrolls it into view.
func (l *List[T]) MoveTo(i int) {
	l.Settle()
	l.cursor = max(0, min(i, len(l.rows)-1))
	l.syncSel()
	l.clamp()
}

// Move selects the row d rows below the cursor (above when d < 0).
func (l *List[T]) Move(d int) {
	l.Settle()
	l.MoveTo(l.cursor + d)
}

// Page moves the cursor by d screens less a row, so one row stays in
// sight (d < 0: up).
func (l *List[T]) Page(d int) { l.Move(d * max(1, l.height-1)) }

// Top selects the first row.
func (l *List[T]) Top() { l.MoveTo(0) }

// Bottom selects the last row.
func (l *List[T]) Bottom() {
	l.Settle()
	l.MoveTo(len(l.rows) - 1)
}

// Scroll moves the window by d rows (d < 0: up), dragging the selection
// along when it would leave the window, as a mouse wheel does.
func (l *List[T]) Scroll(d int) {
	l.Settle()
	h, n := l.height, len(l.rows)
	l.offset = max(0, min(l.offset+d, n-h))
	if l.cursor < l.offset {
		l.cursor = l.offset
	} else if h > 0 && l.cursor >= l.offset+h {
		l.cursor = l.offset + h - 1
	}
	l.cursor = max(0, min(l.cursor, n-1))
	if l.cursor < n {
		l.sel = l.rows[l.cursor].Key()
	}
}

// Click selects the row at line y of the window, if there is one there;
// it reports whether one was.
func (l *List[T]) Click(y int) bool {
	l.Settle()
	i := l.offset + y
	if y < 0 || y >= l.height || i >= len(l.rows) {
		return false
	}
	l.MoveTo(i)
	return true
}
