# mk/fnlen.awk - prints the functions of C files longer than 60 lines
# (make lint; definitions start in column 0 and end at a "}" in column 0;
# one-line functions are skipped):
#   awk -f mk/fnlen.awk lib/*.c loader/*.c host-afxdp/*.c host-afxdp/*/*.c bpf/*.c
/^[a-zA-Z_].*\(/ && !/;[ \t]*$/ && !/}[ \t]*$/ { name = $0; start = FNR; next }
/^}/ && start {
	n = FNR - start + 1
	if (n > 60)
		printf "%s:%d %d lines: %s\n", FILENAME, start, n, name
	start = 0
}
