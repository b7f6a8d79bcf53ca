# What the hostile-peer tests share, sourced after tests/e2e/lib.sh. A test builds the peers
# of its class with build.sh, syncs them into a KB with tips of its own, and checks the rules
# every hostile peer must leave intact:
#
#   hostile_setup CLASS...      fixtures in fx/ (their facts as CLASS_NAME variables), a KB in kb/
#                               with two own tips, the current folder kb/, outputs in o/
#   snapshot NAME               a listing of the trash folder, without git's objects, refs and
#                               logs, FETCH_HEAD and .git/bestpractice (and o/); the files of
#                               the peers in fx/ with their checksums
#   test_no_markers             nothing a peer holds was run: no file in fx/markers/, where
#                               every command the fixtures hold would write
#   test_own_intact             own tips listed, 'check' clean, the own history fsck-clean
#   test_no_raw_controls FILE   no raw control character, C1 control or bidi control
#   test_no_raw_controls --tty FILE   the same, but our own colours (ESC [ ... m) and line
#                               clearing (ESC [ K) are allowed, and carriage returns
#   test_warned N PEER COMMIT PATH REASON FILE
#                               FILE has N warnings "peer 'PEER' (commit COMMIT7): skipped
#                               'PATH': REASON..." (PATH as shown: escaped)
#   on_tty OUT COMMAND...       run COMMAND with a terminal as its output (script -qec):
#                               OUT gets what it wrote; the exit status is COMMAND's
#   sanitized                   the program was built with sanitizers: memory is then no
#                               measure (shadow memory, quarantine), and is not checked

HOSTILE_DIR=$TEST_ROOT/tests/hostile

hostile_setup() {
	mkdir -p "$TRASH/o" "$TRASH/fx" &&
	for class in "$@"; do
		bash "$HOSTILE_DIR/build.sh" "$class" "$TRASH/fx" >"$TRASH/o/facts" || return 1
		sed "s/^/${class}_/" "$TRASH/o/facts" >"$TRASH/o/facts-$class"
		. "$TRASH/o/facts-$class"
	done &&
	cd "$TRASH" &&
	bestpractice init kb >/dev/null &&
	cd "$TRASH/kb" &&
	echo "Shelve by call number, weed by use." | bestpractice add -t "Own shelving tip" -s public >/dev/null &&
	echo "Keep a retention schedule." | bestpractice add -t "Own retention tip" -s archives >/dev/null
}

snapshot() {
	(
		cd "$TRASH" &&
		find . \( -path ./o -o -path ./kb/.git/objects -o -path ./kb/.git/refs \
			-o -path ./kb/.git/logs -o -path ./kb/.git/bestpractice \
			-o -path ./kb/.git/FETCH_HEAD -o -path ./kb/.git/packed-refs \
			-o -path ./.out -o -path ./.fsck -o -path ./.status \) -prune \
			-o -printf '%y %p\n' | LC_ALL=C sort &&
		# The peers' own files, unchanged by reading them (their branches are moved by
		# the tests themselves).
		find fx -path 'fx/*/refs' -prune -o -type f -exec md5sum {} + | LC_ALL=C sort -k2
	) >"$TRASH/o/snapshot-$1"
}

test_no_markers() {
	found=$(find "$TRASH" -path "$TRASH/o" -prune -o -path '*/markers/*' -print)
	if [ -n "$found" ]; then
		say "something a peer holds was run:"
		say "$found"
		return 1
	fi
}

test_own_intact() {
	bestpractice list --mine >"$TRASH/o/mine" &&
	test_grep "^public/own-shelving-tip" "$TRASH/o/mine" &&
	test_grep "^archives/own-retention-tip" "$TRASH/o/mine" &&
	bestpractice check >"$TRASH/o/check" 2>"$TRASH/o/check.err" &&
	test_grep " articles checked, all valid; the index matches git" "$TRASH/o/check" &&
	rm -rf "$TRASH/o/own.git" &&
	git clone -q --bare --no-local --single-branch "$TRASH/kb" "$TRASH/o/own.git" &&
	test_fsck "$TRASH/o/own.git"
}

test_no_raw_controls() {
	tty=
	if [ "$1" = --tty ]; then
		tty=1
		shift
	fi
	TTY=$tty perl -0777 -ne '
		s/\e\[[0-9;]*[mK]//g if $ENV{TTY};
		s/\r//g if $ENV{TTY};
		my @bad;
		push @bad, sprintf("byte 0x%02x", ord $1) while /([\x00-\x08\x0b-\x1f\x7f])/g;
		push @bad, "a C1 control" if /\xc2[\x80-\x9f]/;
		push @bad, "a bidi control" if /\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c/;
		if (@bad) { print "raw in $ARGV: @bad\n"; exit 1 }
	' "$1" || { cat -v "$1"; return 1; }
}

test_warned() {
	want=$1 peer=$2 commit=$(printf '%.7s' "$3") path=$4 why=$5 file=$6
	got=$(grep -cF "warning: peer '$peer' (commit $commit): skipped '$path': $why" "$file")
	if [ "$got" -ne "$want" ]; then
		say "expected $want warning(s) for '$path' ($why), got $got, in $file:"
		cat "$file"
		return 1
	fi
}

on_tty() {
	out=$1
	shift
	# script runs the command through a shell: quote each word for it.
	cmd=
	for w in "$@"; do
		cmd="$cmd '$(printf '%s' "$w" | sed "s/'/'\\\\''/g")'"
	done
	# No pager: what less does with a terminal is not ours to check.
	TERM=xterm BESTPRACTICE_PAGER=cat script -qec "$cmd" /dev/null >"$out" 2>&1 </dev/null
}

sanitized() {
	if ldd "$(command -v bestpractice)" 2>/dev/null | grep -q "libasan\|libubsan"; then
		say "built with sanitizers: memory not measured"
		return 0
	fi
	return 1
}
