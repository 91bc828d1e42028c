package thumb

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultCacheBytes bounds the cache folder: a few hundred thumbnails.
const DefaultCacheBytes = 32 << 20

// Cache keeps thumbnails' bytes in a folder, one file a picture, the
// oldest used removed when the folder outgrows its bound. The key is the
// link without its signing parameters (see cacheKey): links are re-signed,
// pictures stay.
type Cache struct {
	Dir      string
	MaxBytes int64 // 0: DefaultCacheBytes
	Now      func() time.Time
}

// DefaultCacheDir is $XDG_CACHE_HOME/reel/thumbnails (or the platform's
// cache folder).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "reel", "thumbnails"), nil
}

func (c *Cache) path(key string) string {
	h := sha256.Sum256([]byte(key))
	return filepath.Join(c.Dir, hex.EncodeToString(h[:16])+".img")
}

// Get returns a picture's bytes, or nil when not cached (or over limit).
func (c *Cache) Get(key string, limit int64) []byte {
	p := c.path(key)
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil || int64(len(b)) > limit {
		return nil
	}
	now := c.now()
	_ = os.Chtimes(p, now, now) // used: the last to go
	return b
}

// Remove drops a picture that failed to decode, so that it is not read
// and refused again on every selection.
func (c *Cache) Remove(key string) { _ = os.Remove(c.path(key)) }

// Put stores a picture's bytes, then trims the folder to its bound. A cache
// that cannot be written is no cache; nothing fails for it.
func (c *Cache) Put(key string, b []byte) {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(c.Dir, ".put-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), c.path(key)) != nil {
		_ = os.Remove(tmp.Name())
		return
	}
	now := c.now()
	_ = os.Chtimes(c.path(key), now, now)
	c.trim()
}

// staleTemp is the age past which a .put- file is left from a crash, not
// being written: a thumbnail is written in well under a second.
const staleTemp = time.Minute

// trim removes the least recently used files until the folder fits, and
// the temporary files a crash left behind.
func (c *Cache) trim() {
	limit := c.MaxBytes
	if limit <= 0 {
		limit = DefaultCacheBytes
	}
	ents, err := os.ReadDir(c.Dir)
	if err != nil {
		return
	}
	type file struct {
		name string
		size int64
		used time.Time
	}
	var files []file
	var total int64
	now := c.now()
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if strings.HasPrefix(e.Name(), ".put-") && now.Sub(info.ModTime()) > staleTemp {
			_ = os.Remove(filepath.Join(c.Dir, e.Name()))
			continue
		}
		if !strings.HasSuffix(e.Name(), ".img") {
			continue
		}
		files = append(files, file{e.Name(), info.Size(), info.ModTime()})
		total += info.Size()
	}
	slices.SortFunc(files, func(a, b file) int { return a.used.Compare(b.used) })
	for _, f := range files {
		if total <= limit {
			break
		}
		if os.Remove(filepath.Join(c.Dir, f.name)) == nil {
			total -= f.size
		}
	}
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
