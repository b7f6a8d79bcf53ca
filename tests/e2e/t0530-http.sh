#!/bin/sh
# sync over smart HTTP: git http-backend as CGI under a real lighttpd on loopback. Fetch and
# push, a push the server refuses, and a peer behind basic authentication: a clear failure
# naming it without credentials, success with BESTPRACTICE_TOKEN or git's credential helpers,
# and never a secret in what sync prints.
. "$(dirname "$0")/lib.sh"
. "$TEST_ROOT/tests/e2e/servers.sh"

[ -x "$LIGHTTPD" ] || test_skip_all "no lighttpd (install it: scripts/install-deps)"

TOKEN=tok-8f3e1c55a9d2
WRONG=tok-wrong-0b7d44e1

# No secret in these files.
no_secret() {
	for f in "$@"; do
		if grep -e "$TOKEN" -e "$WRONG" "$f"; then
			say "'$f' shows a secret"
			return 1
		fi
	done
}

test_expect_success 'setup: lighttpd serving two bare repositories' '
	mkdir served &&
	git init -q --bare served/hub.git &&
	git -C served/hub.git config http.receivepack true &&
	git init -q --bare served/closed.git &&
	start_httpd "$TRASH/served" "bestpractice:$TOKEN" &&
	git ls-remote "$HTTPD_URL/git/hub.git" >refs &&
	test_line_count = 0 refs
'

test_expect_success 'A publishes over http, the push allowed by http.receivepack' '
	bestpractice init a >/dev/null &&
	tip a "Weeding the reference shelf" law "Weed the reference shelf every spring." &&
	tip a "Triaging reference questions" medical &&
	bestpractice --kb a peer add --shared origin "$HTTPD_URL/git/hub.git" >/dev/null &&
	bestpractice --kb a sync >out &&
	echo "origin: pushed" >expect &&
	test_cmp expect out &&
	test "$(git -C served/hub.git rev-parse main)" = "$(git -C a rev-parse HEAD)"
'

test_expect_success 'B joins over http; a merge goes back the same way' '
	bestpractice init b >/dev/null &&
	bestpractice --kb b peer add --shared origin "$HTTPD_URL/git/hub.git" >/dev/null &&
	bestpractice --kb b sync >out &&
	test -f b/law/weeding-the-reference-shelf.md &&
	tip a "Routing journals" corporate &&
	tip b "Story time for toddlers" school &&
	bestpractice --kb a sync >out &&
	test_grep "^origin: pushed$" out &&
	bestpractice --kb b sync >out &&
	test_grep "^origin: merged: 1 new, 0 changed, 0 removed; pushed$" out &&
	test "$(git -C served/hub.git rev-parse main)" = "$(git -C b rev-parse HEAD)"
'

test_expect_success 'C subscribes over http and finds the tips as PEER:ID' '
	bestpractice init c >/dev/null &&
	bestpractice --kb c peer add team "$HTTPD_URL/git/hub.git" >/dev/null &&
	bestpractice --kb c sync >out &&
	test_grep "^team: 4 new, 0 changed, 0 removed$" out &&
	bestpractice --kb c search spring >out &&
	test_grep "^  team:law/weeding-the-reference-shelf · law · from team$" out &&
	! test -e c/law
'

test_expect_success 'an anonymous push the server refuses fails, naming the peer' '
	bestpractice --kb a peer add --shared closed "$HTTPD_URL/git/closed.git" >/dev/null &&
	test_expect_code 3 bestpractice --kb a sync >out 2>err &&
	test_grep "^origin: fast-forward: 1 new, 0 changed, 0 removed$" out &&
	test_grep "^bestpractice: peer .closed.: cannot push: " err &&
	test_grep "^bestpractice: 1 peer could not be synced$" err &&
	test -z "$(git -C served/closed.git for-each-ref)"
'

test_expect_success 'a peer behind authentication, no credentials: fails, says which and why' '
	bestpractice --kb c peer add private "$HTTPD_URL/private/hub.git" >/dev/null &&
	test_expect_code 3 bestpractice --kb c sync >out 2>err &&
	test_grep "^team: up to date$" out &&
	test_grep "^bestpractice: peer .private.: cannot fetch: authentication failed (no credentials" err &&
	test_grep "(no credentials: set BESTPRACTICE_TOKEN or a git credential helper)$" err &&
	test_expect_code 1 bestpractice --kb c list --peer private
'

test_expect_success 'a wrong token: fails, names the peer, never shows the token' '
	test_expect_code 3 env BESTPRACTICE_TOKEN=$WRONG bestpractice --kb c sync private >out 2>err &&
	test_grep "^bestpractice: peer .private.: cannot fetch: authentication failed (tried BESTPRACTICE_TOKEN)" err &&
	no_secret out err
'

test_expect_success 'BESTPRACTICE_TOKEN opens it' '
	BESTPRACTICE_TOKEN=$TOKEN bestpractice --kb c sync >out 2>err &&
	test_grep "^private: 4 new, 0 changed, 0 removed$" out &&
	bestpractice --kb c list --peer private >out &&
	test_line_count = 4 out &&
	no_secret out err &&
	! git -C c config --list | grep -e "$TOKEN"
'

test_expect_success 'so do git credential helpers, without a prompt' '
	bestpractice --kb c peer add private2 "$HTTPD_URL/private/hub.git" >/dev/null &&
	test_expect_code 3 bestpractice --kb c sync private2 2>err &&
	git config --global credential.helper "store --file=$HOME/.test-credentials" &&
	echo "http://bestpractice:$TOKEN@127.0.0.1:$HTTPD_PORT" >"$HOME/.test-credentials" &&
	bestpractice --kb c sync private2 >out 2>err &&
	test_grep "^private2: 4 new, 0 changed, 0 removed$" out &&
	no_secret out err &&
	echo "http://bestpractice:$WRONG@127.0.0.1:$HTTPD_PORT" >"$HOME/.test-credentials" &&
	tip b "Reading lists for new staff" academic &&
	bestpractice --kb b sync >/dev/null &&
	test_expect_code 3 bestpractice --kb c sync private2 >out 2>err &&
	test_grep "^bestpractice: peer .private2.: cannot fetch: authentication failed (tried git credential helpers)" err &&
	no_secret out err &&
	git config --global --unset credential.helper
'

test_expect_success 'an authenticated user may push where anonymous pushes are refused' '
	bestpractice --kb a peer rm closed >/dev/null &&
	bestpractice --kb a peer add --shared closed "$HTTPD_URL/private/closed.git" >/dev/null &&
	test_expect_code 3 bestpractice --kb a sync closed 2>err &&
	test_grep "^bestpractice: peer .closed.: cannot fetch: authentication failed" err &&
	BESTPRACTICE_TOKEN=$TOKEN bestpractice --kb a sync closed >out 2>err &&
	echo "closed: pushed" >expect &&
	test_cmp expect out &&
	no_secret out err &&
	test "$(git -C served/closed.git rev-parse main)" = "$(git -C a rev-parse HEAD)"
'

test_done
