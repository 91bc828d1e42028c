package serve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
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

// harmless are OpenSSH's options (lower case: OpenSSH ignores case) that forbid what reel serve never offers
// anyway; any other option is not understood, and its line is refused
// rather than the key let in without the restriction it asks for.
var harmless = map[string]bool{
	"restrict": true, "no-port-forwarding": true, "no-agent-forwarding": true,
	"no-x11-forwarding": true, "no-user-rc": true,
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
	if err := strictModes(f, path); err != nil {
		return nil, err
	}
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
//
// The options field is OpenSSH's: comma-separated, names in any case,
// values in double quotes that may hold commas and spaces
// (from="10.0.0.0/8,::1"). A key is read-only if any line naming it says
// reel-readonly, a refused line included: a line refused for an option
// reel does not enforce (from=, command=, expiry-time=...) still takes
// away rights the key has from another line, never gives any.
func ParseKeys(r io.Reader) (*Keys, error) {
	keys := &Keys{byWire: map[string]*Key{}}
	var refused []refusedLine
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
			if k.pub != nil {
				refused = append(refused, refusedLine{wire: string(k.pub.Marshal()), readOnly: k.ReadOnly, problem: len(keys.Problems) - 1})
			}
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
	// What a refused line's key may do after all, said truthfully.
	for _, r := range refused {
		k, ok := keys.byWire[r.wire]
		switch {
		case !ok:
			keys.Problems[r.problem] += "; that key cannot log in"
			continue
		case r.readOnly:
			k.ReadOnly = true
		}
		mode := "with full rights"
		if k.ReadOnly {
			mode = "read-only"
		}
		keys.Problems[r.problem] += fmt.Sprintf("; that key still logs in through line %d, %s", k.Line, mode)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d is longer than %d bytes: is this an authorized_keys file?", n+1, maxKeysLine)
		}
		return nil, err
	}
	return keys, nil
}

// refusedLine is a line left out for its options, whose key may still be
// on another line.
type refusedLine struct {
	wire     string
	readOnly bool
	problem  int // index in Problems
}

// strictModes refuses a keys file that someone else could write, as
// sshd's StrictModes does: whoever can write it can let themselves in.
func strictModes(f *os.File, path string) error {
	if runtime.GOOS == "windows" {
		return nil // no Unix modes to read
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("read the authorized keys: %w", err)
	}
	if m := fi.Mode().Perm(); m&0o022 != 0 {
		return fmt.Errorf("%s is writable by others (mode %04o), so anyone who can write it could let themselves in: "+
			"chmod go-w %s", path, m, path)
	}
	return nil
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
	// gossh splits the field at the commas outside quotes; every option is
	// read before any is refused, so reel-readonly counts wherever it is.
	var unknown string
	for _, o := range opts {
		name, _, _ := strings.Cut(o, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		switch {
		case name == ReadOnlyOption:
			k.ReadOnly = true
		case harmless[name]:
		case unknown == "":
			unknown = name
		}
	}
	if unknown != "" {
		return k, fmt.Errorf("option %q is not one reel serve enforces (only %s, and OpenSSH's "+
			"restrict and no-*-forwarding): the line is left out rather than let in without it", termsafe.Clean(unknown), ReadOnlyOption)
	}
	return k, nil
}
