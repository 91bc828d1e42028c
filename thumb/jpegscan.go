package thumb

// MaxJPEGScans bounds the scans (SOS segments) of a JPEG. The pixel cap
// does not bound a progressive JPEG's work: every scan goes over every
// block again, and a scan can be 18 bytes, so 4 MB could hold a quarter of
// a million of them (minutes of CPU). A progressive encoder writes about
// ten.
const MaxJPEGScans = 64

// jpegScans counts the SOS segments of a JPEG by walking its markers,
// without decoding anything; it stops counting past limit. A stream it
// cannot walk is left to the decoder to refuse.
func jpegScans(b []byte, limit int) int {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0
	}
	n := 0
	for i := 2; i+1 < len(b) && n <= limit; {
		if b[i] != 0xFF {
			i++ // entropy-coded data, between a scan's header and the next marker
			continue
		}
		m := b[i+1]
		switch {
		case m == 0x00 || m == 0xFF: // a stuffed zero, or fill bytes
			i++
			continue
		case m >= 0xD0 && m <= 0xD7 || m == 0x01: // RSTn, TEM: no length
			i += 2
			continue
		case m == 0xD9: // EOI
			return n
		}
		if i+3 >= len(b) {
			return n
		}
		length := int(b[i+2])<<8 | int(b[i+3])
		if length < 2 {
			return n
		}
		if m == 0xDA {
			n++
		}
		i += 2 + length
	}
	return n
}
