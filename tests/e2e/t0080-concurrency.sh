#!/bin/sh
# Two shells adding at once: every article and every commit lands.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	bestpractice init kb
'

adds() {
	for i in 1 2 3 4 5 6; do
		echo "Body $1 $i." |
			bestpractice --kb kb add -t "Tip $1 number $i" -s "$2" >>"ids.$1" 2>>"err.$1" ||
			echo "failed $1 $i" >>"err.$1"
	done
}

test_expect_success 'six adds from each of two shells at once' '
	adds a law & pid_a=$!
	adds b medical & pid_b=$!
	wait $pid_a && wait $pid_b &&
	cat ids.a ids.b | sort >ids &&
	test_line_count = 12 ids &&
	! grep failed err.a err.b
'

test_expect_success 'twelve files, twelve add commits, a clean repository' '
	test "$(git -C kb log --format=%s | grep -c "^add ")" = 12 &&
	test "$(ls kb/law kb/medical | grep -c "\.md$")" = 12 &&
	test -z "$(git -C kb status --porcelain)" &&
	test_fsck kb
'

test_expect_success 'the index has all twelve' '
	bestpractice --kb kb list >out &&
	test_line_count = 12 out
'

test_expect_success 'a lock held too long gives a clear error' '
	git -C kb config bestpractice.lockTimeout 1 &&
	(flock 9 && sleep 4) 9>kb/.git/bestpractice/lock &
	sleep 1 &&
	echo x | test_expect_code 3 bestpractice --kb kb add -t "Blocked" -s law 2>err &&
	test_grep "another bestpractice command" err &&
	wait
'

test_done
