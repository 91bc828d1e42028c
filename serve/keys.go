package serve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/reel-dev/reel/termsafe"
)

// ReadOnlyOption marks a key in the authorized_keys file that may only
// look: no add, no stop tracking, no saving on the server.
const ReadOnlyOption = "reel-readonly"

// maxKeysLine caps one line of the authorized_keys file; an RSA 16384-bit
// key with a long comment stays well under it.
const maxKeysLine = 16 << 10

// Key is one key allowed in, from one line of the authorized_keys file.
type Key struct {
	Fingerprint string // SHA256:…, what logs name the key by
	Comment     string // the line's comment, cleaned: shown in the header
	ReadOnly    bool
	Line        int
}

// Keys are the keys allowed in, by their wire form.
type Keys struct {
	byWire map[string]*Key
	// Problems are the lines that gave no key, each named by its number;
	// the lines after them are read all the same.
	Problems []string
}

// Len is how many keys are allowed in.
func (k *Keys) Len() int { return len(k.byWire) }

// ReadOnly is how many of the keys may only look.
func (k *Keys) ReadOnly() int {
	n := 0
	for _, key := range k.byWire {
		if key.ReadOnly {
			n++
		}
	}
	return n
}

// Lookup returns the key's entry, or nil when it is not allowed in.
func (k *Keys) Lookup(pub gossh.PublicKey) *Key {
	return k.byWire[string(pub.Marshal())]
}

// harmless are OpenSSH's options that forbid what reel serve never offers
// anyway; any other option is not understood, and its line is refused
// rather than the key let in without the restriction it asks for.
var harmless = map[string]bool{
	"restrict": true, "no-port-forwarding": true, "no-agent-forwarding": true,
	"no-X11-forwarding": true, "no-user-rc": true,
}

// LoadKeys reads an authorized_keys file (see ParseKeys). A file that
// gives no key at all is an error: nobody could get in.
func LoadKeys(path string) (*Keys, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no authorized_keys file at %s: put the public keys allowed in there, one a line "+
				"(add %q before a key that may only look), or pass --authorized-keys FILE", path, ReadOnlyOption)
		}
		return nil, fmt.Errorf("read the authorized keys: %w", err)
	}
	defer f.Close()
	keys, err := ParseKeys(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if keys.Len() == 0 {
		msg := fmt.Sprintf("%s holds no usable public key, so nobody could log in", path)
		if len(keys.Problems) > 0 {
			msg += ": " + strings.Join(keys.Problems, "; ")
		}
		return nil, errors.New(msg)
	}
	return keys, nil
}

// ParseKeys reads authorized_keys lines one by one: a blank line or one
// starting with # is skipped; a line that does not parse, or carries an
// option reel does not understand, is named in Problems by its number and
// the reading goes on, so one bad line never shuts out the keys after it.
// A key listed twice is read-only if any of its lines says so.
func ParseKeys(r io.Reader) (*Keys, error) {
	keys := &Keys{byWire: map[string]*Key{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxKeysLine)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k, err := parseKeyLine(line)
		if err != nil {
			keys.Problems = append(keys.Problems, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		k.Line = n
		pub := k.pub
		if old, ok := keys.byWire[string(pub.Marshal())]; ok {
			old.ReadOnly = old.ReadOnly || k.ReadOnly
			continue
		}
		keys.byWire[string(pub.Marshal())] = &k.Key
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is longer than %d bytes: is this an authorized_keys file?", n+1, maxKeysLine)
		}
		return nil, err
	}
	return keys, nil
}

type parsedKey struct {
	Key
	pub gossh.PublicKey
}

func parseKeyLine(line []byte) (parsedKey, error) {
	pub, comment, opts, rest, err := gossh.ParseAuthorizedKey(line)
	if err != nil {
		return parsedKey{}, errors.New("not a public key (the form is [options] type base64 [comment])")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return parsedKey{}, errors.New("more than one key on the line")
	}
	k := parsedKey{pub: pub, Key: Key{Fingerprint: gossh.FingerprintSHA256(pub), Comment: termsafe.Clean(comment)}}
	for _, o := range opts {
		switch {
		case o == ReadOnlyOption:
			k.ReadOnly = true
		case harmless[o]:
		default:
			name, _, _ := strings.Cut(o, "=")
			return parsedKey{}, fmt.Errorf("option %q is not one reel serve understands (only %s, and OpenSSH's "+
				"restrict and no-*-forwarding): the key is left out rather than let in without it", termsafe.Clean(name), ReadOnlyOption)
		}
	}
	return k, nil
}
