// Package chaos proves reel keeps working and loses nothing under faults
// and hostile input: hundreds of jobs against a simulator that fails three
// requests in ten, downloads cut mid-transfer, server text full of escape
// sequences on a real pseudo-terminal, kill -9 at random moments, a flood
// of callbacks. It holds tests only; RELIABILITY.md at the repository root
// records what they tried and what held.
package chaos
