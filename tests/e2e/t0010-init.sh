#!/bin/sh
# init: creating a KB, marking an existing repository, and finding the KB.
. "$(dirname "$0")/lib.sh"

test_expect_success 'init creates a repository with a first commit on main' '
	bestpractice init kb >out &&
	test_grep "initialized knowledge base in .*/kb" out &&
	test "$(git -C kb symbolic-ref HEAD)" = refs/heads/main &&
	test "$(git -C kb rev-list --count HEAD)" = 1 &&
	test "$(git -C kb config bestpractice.format)" = 1 &&
	test_fsck kb
'

test_expect_success 'init again says so and changes nothing' '
	bestpractice init kb >out &&
	test_grep "already a knowledge base" out &&
	test "$(git -C kb rev-list --count HEAD)" = 1
'

test_expect_success 'init follows init.defaultBranch' '
	git config --global init.defaultBranch trunk &&
	bestpractice init kb-trunk &&
	git config --global init.defaultBranch main &&
	test "$(git -C kb-trunk symbolic-ref HEAD)" = refs/heads/trunk
'

test_expect_success 'init marks an existing repository without rewriting it' '
	git init -q plain &&
	echo hello >plain/README.md &&
	git -C plain add README.md &&
	git -C plain commit -q -m first &&
	bestpractice init plain &&
	test "$(git -C plain rev-list --count HEAD)" = 1 &&
	test "$(git -C plain config bestpractice.format)" = 1
'

test_expect_success 'init gives an empty repository its first commit' '
	git init -q empty &&
	bestpractice init empty &&
	test "$(git -C empty rev-list --count HEAD)" = 1
'

test_expect_success 'a bare repository is refused' '
	git init -q --bare bare.git &&
	test_expect_code 2 bestpractice init bare.git 2>err &&
	test_grep "bare repository" err
'

test_expect_success 'without an identity init says which key to set' '
	(
		HOME=$TRASH/nobody && mkdir -p "$HOME" && export HOME &&
		git config --global init.defaultBranch main &&
		test_expect_code 3 bestpractice init anon 2>err
	) &&
	test_grep "user.name" anon/../err
'

test_expect_success 'the KB is found by --kb, BESTPRACTICE_KB, the current folder, git config' '
	bestpractice --kb kb list >/dev/null; test $? -le 1 &&
	BESTPRACTICE_KB=$TRASH/kb bestpractice list >/dev/null; test $? -le 1 &&
	(cd kb && bestpractice list >/dev/null; test $? -le 1) &&
	mkdir -p kb/law && (cd kb/law && bestpractice list >/dev/null; test $? -le 1) &&
	git config --global bestpractice.kb "$TRASH/kb" &&
	bestpractice list >/dev/null; test $? -le 1 &&
	git config --global --unset bestpractice.kb
'

test_expect_success 'a git repository that is not a KB is not taken for one' '
	git init -q notkb &&
	(cd notkb && test_expect_code 2 bestpractice list 2>../err) &&
	test_grep "no knowledge base yet" err
'

test_expect_success 'without any KB the XDG default is used by init' '
	bestpractice init >out &&
	test -d "$XDG_DATA_HOME/bestpractice/kb/.git" &&
	bestpractice list >/dev/null; test $? -le 1
'

test_expect_success 'init --kb DIR' '
	bestpractice --kb elsewhere init &&
	test -d elsewhere/.git
'

test_done
