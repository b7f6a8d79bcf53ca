#!/bin/sh
# rm and log.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	bestpractice init kb &&
	cd kb &&
	echo "One." | bestpractice add -t "First tip" -s law &&
	echo "Two." | bestpractice add -t "Second tip" -s medical &&
	EDITOR="sed -i s/One./Uno./" bestpractice edit law/first-tip
'

test_expect_success 'log lists the commits, newest first' '
	bestpractice log >out &&
	test_line_count = 4 out &&
	head -n 1 out >first &&
	test_grep "A U Thor  edit law/first-tip$" first &&
	tail -n 1 out >last &&
	test_grep "init knowledge base$" last
'

test_expect_success 'log ID shows only that article'"'"'s commits' '
	bestpractice log law/first-tip >out &&
	test_line_count = 2 out &&
	test_grep "edit law/first-tip" out &&
	test_grep "add law/first-tip" out
'

test_expect_success 'log -n and --json' '
	bestpractice log -n 1 >out &&
	test_line_count = 1 out &&
	bestpractice log --json >out &&
	test_line_count = 4 out &&
	jq -e -s "all(.commit | length == 40) and .[0].summary == \"edit law/first-tip\"" out
'

test_expect_success 'rm removes the file in a commit' '
	bestpractice rm law/first-tip >out &&
	test_grep "removed law/first-tip" out &&
	test ! -e law/first-tip.md &&
	test ! -d law &&
	test "$(git log -1 --format=%s)" = "rm law/first-tip" &&
	test_clean &&
	test_expect_code 1 bestpractice list --sector law
'

test_expect_success 'the history of a removed article is still there' '
	bestpractice log law/first-tip >out &&
	test_line_count = 3 out &&
	test_grep "rm law/first-tip" out
'

test_expect_success 'rm of an unknown id is exit 2 and changes nothing' '
	before=$(git rev-list --count HEAD) &&
	test_expect_code 2 bestpractice rm law/none 2>err &&
	test "$(git rev-list --count HEAD)" = "$before"
'

test_expect_success 'git fsck is clean' '
	test_fsck .
'

test_done
