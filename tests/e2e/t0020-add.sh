#!/bin/sh
# add: from standard input, from a file, from the editor; ids, commits, refusals.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	bestpractice init kb &&
	cd kb
'

commits() {
	git rev-list --count HEAD
}

test_expect_success 'add from standard input prints the id and commits the file' '
	echo "Keep a log of every e-mail that is kept, and why." |
		bestpractice add -t "Retention schedules for e-mail" -s law -g retention \
			-g records-management >id &&
	echo law/retention-schedules-for-e-mail >expect &&
	test_cmp expect id &&
	test -f law/retention-schedules-for-e-mail.md &&
	test "$(git log -1 --format=%s)" = "add law/retention-schedules-for-e-mail" &&
	test "$(git log -1 --format="%an <%ae>")" = "A U Thor <author@example.org>" &&
	test_clean &&
	test_fsck .
'

test_expect_success 'the new article has the front matter a user expects' '
	f=law/retention-schedules-for-e-mail.md &&
	head -n 1 $f >first && echo --- >expect && test_cmp expect first &&
	test_grep "^title: Retention schedules for e-mail$" $f &&
	test_grep "^sector: law$" $f &&
	test_grep "^tags: \[retention, records-management\]$" $f &&
	test_grep "^author: A U Thor <author@example.org>$" $f &&
	test_grep "^created: $(date +%Y-%m-%d)$" $f &&
	test_grep "^Keep a log of every e-mail" $f
'

test_expect_success 'a second tip of the same title gets a unique id' '
	echo "Another take." | bestpractice add -t "Retention schedules for e-mail" -s law >id &&
	echo law/retention-schedules-for-e-mail-2 >expect &&
	test_cmp expect id
'

test_expect_success 'slugs are folded to ASCII' '
	echo "Body." | bestpractice add -t "Café culture in Zürich: Straße & Ærø!" -s public >id &&
	echo public/cafe-culture-in-zurich-strasse-aero >expect &&
	test_cmp expect id
'

test_expect_success 'add --file keeps an unknown front-matter key byte for byte' '
	cat >../whole.md <<-\EOF &&
	---
	title: Triaging reference questions with a three-minute rule
	sector: medical
	reviewed-by:   { name: "Dr. Ada",  date: 2024-01-02 }   # kept as written
	tags: [reference]
	---
	Give each question three minutes before deciding its path.
	EOF
	bestpractice add --file ../whole.md >id &&
	f=$(cat id).md &&
	test_grep "^reviewed-by:   { name: \"Dr. Ada\",  date: 2024-01-02 }   # kept as written$" $f &&
	test_grep "^title: Triaging reference questions with a three-minute rule$" $f &&
	test_grep "^Give each question three minutes" $f
'

test_expect_success 'an article without a title is refused, nothing committed, text kept' '
	before=$(commits) &&
	echo "My precious paragraph." >../body &&
	test_expect_code 2 bestpractice add -s law <../body 2>err &&
	test_grep "<stdin>.*title" err &&
	test "$(commits)" = "$before" &&
	saved=$(sed -n "s/.*your text is saved in \(.*\))$/\1/p" err) &&
	test -f "$saved" &&
	test_cmp ../body "$saved"
'

test_expect_success 'an invalid field is refused with FILE:LINE' '
	before=$(commits) &&
	cat >../bad.md <<-\EOF &&
	---
	title: Tags done wrong
	sector: law
	tags: reference
	---
	Body.
	EOF
	test_expect_code 2 bestpractice add --file ../bad.md 2>err &&
	test_grep "bestpractice: ../bad.md:4: .tags. must be a list" err &&
	test "$(commits)" = "$before" &&
	test_clean
'

test_expect_success 'an invalid sector option is refused' '
	test_expect_code 2 bestpractice add -t "Fine title" -s "Law Firm" <../body 2>err &&
	test_grep "sector" err
'

test_expect_success 'add through the editor' '
	cat >../editor.sh <<-\EOF &&
	#!/bin/sh
	# Fill in the title and sector lines and write a body above the scissors.
	sed -i -e "s/^title: *$/title: Written in the editor/" -e "s/^sector: *$/sector: school/" \
		-e "s/^# -* >8 -*$/Typed in the editor.\n&/" "$1"
	EOF
	chmod +x ../editor.sh &&
	EDITOR="$TRASH/editor.sh" bestpractice add -e >id &&
	echo school/written-in-the-editor >expect &&
	test_cmp expect id &&
	test_grep "^Typed in the editor.$" school/written-in-the-editor.md &&
	test_grep -v ">8" school/written-in-the-editor.md
'

test_expect_success 'an editor command with arguments runs through the shell' '
	cat >../ed-args.sh <<-\EOF &&
	#!/bin/sh
	[ "$1" = --wait ] || exit 9
	sed -i -e "s/^title: *$/title: Editor with arguments/" -e "s/^sector: *$/sector: museum/" \
		-e "s/^# -* >8 -*$/Body.\n&/" "$2"
	EOF
	chmod +x ../ed-args.sh &&
	EDITOR="$TRASH/ed-args.sh --wait" bestpractice add -e >id &&
	echo museum/editor-with-arguments >expect &&
	test_cmp expect id
'

test_expect_success 'an unchanged template aborts with nothing committed' '
	before=$(commits) &&
	EDITOR=true test_expect_code 1 bestpractice add -e 2>err &&
	test_grep "aborted" err &&
	test "$(commits)" = "$before"
'

test_expect_success 'an empty article aborts with nothing committed' '
	before=$(commits) &&
	test_expect_code 1 bestpractice add -t "Empty" -s law </dev/null 2>err &&
	test_grep "empty" err &&
	test "$(commits)" = "$before"
'

test_expect_success 'hand edits are committed first, in a commit of their own' '
	echo "A hand-written addition." >>law/retention-schedules-for-e-mail.md &&
	make_article medical/by-hand.md "Written by hand" medical &&
	echo "Next." | bestpractice add -t "After hand edits" -s law >/dev/null &&
	git log -2 --format=%s >log &&
	printf "add law/after-hand-edits\ncommit hand edits\n" >expect &&
	test_cmp expect log &&
	git show --stat --format= HEAD~1 >stat &&
	test_grep "law/retention-schedules-for-e-mail.md" stat &&
	test_grep "medical/by-hand.md" stat &&
	test_clean
'

test_expect_success 'an invalid hand edit is left uncommitted, with a warning' '
	printf -- "---\ntitle: Broken\nsector: Not Valid\n---\nx\n" >law/broken.md &&
	echo "Fine." | bestpractice add -t "Beside a broken file" -s law >/dev/null 2>err &&
	test_grep "warning: law/broken.md:3" err &&
	test_grep "uncommitted" err &&
	git status --porcelain >st &&
	test_grep "law/broken.md" st &&
	rm law/broken.md
'

test_expect_success 'the KB stays a clean repository' '
	test_fsck . &&
	test_clean
'

test_done
