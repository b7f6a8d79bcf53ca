#!/bin/sh
# Hostile peers, scale: 100 000 files in one tree and a history of 10 000 commits. The sync
# completes within a generous bound, in bounded memory, showing its progress on a terminal;
# a later commit costs what it changed. No timing is asserted beyond generous timeouts.
. "$(dirname "$0")/lib.sh"
. "$SHARED_DIR/hostile/lib.sh"

test_expect_success 'setup: a KB with tips of its own, a peer with 100 000 files' '
	hostile_setup scale &&
	bestpractice peer add many "$TRASH/fx/scale.git" &&
	snapshot before
'

test_expect_success 'sync on a terminal shows its progress and completes' '
	on_tty ../o/tty timeout 600 /usr/bin/time -f "%M KiB %e s" -o ../o/rss \
		bestpractice sync &&
	# What the terminal shows, a line per carriage return.
	tr "\r" "\n" <../o/tty >../o/lines &&
	test_grep "^many: receiving objects 140098/140098" ../o/lines &&
	test_grep "^many: 100001/100001" ../o/lines &&
	test_grep "^many: 100001 new, 0 changed, 0 removed" ../o/lines &&
	# Progress, not a flood: at most a line per percent and per 500 tips.
	test_line_count -lt 400 ../o/lines &&
	test_no_raw_controls --tty ../o/tty
'

test_expect_success 'memory stays bounded (under 512 MB for 110 000 objects)' '
	cat ../o/rss &&
	{ sanitized || test $(sed -n "s/ KiB.*//p" ../o/rss) -lt 524288; }
'

test_expect_success 'every tip is listed and searchable' '
	bestpractice list --peer many >../o/list &&
	test_line_count = 100001 ../o/list &&
	bestpractice search tip54321 >../o/search &&
	test_grep "many:s54/tip-0321" ../o/search &&
	bestpractice search version9999 >../o/search &&
	test_grep "many:log/changing" ../o/search &&
	test_expect_code 1 bestpractice search version9998
'

test_expect_success 'nothing was written outside the KB, nothing run, no own tip lost' '
	snapshot after &&
	test_cmp ../o/snapshot-before ../o/snapshot-after &&
	test_no_markers &&
	test_own_intact
'

test_expect_success 'a new commit on top costs what it changed' '
	GIT_DIR="$TRASH/fx/scale.git" &&
	export GIT_DIR &&
	blob=$(printf -- "---\ntitle: A new tip\nsector: s07\n---\nnewestword\n" | git hash-object -w --stdin) &&
	tree=$(git ls-tree main s07 | cut -f1 | cut -d" " -f3) &&
	s07=$( (git ls-tree $tree; printf "100644 blob %s\tnew-tip.md\n" $blob) | git mktree) &&
	root=$( (git ls-tree main | grep -v "	s07$"; printf "040000 tree %s\ts07\n" $s07) | git mktree) &&
	next=$(echo "One more" | git commit-tree $root -p main) &&
	git update-ref refs/heads/main $next &&
	unset GIT_DIR &&
	/usr/bin/time -f "%M KiB %e s" -o ../o/rss2 timeout 120 bestpractice sync >../o/out &&
	cat ../o/rss2 &&
	test_grep "^many: 1 new, 0 changed, 0 removed" ../o/out &&
	bestpractice search newestword >../o/search &&
	test_grep "many:s07/new-tip" ../o/search
'

test_done
