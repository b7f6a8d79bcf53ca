#!/bin/sh
# Hostile peers, transport: a local peer's own configuration (core.fsmonitor, core.hooksPath,
# uploadpack.packObjectsHook, credential helpers, filters, a remote with ext::), its hooks and
# its objects/info/alternates are never honoured: no marker file ever appears, and another
# repository's objects never come in through the alternates. URLs are allow-listed before any
# transport is chosen (after the user's insteadOf rewriting too), and credentials in a URL are
# never echoed.
. "$(dirname "$0")/lib.sh"
. "$SHARED_DIR/hostile/lib.sh"

test_expect_success 'setup: a KB with tips of its own, local peers that would run commands' '
	hostile_setup transport &&
	snapshot before
'

test_expect_success 'a peer with commands in its config and hooks: fetched, nothing run' '
	bestpractice peer add conf "$TRASH/fx/configured" &&
	bestpractice sync conf >../o/out 2>../o/err &&
	test_grep "^conf: 1 new, 0 changed, 0 removed" ../o/out &&
	test_line_count = 0 ../o/err &&
	bestpractice search zebracitator --peer conf >../o/search &&
	test_grep "conf:law/good" ../o/search &&
	test_no_markers
'

test_expect_success 'the same peer through a file:// URL: nothing run' '
	bestpractice peer add conf-url "file://$TRASH/fx/configured/.git" &&
	bestpractice sync conf-url >../o/out 2>../o/err &&
	test_grep "^conf-url: 1 new" ../o/out &&
	test_no_markers
'

test_expect_success 'a peer that needs its alternates: refused, no object of the other comes in' '
	bestpractice peer add borrower "$TRASH/fx/borrower.git" &&
	test_expect_code 3 bestpractice sync borrower >../o/out 2>../o/err &&
	test_grep "peer '"'"'borrower'"'"': cannot fetch: object [0-9a-f]\{7\} ('"'"'law/borrowed.md'"'"') is missing from the peer (its objects/info/alternates, which borrows objects from another repository, is ignored)" ../o/err &&
	! git cat-file -e $transport_secret_blob &&
	test_expect_code 1 bestpractice search secretword &&
	! git rev-parse -q --verify refs/remotes/borrower/main
'

test_expect_success 'a peer with alternates it does not need: fetched, alternates ignored' '
	bestpractice peer add decoy "$TRASH/fx/decoy.git" &&
	bestpractice sync decoy >../o/out 2>../o/err &&
	test_grep "^decoy: 1 new" ../o/out &&
	! git cat-file -e $transport_secret_blob &&
	test_no_markers
'

test_expect_success 'URLs that would run commands are refused by peer add' '
	m=$TRASH/fx/markers &&
	for url in "ext::sh -c touch% $m/ext" "fd::3" "foo::bar" "-uhelp" \
		"--upload-pack=touch $m/upload-pack" "ssh://-oProxyCommand=touch%20$m/ssh/x" \
		"ssh://user@-oProxyCommand=x/y" "-oProxyCommand=touch $m/scp:x" \
		"git+ssh://host/x" "gopher://host/x" "$(printf "file:///tmp/x\ny")"; do
		test_expect_code 2 bestpractice peer add -- bad "$url" 2>../o/err || return 1
		test_grep "peer URL" ../o/err || return 1
	done &&
	bestpractice peer list >../o/peers &&
	test_grep -v "^bad" ../o/peers &&
	test_no_markers
'

test_expect_success 'a URL changed by hand to run a command is refused at sync' '
	m=$TRASH/fx/markers &&
	bestpractice peer add hand "$TRASH/fx/decoy.git" &&
	git config remote.hand.url "ext::sh -c touch% $m/hand" &&
	test_expect_code 2 bestpractice sync hand >../o/out 2>../o/err &&
	test_grep "peer '"'"'hand'"'"': refusing peer URL" ../o/err &&
	test_no_markers &&
	bestpractice peer rm hand >/dev/null
'

test_expect_success 'a URL rewritten into a command by insteadOf is refused too' '
	m=$TRASH/fx/markers &&
	git config "url.ext::sh -c touch% $m/insteadof #.insteadOf" "$TRASH/fx/" &&
	test_expect_code 2 bestpractice sync decoy >../o/out 2>../o/err &&
	test_grep "peer '"'"'decoy'"'"': refusing peer URL '"'"'ext::" ../o/err &&
	test_no_markers &&
	git config --remove-section "url.ext::sh -c touch% $m/insteadof #"
'

test_expect_success 'credentials in a URL are never echoed' '
	test_expect_code 2 bestpractice peer add creds "http://user:s3cret@127.0.0.1:1/x.git" \
		2>../o/err &&
	# As a KB configured by hand, or before passwords were refused, holds it.
	git remote add creds "http://user:s3cret@127.0.0.1:1/x.git" &&
	test_expect_code 2 bestpractice sync creds >../o/out 2>>../o/err &&
	test_grep "peer '"'"'creds'"'"'" ../o/err &&
	bestpractice peer list >>../o/out &&
	bestpractice peer list --json >>../o/out &&
	test_grep "http://user:\*\*\*@127.0.0.1:1/x.git" ../o/out &&
	test_expect_code 2 bestpractice peer add x "ext::https://user:s3cret@example.org/x" 2>>../o/err &&
	test_expect_code 2 bestpractice peer add y "ssh://user:s3cret@-oProxy/x" 2>>../o/err &&
	! grep s3cret ../o/out ../o/err &&
	bestpractice peer rm creds >/dev/null
'

test_expect_success 'nothing was written outside the KB, nothing run, no own tip lost' '
	snapshot after &&
	test_cmp ../o/snapshot-before ../o/snapshot-after &&
	test_no_markers &&
	test_own_intact &&
	test_fsck "$TRASH/kb"
'

test_done
