# The end-to-end test library, in the manner of git's t/test-lib.sh and sharness: a script
# sources it, then chains named cases. Each script runs in its own fresh directory with its
# own HOME and git identity, against the built program.
#
#   . "$(dirname "$0")/lib.sh"
#   test_expect_success 'init creates a KB' '
#           bestpractice init kb &&
#           test -d kb/.git
#   '
#   test_done
#
# Output is TAP ("ok 1 - init creates a KB"); a failing case shows what its commands printed.

set -u
TEST_NAME=$(basename "$0" .sh)
TEST_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED_DIR=$TEST_ROOT/tests
: "${BUILD:=$TEST_ROOT/build}"
case $BUILD in /*) ;; *) BUILD=$TEST_ROOT/$BUILD ;; esac
TRASH=$BUILD/tests/trash/$TEST_NAME
rm -rf "$TRASH"
mkdir -p "$TRASH/home"
cd "$TRASH" || exit 1

export HOME="$TRASH/home"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config"
export GIT_CONFIG_NOSYSTEM=1 LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
unset BESTPRACTICE_KB BESTPRACTICE_PAGER VISUAL EDITOR PAGER NO_COLOR GIT_AUTHOR_NAME \
	GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_DIR GIT_WORK_TREE \
	BESTPRACTICE_TOKEN SSH_AUTH_SOCK SSH_ASKPASS GIT_ASKPASS GIT_SSH GIT_SSH_COMMAND \
	GIT_SSL_CAINFO GIT_SSL_NO_VERIFY
# Servers on loopback are reached directly, never through the machine's proxy.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
PATH="$BUILD:$PATH"
export PATH
# Under sanitizers, leaks inside libgit2 1.5 itself are not ours: see tests/lsan.supp.
LSAN_OPTIONS="suppressions=$SHARED_DIR/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

# VALGRIND=1 (make valgrind): every run of the program goes through valgrind's memcheck, and
# any error or definite leak makes that run fail with exit status 99, so the test fails.
if [ -n "${VALGRIND:-}" ]; then
	mkdir -p "$TRASH/.valgrind-bin"
	cat >"$TRASH/.valgrind-bin/bestpractice" <<VALGRIND
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--suppressions="$SHARED_DIR/valgrind.supp" --log-fd=2 \
	"$BUILD/bestpractice" "\$@"
VALGRIND
	chmod +x "$TRASH/.valgrind-bin/bestpractice"
	PATH="$TRASH/.valgrind-bin:$PATH"
fi

git config --global user.name "A U Thor"
git config --global user.email "author@example.org"
git config --global init.defaultBranch main
# Busy locks in tests: wait long enough for a loaded machine, not forever.
git config --global bestpractice.lockTimeout 60

test_count=0
test_failed=0

say() {
	printf '%s\n' "$*"
}

# The commands of a case run inside a function, so that `return 1` ends the case (in a loop:
# `cmd || return 1`), as in git's test-lib.
test_eval_() {
	eval "$1"
}

# test_expect_success 'description' 'commands'
test_expect_success() {
	test_count=$((test_count + 1))
	if test_eval_ "$2" >"$TRASH/.out" 2>&1 </dev/null; then
		say "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		say "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH/.out"
		say "#   commands:"
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
}

# test_skip 'description' 'why': a case that cannot run here, counted as passed (TAP "skip").
test_skip() {
	test_count=$((test_count + 1))
	say "ok $test_count # skip $1 ($2)"
}

# test_expect_code CODE command args...: the command exits with CODE.
test_expect_code() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" -ne "$want" ]; then
		say "exit status of '$*' is $got, expected $want"
		return 1
	fi
	return 0
}

# test_cmp expected actual
test_cmp() {
	diff -u "$1" "$2"
}

# test_grep [-v] pattern file: like grep, but shows the file when it fails.
test_grep() {
	if [ "$1" = -v ]; then
		shift
		if grep -e "$1" "$2" >/dev/null; then
			say "'$2' contains '$1':"
			cat "$2"
			return 1
		fi
		return 0
	fi
	if ! grep -e "$1" "$2" >/dev/null; then
		say "'$2' does not contain '$1':"
		cat "$2"
		return 1
	fi
}

# The number of lines of a file.
test_line_count() {
	n=$(wc -l <"$3")
	if ! [ "$n" "$1" "$2" ]; then
		say "'$3' has $n lines, expected $1 $2:"
		cat "$3"
		return 1
	fi
}

# An article file: make_article FILE TITLE SECTOR [BODY]
make_article() {
	mkdir -p "$(dirname "$1")"
	cat >"$1" <<ARTICLE
---
title: $2
sector: $3
---
${4:-A body about $2.}
ARTICLE
}

# tip KB TITLE SECTOR [BODY]: add a tip to KB.
tip() {
	echo "${4:-A body about $2.}" | bestpractice --kb "$1" add -t "$2" -s "$3" >/dev/null
}

# librarian DIR NAME: a new KB in DIR whose commits are NAME's.
librarian() {
	git init -q "$1" &&
	git -C "$1" config user.name "$2" &&
	git -C "$1" config user.email "$(echo "$2" | tr "A-Z " "a-z.")@example.org" &&
	bestpractice init "$1" >/dev/null
}

# git fsck --strict on a KB: no error, and nothing said but notes about unreachable objects
# (a merge left behind by an interrupted sync is not a fault).
test_fsck() {
	if ! git -C "$1" fsck --strict --no-dangling --no-progress >"$TRASH/.fsck" 2>&1; then
		cat "$TRASH/.fsck"
		return 1
	fi
	if grep -v '^Checking' "$TRASH/.fsck" | grep -q .; then
		cat "$TRASH/.fsck"
		return 1
	fi
}

# The KB in the current folder has nothing uncommitted (scratch files of the test at its root
# are not part of it).
test_clean() {
	git status --porcelain | grep -v "^?? [^/]*$" >"$TRASH/.status"
	if [ -s "$TRASH/.status" ]; then
		cat "$TRASH/.status"
		return 1
	fi
}

# test_skip_all REASON: nothing of this script can run here; say why (TAP "1..0 # skip") and
# stop. For a missing environment only, never for a failure of bestpractice.
test_skip_all() {
	say "1..0 # skip $*"
	exit 0
}

test_done() {
	say "1..$test_count"
	if [ "$test_failed" -gt 0 ]; then
		say "# failed $test_failed of $test_count"
		exit 1
	fi
	exit 0
}
