#!/bin/sh
# A full disk and a read-only KB: a clear error, no damage, the old index still usable.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a KB with an index' '
	bestpractice init kb &&
	for i in 1 2 3 4 5 6; do
		echo "Body $i about weeding the stacks by usage." |
			bestpractice --kb kb add -t "Weeding tip $i" -s public >/dev/null || return 1
	done &&
	bestpractice --kb kb search weeding >before &&
	test_line_count -gt 6 before
'

# Run a command with the size of any file it writes limited to about $1 KiB (RLIMIT_FSIZE):
# a write beyond fails with EFBIG, as on a full disk. SIGXFSZ is ignored so that the write
# fails instead of killing the process; both settings pass to the command.
with_small_disk() {
	kib=$1
	shift
	(trap "" XFSZ && ulimit -f $((kib * 2)) && "$@")
}

test_expect_success 'a full disk during reindex: a clear error, the old index kept' '
	stat -c %i.%Y.%s kb/.git/bestpractice/index.sqlite >index.before &&
	test_expect_code 3 with_small_disk 8 bestpractice --kb kb reindex 2>err &&
	stat -c %i.%Y.%s kb/.git/bestpractice/index.sqlite >index.after &&
	test_cmp index.before index.after &&
	test_grep "^bestpractice: index: " err &&
	! grep -qi "segmentation\|abort" err &&
	test ! -e kb/.git/bestpractice/index.sqlite.new &&
	bestpractice --kb kb search weeding >after &&
	test_cmp before after &&
	bestpractice --kb kb check
'

test_expect_success 'a full disk during add: a clear error, nothing committed, no half file' '
	before=$(git -C kb rev-list --count HEAD) &&
	head -c 20000 /dev/zero | tr "\0" "a" >big &&
	test_expect_code 3 with_small_disk 4 bestpractice --kb kb add -t "Too big" -s law \
		--file big 2>err &&
	test_grep "cannot write" err &&
	test "$(git -C kb rev-list --count HEAD)" = "$before" &&
	test ! -e kb/law/too-big.md &&
	! ls kb/law/.*bp-tmp* 2>/dev/null &&
	(cd kb && test_clean)
'

# The KB as another user sees it, or as everyone sees a KB on read-only media. As root, the
# other user is nobody, and the KB moves to a directory nobody can reach (the trash may lie
# under a directory only root may enter, as a fresh mktemp -d is), with a copy of the
# program; kb stays a link to it.
KB=$TRASH/kb
READER=$TRASH
as_reader() {
	if [ "$(id -u)" = 0 ]; then
		(cd "$READER" && runuser -u nobody -- env HOME="$READER/reader" \
			PATH="$READER/bin:$PATH" "$@")
	else
		"$@"
	fi
}

test_expect_success 'setup: a KB that cannot be written' '
	if [ "$(id -u)" = 0 ]; then
		READER=$(mktemp -d "${TMPDIR:-/tmp}/bp-t0410.XXXXXX") &&
		chmod 755 "$READER" &&
		mv kb "$READER/kb" && ln -s "$READER/kb" kb && KB=$READER/kb &&
		mkdir "$READER/reader" "$READER/reader2" "$READER/bin" &&
		cp "$BUILD/bestpractice" "$READER/bin/" && chmod -R a+rX "$READER/bin" &&
		chmod 777 "$READER/reader" "$READER/reader2" &&
		as_reader git config --global --add safe.directory "$KB" &&
		chmod -R a+rX "$KB"
	else
		chmod -R a-w kb
	fi
'

test_expect_success 'a read-only KB: search uses the index as it is' '
	as_reader bestpractice --kb "$KB" search weeding >out 2>err &&
	test_cmp before out
'

test_expect_success 'a read-only KB: a change it cannot index is said, the old index serves' '
	if [ "$(id -u)" != 0 ]; then chmod u+w kb/public; fi &&
	echo "A hand edit." >>kb/public/weeding-tip-1.md &&
	if [ "$(id -u)" != 0 ]; then chmod a-w kb/public; fi &&
	as_reader bestpractice --kb "$KB" search weeding >out 2>err &&
	test_grep "cannot be written here" err &&
	test_line_count -gt 6 out
'

test_expect_success 'a read-only KB: a change is refused clearly, nothing damaged' '
	before=$(git -C kb rev-list --count HEAD) &&
	echo x | as_reader bestpractice --kb "$KB" add -t "Refused" -s law 2>err;
	test $? = 3 &&
	test_grep "Permission denied\|cannot" err &&
	test "$(git -C kb rev-list --count HEAD)" = "$before" &&
	test_fsck kb
'

test_expect_success 'a KB owned by another user: git'"'"'s refusal is explained' '
	if [ "$(id -u)" != 0 ]; then
		say "# skip: needs root to act as another user"
		return 0
	fi &&
	(cd "$READER" && runuser -u nobody -- env HOME="$READER/reader2" \
		PATH="$READER/bin:$PATH" bestpractice --kb "$KB" list) 2>err;
	test $? = 2 &&
	test_grep "belongs to another user" err &&
	test_grep "safe.directory" err
'

test_expect_success 'cleanup: writable again' '
	chmod -R u+w kb/ &&
	if [ "$READER" != "$TRASH" ]; then
		rm kb && mv "$KB" kb && rm -rf "$READER"
	fi
'

test_done
