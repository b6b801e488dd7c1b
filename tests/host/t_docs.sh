#!/bin/bash
# The manual pages, the --help texts, docs/operating.md and the config parser
# cannot drift: the synopsis of bifrostctl and bifrost-host is the same in
# --help, the man page and docs/operating.md; every option of a synopsis has an
# entry in the man page's OPTIONS with the same argument, and no entry is left
# over; the bifrost.conf(5) options are the parser's keywords and those of
# docs/operating.md's config file table; the exit codes agree; each page
# renders with `man -l` without a warning.
# Needs no root and no namespaces.
set -u
. "$(dirname "$0")/../lib/harness.sh"

CTL8=loader/bifrostctl.8 HOST8=host-afxdp/bifrost-host.8 CONF5=loader/bifrost.conf.5
# The operator's page: the "## bifrostctl" and "## bifrost-host" synopses, the
# "### Config file" table and the "Exit codes:" paragraph.
DOC=docs/operating.md
check_cmd "$DOC exists" test -f "$DOC"

# render PAGE: the page as plain ASCII text, wide enough never to wrap.
render() { LC_ALL=C MANWIDTH=1000 man -l "$1" 2>/dev/null; }

# section NAME: lines of a rendered page's section NAME (stdin).
section() { awk -v s="$1" '/^[A-Z]/ { on = ($0 == s); next } on'; }

# squeeze: one line, single spaces, no "usage:" prefix.
squeeze() { tr '\n' ' ' | sed 's/^usage: *//; s/  */ /g; s/^ //; s/ $//'; }

# one_per_line PROG: a squeezed synopsis split before each "PROG ".
one_per_line() { sed "s/ \($1 \)/\n\1/g"; }

# help_synopsis PROG: the usage lines of `PROG --help`.
help_synopsis() {
	"$BUILD/$1" --help | awk 'NR == 1 || /^ / { print; next } { exit }' |
		squeeze | one_per_line "$1"
}

man_synopsis() { render "$2" | section SYNOPSIS | squeeze | one_per_line "$1"; }

# doc_synopsis PROG: the code block after $DOC's "## PROG" heading.
doc_synopsis() {
	awk -v h="## $1" '$0 == h { on = 1; next } on && /^```/ { if (inb) exit; inb = 1; next }
		on && inb' "$DOC" | squeeze | one_per_line "$1"
}

# options_entries PAGE: the head line of each entry of OPTIONS ("--opt ARG").
# A wide .TP indent keeps each head apart from its text by 2+ spaces.
options_entries() {
	sed 's/^\.TP$/.TP 30n/' "$1" | LC_ALL=C MANWIDTH=1000 man -l - 2>/dev/null |
		section OPTIONS | awk '/^       [^ ]/ { sub(/^ +/, ""); sub(/  .*/, ""); print }'
}

check_prog() {
	local prog=$1 page=$2 syn opts e missing=""
	syn=$(help_synopsis "$prog")
	check_cmd "$prog: --help has a synopsis" test -n "$syn"
	check_eq "$prog: man page synopsis = --help" "$(man_synopsis "$prog" "$page")" "$syn"
	check_eq "$prog: $DOC synopsis = --help" "$(doc_synopsis "$prog")" "$syn"
	opts=$( (grep -oE -- '--[a-z][a-z-]*' <<< "$syn"; echo --help) | sort -u)
	check_eq "$prog: man OPTIONS lists exactly the synopsis' options" \
		"$(options_entries "$page" | awk '{print $1}' | sort -u | tr '\n' ' ')" \
		"$(tr '\n' ' ' <<< "$opts")"
	while read -r e; do
		[ "$e" = --help ] || grep -qF -- "$e" <<< "$syn" || missing+="'$e' "
	done < <(options_entries "$page")
	check_eq "$prog: each OPTIONS entry's argument as in the synopsis" "$missing" ""
}

check_prog bifrostctl $CTL8
check_prog bifrost-host $HOST8

# bifrost.conf(5): synopsis = config.h's; options = parser's = $DOC table's.
conf_h=$(awk '/^ \*   guest /,/^ \*$/' lib/config.h | sed 's/^ \*//' | squeeze)
check_eq "bifrost.conf: man synopsis = config.h's" \
	"$(render $CONF5 | section SYNOPSIS | squeeze)" "$conf_h"
parser=$(grep -oE 'strcmp\(key, "[a-z-]+"\)' lib/config.c | cut -d'"' -f2 | sort | tr '\n' ' ')
check_cmd "bifrost.conf: the parser has keywords" test -n "$parser"
check_eq "bifrost.conf: man OPTIONS = parser's keywords" \
	"$(options_entries $CONF5 | awk '{print $1}' | sort | tr '\n' ' ')" "$parser"
check_eq "bifrost.conf: $DOC table = parser's keywords" \
	"$(awk '/^### Config file/ { on = 1; next } on && /^#/ { exit }
		on && /^\| `/ { split($0, c, "`"); print c[2] }' "$DOC" | sort | tr '\n' ' ')" "$parser"
missing=""
while read -r e; do
	grep -qF -- "$e" <<< "$conf_h" || missing+="'$e' "
done < <(options_entries $CONF5)
check_eq "bifrost.conf: each OPTIONS entry's argument as in the synopsis" "$missing" ""

# Exit codes of bifrostctl: --help, man page and $DOC list the same ones.
codes() { grep -oE '(^|[ ,:])[0-9]+( |$)' | tr -dc '0-9\n' | sed '/^$/d' | sort -n -u | tr '\n' ' '; }
help_codes=$("$BUILD/bifrostctl" --help | sed -n '/^exit codes/,$p' | codes)
check_eq "bifrostctl: exit codes 0-11 in --help" "$help_codes" "0 1 2 3 4 5 6 7 8 9 10 11 "
check_eq "bifrostctl: man EXIT STATUS = --help" \
	"$(render $CTL8 | section 'EXIT STATUS' | codes)" "$help_codes"
check_eq "bifrostctl: $DOC exit codes = --help" \
	"$(awk '/^Exit codes:/ { on = 1 } on && /^$/ { exit } on' "$DOC" | codes)" "$help_codes"

for p in $CTL8 $HOST8 $CONF5; do
	check_eq "$p renders without warnings" \
		"$(LC_ALL=C MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)" ""
done
