# Helpers of the benchmark (bench/run.sh), in a file of their own so that make check can test
# them on canned input (tests/e2e/t0950-bench-gen.sh). Sourced by bash or sh; they need the
# sqlite3 CLI, whose JSON functions read hyperfine's exports.

# hf_get FILE INDEX FIELD: a field of command INDEX (from 0) of a hyperfine JSON export
# (median, mean, stddev, min, max: seconds), printed as it is stored.
hf_get() {
	sqlite3 :memory: "SELECT json_extract(readfile('$(sql_quote "$1")'),
		'\$.results[$2].$3')"
}

# hf_median_ms FILE INDEX: the median of command INDEX in milliseconds, one decimal.
hf_median_ms() {
	sqlite3 :memory: "SELECT printf('%.1f', 1000 * json_extract(readfile('$(sql_quote "$1")'),
		'\$.results[$2].median'))"
}

# hf_count FILE: the number of commands in a hyperfine JSON export.
hf_count() {
	sqlite3 :memory: "SELECT json_array_length(readfile('$(sql_quote "$1")'), '\$.results')"
}

# sql_quote TEXT: TEXT with single quotes doubled, for an SQL string literal.
sql_quote() {
	printf '%s' "$1" | sed "s/'/''/g"
}

# ratio A B: A / B with two decimals ("-" when B is 0 or either is missing).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'
}

# verdict RATIO OP GOAL: "pass" when RATIO OP GOAL holds (OP is <= or >=), else "miss".
verdict() {
	awk -v r="$1" -v op="$2" -v g="$3" 'BEGIN {
		if (r == "-") { print "-"; exit }
		ok = (op == "<=") ? (r + 0 <= g + 0) : (r + 0 >= g + 0)
		print ok ? "pass" : "miss" }'
}

# closest TARGET: of "word|count" lines on stdin, the word whose count is closest to TARGET
# (ties: the first), printed as "word|count"; lines with a count of 0 are never chosen.
closest() {
	awk -F'|' -v t="$1" '
		$2 > 0 {
			d = $2 - t; if (d < 0) d = -d
			if (best == "" || d < bestd) { best = $0; bestd = d }
		}
		END { if (best != "") print best }'
}
