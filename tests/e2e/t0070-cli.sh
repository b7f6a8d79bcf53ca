#!/bin/sh
# The command line itself: help, usage errors, exit statuses, config.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	bestpractice init kb &&
	cd kb
'

test_expect_success 'an unknown command is exit 2 with the usage line' '
	test_expect_code 2 bestpractice frobnicate 2>err &&
	test_grep "unknown command .frobnicate." err &&
	test_grep "^usage: bestpractice" err
'

test_expect_success 'an unknown option is exit 2 with the command'"'"'s usage' '
	test_expect_code 2 bestpractice list --frob 2>err &&
	test_grep "unknown option .--frob." err &&
	test_grep "^usage: bestpractice list" err &&
	test_expect_code 2 bestpractice show 2>err &&
	test_grep "^usage: bestpractice show" err
'

test_expect_success 'no command prints the command list, exit 2' '
	test_expect_code 2 bestpractice 2>err &&
	test_grep "^commands:" err
'

test_expect_success 'help lists every command; --version' '
	bestpractice help >out &&
	for c in init add show edit rm list log import config help; do
		test_grep "^  $c " out || return 1
	done &&
	bestpractice --version >out &&
	test_grep "^bestpractice [0-9]" out
'

test_expect_success 'every command has --help with its usage' '
	for c in init add show edit rm list log import config help; do
		bestpractice $c --help >out &&
		test_grep "^usage: bestpractice $c" out || return 1
	done
'

test_expect_success 'help COMMAND shows the manual or the usage' '
	bestpractice help add >out &&
	test_grep "add" out
'

test_expect_success 'config sets, reads and unsets bestpractice.* in the repository' '
	bestpractice config editor "nano -w" &&
	test "$(git config bestpractice.editor)" = "nano -w" &&
	test "$(bestpractice config editor)" = "nano -w" &&
	bestpractice config --unset editor &&
	test_expect_code 1 bestpractice config editor &&
	test_expect_code 2 bestpractice config "bad key!" x
'

test_expect_success 'a bad option value is a usage error' '
	test_expect_code 2 bestpractice log -n many 2>err &&
	test_grep "number" err
'

test_expect_success 'errors start with the program name and go to stderr' '
	test_expect_code 2 bestpractice show nope >out 2>err &&
	test_line_count = 0 out &&
	test_grep "^bestpractice: no article .nope.$" err
'

test_expect_success 'config refuses the KB mark and the global-only kb key' '
	test_expect_code 2 bestpractice config --unset format 2>err &&
	test_grep "marks the repository" err &&
	test "$(git config bestpractice.format)" = 1 &&
	test_expect_code 2 bestpractice config kb /elsewhere 2>err &&
	test_grep "global" err &&
	test_expect_code 1 bestpractice config --unset never-set
'

test_expect_success 'global options: --version only before the command, --kb needs a value' '
	test_expect_code 2 bestpractice list --version 2>err &&
	test_grep "unknown option .--version." err &&
	test_expect_code 2 bestpractice --kb 2>err &&
	test_grep "needs a value" err &&
	test_expect_code 2 bestpractice log -n 0 2>err &&
	test_grep "at least 1" err
'

test_expect_success 'search: a -word excludes it, even when it starts like a short option' '
	echo "Retention of archives and schedules." |
		bestpractice add -t "Retention in archives" -s archives >/dev/null &&
	echo "Retention of law files." | bestpractice add -t "Retention at a law firm" -s law >/dev/null &&
	bestpractice search retention -archives >out &&
	test_grep "law/retention-at-a-law-firm" out &&
	test_grep -v "archives/retention-in-archives" out &&
	bestpractice search retention -now -n 1 >out &&
	test_grep "^1 of 2 matches" out
'

test_done
