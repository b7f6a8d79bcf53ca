#!/bin/sh
# Hostile peers, content: NUL bytes, invalid UTF-8, UTF-16 with and without a byte order mark,
# a UTF-8 byte order mark, CRLF line ends, an unterminated front matter, one over 64 KiB, a
# YAML alias bomb, a YAML tag naming Python code, an impossible date. Each file gets a warning
# naming the peer, the commit and the file, and is indexed leniently or skipped; memory stays
# bounded; nothing is run.
. "$(dirname "$0")/lib.sh"
. "$SHARED_DIR/hostile/lib.sh"

# warned PATH REASON: one warning about a file's content.
warned() {
	n=$(grep -cF "warning: peer 'odd' (commit $(printf %.7s $content_commit)): law/$1" ../o/err)
	grep -F "law/$1" ../o/err | grep -qF "$2" || { say "no warning '$2' for $1"; cat ../o/err; return 1; }
	test "$n" -eq 1 || { say "$n warnings for $1"; cat ../o/err; return 1; }
}

test_expect_success 'setup: a KB with tips of its own, a peer with odd content' '
	hostile_setup content &&
	bestpractice peer add odd "$TRASH/fx/content.git" &&
	snapshot before &&
	/usr/bin/time -f %M -o ../o/rss-base bestpractice list >/dev/null
'

test_expect_success 'sync exits 0 and indexes the good tip' '
	/usr/bin/time -f %M -o ../o/rss timeout 120 bestpractice sync >../o/out 2>../o/err &&
	# Counted as files: the two in UTF-16 are skipped once read.
	test_grep "^odd: 12 new, 0 changed, 0 removed" ../o/out &&
	bestpractice search zebracitator >../o/search &&
	test_grep "odd:law/good" ../o/search
'

test_expect_success 'one warning per odd file, naming the peer, the commit and the file' '
	warned nul-bytes.md:5: "invalid UTF-8 or NUL bytes replaced with U+FFFD" &&
	warned latin1.md:5: "invalid UTF-8 or NUL bytes replaced with U+FFFD" &&
	warned "utf16-bom.md: is UTF-16 text" "convert it to UTF-8" &&
	warned "utf16-be.md: is UTF-16 text" "convert it to UTF-8" &&
	warned unterminated.md:1: "front matter has no closing" &&
	warned huge-front-matter.md:1: "front matter is larger than 64 KiB" &&
	warned billion-laughs.md: "'"'"'tags'"'"' must be a list" &&
	warned python-tag.md:2: "'"'"'title'"'"' must be a plain value" &&
	warned impossible-date.md:4: "'"'"'created'"'"' must be a real date" &&
	test_line_count = 9 ../o/err &&
	test_no_raw_controls ../o/err
'

test_expect_success 'text that is text is indexed leniently; UTF-16 is skipped' '
	for w in nulword latinword bomword crlfword unterminatedword hugefmword laughword \
		pythonword dateword; do
		bestpractice search $w >../o/search || { echo "$w not found"; return 1; }
	done &&
	test_expect_code 1 bestpractice search utf16word &&
	bestpractice list --peer odd >../o/list &&
	test_line_count = 10 ../o/list &&
	test_grep "^odd:law/bom  *Byte order mark" ../o/list &&
	test_grep "^odd:law/crlf  *Windows line ends" ../o/list &&
	test_grep "^odd:law/huge-front-matter  *Huge front matter$" ../o/list &&
	test_grep "^odd:law/python-tag  *Python tag$" ../o/list &&
	test_grep "^odd:law/billion-laughs  *Billion laughs$" ../o/list
'

test_expect_success 'what was replaced is shown as U+FFFD, never as raw bytes' '
	bestpractice show odd:law/nul-bytes >../o/show &&
	test_grep "nulword before.after the NUL" ../o/show &&
	test_no_raw_controls ../o/show &&
	bestpractice show --json odd:law/latin1 >../o/json &&
	jq -e ".title == \"Latin-1 body\"" ../o/json &&
	bestpractice list --json --peer odd >../o/json &&
	jq -e -s "length == 10" ../o/json &&
	jq -e -s "map(select(.id == \"odd:law/impossible-date\"))[0].created == null" ../o/json
'

test_expect_success 'memory stays bounded: the alias bomb is never expanded' '
	sanitized || {
		rss=$(tail -n 1 ../o/rss) base=$(tail -n 1 ../o/rss-base) &&
		say "max RSS $rss KiB, baseline $base KiB" &&
		test $((rss - base)) -lt 51200
	}
'

test_expect_success 'nothing was written outside the KB, nothing run, no own tip lost' '
	snapshot after &&
	test_cmp ../o/snapshot-before ../o/snapshot-after &&
	test_no_markers &&
	test_own_intact &&
	test_fsck "$TRASH/kb"
'

test_done
