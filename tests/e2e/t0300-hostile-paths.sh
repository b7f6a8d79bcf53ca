#!/bin/sh
# Hostile peers, names: '..', '.', '.git' in every disguise, names with '/' or '\', Windows'
# reserved names, control characters, bytes that are not UTF-8, a 300-byte name, a tree 40
# folders deep, and names that collide where case or Unicode normalisation is ignored. Each is
# skipped with one warning naming the peer, the commit and the path (escaped); the good tips
# beside them are searchable; nothing is written outside the KB; no own tip is lost.
. "$(dirname "$0")/lib.sh"
. "$SHARED_DIR/hostile/lib.sh"

test_expect_success 'setup: a KB with tips of its own, peers with unsafe and colliding names' '
	hostile_setup paths collide &&
	bestpractice peer add names "$TRASH/fx/paths.git" &&
	bestpractice peer add twins "$TRASH/fx/collide.git" &&
	snapshot before
'

test_expect_success 'sync exits 0 and reports what the index will hold' '
	bestpractice sync >../o/out 2>../o/err &&
	test_grep "^names: 1 new, 0 changed, 0 removed" ../o/out &&
	test_grep "^twins: 3 new, 0 changed, 0 removed" ../o/out
'

test_expect_success 'the good tip beside the bad names is searchable and listed' '
	bestpractice search zebracitator --peer names >../o/search &&
	test_grep "names:law/good" ../o/search &&
	bestpractice list --peer names >../o/list &&
	test_line_count = 1 ../o/list &&
	test_grep "^names:law/good " ../o/list &&
	test_expect_code 1 bestpractice search forbiddenword
'

test_expect_success 'each bad name is skipped with one warning naming peer, commit and path' '
	c=$paths_commit &&
	test_warned 1 names $c ".." "a '"'"'.'"'"' or '"'"'..'"'"' component" ../o/err &&
	test_warned 1 names $c ".git" "a name that some systems read as .git" ../o/err &&
	test_warned 1 names $c "law/." "a '"'"'.'"'"' or '"'"'..'"'"' component" ../o/err &&
	test_warned 1 names $c "law/.." "a '"'"'.'"'"' or '"'"'..'"'"' component" ../o/err &&
	for n in .GIT .Git .git ".git " .git. "$(printf ".g\342\200\214it")" git~1; do
		test_warned 1 names $c "law/$n" "a name that some systems read as .git" ../o/err ||
			return 1
	done &&
	for n in AUX.md COM1.md CON "nul .md"; do
		test_warned 1 names $c "law/$n" "a name reserved by Windows" ../o/err || return 1
	done &&
	for n in "a/b.md" "a\\b.md" "x.md::\$DATA"; do
		test_warned 1 names $c "law/$n" "a character Windows does not allow in names" \
			../o/err || return 1
	done &&
	test_warned 1 names $c "law/bad\\x01name.md" "a control character" ../o/err &&
	test_warned 1 names $c "law/bad\\x1b[31mred.md" "a control character" ../o/err &&
	test_warned 1 names $c "law/new\\x0aline.md" "a control character" ../o/err &&
	test_warned 1 names $c "law/caf\\xe9-latin1.md" "bytes that are not UTF-8" ../o/err &&
	test_warned 1 names $c "law/$(printf "a%.0s" $(seq 1 297)).md" \
		"a name longer than 255 bytes" ../o/err &&
	test_warned 1 names $c "law/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d" \
		"a folder more than 32 levels deep" ../o/err &&
	test $(grep -c "^bestpractice: warning: peer '"'"'names'"'"'" ../o/err) -eq $paths_bad
'

test_expect_success 'names that collide: the first in git order is kept, the other skipped' '
	bestpractice list --peer twins >../o/list &&
	test_grep "^twins:Law/a  *Upper-case folder" ../o/list &&
	test_grep "^twins:archives/cafe.*Cafe decomposed" ../o/list &&
	test_grep -v "Lower-case folder" ../o/list &&
	test_grep -v "Cafe composed" ../o/list &&
	c=$collide_commit &&
	test_warned 1 twins $c law "the same name as '"'"'Law'"'"' where case or Unicode normalisation is ignored" ../o/err &&
	test_warned 1 twins $c "archives/$(printf "caf\303\251.md")" \
		"the same name as '"'"'$(printf "cafe\314\201.md")'"'"'" ../o/err &&
	test $(grep -c "^bestpractice: warning: peer '"'"'twins'"'"'" ../o/err) -eq 2 &&
	test_expect_code 1 bestpractice search secondfolder &&
	test_expect_code 1 bestpractice search secondcafe
'

test_expect_success 'warnings are said once: the next command is quiet' '
	bestpractice list >../o/list 2>../o/err2 &&
	test_line_count = 0 ../o/err2 &&
	bestpractice sync >../o/out 2>../o/err2 &&
	test_grep "^names: up to date" ../o/out &&
	test_line_count = 0 ../o/err2
'

test_expect_success 'output is free of raw control characters' '
	test_no_raw_controls ../o/err &&
	bestpractice list >../o/list &&
	test_no_raw_controls ../o/list
'

test_expect_success 'nothing was written outside the KB, nothing run, no own tip lost' '
	snapshot after &&
	test_cmp ../o/snapshot-before ../o/snapshot-after &&
	test_no_markers &&
	test_own_intact
'

test_expect_success 'git still works on the KB: gc, and fsck finds warnings only' '
	git gc -q &&
	git fsck --no-progress >../o/fsck 2>&1 &&
	test_grep -v "^error" ../o/fsck
'

test_done
