#!/bin/sh
# Hostile peers, size: a 50 MB file named like an article is skipped by its size, never read
# (the memory a sync or a reindex takes stays far below 50 MB: /usr/bin/time's maximum
# resident set size); cmark's pathological inputs are indexed in bounded time and memory.
. "$(dirname "$0")/lib.sh"
. "$SHARED_DIR/hostile/lib.sh"

# max_rss KB_FILE COMMAND...: run COMMAND, its maximum resident set size (KiB) into KB_FILE.
max_rss() {
	f=$1
	shift
	/usr/bin/time -f %M -o "$f" "$@"
}

# grew_by FILE MB: the RSS in FILE exceeds the baseline by less than MB megabytes.
grew_by() {
	rss=$(tail -n 1 "$1") base=$(tail -n 1 ../o/rss-base)
	say "max RSS $rss KiB, baseline $base KiB"
	if [ $((rss - base)) -ge $(($2 * 1024)) ]; then
		say "grew by more than $2 MB"
		return 1
	fi
}

test_expect_success 'setup: a KB with tips of its own, a peer with a 50 MB file' '
	hostile_setup size markdown &&
	bestpractice peer add big "$TRASH/fx/size.git" &&
	snapshot before &&
	max_rss ../o/rss-base bestpractice list >/dev/null
'

test_expect_success 'sync skips the 50 MB file by its size, with one warning' '
	max_rss ../o/rss-sync timeout 300 bestpractice sync >../o/out 2>../o/err &&
	test_grep "^big: 1 new" ../o/out &&
	test_warned 1 big $size_commit law/huge.md "larger than 4 MiB" ../o/err &&
	test_line_count = 1 ../o/err &&
	bestpractice search zebracitator >../o/search &&
	test_grep "big:law/good" ../o/search &&
	test_expect_code 1 bestpractice search hugeword
'

test_expect_success 'neither the fetch nor the index read it: memory stays far below 50 MB' '
	max_rss ../o/rss-reindex bestpractice reindex >/dev/null 2>&1 &&
	{ sanitized || { grew_by ../o/rss-sync 25 && grew_by ../o/rss-reindex 25; }; }
'

test_expect_success 'the KB has the file, as git has it, whole' '
	git cat-file -s $size_huge >../o/size &&
	echo 52428832 >../o/expect &&
	test_cmp ../o/expect ../o/size
'

test_expect_success 'show and adopt know nothing of it, and do not read it' '
	test_expect_code 2 bestpractice show big:law/huge 2>../o/err &&
	test_grep "no article" ../o/err &&
	test_expect_code 2 bestpractice adopt big:law/huge 2>../o/err &&
	test_grep "no article" ../o/err &&
	test_expect_code 2 max_rss ../o/rss-adopt bestpractice adopt big:law/huge 2>/dev/null &&
	{ sanitized || grew_by ../o/rss-adopt 25; }
'

test_expect_success 'pathological Markdown is indexed in bounded time and memory' '
	bestpractice peer add patho "$TRASH/fx/markdown.git" &&
	max_rss ../o/rss-patho timeout 120 bestpractice sync patho >../o/out 2>../o/err &&
	test_grep "^patho: $((markdown_files + 1)) new" ../o/out &&
	test_line_count = 0 ../o/err &&
	{ sanitized || grew_by ../o/rss-patho 200; } &&
	bestpractice list --peer patho >../o/list &&
	test_line_count = $((markdown_files + 1)) ../o/list &&
	bestpractice search zebracitator --peer patho >../o/search &&
	test_grep "patho:law/good" ../o/search
'

test_expect_success 'every pathological tip can be shown and searched' '
	for id in $(sed "s/ .*//" ../o/list); do
		case $id in *huge-comments) continue ;; esac
		timeout 60 bestpractice show $id >../o/show || { echo "show $id failed"; return 1; }
	done &&
	timeout 60 bestpractice search word >../o/search &&
	test_grep "patho:law/long-line" ../o/search
'

test_expect_success 'nothing was written outside the KB, nothing run, no own tip lost' '
	snapshot after &&
	test_cmp ../o/snapshot-before ../o/snapshot-after &&
	test_no_markers &&
	test_own_intact &&
	test_fsck "$TRASH/kb"
'

test_done
