package track

// dueHeap orders scheduled entries by due time (then Seq), so the scheduler
// only ever looks at the earliest one.
type dueHeap []*entry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].job.Seq < h[j].job.Seq
}
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hidx = i
	h[j].hidx = j
}
func (h *dueHeap) Push(x any) {
	en := x.(*entry)
	en.hidx = len(*h)
	*h = append(*h, en)
}
func (h *dueHeap) Pop() any {
	old := *h
	n := len(old)
	en := old[n-1]
	old[n-1] = nil
	en.hidx = -1
	*h = old[:n-1]
	return en
}
