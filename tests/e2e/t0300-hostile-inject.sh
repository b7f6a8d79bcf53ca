#!/bin/sh
# Hostile peers, terminal injection: escape sequences (CSI, OSC 8 hyperlinks, OSC 52
# clipboard writes, DCS), C1 controls (U+009B) and bidi overrides (U+202E) in titles, tags,
# authors, paths, a branch name, and (for a shared history) commit messages and authors. Every
# human-readable output shows them escaped, to a pipe and to a terminal; JSON escapes them and
# stays valid; 'show --raw' is the one output that gives the bytes as they are.
. "$(dirname "$0")/lib.sh"
. "$SHARED_DIR/hostile/lib.sh"

ESC=$(printf '\033')
BIDI=$(printf '\342\200\256')

# Each command's output, to a pipe and to a terminal, free of raw controls.
clean_everywhere() {
	name=$1
	shift
	"$@" >../o/$name.out 2>../o/$name.err
	test_no_raw_controls ../o/$name.out &&
	test_no_raw_controls ../o/$name.err &&
	on_tty ../o/$name.tty "$@"
	test_no_raw_controls --tty ../o/$name.tty
}

test_expect_success 'setup: a KB with tips of its own, a peer that writes escapes' '
	hostile_setup inject &&
	bestpractice peer add evil "$TRASH/fx/inject.git" &&
	snapshot before
'

test_expect_success 'sync on a terminal: report and warnings escaped' '
	on_tty ../o/sync.tty bestpractice sync &&
	test_no_raw_controls --tty ../o/sync.tty &&
	tr "\r" "\n" <../o/sync.tty >../o/sync.lines &&
	test_grep "^evil: 4 new, 0 changed, 0 removed" ../o/sync.lines &&
	test_warned 1 evil $inject_commit "law/esc\\x1b[31m.md" "a control character" ../o/sync.lines &&
	test_warned 1 evil $inject_commit "law/c1\\u009b.md" "a control character" ../o/sync.lines &&
	test_grep "law/escapes.md:2: '"'"'title'"'"' contains a control character" ../o/sync.lines &&
	test_grep "invalid tag '"'"'\\\\u202etag'"'"'" ../o/sync.lines
'

test_expect_success 'the same warnings to a pipe, escaped' '
	bestpractice reindex >../o/reindex.out 2>../o/reindex.err &&
	test_no_raw_controls ../o/reindex.err &&
	test_warned 1 evil $inject_commit "law/esc\\x1b[31m.md" "a control character" ../o/reindex.err
'

test_expect_success 'list, search, show, related, sectors, tags: escaped, pipe and terminal' '
	clean_everywhere list bestpractice list &&
	test_grep "^evil:law/evil\\\\u202edm " ../o/list.out &&
	test_grep "\\\\u202e" ../o/list.out &&
	clean_everywhere search bestpractice search injectword &&
	test_grep "\\\\x1b]52;c;ZXZpbA==\\\\x07" ../o/search.out &&
	test_grep "\\\\x1b]8;;https://evil.example/" ../o/search.out &&
	test_grep "\\\\x1bP+q544e" ../o/search.out &&
	test_grep "\\\\u009b" ../o/search.out &&
	clean_everywhere show bestpractice show evil:law/escapes &&
	test_grep "Eve " ../o/show.out &&
	clean_everywhere heading bestpractice show evil:law/no-front-matter &&
	clean_everywhere bidi bestpractice show "evil:law/evil${BIDI}dm" &&
	clean_everywhere related bestpractice related --same-sector evil:law/escapes &&
	clean_everywhere sectors bestpractice sectors &&
	clean_everywhere tags bestpractice tags &&
	clean_everywhere peers bestpractice peer list &&
	clean_everywhere check bestpractice check
'

test_expect_success 'JSON escapes them too, and stays valid' '
	for cmd in "list --json" "search --json injectword" "show --json evil:law/escapes" \
		"tags --json" "sectors --json" "peer list --json"; do
		bestpractice $cmd >../o/json || return 1
		test_no_raw_controls ../o/json || return 1
		jq -e . ../o/json >/dev/null || return 1
	done &&
	bestpractice peer list --json >../o/json &&
	jq -e "select(.name == \"evil\") | .branch == \"main\\u202eevil\"" ../o/json &&
	bestpractice list --json >../o/json &&
	jq -e -s "map(select(.path == \"law/evil\\u202edm.md\")) | length == 1" ../o/json &&
	bestpractice show --json evil:law/escapes >../o/json &&
	jq -e ".text | contains(\"\\u001b]52;\")" ../o/json
'

test_expect_success 'show --raw is the one output that gives the bytes as they are' '
	bestpractice show --raw evil:law/escapes >../o/raw &&
	grep -q "$ESC]52;c;ZXZpbA==" ../o/raw &&
	! test_no_raw_controls ../o/raw >/dev/null
'

test_expect_success 'errors naming what a peer sent are escaped' '
	test_expect_code 2 bestpractice show "evil:law/no${ESC}]52;c;eA==$(printf "\007")" 2>../o/err &&
	test_no_raw_controls ../o/err &&
	test_grep "no article" ../o/err
'

test_expect_success 'nothing was written outside the KB, nothing run, no own tip lost' '
	snapshot after &&
	test_cmp ../o/snapshot-before ../o/snapshot-after &&
	test_no_markers &&
	test_own_intact &&
	test_fsck "$TRASH/kb"
'

test_expect_success 'a shared history: its messages and authors are escaped in log' '
	bestpractice peer add --shared team "$TRASH/fx/inject-shared.git" &&
	on_tty ../o/team.tty bestpractice sync team &&
	test_no_raw_controls --tty ../o/team.tty &&
	clean_everywhere log bestpractice log &&
	test_grep "Mallory \\\\x1b\\[2J\\\\x1b\\[31m\\\\u202e" ../o/log.out &&
	test_grep "Add \\\\x1b\\[2J" ../o/log.out &&
	bestpractice log --json >../o/json &&
	test_no_raw_controls ../o/json &&
	jq -e -s "map(select(.author | startswith(\"Mallory\"))) | length == 1" ../o/json
'

test_expect_success 'a conflict on a name with a bidi override is reported escaped' '
	echo "My own change." >>"law/evil${BIDI}dm.md" &&
	GIT_DIR="$TRASH/fx/inject-shared.git" &&
	export GIT_DIR &&
	blob=$(printf -- "---\ntitle: Theirs\nsector: law\n---\nTheir change.\n" | git hash-object -w --stdin) &&
	law=$(git ls-tree main law | cut -f1 | cut -d" " -f3) &&
	law=$( (git -c core.quotePath=false ls-tree $law | grep -v "dm.md\$"; printf "100644 blob %s\tevil%sdm.md\n" $blob "$BIDI") | git mktree) &&
	root=$( (git ls-tree main | grep -v "	law\$"; printf "040000 tree %s\tlaw\n" $law) | git mktree) &&
	next=$(echo "Their change" | git commit-tree $root -p main) &&
	git update-ref refs/heads/main $next &&
	unset GIT_DIR &&
	bestpractice sync team >../o/conflict.out 2>../o/conflict.err &&
	test_no_raw_controls ../o/conflict.out &&
	test_no_raw_controls ../o/conflict.err &&
	test_grep "conflict: both sides changed law/evil\\\\u202edm.md" ../o/conflict.out
'

test_done
