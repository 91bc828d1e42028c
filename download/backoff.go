package download

import "github.com/reel-dev/reel/retry"

// Backoff spaces a download's retries: the program's one backoff, retry's.
type Backoff = retry.Backoff

// DefaultBackoff starts at half a second and waits at most 30 seconds.
var DefaultBackoff = retry.Default
