#!/bin/sh
# sync over ssh:// against a real sshd on loopback: ed25519 host and user keys made for the
# test, the host in ~/.ssh/known_hosts of the test's HOME. Keys from ~/.ssh and from
# ssh-agent; an unknown or changed host key refused; missing or unauthorized keys named.
. "$(dirname "$0")/lib.sh"
. "$TEST_ROOT/tests/e2e/servers.sh"

# Under sanitizers: full stacks, to tell libgit2's own ssh leaks from ours (tests/lsan.supp).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
export ASAN_OPTIONS

if ! reason=$(sshd_prereq); then
	test_skip_all "$reason"
fi
start_sshd >"$TRASH/sshd-start.log" 2>&1
sshd_started=$?
# Another user than root may have no login shell, or a system that keeps sshd from serving
# it: not a failure of ours. As root (as in CI) sshd must work.
if [ "$sshd_started" -ne 0 ] && [ -n "$SSHD_SKIP" ] && [ "$(id -u)" -ne 0 ]; then
	test_skip_all "$SSHD_SKIP"
fi

test_expect_success 'setup: sshd answers, OpenSSH logs in with the test key' '
	cat sshd-start.log &&
	test "$sshd_started" -eq 0 &&
	mkdir served &&
	git init -q --bare served/hub.git &&
	HUB=$SSH_URL$TRASH/served/hub.git
'

test_expect_success 'A publishes over ssh:// with its key from ~/.ssh' '
	bestpractice init a >/dev/null &&
	tip a "Weeding the reference shelf" law "Weed the reference shelf every spring." &&
	bestpractice --kb a peer add --shared origin "$HUB" >/dev/null &&
	bestpractice --kb a sync >out &&
	echo "origin: pushed" >expect &&
	test_cmp expect out &&
	test "$(git -C served/hub.git rev-parse main)" = "$(git -C a rev-parse HEAD)"
'

test_expect_success 'B joins, merges and pushes over ssh://; C subscribes' '
	bestpractice init b >/dev/null &&
	tip b "Routing journals" corporate &&
	bestpractice --kb b peer add --shared origin "$HUB" >/dev/null &&
	bestpractice --kb b sync >out &&
	test_grep "^origin: merged: 1 new, 0 changed, 0 removed; pushed$" out &&
	bestpractice init c >/dev/null &&
	bestpractice --kb c peer add team "$HUB" >/dev/null &&
	bestpractice --kb c sync >out &&
	test_grep "^team: 2 new, 0 changed, 0 removed$" out &&
	bestpractice --kb c search spring >out &&
	test_grep "^  team:law/weeding-the-reference-shelf · law · from team$" out &&
	! test -e c/law
'

test_expect_success 'an unknown host is refused, naming the peer and known_hosts' '
	tip b "Story time for toddlers" school &&
	bestpractice --kb b sync >/dev/null &&
	mv "$HOME/.ssh/known_hosts" "$HOME/.ssh/known_hosts.good" &&
	test_expect_code 3 bestpractice --kb c sync >out 2>err &&
	test_grep "^bestpractice: peer .team.: cannot fetch: the host.s identity could not be verified (for ssh, add it to ~/.ssh/known_hosts)" err &&
	test_expect_code 1 bestpractice --kb c search toddlers
'

test_expect_success 'a host whose key changed is refused too' '
	ssh-keygen -q -t ed25519 -N "" -f impostor &&
	printf "[127.0.0.1]:%s %s\n" "$SSHD_PORT" "$(cut -d" " -f1,2 impostor.pub)" \
		>"$HOME/.ssh/known_hosts" &&
	test_expect_code 3 bestpractice --kb c sync >out 2>err &&
	test_grep "^bestpractice: peer .team.: cannot fetch: the host.s identity could not be verified" err &&
	test_expect_code 1 bestpractice --kb c search toddlers &&
	mv "$HOME/.ssh/known_hosts.good" "$HOME/.ssh/known_hosts" &&
	bestpractice --kb c sync >out &&
	test_grep "^team: 1 new, 0 changed, 0 removed$" out
'

test_expect_success 'no key at all: fails, names the peer and what to set up' '
	mkdir keys &&
	mv "$HOME/.ssh/id_ed25519" "$HOME/.ssh/id_ed25519.pub" keys/ &&
	test_expect_code 3 bestpractice --kb c sync >out 2>err &&
	test_grep "^bestpractice: peer .team.: cannot fetch: authentication failed (no credentials: start ssh-agent or put an ed25519 key in ~/.ssh)$" err
'

test_expect_success 'a key the server does not know: fails, says which key was tried' '
	ssh-keygen -q -t ed25519 -N "" -f "$HOME/.ssh/id_ed25519" &&
	test_expect_code 3 bestpractice --kb c sync >out 2>err &&
	test_grep "^bestpractice: peer .team.: cannot fetch: authentication failed (tried ~/.ssh/id_ed25519)$" err &&
	rm "$HOME/.ssh/id_ed25519" "$HOME/.ssh/id_ed25519.pub"
'

test_expect_success 'the key from ssh-agent, with none in ~/.ssh' '
	SSH_AUTH_SOCK=$TRASH/agent.sock &&
	export SSH_AUTH_SOCK &&
	{ timeout "$SERVER_LIFETIME" ssh-agent -D -a "$SSH_AUTH_SOCK" >agent.log 2>&1 & } &&
	SERVERS_PIDS="$SERVERS_PIDS $!" &&
	for _ in $(seq 100); do test -S "$SSH_AUTH_SOCK" && break; sleep 0.05; done &&
	ssh-add -q keys/id_ed25519 &&
	tip a "Interlibrary loan etiquette" public &&
	bestpractice --kb a sync >out &&
	test_grep "^origin: merged: 2 new, 0 changed, 0 removed; pushed$" out &&
	bestpractice --kb c sync >out &&
	test_grep "^team: 1 new, 0 changed, 0 removed$" out &&
	ssh-add -D -q 2>/dev/null &&
	test_expect_code 3 bestpractice --kb c sync >out 2>err &&
	test_grep "^bestpractice: peer .team.: cannot fetch: authentication failed (tried ssh-agent)$" err
'

test_done
