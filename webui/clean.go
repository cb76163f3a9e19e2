package webui

import (
	"bytes"
	"unicode"
	"unicode/utf8"

	"github.com/radarhq/radar"
)

// cleanPage makes a rendered page safe to read whatever Jira text it shows
// (html/template has escaped it already): invalid UTF-8 becomes U+FFFD,
// bidirectional controls, which could make a summary read backwards, are
// dropped, and other control characters but line breaks and tabs become
// spaces. Radar's own templates hold none of these, so the whole page can
// be filtered at once.
func cleanPage(b []byte) []byte {
	if isCleanPage(b) {
		return b
	}
	return bytes.Map(func(r rune) rune {
		switch {
		case radar.IsBidiControl(r):
			return -1
		case r == '\n' || r == '\t' || r == '\r':
			return r
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

func isCleanPage(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == unicode.ReplacementChar && size <= 1 || radar.IsBidiControl(r) || unicode.IsControl(r) {
			return false
		}
		i += size
	}
	return true
}
