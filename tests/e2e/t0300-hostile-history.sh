#!/bin/sh
# Hostile peers, histories and objects: a force-push to an unrelated history is re-indexed; a
# missing object, a damaged one, a shallow clone and a HEAD naming no branch are clear errors
# naming the peer, with nothing applied (the previous index of the peer stays usable); refs
# with invalid names are left out with a warning each.
. "$(dirname "$0")/lib.sh"
. "$SHARED_DIR/hostile/lib.sh"

test_expect_success 'setup: a KB with tips of its own, a peer with a history' '
	hostile_setup history &&
	bestpractice peer add hist "$TRASH/fx/history.git" &&
	snapshot before &&
	bestpractice sync >../o/out &&
	test_grep "^hist: 2 new, 0 changed, 0 removed" ../o/out
'

test_expect_success 'a force-push to an unrelated history is re-indexed' '
	git -C "$TRASH/fx/history.git" update-ref refs/heads/main $history_unrelated &&
	bestpractice sync >../o/out 2>../o/err &&
	test_grep "^hist: history rewritten, re-indexed: 1 new, 0 changed, 2 removed" ../o/out &&
	test_line_count = 0 ../o/err &&
	bestpractice list --peer hist >../o/list &&
	test_line_count = 1 ../o/list &&
	test_grep "^hist:law/gamma " ../o/list &&
	test_expect_code 1 bestpractice search alphaword
'

test_expect_success 'a missing object: an error naming the peer and the file, nothing applied' '
	git -C "$TRASH/fx/history.git" update-ref refs/heads/main $history_missing &&
	test_expect_code 3 bestpractice sync >../o/out 2>../o/err &&
	test_grep "peer '"'"'hist'"'"': cannot fetch: object 0123456 ('"'"'law/lost.md'"'"') is missing from the peer" ../o/err &&
	test_grep "1 peer could not be synced" ../o/err &&
	test "$(git rev-parse refs/remotes/hist/main)" = $history_unrelated &&
	bestpractice list --peer hist >../o/list &&
	test_grep "^hist:law/gamma " ../o/list &&
	bestpractice show hist:law/gamma >../o/show &&
	test_grep gammaword ../o/show
'

test_expect_success 'a damaged object: the same' '
	git -C "$TRASH/fx/history.git" update-ref refs/heads/main $history_corrupt &&
	test_expect_code 3 bestpractice sync >../o/out 2>../o/err &&
	test_grep "peer '"'"'hist'"'"': cannot fetch: object [0-9a-f]\{7\} ('"'"'law/corrupt.md'"'"') of the peer is damaged" ../o/err &&
	test "$(git rev-parse refs/remotes/hist/main)" = $history_unrelated &&
	bestpractice search gammaword >../o/search &&
	test_expect_code 1 bestpractice search corruptword
'

test_expect_success 'a shallow clone: the same, and no history that stops short in the KB' '
	bestpractice peer add shallow "$TRASH/fx/shallow.git" &&
	test_expect_code 3 bestpractice sync shallow >../o/out 2>../o/err &&
	test_grep "peer '"'"'shallow'"'"': cannot fetch: .*shallow clone" ../o/err &&
	! git rev-parse -q --verify refs/remotes/shallow/deep &&
	git fsck --no-progress --connectivity-only
'

test_expect_success 'refs with invalid names are left out, one warning each' '
	bestpractice peer add refs "$TRASH/fx/badrefs.git" &&
	bestpractice sync refs >../o/out 2>../o/err &&
	test_grep "^refs: 1 new" ../o/out &&
	for b in "bad..dots" "colon:x" "ends." "sp ace" "tilde~1"; do
		test_grep "^bestpractice: warning: peer '"'"'refs'"'"': skipped branch '"'"'$b'"'"': an invalid branch name$" ../o/err ||
			return 1
	done &&
	test_grep "skipped branch '"'"'nowhere'"'"': its commit is missing" ../o/err &&
	test_grep "skipped branch '"'"'dangling'"'"': it names no commit" ../o/err &&
	test_line_count = 7 ../o/err &&
	git for-each-ref --format="%(refname)" refs/remotes/refs/ >../o/refs &&
	test_grep "^refs/remotes/refs/main$" ../o/refs &&
	test_grep -v "dots\|colon\|ace\|tilde\|nowhere\|dangling" ../o/refs &&
	bestpractice search zebracitator --peer refs >../o/search &&
	test_grep "refs:law/good" ../o/search
'

test_expect_success 'a HEAD naming no branch: an error naming the peer and the branch' '
	bestpractice peer add lost "$TRASH/fx/dangling.git" &&
	test_expect_code 3 bestpractice sync lost >../o/out 2>../o/err &&
	test_grep "peer '"'"'lost'"'"': its HEAD names branch '"'"'gone'"'"', which it does not have" ../o/err &&
	test_expect_code 1 bestpractice list --peer lost
'

test_expect_success 'the other peers and the own tips are untouched by all this' '
	bestpractice list >../o/list 2>../o/err &&
	test_line_count = 0 ../o/err &&
	test_grep "^hist:law/gamma " ../o/list &&
	test_grep "^refs:law/good " ../o/list &&
	test_own_intact &&
	test_fsck "$TRASH/kb"
'

test_expect_success 'nothing was written outside the KB, nothing run' '
	snapshot after &&
	test_cmp ../o/snapshot-before ../o/snapshot-after &&
	test_no_markers
'

test_expect_success 'git still works on the KB' '
	git gc -q &&
	git fsck --no-progress
'

test_done
