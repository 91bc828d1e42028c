package sim

import "maps"

// Stats count what the simulator was asked, for tests that check how a
// client behaves (requests per job, concurrency, leaks).
type Stats struct {
	Total int
	// ByRoute counts by route pattern, such as
	// "GET /api/v1/video-generation-jobs/{id}" or "GET /files/{name}".
	ByRoute map[string]int
	// ByPath counts by method and path, such as
	// "GET /api/v1/video-generation-jobs/<id>".
	ByPath map[string]int
	// InFlight is the number of requests being served now; MaxInFlight the
	// most at once so far.
	InFlight, MaxInFlight int
	// Faults counts injected faults by kind.
	Faults map[Fault]int
	// RateLimited counts requests refused by Options.RateLimit.
	RateLimited int
	// Created counts jobs created by POST, faults or not (see Creations).
	Created int
	// Unauthorized counts requests answered 401.
	Unauthorized int
	// FileAuthHeaders counts file requests that carried an Authorization
	// header: on a separate file host, every one is a leaked token.
	FileAuthHeaders int
}

func newStats() Stats {
	return Stats{ByRoute: map[string]int{}, ByPath: map[string]int{}, Faults: map[Fault]int{}}
}

// Requests returns a copy of the counts so far.
func (s *Sim) Requests() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByRoute = maps.Clone(st.ByRoute)
	st.ByPath = maps.Clone(st.ByPath)
	st.Faults = maps.Clone(st.Faults)
	return st
}

// ResetRequests zeroes the counts (requests in flight stay counted).
func (s *Sim) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.stats.InFlight
	s.stats = newStats()
	s.stats.InFlight, s.stats.MaxInFlight = in, in
}

func (s *Sim) countFault(f Fault) {
	s.mu.Lock()
	s.stats.Faults[f]++
	s.mu.Unlock()
}
