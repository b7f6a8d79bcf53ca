#!/bin/sh
# Three librarians over git:// (a real git daemon on loopback): A and B share a bare hub, C
# subscribes to it. The same article edited on both sides, a push race, a force-push to the
# hub, and peers that cannot be reached.
. "$(dirname "$0")/lib.sh"
. "$TEST_ROOT/tests/e2e/servers.sh"

# wait_for FILE: until FILE exists (10 s at most).
wait_for() {
	for _ in $(seq 200); do
		test -e "$1" && return 0
		sleep 0.05
	done
	say "$1 did not appear"
	return 1
}

test_expect_success 'setup: a git daemon serving an empty hub' '
	mkdir served &&
	git init -q --bare served/hub.git &&
	start_git_daemon "$TRASH/served" &&
	HUB=$GIT_DAEMON_URL/hub.git &&
	git ls-remote "$HUB" >refs &&
	test_line_count = 0 refs
'

test_expect_success 'A publishes to the hub over git://' '
	librarian a "Ada Archer" &&
	tip a "Weeding the reference shelf" law "Weed the reference shelf every spring." &&
	tip a "Triaging reference questions" medical &&
	bestpractice --kb a peer add --shared origin "$HUB" >/dev/null &&
	bestpractice --kb a sync >out &&
	echo "origin: pushed" >expect &&
	test_cmp expect out &&
	test "$(git -C served/hub.git rev-parse main)" = "$(git -C a rev-parse HEAD)"
'

test_expect_success 'B joins the team over git://' '
	librarian b "Bo Berg" &&
	tip b "Routing journals" corporate &&
	bestpractice --kb b peer add --shared origin "$HUB" >/dev/null &&
	bestpractice --kb b sync >out &&
	test_grep "^origin: merged: 2 new, 0 changed, 0 removed; pushed$" out &&
	bestpractice --kb a sync >out &&
	test_grep "^origin: fast-forward: 1 new, 0 changed, 0 removed$" out &&
	test "$(git -C a rev-parse HEAD)" = "$(git -C b rev-parse HEAD)"
'

test_expect_success 'C subscribes over git:// and finds A tip as PEER:ID' '
	librarian c "Cy Cole" &&
	tip c "Oral history releases" archives &&
	bestpractice --kb c peer add team "$HUB" >/dev/null &&
	bestpractice --kb c sync >out &&
	test_grep "^team: 3 new, 0 changed, 0 removed$" out &&
	bestpractice --kb c search weed spring >out &&
	test_grep "^  team:law/weeding-the-reference-shelf · law · from team$" out &&
	bestpractice --kb c show team:law/weeding-the-reference-shelf >out &&
	test_grep "Weed the reference shelf every spring" out
'

test_expect_success 'A tip stays out of C working tree, index and branch' '
	! test -e c/law &&
	(cd c && test_clean) &&
	test "$(git -C c ls-files | grep -c "\.md$")" = 1 &&
	test "$(git -C c rev-list --count HEAD)" = 2 &&
	bestpractice --kb c list --mine >out &&
	test_line_count = 1 out &&
	bestpractice --kb c list --peer team >out &&
	test_line_count = 3 out
'

test_expect_success 'related finds A tip for C own one in another sector; filters split them' '
	tip c "Weeding donated collections" archives "Weed duplicate donations every spring." &&
	bestpractice --kb c related archives/weeding-donated-collections >out &&
	test_grep "^  team:law/weeding-the-reference-shelf · law · from team$" out &&
	bestpractice --kb c related --json archives/weeding-donated-collections >json &&
	jq -s -e "map(select(.id == \"team:law/weeding-the-reference-shelf\"))[0] | .source == \"team\" and .sector == \"law\"" json &&
	bestpractice --kb c search --json weed >json &&
	jq -s -e "map(.id) | sort == [\"archives/weeding-donated-collections\", \"team:law/weeding-the-reference-shelf\"]" json &&
	bestpractice --kb c search --mine --json weed >json &&
	jq -s -e "map(.id) == [\"archives/weeding-donated-collections\"] and .[0].source == null" json &&
	bestpractice --kb c search --peer team --json weed >json &&
	jq -s -e "map(.id) == [\"team:law/weeding-the-reference-shelf\"]" json &&
	bestpractice --kb c peer list --json >json &&
	jq -s -e ".[0] | .name == \"team\" and .branch == \"main\" and .commit == \"$(git -C served/hub.git rev-parse main)\"" json
'

test_expect_success 'the same article edited on both sides: both versions kept in B' '
	sed -i "s/every spring/every spring, after the new editions arrive/" \
		a/law/weeding-the-reference-shelf.md &&
	sed -i "s/every spring/every autumn, before the budget closes/" \
		b/law/weeding-the-reference-shelf.md &&
	bestpractice --kb a sync >out &&
	test_grep "^origin: pushed$" out &&
	bestpractice --kb b sync >out 2>err &&
	test_grep "^origin: merged: 1 new, 1 changed, 0 removed; pushed$" out &&
	test_grep "^  conflict: both sides changed law/weeding-the-reference-shelf.md; the other version is kept beside it as law/weeding-the-reference-shelf.conflict-ada-archer.md$" out &&
	test_grep "every autumn" b/law/weeding-the-reference-shelf.md &&
	test_grep "after the new editions" b/law/weeding-the-reference-shelf.conflict-ada-archer.md &&
	test_grep "^conflict-copy: law/weeding-the-reference-shelf.conflict-ada-archer$" \
		b/law/weeding-the-reference-shelf.md &&
	test_grep "^conflict-of: law/weeding-the-reference-shelf$" \
		b/law/weeding-the-reference-shelf.conflict-ada-archer.md &&
	git -C b log -1 --format=%s >subject &&
	test_grep "^merge origin: 1 conflict kept side by side$" subject &&
	(cd b && test_clean) &&
	test_fsck b
'

test_expect_success 'check in B lists the conflict and exits 1' '
	test_expect_code 1 bestpractice --kb b check >out &&
	test_grep "^conflict: law/weeding-the-reference-shelf.conflict-ada-archer.md is another version of law/weeding-the-reference-shelf.md" out &&
	test_grep "^1 conflict awaits a decision$" out
'

test_expect_success 'the merge was pushed: A gets both versions, and check says so there too' '
	test "$(git -C served/hub.git rev-parse main)" = "$(git -C b rev-parse HEAD)" &&
	bestpractice --kb a sync >out &&
	test_grep "^origin: fast-forward: 1 new, 1 changed, 0 removed$" out &&
	test_grep "every autumn" a/law/weeding-the-reference-shelf.md &&
	test_grep "after the new editions" a/law/weeding-the-reference-shelf.conflict-ada-archer.md &&
	test_expect_code 1 bestpractice --kb a check >out &&
	test_grep "^1 conflict awaits a decision$" out
'

test_expect_success 'removing one version settles it everywhere' '
	bestpractice --kb a rm law/weeding-the-reference-shelf.conflict-ada-archer >/dev/null &&
	bestpractice --kb a sync >out &&
	test_grep "^origin: pushed$" out &&
	bestpractice --kb b sync >out &&
	test_grep "^origin: fast-forward: 0 new, 0 changed, 1 removed$" out &&
	bestpractice --kb a check >out &&
	bestpractice --kb b check >out &&
	test_grep "all valid" out
'

test_expect_success 'both add a tip of the same title; one edits what the other removes' '
	tip a "Reading room rules" law "No pens near the manuscripts." &&
	tip b "Reading room rules" law "Pencils only, and sign the register." &&
	bestpractice --kb a rm law/weeding-the-reference-shelf >/dev/null &&
	sed -i "s/every autumn/every autumn and every spring/" b/law/weeding-the-reference-shelf.md &&
	bestpractice --kb a sync >out &&
	test_grep "^origin: pushed$" out &&
	bestpractice --kb b sync >out &&
	test_grep "^  conflict: both sides changed law/reading-room-rules.md; the other version is kept beside it as law/reading-room-rules.conflict-ada-archer.md$" out &&
	test_grep "Pencils only" b/law/reading-room-rules.md &&
	test_grep "No pens" b/law/reading-room-rules.conflict-ada-archer.md &&
	test_grep "every autumn and every spring" b/law/weeding-the-reference-shelf.md &&
	bestpractice --kb a sync >out &&
	test_grep "^origin: fast-forward: " out &&
	test_grep "every autumn and every spring" a/law/weeding-the-reference-shelf.md &&
	test_grep "No pens" a/law/reading-room-rules.conflict-ada-archer.md &&
	test_expect_code 1 bestpractice --kb a check >out &&
	test_grep "^conflict: law/reading-room-rules.conflict-ada-archer.md is another version of law/reading-room-rules.md" out &&
	bestpractice --kb b rm law/reading-room-rules.conflict-ada-archer >/dev/null &&
	bestpractice --kb b sync >/dev/null &&
	bestpractice --kb a sync >/dev/null &&
	bestpractice --kb a check >/dev/null &&
	bestpractice --kb b check >/dev/null &&
	test "$(git -C a rev-parse HEAD)" = "$(git -C b rev-parse HEAD)"
'

# The hub's pre-receive hook holds the first push back until told to go; meanwhile the other
# librarian pushes, so the held push finds the hub moved when its turn comes.
test_expect_success 'setup: a hub that holds the first push back' '
	cat >served/hub.git/hooks/pre-receive <<-EOF &&
	#!/bin/sh
	n=\$(cat "$TRASH/pushes" 2>/dev/null || echo 0)
	echo \$((n + 1)) >"$TRASH/pushes"
	if [ "\$n" -eq 0 ]; then
		touch "$TRASH/held"
		i=0
		while ! [ -e "$TRASH/go" ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i + 1)); done
	fi
	exit 0
	EOF
	chmod +x served/hub.git/hooks/pre-receive &&
	bestpractice --kb c sync >/dev/null
'

test_expect_success 'a push race: the push rejected because the hub moved is merged again and retried' '
	tip a "Interlibrary loan etiquette" public &&
	tip b "Story time for toddlers" school &&
	{ bestpractice --kb b sync >b.out 2>b.err & } &&
	pid=$! &&
	wait_for "$TRASH/held" &&
	bestpractice --kb a sync >a.out 2>a.err &&
	touch "$TRASH/go" &&
	wait $pid &&
	echo "origin: pushed" >expect &&
	test_cmp expect a.out &&
	test_grep "^origin: merged: 1 new, 0 changed, 0 removed; pushed$" b.out &&
	test "$(cat pushes)" = 3 &&
	rm served/hub.git/hooks/pre-receive
'

test_expect_success 'after the race both tips are everywhere' '
	bestpractice --kb a sync >out &&
	test_grep "^origin: fast-forward: 1 new, 0 changed, 0 removed$" out &&
	for kb in a b; do
		test -f $kb/public/interlibrary-loan-etiquette.md &&
		test -f $kb/school/story-time-for-toddlers.md || return 1
	done &&
	test "$(git -C a rev-parse HEAD)" = "$(git -C b rev-parse HEAD)" &&
	test "$(git -C served/hub.git rev-parse main)" = "$(git -C a rev-parse HEAD)" &&
	bestpractice --kb c sync >out &&
	test_grep "^team: 2 new, 0 changed, 0 removed$" out &&
	bestpractice --kb c list --peer team >out &&
	test_grep "^team:public/interlibrary-loan-etiquette " out &&
	test_grep "^team:school/story-time-for-toddlers " out
'

test_expect_success 'a force-push to the hub: C re-indexes it, new tips found, old gone' '
	git init -q rewrite &&
	make_article rewrite/museum/cataloguing-realia.md "Cataloguing realia" museum "Photograph the object." &&
	make_article rewrite/museum/loan-agreements.md "Loan agreements" museum "Insure the object." &&
	git -C rewrite add . &&
	git -C rewrite commit -q -m "start over" &&
	git -C rewrite push -q --force "$HUB" HEAD:refs/heads/main &&
	before=$(git -C c rev-parse HEAD) &&
	bestpractice --kb c sync >out 2>err &&
	test_grep "^team: history rewritten, re-indexed: 2 new, 0 changed, 6 removed$" out &&
	test_grep "warning: peer .team. removed 6 of its tips at once" err &&
	bestpractice --kb c search photograph >out &&
	test_grep "^  team:museum/cataloguing-realia · museum · from team$" out &&
	test_expect_code 1 bestpractice --kb c search --peer team weed >out &&
	bestpractice --kb c search --mine weed >out &&
	bestpractice --kb c list --peer team >out &&
	test_line_count = 2 out &&
	test "$(git -C c rev-parse HEAD)" = "$before" &&
	! test -e c/museum &&
	test "$(git -C c rev-parse refs/remotes/team/main)" = "$(git -C rewrite rev-parse HEAD)"
'

test_expect_success 'an unreachable peer fails alone: exit 3, named' '
	tip a "Reading lists for new staff" academic &&
	git -C rewrite fetch -q "$HUB" main &&
	git -C rewrite reset -q --hard FETCH_HEAD &&
	make_article rewrite/museum/condition-reports.md "Condition reports" museum &&
	git -C rewrite add . && git -C rewrite commit -q -m "one more" &&
	git -C rewrite push -q "$HUB" HEAD:refs/heads/main &&
	port=$(free_port) &&
	bestpractice --kb c peer add nowhere "git://127.0.0.1:$port/kb.git" >/dev/null &&
	bestpractice --kb c peer add unknown "$GIT_DAEMON_URL/no-such-repository.git" >/dev/null &&
	test_expect_code 3 bestpractice --kb c sync >out 2>err &&
	test_grep "^team: 1 new, 0 changed, 0 removed$" out &&
	test_grep "^bestpractice: peer .nowhere.: cannot fetch: " err &&
	test_grep "^bestpractice: peer .unknown.: cannot fetch: " err &&
	test_grep "^bestpractice: 2 peers could not be synced$" err &&
	bestpractice --kb c list --peer team >out &&
	test_line_count = 3 out
'

test_expect_success 'with the daemon stopped every peer fails, each named, the index intact' '
	stop_server git_daemon &&
	test_expect_code 3 bestpractice --kb c sync team nowhere >out 2>err &&
	test_grep "^bestpractice: peer .team.: cannot fetch: " err &&
	test_grep "^bestpractice: peer .nowhere.: cannot fetch: " err &&
	test_grep "^bestpractice: 2 peers could not be synced$" err &&
	bestpractice --kb c list --peer team >out &&
	test_line_count = 3 out &&
	test_expect_code 3 bestpractice --kb a sync >out 2>err &&
	test_grep "^bestpractice: peer .origin.: cannot fetch: " err &&
	test -f a/academic/reading-lists-for-new-staff.md &&
	(cd a && test_clean)
'

test_done
