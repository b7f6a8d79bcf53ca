#!/bin/sh
# sync over a local path and file://: publishing to an empty remote, joining a team, fast-
# forward and three-way merges, hand edits committed first, the deletion guards, a peer that is
# not a bestpractice KB at all, and adopt / outdated / show --diff.
. "$(dirname "$0")/lib.sh"

# The number of articles (*.md under a sector folder) committed on KB's branch.
committed() {
	git -C "$1" ls-tree -r --name-only HEAD | grep -c '^[^/]*/.*\.md$'
}

test_expect_success 'setup: A has three tips, an empty bare hub' '
	librarian a "Ada Archer" &&
	tip a "Weeding the reference shelf" law &&
	tip a "Triaging reference questions" medical &&
	tip a "Retention schedules for email" corporate &&
	git init -q --bare hub.git
'

test_expect_success 'the first sync of a shared peer pushes to the empty remote' '
	bestpractice --kb a peer add --shared origin "$TRASH/hub.git" >/dev/null &&
	bestpractice --kb a sync >out &&
	echo "origin: pushed" >expect &&
	test_cmp expect out &&
	test "$(git -C hub.git rev-parse main)" = "$(git -C a rev-parse HEAD)" &&
	test "$(git -C a config remote.origin.bestpracticebranch)" = main
'

test_expect_success 'a second sync has nothing to do' '
	bestpractice --kb a sync >out &&
	echo "origin: up to date" >expect &&
	test_cmp expect out
'

test_expect_success 'B joins over file:// with no tips: takes the team history' '
	librarian b "Bo Berg" &&
	bestpractice --kb b peer add --shared origin "file://$TRASH/hub.git" >/dev/null &&
	bestpractice --kb b sync >out &&
	test_grep "^origin: took the team.s history: 3 new, 0 changed, 0 removed$" out &&
	test "$(git -C b rev-parse HEAD)" = "$(git -C hub.git rev-parse main)" &&
	test -f b/law/weeding-the-reference-shelf.md &&
	(cd b && test_clean) &&
	bestpractice --kb b list --mine >list &&
	test_line_count = 3 list
'

test_expect_success 'D joins with tips of its own: both histories merged, every tip kept' '
	librarian d "Dee Dunn" &&
	tip d "Cataloguing realia" museum &&
	tip d "Story time for toddlers" public &&
	bestpractice --kb d peer add --shared origin "$TRASH/hub.git" >/dev/null &&
	bestpractice --kb d sync >out &&
	test_grep "^origin: merged: 3 new, 0 changed, 0 removed; pushed$" out &&
	test "$(committed d)" = 5 &&
	test "$(git -C d rev-list --parents -n 1 HEAD | wc -w)" = 3 &&
	git -C d merge-base --is-ancestor "$(git -C a rev-parse HEAD)" HEAD &&
	test "$(git -C hub.git rev-parse main)" = "$(git -C d rev-parse HEAD)" &&
	(cd d && test_clean) &&
	test_fsck d
'

test_expect_success 'A fast-forwards to the merged history' '
	bestpractice --kb a sync >out &&
	test_grep "^origin: fast-forward: 2 new, 0 changed, 0 removed$" out &&
	test "$(git -C a rev-parse HEAD)" = "$(git -C hub.git rev-parse main)" &&
	test -f a/museum/cataloguing-realia.md &&
	(cd a && test_clean)
'

test_expect_success 'sync commits pending hand edits first, in one commit that says so' '
	bestpractice --kb b sync >/dev/null &&
	echo "Also check the pocket parts." >>b/law/weeding-the-reference-shelf.md &&
	make_article b/law/updating-looseleaf-services.md "Updating looseleaf services" law &&
	before=$(git -C b rev-parse HEAD) &&
	bestpractice --kb b sync >out &&
	test_grep "^origin: pushed$" out &&
	test "$(git -C b rev-list --count "$before"..HEAD)" = 1 &&
	git -C b log -1 --format=%B >msg &&
	test_grep "hand edits" msg &&
	test_grep "law/weeding-the-reference-shelf.md" msg &&
	test_grep "law/updating-looseleaf-services.md" msg &&
	(cd b && test_clean)
'

test_expect_success 'a three-way merge when both sides changed different articles' '
	echo "Ask about the deadline first." >>a/medical/triaging-reference-questions.md &&
	tip a "Routing journals" corporate &&
	bestpractice --kb a sync >out &&
	test_grep "^origin: merged: 1 new, 1 changed, 0 removed; pushed$" out &&
	test "$(git -C a rev-list --parents -n 1 HEAD | wc -w)" = 3 &&
	test_grep "pocket parts" a/law/weeding-the-reference-shelf.md &&
	test_grep "deadline first" a/medical/triaging-reference-questions.md &&
	! ls a/*/*.conflict-* 2>/dev/null &&
	bestpractice --kb a check >out &&
	bestpractice --kb b sync >out &&
	test_grep "^origin: fast-forward: 1 new, 1 changed, 0 removed$" out &&
	test "$(git -C a rev-parse HEAD)" = "$(git -C b rev-parse HEAD)"
'

test_expect_success 'setup: C subscribes to the hub; E to a plain lesson repository' '
	librarian c "Cy Cole" &&
	tip c "Oral history releases" archives &&
	bestpractice --kb c peer add team "file://$TRASH/hub.git" >/dev/null &&
	bestpractice --kb c sync >out &&
	test_grep "^team: 7 new, 0 changed, 0 removed$" out &&
	test -z "$(git -C c for-each-ref refs/heads | grep -v "refs/heads/main$")"
'

test_expect_success 'a subscribed peer is searchable as PEER:ID without entering the working tree' '
	bestpractice --kb c search looseleaf >out &&
	test_grep "^  team:law/updating-looseleaf-services · law · from team$" out &&
	! test -e c/law &&
	test "$(committed c)" = 1 &&
	(cd c && test_clean) &&
	bestpractice --kb c list --peer team >out &&
	test_line_count = 7 out &&
	bestpractice --kb c list --mine >out &&
	echo "archives/oral-history-releases  Oral history releases" >expect &&
	test_cmp expect out &&
	bestpractice --kb c show team:law/updating-looseleaf-services >out &&
	test_grep "^from peer team$" out &&
	test_grep "Updating looseleaf services" out &&
	bestpractice --kb c list --json --peer team >json &&
	jq -s -e "all(.source == \"team\") and all(.id | startswith(\"team:\"))" json
'

test_expect_success 'adopt copies a peer tip with its origin; outdated has nothing yet' '
	bestpractice --kb c adopt team:medical/triaging-reference-questions -s archives >out &&
	echo archives/triaging-reference-questions >expect &&
	test_cmp expect out &&
	sed -n "/^---$/,/^---$/p" c/archives/triaging-reference-questions.md >fm &&
	test_grep "^adopted-from:" fm &&
	test_grep "^  peer: team$" fm &&
	test_grep "^  url: file://$TRASH/hub.git$" fm &&
	test_grep "^  path: medical/triaging-reference-questions.md$" fm &&
	test_grep "^  commit: $(git -C hub.git rev-parse main)$" fm &&
	test_grep "^sector: archives$" fm &&
	test_expect_code 1 bestpractice --kb c outdated >out &&
	test_line_count = 0 out &&
	bestpractice --kb c show --diff archives/triaging-reference-questions >out &&
	test_grep "no change at its origin" out
'

test_expect_success 'outdated and show --diff after the origin changed' '
	sed -i "s/Ask about the deadline first./Ask about the deadline and the budget first./" \
		a/medical/triaging-reference-questions.md &&
	bestpractice --kb a sync >/dev/null &&
	bestpractice --kb c sync >out &&
	test_grep "^team: 0 new, 1 changed, 0 removed$" out &&
	bestpractice --kb c outdated >out &&
	echo "archives/triaging-reference-questions  changed upstream: team:medical/triaging-reference-questions.md" >expect &&
	test_cmp expect out &&
	bestpractice --kb c outdated --json >json &&
	jq -s -e "length == 1 and .[0].state == \"changed upstream\" and .[0].now_at == \"$(git -C hub.git rev-parse main)\"" json &&
	bestpractice --kb c show --diff archives/triaging-reference-questions >out &&
	test_grep "^-Ask about the deadline first.$" out &&
	test_grep "^+Ask about the deadline and the budget first.$" out
'

# A Jekyll/Carpentries-style lesson: no bestpractice front matter, no sector folders.
test_expect_success 'setup: a plain repository of lesson pages' '
	git init -q lesson &&
	mkdir -p lesson/_episodes lesson/fig &&
	cat >lesson/_episodes/01-intro.md <<-\EOF &&
	---
	title: "Introduction to Controlled Vocabularies"
	teaching: 10
	exercises: 5
	questions:
	- "Why do subject headings matter?"
	---
	Authority files keep a catalogue consistent.
	![diagram](../fig/vocab.png)
	EOF
	cat >lesson/_episodes/02-headings.md <<-\EOF &&
	# Building Subject Headings

	Start from the broadest term, then narrow: the zeppelin rule.
	EOF
	cat >lesson/index.md <<-\EOF &&
	---
	layout: lesson
	---
	A lesson on vocabularies.
	EOF
	mkdir lesson/_posts &&
	cat >lesson/_posts/2019-03-04-weeding.md <<-\EOF &&
	---
	layout: post
	title: "Weeding with CREW"
	date: 2019-03-04 10:00:00 +0100
	tags: weeding crew
	---
	Use the MUSTIE criteria.
	EOF
	cat >lesson/shelf-reading.md <<-\EOF &&
	# Shelf Reading in Ten Minutes a Day

	Read one shelf a day, left to right, and the misshelved zeppelin atlas turns up.
	EOF
	for f in README.md LICENSE.md CONTRIBUTING.md _sidebar.md; do
		echo "About this repository: zeppelin." >"lesson/$f" || return 1
	done &&
	printf "\211PNG\r\n\032\n\0\0\0binary" >lesson/fig/vocab.png &&
	git -C lesson add . && git -C lesson commit -q -m "lesson" &&
	librarian e "Eve Eng" &&
	bestpractice --kb e peer add --sector academic carpentry "file://$TRASH/lesson" >/dev/null &&
	bestpractice --kb e sync >out 2>err &&
	test_grep "^carpentry: 4 new, 0 changed, 0 removed$" out &&
	test_line_count = 0 err
'

test_expect_success 'its pages are searchable, titled from their front matter or first heading' '
	bestpractice --kb e search "controlled vocabularies" >out &&
	test_grep "^Introduction to Controlled Vocabularies$" out &&
	test_grep "^  carpentry:_episodes/01-intro · academic · from carpentry$" out &&
	bestpractice --kb e search zeppelin >out &&
	test_grep "^Building Subject Headings$" out &&
	test_grep "^  carpentry:_episodes/02-headings · academic · from carpentry$" out &&
	bestpractice --kb e list --peer carpentry --sector academic >out &&
	test_line_count = 4 out &&
	bestpractice --kb e list --tag crew >out &&
	test_grep "^carpentry:_posts/2019-03-04-weeding  *Weeding with CREW$" out &&
	bestpractice --kb e show carpentry:_episodes/01-intro >out &&
	test_grep "Authority files keep a catalogue consistent" out &&
	! test -e e/_episodes && ! test -e e/fig
'

test_expect_success 'a page at the root of its tree is a tip; what the repository says of itself is not' '
	bestpractice --kb e search zeppelin >out &&
	test_grep "^Shelf Reading in Ten Minutes a Day$" out &&
	test_grep "^  carpentry:shelf-reading · academic · from carpentry$" out &&
	! grep -i "readme\|license\|contributing\|sidebar\|carpentry:index" out &&
	bestpractice --kb e show carpentry:shelf-reading >out &&
	test_grep "misshelved zeppelin atlas" out &&
	bestpractice --kb e check &&
	bestpractice --kb e adopt carpentry:shelf-reading >id &&
	test_grep "^academic/shelf-reading-in-ten-minutes-a-day$" id &&
	test -f e/academic/shelf-reading-in-ten-minutes-a-day.md &&
	! test -e e/shelf-reading.md
'

test_expect_success 'a merge that would delete most of the KB is refused without --force' '
	bestpractice --kb b sync >/dev/null &&
	git -C b rm -q law/*.md medical/*.md corporate/*.md museum/*.md &&
	git -C b commit -q -m "clear out" &&
	bestpractice --kb b sync >out &&
	test_grep "^origin: pushed$" out &&
	tip a "Interlibrary loan etiquette" public &&
	before=$(git -C a rev-parse HEAD) &&
	test_expect_code 2 bestpractice --kb a sync >out 2>err &&
	test_grep "peer .origin.: syncing would delete 6 of your 8 articles" err &&
	test_grep "sync --force" err &&
	test "$(git -C a rev-parse HEAD)" = "$before" &&
	test "$(committed a)" = 8 &&
	(cd a && test_clean) &&
	bestpractice --kb a sync --force >out &&
	test_grep "^origin: merged: 0 new, 0 changed, 6 removed; pushed$" out &&
	test "$(committed a)" = 2
'

test_expect_success 'a subscribed peer that removed most of its tips: indexed as it is, loudly' '
	bestpractice --kb c sync >out 2>err &&
	test_grep "^team: 1 new, 0 changed, 6 removed$" out &&
	test_grep "warning: peer .team. removed 6 of its tips at once" err &&
	bestpractice --kb c list --peer team >out &&
	test_line_count = 2 out &&
	test "$(committed c)" = 2
'

test_expect_success 'outdated says when an adopted origin is gone' '
	bestpractice --kb c outdated >out &&
	echo "archives/triaging-reference-questions  removed upstream: team:medical/triaging-reference-questions.md" >expect &&
	test_cmp expect out
'

test_expect_success 'a KB made with git clone shares through its origin' '
	git clone -q hub.git f &&
	bestpractice init f >/dev/null &&
	bestpractice --kb f peer list >out &&
	test_grep "^origin	shared	" out &&
	bestpractice --kb f sync >out &&
	test_grep "^origin: up to date$" out &&
	tip f "Shelf reading rota" public &&
	bestpractice --kb f sync >out &&
	test_grep "^origin: pushed$" out &&
	bestpractice --kb a sync >out &&
	test_grep "^origin: fast-forward: 1 new, 0 changed, 0 removed$" out &&
	test "$(committed a)" = 3
'

test_expect_success 'a first fetch copies a local peer'"'"'s packs, unless they hold mostly other things' '
	bestpractice init packer >/dev/null &&
	for i in 1 2 3; do
		echo "Tip $i about packs." | bestpractice --kb packer add -t "Pack tip $i" -s law \
			>/dev/null || return 1
	done &&
	git -C packer repack -a -d -q &&
	bestpractice init copier >/dev/null &&
	bestpractice --kb copier peer add packer "$TRASH/packer" >/dev/null &&
	bestpractice --kb copier sync >/dev/null &&
	ls packer/.git/objects/pack/*.pack >peer-packs &&
	for p in $(cat peer-packs); do
		test -f "copier/.git/objects/pack/$(basename "$p")" || return 1
	done &&
	test "$(bestpractice --kb copier list --peer packer | wc -l)" = 3 &&
	git -C copier fsck --no-progress --no-dangling &&
	# Thousands of objects no branch reaches: the walk takes only what it needs.
	for i in $(seq 3000); do
		printf "blob\ndata %d\njunk %05d\n\n" 11 "$i"
	done | git -C packer fast-import --quiet &&
	bestpractice init picky >/dev/null &&
	bestpractice --kb picky peer add packer "$TRASH/packer" >/dev/null &&
	bestpractice --kb picky sync >/dev/null &&
	test "$(bestpractice --kb picky list --peer packer | wc -l)" = 3 &&
	in_pack=$(git -C picky count-objects -v | sed -n "s/^in-pack: //p") &&
	test "$in_pack" -lt 100
'

test_done
