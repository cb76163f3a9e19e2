package radar

// IsBidiControl reports the invisible characters that reorder text, which
// could make untrusted text read backwards: the embeddings and overrides
// (U+202A–U+202E), isolates (U+2066–U+2069) and the directional marks
// (U+200E, U+200F, U+061C).
func IsBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}
