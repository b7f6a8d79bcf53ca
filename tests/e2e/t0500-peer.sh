#!/bin/sh
# peer add, rm, list: peers are git remotes, stored without contacting them; names and URLs
# are checked first, and a URL that could make git run a command is refused, stored nowhere
# and run never, even when it is put in place behind our back.
. "$(dirname "$0")/lib.sh"

# No remote, and no remote.* setting at all.
test_no_remote() {
	git -C kb config --get-regexp '^remote\.' >remotes
	test_line_count = 0 remotes
}

test_expect_success 'setup' '
	bestpractice init kb &&
	echo "Shelve by call number." | bestpractice --kb kb add -t "Shelving" -s law
'

test_expect_success 'peer add stores a git remote without contacting it' '
	bestpractice --kb kb peer add hospital-lib https://git.invalid/hospital-lib.git >out &&
	test_grep "added subscribed peer hospital-lib" out &&
	git -C kb remote -v >remotes &&
	test_grep "^hospital-lib	https://git.invalid/hospital-lib.git (fetch)" remotes &&
	test "$(git -C kb config remote.hospital-lib.bestpracticerole)" = subscribed &&
	test -z "$(git -C kb for-each-ref refs/remotes)"
'

test_expect_success 'peer add --shared --sector' '
	bestpractice --kb kb peer add --shared --sector law origin /srv/team.git >out &&
	test_grep "added shared peer origin" out &&
	test "$(git -C kb config remote.origin.bestpracticerole)" = shared &&
	test "$(git -C kb config remote.origin.bestpracticesector)" = law
'

test_expect_success 'every URL form a librarian may meet is accepted' '
	bestpractice --kb kb peer add p-path ../elsewhere/kb &&
	bestpractice --kb kb peer add p-abs /srv/git/kb.git &&
	bestpractice --kb kb peer add p-file file:///srv/git/kb.git &&
	bestpractice --kb kb peer add p-git git://git.example.org/kb.git &&
	bestpractice --kb kb peer add p-http http://git.example.org/kb.git &&
	bestpractice --kb kb peer add p-https https://git.example.org:8443/team/kb.git &&
	bestpractice --kb kb peer add p-ssh ssh://ada@git.example.org:2222/srv/kb.git &&
	bestpractice --kb kb peer add p-scp ada@git.example.org:kb.git &&
	bestpractice --kb kb peer add p-scp2 git.example.org:team/kb.git &&
	bestpractice --kb kb peer add p-ipv6 "ssh://ada@[::1]:2222/srv/kb.git" &&
	test "$(git -C kb remote | grep -c "^p-")" = 10
'

test_expect_success 'peer list: one line per peer, sorted, with role and sector' '
	bestpractice --kb kb peer list >out &&
	test_line_count = 12 out &&
	test "$(head -n 1 out)" = "hospital-lib	subscribed	https://git.invalid/hospital-lib.git" &&
	test_grep "^origin	shared	/srv/team.git	(sector law)$" out &&
	cut -f1 out >names && sort names >sorted && test_cmp sorted names
'

test_expect_success 'peer list --json gives one object per peer' '
	bestpractice --kb kb peer list --json >out.json &&
	test_line_count = 12 out.json &&
	jq -r "select(.name == \"origin\") | [.role, .url, .sector] | @tsv" out.json >origin &&
	printf "shared\t/srv/team.git\tlaw\n" >expect &&
	test_cmp expect origin &&
	jq -s -e "map(select(.name == \"p-scp\"))[0] | .role == \"subscribed\" and .sector == null and .commit == null" out.json &&
	jq -s -e "map(.name) | length == 12 and (unique | length) == 12" out.json
'

test_expect_success 'peer rm removes the remote and its settings' '
	bestpractice --kb kb peer rm p-scp2 >out &&
	test_grep "removed peer p-scp2" out &&
	! git -C kb remote | grep -q "^p-scp2$" &&
	! git -C kb config --get-regexp "^remote\.p-scp2\." &&
	test_expect_code 2 bestpractice --kb kb peer rm p-scp2 2>err &&
	test_grep "no peer named .p-scp2." err
'

test_expect_success 'a second peer of the same name is refused' '
	test_expect_code 2 bestpractice --kb kb peer add origin /srv/other.git 2>err &&
	test_grep "already exists" err &&
	test "$(git -C kb remote get-url origin)" = /srv/team.git
'

test_expect_success 'reset: a KB without peers' '
	for p in $(git -C kb remote); do bestpractice --kb kb peer rm "$p" >/dev/null || return 1; done &&
	test_no_remote &&
	test_expect_code 1 bestpractice --kb kb peer list
'

test_expect_success 'invalid peer names are refused, nothing stored' '
	for name in "a:b" "a/b" "a b" "-x" ".hidden" "x..y" "x.lock" "x." "" \
		"$(printf "x\033[31m")" "ünïcode"; do
		test_expect_code 2 bestpractice --kb kb peer add -- "$name" /srv/kb.git 2>err &&
		test_grep "invalid peer name" err || return 1
	done &&
	test_no_remote
'

test_expect_success 'an option given as a URL never reaches git' '
	test_expect_code 2 bestpractice --kb kb peer add evil --upload-pack=touch 2>err &&
	test_grep "unknown option" err &&
	test_no_remote
'

# Proof that the ext:: URL below is live: git itself, when allowed, runs its command.
test_expect_success 'the hostile ext:: URL of these tests does run a command in git' '
	git -c protocol.ext.allow=always ls-remote "ext::sh -c touch% $TRASH/proof" >/dev/null 2>&1
	test -f "$TRASH/proof"
'

test_expect_success 'hostile URLs are refused with exit 2: nothing stored, nothing run' '
	for url in \
		"-uhelp" \
		"--upload-pack=touch $TRASH/pwned" \
		"-oProxyCommand=touch $TRASH/pwned:kb.git" \
		"ext::sh -c touch% $TRASH/pwned" \
		"EXT::sh -c touch% $TRASH/pwned" \
		"fd::3" \
		"fd::3,4/kb" \
		"foo::bar" \
		"ssh://-oProxyCommand=touch%20$TRASH/pwned/kb.git" \
		"ssh://ada@-oProxyCommand=touch%20$TRASH/pwned/kb.git" \
		"ssh://[-oProxyCommand=touch%20$TRASH/pwned]/kb.git" \
		"ssh://ada@git.example.org@-oProxyCommand=x/kb.git" \
		"ssh://git.example.org:-oProxyCommand=x/kb.git" \
		"ada@-oProxyCommand=x:kb.git" \
		"[-oProxyCommand=x]:kb.git" \
		"git://-oProxyCommand=x/kb.git" \
		"/srv/kb::ext" \
		"$(printf "https://git.example.org/kb.git\nextra")" \
		"$(printf "https://git.example.org/\033]0;title\007kb.git")" \
		"$(printf "/srv/kb\tgit")" \
		"$(printf "/srv/kb\177")" \
		"gopher://git.example.org/kb" \
		"ftp://git.example.org/kb.git" \
		"https://" \
		"https://ada@/kb.git" \
		"http://git.example.org:/kb.git" \
		"ssh:///kb.git" \
		"ssh://[git.example.org/kb.git" \
		"@host:kb.git" \
		":kb.git"; do
		test_expect_code 2 bestpractice --kb kb peer add -- evil "$url" 2>err || return 1
		test_grep "^bestpractice: " err || return 1
	done &&
	test_expect_code 2 bestpractice --kb kb peer add --shared -- evil "ext::sh -c touch% $TRASH/pwned" &&
	test_expect_code 2 bestpractice --kb kb peer add --shared --sector law evil "fd::3" &&
	test_no_remote &&
	! test -e "$TRASH/pwned"
'

test_expect_success 'the refusal says why, without echoing control characters' '
	test_expect_code 2 bestpractice --kb kb peer add evil "ext::sh -c touch% $TRASH/pwned" 2>err &&
	test_grep "transports that run commands are not allowed" err &&
	test_expect_code 2 bestpractice --kb kb peer add evil "$(printf "http://h/\033[2Jx")" 2>err &&
	test_grep "control character" err &&
	! grep -q "$(printf "\033")" err
'

test_expect_success 'setup: a real peer to sync with' '
	bestpractice init peer-kb &&
	echo "Label the boxes." | bestpractice --kb peer-kb add -t "Box labels" -s archives &&
	bestpractice --kb kb peer add friend "$TRASH/peer-kb" &&
	bestpractice --kb kb sync >out &&
	test_grep "^friend: 1 new, 0 changed, 0 removed$" out
'

test_expect_success 'sync checks the URL again: a hostile one set behind its back is refused' '
	git -C kb remote set-url friend "ext::sh -c touch% $TRASH/pwned" &&
	test_expect_code 2 bestpractice --kb kb sync >out 2>err &&
	test_grep "peer .friend.: refusing peer URL" err &&
	! test -e "$TRASH/pwned" &&
	git -C kb config remote.friend.url "-oProxyCommand=touch $TRASH/pwned:kb.git" &&
	test_expect_code 2 bestpractice --kb kb sync friend 2>err &&
	test_grep "peer .friend.: refusing peer URL" err &&
	! test -e "$TRASH/pwned"
'

test_expect_success 'sync checks a push URL set behind its back too' '
	git -C kb remote set-url friend "$TRASH/peer-kb" &&
	git init -q --bare team.git &&
	bestpractice --kb kb peer add --shared team "$TRASH/team.git" &&
	git -C kb remote set-url --push team "ext::sh -c touch% $TRASH/pwned" &&
	test_expect_code 2 bestpractice --kb kb sync team 2>err &&
	test_grep "peer .team.: refusing peer URL" err &&
	! test -e "$TRASH/pwned" &&
	git -C kb config --unset remote.team.pushurl &&
	git -C kb config "url.ext::sh -c touch% $TRASH/pwned% .pushInsteadOf" "$TRASH/" &&
	test_expect_code 2 bestpractice --kb kb sync team 2>err &&
	test_grep "peer .team.: refusing peer URL .ext::" err &&
	! test -e "$TRASH/pwned" &&
	git -C kb config --remove-section "url.ext::sh -c touch% $TRASH/pwned% " &&
	test -z "$(git -C team.git for-each-ref)"
'

test_expect_success 'sync checks a URL rewritten by url.*.insteadOf' '
	git -C kb config "url.ext::sh -c touch% $TRASH/pwned #.insteadOf" "https://rewritten.invalid/" &&
	bestpractice --kb kb peer add rewritten https://rewritten.invalid/kb.git &&
	test_expect_code 2 bestpractice --kb kb sync rewritten 2>err &&
	test_grep "peer .rewritten.: refusing peer URL" err &&
	! test -e "$TRASH/pwned" &&
	bestpractice --kb kb peer rm rewritten &&
	git -C kb config --remove-section "url.ext::sh -c touch% $TRASH/pwned #"
'

test_expect_success 'one peer refused does not stop the others' '
	echo "Number the folders." | bestpractice --kb peer-kb add -t "Folder numbers" -s archives &&
	git -C kb remote set-url team "fd::7" &&
	test_expect_code 2 bestpractice --kb kb sync >out 2>err &&
	test_grep "^friend: 1 new, 0 changed, 0 removed$" out &&
	test_grep "peer .team.: refusing" err &&
	test_grep "1 peer could not be synced" err &&
	bestpractice --kb kb list --peer friend >list &&
	test_line_count = 2 list &&
	git -C kb remote set-url team "$TRASH/team.git"
'

test_expect_success 'sync of a peer that does not exist' '
	test_expect_code 2 bestpractice --kb kb sync nobody 2>err &&
	test_grep "no peer named .nobody." err
'

test_expect_success 'a relative path is stored as an absolute one' '
	mkdir -p sub &&
	(cd sub && bestpractice --kb ../kb peer add rel ../peer-kb) &&
	test "$(git -C kb config remote.rel.url)" = "$TRASH/peer-kb" &&
	bestpractice --kb kb peer rm rel
'

test_expect_success 'a missing local peer is named, with its path' '
	bestpractice --kb kb peer add gone "$TRASH/no-such-kb" &&
	test_expect_code 3 bestpractice --kb kb sync gone 2>err &&
	test_grep "peer .gone.: no repository at .*no-such-kb" err &&
	bestpractice --kb kb peer rm gone
'

test_expect_success 'a password in a URL is refused, never stored' '
	test_expect_code 2 bestpractice --kb kb peer add secret https://me:s3cret@git.example.org/kb.git 2>err &&
	test_grep "password" err &&
	! grep -q s3cret err &&
	test_expect_code 1 git -C kb config remote.secret.url
'

test_expect_success 'origin is shared unless said otherwise' '
	git init -q --bare origin.git &&
	bestpractice --kb kb peer add origin "$TRASH/origin.git" >out &&
	test_grep "added shared peer origin" out &&
	test "$(git -C kb config remote.origin.bestpracticerole)" = shared &&
	bestpractice --kb kb peer rm origin
'

test_done
