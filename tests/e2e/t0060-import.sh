#!/bin/sh
# import: files and folders, with or without front matter, in one commit.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	bestpractice init kb &&
	mkdir -p notes/law notes/medical &&
	make_article notes/law/citations.md "Checking citations before filing" law &&
	printf "# Triage at the desk\n\nThree minutes, then decide.\n" >notes/medical/triage.md &&
	printf "No heading here, just text.\n" >notes/medical/plain-notes.md &&
	printf "ignored\n" >notes/medical/picture.png
'

test_expect_success 'import a folder: one commit, titles and sectors derived' '
	bestpractice --kb kb import notes >ids 2>err &&
	test_grep "imported 3 articles" err &&
	sort ids >ids.sorted &&
	cat >expect <<-\EOF &&
	law/checking-citations-before-filing
	medical/plain-notes
	medical/triage-at-the-desk
	EOF
	test_cmp expect ids.sorted &&
	test "$(git -C kb log -1 --format=%s)" = "import 3 articles" &&
	test_grep "^title: Triage at the desk$" kb/medical/triage-at-the-desk.md &&
	test_grep "^sector: medical$" kb/medical/triage-at-the-desk.md &&
	test_grep "^title: Plain notes$" kb/medical/plain-notes.md &&
	test -z "$(git -C kb status --porcelain)"
'

test_expect_success 'import a file with --sector' '
	printf "# Volunteers\n\nA ladder of tasks.\n" >volunteers.md &&
	bestpractice --kb kb import --sector museum volunteers.md >id &&
	echo museum/volunteers >expect &&
	test_cmp expect id &&
	test "$(git -C kb log -1 --format=%s)" = "add museum/volunteers"
'

test_expect_success 'one invalid file stops the whole import' '
	mkdir -p more/law &&
	make_article more/law/good.md "A good one" law &&
	printf -- "---\ntitle: Bad\nsector: law\ncreated: 2023-02-30\n---\nx\n" >more/law/bad.md &&
	before=$(git -C kb rev-list --count HEAD) &&
	test_expect_code 2 bestpractice --kb kb import more 2>err &&
	test_grep "bad.md:4" err &&
	test_grep "nothing was imported" err &&
	test "$(git -C kb rev-list --count HEAD)" = "$before"
'

test_expect_success 'import of nothing' '
	mkdir empty &&
	test_expect_code 1 bestpractice --kb kb import empty 2>err &&
	test_grep "no Markdown files" err &&
	test_expect_code 2 bestpractice --kb kb import does-not-exist
'

test_done
