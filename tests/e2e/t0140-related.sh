#!/bin/sh
# related: the same problem in another sector. The article's most distinctive shared words,
# run as a ranked query, put the other sector's tip on the same problem first; --same-sector
# looks in the article's own sector instead; the article itself never comes back.
. "$(dirname "$0")/lib.sh"

MED=medical/triaging-clinical-questions-with-a-three-minute-rule
LAW=law/triaging-research-requests-from-fee-earners
WEED=medical/weeding-superseded-clinical-textbooks
MUS=museum/deaccessioning-duplicate-exhibition-catalogues
PUB=public/answering-enquiries-at-a-busy-desk
SCH=school/running-a-reading-challenge

test_expect_success 'setup: triage in medicine and law, weeding in medicine and a museum' '
	bestpractice init kb >/dev/null &&
	cd kb &&
	mkdir -p law medical museum public school &&
	cat >$MED.md <<-\EOF &&
	---
	title: Triaging clinical questions with a three-minute rule
	sector: medical
	tags: [triage, reference]
	---
	Every clinical question gets three minutes of triage before you decide its path: answer it
	at once, book a literature search, or refer it. Write the deadline on the request slip.
	Triage protects the urgent requests from the merely loud ones.
	EOF
	cat >$LAW.md <<-\EOF &&
	---
	title: Triaging research requests from fee earners
	sector: law
	tags: [triage, research-requests]
	---
	Give every research request three minutes of triage: answer it at once, schedule a deeper
	search, or refer it to a database trainer. Write the deadline on the request slip, and ask
	which court the answer is for.
	EOF
	cat >$WEED.md <<-\EOF &&
	---
	title: Weeding superseded clinical textbooks
	sector: medical
	tags: [weeding]
	---
	Withdraw editions older than five years unless a clinician asks for one. Triage the shelves
	by date first.
	EOF
	cat >$MUS.md <<-\EOF &&
	---
	title: Deaccessioning duplicate exhibition catalogues
	sector: museum
	tags: [weeding]
	---
	Withdraw duplicate catalogues after the exhibition closes; two copies go to the archive.
	EOF
	cat >$PUB.md <<-\EOF &&
	---
	title: Answering enquiries at a busy desk
	sector: public
	tags: [enquiries]
	---
	Give each enquiry a minute at the desk, and refer the long ones to an appointment.
	EOF
	cat >$SCH.md <<-\EOF &&
	---
	title: Running a reading challenge
	sector: school
	tags: [reading]
	---
	Sticker charts motivate pupils throughout the holidays.
	EOF
	git add -A && git commit -q -m "six tips"
'

# The ids that related printed, one a line, in order.
related_ids() {
	bestpractice related "$@" >out.full &&
	sed -n "s/^  \([a-z]*\/[a-z0-9-]*\) · .*/\1/p" out.full >ids
}

test_expect_success 'the tip on the same problem in another sector comes first' '
	related_ids $MED &&
	test "$(head -n 1 ids)" = $LAW &&
	related_ids $LAW &&
	test "$(head -n 1 ids)" = $MED &&
	related_ids $WEED &&
	test "$(head -n 1 ids)" = $MUS
'

test_expect_success 'by default the article'"'"'s own sector is left out' '
	related_ids $MED &&
	test_grep -v "^medical/" ids &&
	related_ids $WEED &&
	test_grep -v "^medical/" ids
'

test_expect_success '--same-sector looks in the article'"'"'s own sector only' '
	related_ids --same-sector $MED &&
	echo $WEED >expect &&
	test_cmp expect ids &&
	related_ids --same-sector $WEED &&
	echo $MED >expect &&
	test_cmp expect ids &&
	test_expect_code 1 bestpractice related --same-sector $LAW >out &&
	test_line_count = 0 out
'

test_expect_success 'the article itself never appears, whatever the options' '
	for id in $MED $LAW $WEED $MUS $PUB; do
		for opt in "" --same-sector; do
			bestpractice related $opt --json $id >out
			test $? -le 1 &&
			jq -e -s --arg id $id "all(.[]; .id != \$id)" out || return 1
		done
	done
'

test_expect_success '-n limits, a bare slug is enough, --json has the fields' '
	related_ids -n 1 $MED &&
	echo $LAW >expect &&
	test_cmp expect ids &&
	related_ids triaging-research-requests-from-fee-earners &&
	test "$(head -n 1 ids)" = $MED &&
	bestpractice related --json $MED >out &&
	jq -s -e "length >= 2 and .[0].id == \"$LAW\" and .[0].sector == \"law\" and
		all(.[]; (.score | type == \"number\") and (.tags | type == \"array\") and
		(.title | type == \"string\") and .source == null)" out
'

test_expect_success 'an article that shares no distinctive word: exit 1, and why' '
	test_expect_code 1 bestpractice related $SCH >out 2>err &&
	test_line_count = 0 out &&
	test_grep "shares no distinctive word with any other article" err
'

test_expect_success 'an unknown article is exit 2' '
	test_expect_code 2 bestpractice related law/no-such-tip 2>err &&
	test_grep "no article .law/no-such-tip." err
'

test_expect_success 'related follows a hand edit at once' '
	cat >>$SCH.md <<-\EOF &&

	Pupils who ask a question at the desk get three minutes of triage and a request slip.
	EOF
	related_ids $MED &&
	test_grep "^$SCH$" ids &&
	git checkout -q -- $SCH.md &&
	related_ids $MED &&
	test_grep -v "^$SCH$" ids
'

test_done
