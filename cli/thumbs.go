package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-dev/reel/api"
	"github.com/reel-dev/reel/download"
	"github.com/reel-dev/reel/thumb"
)

// thumbFetcher fetches the dashboard's thumbnails with the file hosts'
// token-free client, into $XDG_CACHE_HOME/reel/thumbnails; an expired
// link is renewed by asking the API for the video again.
func thumbFetcher(c *api.Client, getenv func(string) string) *thumb.Fetcher {
	f := &thumb.Fetcher{
		Client: download.NewHTTPClient(),
		Refresh: func(ctx context.Context, videoID string) (string, error) {
			v, err := c.GetVideo(ctx, videoID)
			if err != nil {
				return "", err
			}
			return v.ThumbnailURL, nil
		},
	}
	dir := getenv("XDG_CACHE_HOME")
	if dir != "" {
		dir = filepath.Join(dir, "reel", "thumbnails")
	} else if d, err := thumb.DefaultCacheDir(); err == nil {
		dir = d
	}
	if dir != "" {
		f.Cache = &thumb.Cache{Dir: dir}
	}
	return f
}

// tmuxPassthrough asks tmux whether escape sequences may pass through to
// the outer terminal (allow-passthrough on or all), so that iTerm2 images
// can be sent from inside it.
func tmuxPassthrough(getenv func(string) string) bool {
	if getenv("TMUX") == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tmux", "show-options", "-gv", "allow-passthrough")
	cmd.Stderr = nil
	cmd.Env = os.Environ()
	out, err := cmd.Output()
	if err != nil {
		return false
	}
	v := strings.TrimSpace(string(out))
	return v == "on" || v == "all"
}
