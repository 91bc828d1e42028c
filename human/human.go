// Package human formats durations and sizes the way people read them, for
// the dashboard and the scripting commands alike.
package human

import (
	"fmt"
	"math"
	"time"
)

// Duration renders a span as people say it: "42s", "1m 23s", "2h 05m".
// Seconds are dropped past an hour, where they are noise.
func Duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm %02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh %02dm", s/3600, (s%3600)/60)
	}
}

// Seconds renders a video length given in (possibly fractional) seconds;
// "" for a value that is not a length.
func Seconds(sec float64) string {
	if sec < 0 || math.IsNaN(sec) || math.IsInf(sec, 0) || sec > 1e9 {
		return ""
	}
	return Duration(time.Duration(sec * float64(time.Second)))
}

// Size renders a byte count in decimal units, as file browsers and download
// pages do: "850 kB", "3.0 MB", "1.2 GB"; "" for a negative count.
func Size(n int64) string {
	switch {
	case n < 0:
		return ""
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.0f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	default:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	}
}
