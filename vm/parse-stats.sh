#!/bin/bash
# parse-stats.sh FILE KEY : value of KEY in the BF-STATS block of FILE (the
# launcher's stdout or the raw serial log; '\r' is ignored). The block is one
# "key value" pair a line between BF-STATS-BEGIN and BF-STATS-END.
# Exit 1 (and print nothing) when FILE has no such key.
# parse-stats.sh FILE      : the whole block, "key value" lines.
set -eu
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 FILE [KEY]" >&2; exit 2; }
[ -r "$1" ] || { echo "parse-stats: cannot read '$1'" >&2; exit 2; }
tr -d '\r' < "$1" | awk -v key="${2:-}" '
	/^BF-STATS-BEGIN$/ { inb = 1; next }
	/^BF-STATS-END$/ { inb = 0; next }
	inb && !/^#/ {
		if (key == "") { print; found = 1 }
		else if ($1 == key) { v = $0; sub(/^[^ ]+ /, "", v); val = v; found = 1 }
	}
	# launcher stdout: outside the block
	!inb && $1 == "swiotlb-range" && key == "swiotlb-range" { val = $2 " " $3; found = 1 }
	END {
		if (!found) exit 1
		if (key != "") print val
	}'
