package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// runCompletion prints a completion script for bash or zsh. Commands are
// completed from this binary's list; flags by asking `radar CMD --help`,
// so they never go stale.
func runCompletion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "completion")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: radar completion bash|zsh\n\nprints a completion script: source <(radar completion bash), or for zsh source <(radar completion zsh)")
	}
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			return parseFlags(fs, args)
		}
	}
	if len(args) != 1 {
		return fmt.Errorf("%w: give the shell: radar completion bash, or radar completion zsh", errUsage)
	}
	var names []string
	for n := range commands() {
		names = append(names, n)
	}
	sort.Strings(names)
	script, ok := map[string]string{"bash": bashCompletion, "zsh": zshCompletion}[args[0]]
	if !ok {
		return fmt.Errorf("%w: shell %q: use bash or zsh", errUsage, args[0])
	}
	_, err := fmt.Fprint(e.stdout, strings.ReplaceAll(script, "@COMMANDS@", strings.Join(append(names, "help"), " ")))
	return err
}

// flagsOf is the shell pipeline that lists a command's flags as --name,
// read from its --help.
const flagsOf = `sed -n 's/^  -\([a-z-]*\).*/--\1/p'`

const bashCompletion = `# bash completion for radar. Load it with:
#   source <(radar completion bash)
_radar() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "@COMMANDS@" -- "$cur"))
		return
	fi
	case "${COMP_WORDS[1]}" in
	help)
		COMPREPLY=($(compgen -W "@COMMANDS@" -- "$cur"))
		return ;;
	completion)
		COMPREPLY=($(compgen -W "bash zsh" -- "$cur"))
		return ;;
	esac
	case "$cur" in
	-*)
		local flags
		flags=$("${COMP_WORDS[0]}" "${COMP_WORDS[1]}" --help 2>/dev/null | ` + flagsOf + `)
		COMPREPLY=($(compgen -W "$flags" -- "$cur")) ;;
	*)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -F _radar radar
`

const zshCompletion = `#compdef radar
# zsh completion for radar. Load it with:
#   source <(radar completion zsh)
# (compinit must have run), or save it as _radar in a directory on $fpath.
_radar() {
	if (( CURRENT == 2 )); then
		compadd -- @COMMANDS@
		return
	fi
	case $words[2] in
	help) compadd -- @COMMANDS@; return ;;
	completion) compadd -- bash zsh; return ;;
	esac
	if [[ $words[CURRENT] == -* ]]; then
		compadd -- ${(f)"$($words[1] $words[2] --help 2>/dev/null | ` + flagsOf + `)"}
	else
		_files
	fi
}
if (( $+functions[compdef] )); then
	compdef _radar radar
fi
`
