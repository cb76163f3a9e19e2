package analysis

// PlainText makes untrusted text (summaries, names, notes) one safe line
// for any surface, cut to at most n characters: see plainText. Status
// reports and other renderers use it so every surface cleans text alike.
func PlainText(s string, n int) string { return plainTextN(s, n) }

// MarkdownText is PlainText escaped for Markdown: no link, markup, code
// or table cell can come out of Jira text.
func MarkdownText(s string, n int) string { return markdownTextN(s, n) }
