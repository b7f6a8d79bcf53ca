#!/bin/sh
# kill -9 at random moments of add, edit, sync and reindex: the next command finds a
# consistent KB (git fsck clean, no lost commit, no half-written article) and an index that is
# right or rebuilt.
. "$(dirname "$0")/lib.sh"

SEED=${CRASH_SEED:-$(date +%s)}
ROUNDS=${CRASH_ROUNDS:-48}
say "# seed $SEED (replay with CRASH_SEED=$SEED)"

# A delay in seconds, between 0 and 60 ms, from the seeded sequence.
delays=$(awk -v s="$SEED" -v n="$ROUNDS" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.3f\n", rand() * 0.06 }')

test_expect_success 'setup: a KB that shares a hub with another' '
	git init -q --bare hub.git &&
	bestpractice init kb && bestpractice init other &&
	for i in 1 2 3 4 5; do
		echo "Body $i about weeding and donations." |
			bestpractice --kb kb add -t "Tip $i" -s law >/dev/null || return 1
	done &&
	bestpractice --kb kb peer add origin "$TRASH/hub.git" --shared &&
	bestpractice --kb kb sync &&
	bestpractice --kb other peer add origin "$TRASH/hub.git" --shared &&
	bestpractice --kb other sync &&
	cat >editor.sh <<-\EOF &&
	#!/bin/sh
	sed -i "s/^Body.*/Edited body $(date +%N) about weeding./" "$1"
	EOF
	chmod +x editor.sh
'

# Start one operation in the background and kill it after the given delay.
crash() {
	op=$1 delay=$2 n=$3
	case $op in
	add)
		# From a file, not a pipe: $! must be the program itself, not a shell around it.
		echo "Crash body $n." >body
		bestpractice --kb kb add -t "Crash tip $n" -s medical <body >>added 2>/dev/null &
		;;
	edit) EDITOR="$TRASH/editor.sh" bestpractice --kb kb edit law/tip-2 >/dev/null 2>&1 & ;;
	sync)
		echo "Other $n." | bestpractice --kb other add -t "Other tip $n" -s museum >/dev/null 2>&1
		bestpractice --kb other sync >/dev/null 2>&1
		bestpractice --kb kb sync >/dev/null 2>&1 &
		;;
	reindex) bestpractice --kb kb reindex >/dev/null 2>&1 & ;;
	esac
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# The invariants after a crash, checked by the next commands.
consistent() {
	# The next command works (0, or 1 for nothing found).
	bestpractice --kb kb list >out 2>err; rc=$?
	[ $rc -le 1 ] || { cat err; return 1; }
	test_fsck kb || return 1
	# No half-written article: every article file is a valid article.
	for f in $(cd kb && find . -name "*.md" -path "./*/*" ! -path "./.git/*"); do
		head -n 1 "kb/$f" | grep -q "^---$" || { echo "half-written: $f"; return 1; }
	done
	# Every add that said it succeeded is in the history.
	if [ -s added ]; then
		for id in $(cat added); do
			git -C kb log --format=%s | grep -qx "add $id" || git -C kb log --format=%b |
				grep -q "$id" || { echo "lost: $id"; return 1; }
		done
	fi
	return 0
}

n=0
for delay in $delays; do
	n=$((n + 1))
	case $((n % 4)) in
	0) op=add ;; 1) op=edit ;; 2) op=sync ;; 3) op=reindex ;;
	esac
	test_expect_success "kill -9 during $op after ${delay}s leaves a consistent KB" "
		crash $op $delay $n &&
		consistent
	"
done

test_expect_success 'finally: check is clean, the index matches git, nothing was lost' '
	bestpractice --kb kb check >out 2>err; rc=$?
	cat out err &&
	test $rc -le 1 &&
	test_grep -v "invalid" err &&
	bestpractice --kb kb sync >/dev/null 2>&1 && bestpractice --kb other sync >/dev/null 2>&1 &&
	bestpractice --kb kb list --sector law >out &&
	test_line_count = 5 out
'

test_done
