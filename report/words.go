package report

import (
	"fmt"
	"strconv"
	"strings"
)

// plural renders "1 issue" or "3 issues".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// perWeek renders a weekly rate with one decimal.
func perWeek(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

// keyList names the first few keys, then "and N more".
func keyList(keys []string, n int) string {
	if len(keys) <= n {
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:n], ", "), len(keys)-n)
}

// moved says how a P85 moved.
func moved(days int) string {
	switch {
	case days > 0:
		return fmt.Sprintf("%s later", plural(days, "day"))
	case days < 0:
		return fmt.Sprintf("%s earlier", plural(-days, "day"))
	}
	return "unchanged"
}
