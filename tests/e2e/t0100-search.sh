#!/bin/sh
# search: what a librarian types finds what they mean: stems, accents, phrases, exclusions,
# OR and groups, fields and filters; titles rank above bodies; snippets are plain text; the
# last line counts the matches per sector; --json everywhere is valid JSON Lines.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: seven tips in six sectors' '
	bestpractice init kb >/dev/null &&
	cd kb &&
	mkdir -p law medical museum public school archives &&
	cat >law/checking-citations-before-a-court-bundle-goes-out.md <<-\EOF &&
	---
	title: Checking citations before a court bundle goes out
	sector: law
	tags: [citations, court]
	author: Declan Murphy <declan@example.org>
	created: 2019-04-02
	---
	## Agree the timing

	Ask for the draft **bundle** two days before filing. Every authority is *catalogued* in the
	matter file with its preferred report.

	* See [the practice direction](https://practicedirections.example/pd-39) first.
	* Run `cite-check` on the list.
	EOF
	cat >law/cancelling-superseded-looseleaf.md <<-\EOF &&
	---
	title: Cancelling superseded looseleaf
	sector: law
	tags: [weeding, looseleaf]
	author: Ada Smith <ada@example.org>
	created: 2016-01-10
	updated: 2023-06-01
	---
	The court reports stay on the shelf; the looseleaf bundle of old updates goes to recycling
	once the consolidated service has arrived.
	EOF
	cat >medical/triaging-clinical-questions-at-the-first-contact.md <<-\EOF &&
	---
	title: Triaging clinical questions at the first contact
	sector: medical
	tags: [reference, triage]
	author: Priya Raghunathan <priya@example.org>
	created: 2021-03-15
	---
	Give each question three minutes before deciding its path. A registrar visiting from Zürich
	asked hers in the café downstairs, and that was fine.
	EOF
	cat >museum/cataloguing-exhibition-ephemera.md <<-\EOF &&
	---
	title: Cataloguing exhibition ephemera
	sector: museum
	tags: [cataloguing, ephemera]
	author: Helen Marsh <helen@example.org>
	created: 2018-05-20
	---
	Describe leaflets and invitations at collection level first. A curator from Zurich kept the
	cafe menus of every opening, and they belong with the exhibition file.
	EOF
	cat >public/an-inventory-in-an-afternoon.md <<-\EOF &&
	---
	title: An inventory in an afternoon
	sector: public
	tags: [stock]
	author: Sam Okafor <sam@example.org>
	created: 2022-09-01
	---
	Close the branch for three hours, give every volunteer a shelf range and a scanner, and
	compare the counts with the system before you reopen.
	EOF
	cat >school/a-term-by-term-stock-check.md <<-\EOF &&
	---
	title: A term-by-term stock check
	sector: school
	tags: [inventory]
	author: Jo Bright <jo@example.org>
	created: 2020-02-02
	---
	Check one section each half term with the pupil librarians; by the summer the whole
	collection has been counted without closing the library for a day.
	EOF
	cat >archives/accessioning-a-deposit-on-the-day-it-arrives.md <<-\EOF &&
	---
	title: Accessioning a deposit on the day it arrives
	sector: archives
	tags: [accessions]
	author: Declan Murphy <declan@example.org>
	created: 2017-07-07
	---
	Write the accession record before the depositor leaves: a box list, a rough inventory of
	the contents, the terms of deposit, and both signatures on the form.
	EOF
	git add -A && git commit -q -m "seven tips"
'

# The ids a search printed, one a line, in order ("  law/x · law" lines of the text output).
ids() {
	bestpractice search "$@" >out.full &&
	sed -n "s/^  \([a-z]*\/[a-z0-9-]*\) · .*/\1/p" out.full >ids
}

test_expect_success 'stemming: catalogued finds cataloguing, and the other way round' '
	ids catalogued &&
	cat >expect <<-\EOF &&
	museum/cataloguing-exhibition-ephemera
	law/checking-citations-before-a-court-bundle-goes-out
	EOF
	test_cmp expect ids &&
	ids cataloguing &&
	test_cmp expect ids
'

test_expect_success 'diacritics: café and cafe, Zürich and zurich find each other' '
	cat >expect <<-\EOF &&
	museum/cataloguing-exhibition-ephemera
	medical/triaging-clinical-questions-at-the-first-contact
	EOF
	for q in cafe café CAFÉ zurich Zürich ZURICH; do
		ids "$q" && test_cmp expect ids || return 1
	done
'

test_expect_success 'a phrase needs its words together; plain words need them anywhere' '
	ids court bundle &&
	test_line_count = 2 ids &&
	ids "\"court bundle\"" &&
	echo law/checking-citations-before-a-court-bundle-goes-out >expect &&
	test_cmp expect ids
'

test_expect_success 'a -word excludes the articles that have it' '
	ids bundle -looseleaf &&
	echo law/checking-citations-before-a-court-bundle-goes-out >expect &&
	test_cmp expect ids
'

test_expect_success 'a -word that starts like a short option is still an exclusion' '
	ids inventory -scanner &&
	cat >expect <<-\EOF &&
	school/a-term-by-term-stock-check
	archives/accessioning-a-deposit-on-the-day-it-arrives
	EOF
	test_cmp expect ids &&
	ids inventory -accession &&
	cat >expect <<-\EOF &&
	public/an-inventory-in-an-afternoon
	school/a-term-by-term-stock-check
	EOF
	test_cmp expect ids
'

test_expect_success 'OR widens, parentheses group' '
	ids looseleaf OR triage &&
	cat >expect <<-\EOF &&
	law/cancelling-superseded-looseleaf
	medical/triaging-clinical-questions-at-the-first-contact
	EOF
	sort ids >ids.sorted && test_cmp expect ids.sorted &&
	ids "(scanner OR signatures) inventory" &&
	cat >expect <<-\EOF &&
	archives/accessioning-a-deposit-on-the-day-it-arrives
	public/an-inventory-in-an-afternoon
	EOF
	sort ids >ids.sorted && test_cmp expect ids.sorted &&
	ids "scanner OR (signatures -box)" &&
	echo public/an-inventory-in-an-afternoon >expect &&
	test_cmp expect ids
'

test_expect_success 'field prefixes restrict a word to the title, tags, sector or author' '
	ids court &&
	test_line_count = 2 ids &&
	ids tag:court &&
	echo law/checking-citations-before-a-court-bundle-goes-out >expect &&
	test_cmp expect ids &&
	ids title:cataloguing &&
	echo museum/cataloguing-exhibition-ephemera >expect &&
	test_cmp expect ids &&
	ids sector:museum &&
	test_cmp expect ids &&
	ids author:murphy &&
	cat >expect <<-\EOF &&
	archives/accessioning-a-deposit-on-the-day-it-arrives
	law/checking-citations-before-a-court-bundle-goes-out
	EOF
	test_cmp expect ids &&
	ids "title:(inventory OR term)" &&
	cat >expect <<-\EOF &&
	public/an-inventory-in-an-afternoon
	school/a-term-by-term-stock-check
	EOF
	sort ids >ids.sorted && test_cmp expect ids.sorted
'

test_expect_success '--sector (repeatable), --tag and --author filter the matches' '
	ids --sector law catalogued &&
	echo law/checking-citations-before-a-court-bundle-goes-out >expect &&
	test_cmp expect ids &&
	ids --sector law --sector museum -s public catalogued OR inventory &&
	cat >expect <<-\EOF &&
	public/an-inventory-in-an-afternoon
	museum/cataloguing-exhibition-ephemera
	law/checking-citations-before-a-court-bundle-goes-out
	EOF
	sort expect >expect.sorted && sort ids >ids.sorted && test_cmp expect.sorted ids.sorted &&
	ids --tag triage question &&
	echo medical/triaging-clinical-questions-at-the-first-contact >expect &&
	test_cmp expect ids &&
	ids --author PRIYA question &&
	test_cmp expect ids &&
	ids --tag weeding -g looseleaf court OR bundle &&
	echo law/cancelling-superseded-looseleaf >expect &&
	test_cmp expect ids &&
	test_expect_code 1 bestpractice search --tag weeding --tag court court OR bundle &&
	test_expect_code 1 bestpractice search --tag nowhere question >out &&
	test_line_count = 0 out
'

test_expect_success '--since keeps articles created or updated on or after the date' '
	ids --since 2021-01-01 court OR triage OR inventory &&
	cat >expect <<-\EOF &&
	law/cancelling-superseded-looseleaf
	medical/triaging-clinical-questions-at-the-first-contact
	public/an-inventory-in-an-afternoon
	EOF
	sort ids >ids.sorted && test_cmp expect ids.sorted &&
	test_expect_code 2 bestpractice search --since 2021-13-01 court 2>err &&
	test_grep "YYYY-MM-DD" err
'

test_expect_success '-n and --limit show the best N and say how many there were' '
	ids -n 1 inventory &&
	echo public/an-inventory-in-an-afternoon >expect &&
	test_cmp expect ids &&
	test "$(tail -n 1 out.full)" = "1 of 3 matches: archives 1 · public 1 · school 1" &&
	ids --limit 2 inventory &&
	test_line_count = 2 ids &&
	ids -n2 inventory &&
	test_line_count = 2 ids &&
	ids -n 2 -n2x inventory &&
	test_line_count = 2 ids &&
	test_expect_code 2 bestpractice search -n 0 inventory 2>err &&
	test_grep "at least 1" err
'

test_expect_success 'ranking: a title hit, then a tag hit, then a body-only hit' '
	ids inventory &&
	cat >expect <<-\EOF &&
	public/an-inventory-in-an-afternoon
	school/a-term-by-term-stock-check
	archives/accessioning-a-deposit-on-the-day-it-arrives
	EOF
	test_cmp expect ids &&
	bestpractice search --json inventory >out &&
	jq -s -e "map(.score) | . == (sort | reverse) and .[0] > .[2]" out
'

test_expect_success 'a title hit outranks a body that says the word three times' '
	mkdir -p corporate academic &&
	cat >corporate/keeping-the-old-microfiche-reader.md <<-\EOF &&
	---
	title: Why the old microfiche reader in the basement still earns its keep
	sector: corporate
	---
	It is cheap to run, and the films outlast every vendor that sold them.
	EOF
	cat >academic/film-formats-in-a-research-library.md <<-\EOF &&
	---
	title: Film formats in a research library
	sector: academic
	---
	Microfiche and more microfiche: the microfiche cabinets hold the theses.
	EOF
	ids microfiche &&
	rm -r corporate academic &&
	cat >expect <<-\EOF &&
	corporate/keeping-the-old-microfiche-reader
	academic/film-formats-in-a-research-library
	EOF
	test_cmp expect ids
'

test_expect_success 'the ranking follows an edit that moves the word into another title' '
	sed -i "s/^title: .*/title: Accessioning and inventory on the day a deposit arrives/" \
		archives/accessioning-a-deposit-on-the-day-it-arrives.md &&
	ids inventory &&
	test "$(tail -n 1 ids)" = school/a-term-by-term-stock-check &&
	git checkout -q -- archives &&
	ids inventory &&
	test "$(tail -n 1 ids)" = archives/accessioning-a-deposit-on-the-day-it-arrives
'

test_expect_success 'the whole output of a search: title, id and sector, snippet, counts' '
	bestpractice search title:cataloguing >out &&
	cat >expect <<-\EOF &&
	Cataloguing exhibition ephemera
	  museum/cataloguing-exhibition-ephemera · museum
	  Describe leaflets and invitations at collection level first. A curator from Zurich kept the cafe menus…

	museum 1
	EOF
	test_cmp expect out
'

test_expect_success 'a snippet at the end of a body ends there, with no stray blank' '
	bestpractice search downstairs >out &&
	cat >expect <<-\EOF &&
	Triaging clinical questions at the first contact
	  medical/triaging-clinical-questions-at-the-first-contact · medical
	  …A registrar visiting from Zürich asked hers in the café downstairs, and that was fine.

	medical 1
	EOF
	test_cmp expect out
'

test_expect_success 'snippets show the matched words as plain text, without Markdown' '
	bestpractice search bundle >out &&
	test_grep "the draft bundle two days" out &&
	bestpractice search direction cite >out &&
	test_grep "See the practice direction first. Run cite-check on the list." out &&
	bestpractice search --json timing bundle direction catalogued >out &&
	jq -r .snippet out >snippets &&
	test_grep "timing" snippets &&
	for s in "\*\*" "##" "\`" "](" "https:" "practicedirections" "^\* "; do
		test_grep -v "$s" snippets || return 1
	done
'

test_expect_success 'a link target is not indexed: its host word finds nothing' '
	test_expect_code 1 bestpractice search practicedirections >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	test_expect_code 1 bestpractice search pd-39 &&
	ids direction &&
	echo law/checking-citations-before-a-court-bundle-goes-out >expect &&
	test_cmp expect ids
'

test_expect_success 'the last line counts the matches per sector, most first' '
	bestpractice search court OR catalogued >out &&
	test "$(tail -n 1 out)" = "law 2 · museum 1" &&
	bestpractice search inventory >out &&
	test "$(tail -n 1 out)" = "archives 1 · public 1 · school 1"
'

test_expect_success 'nothing found: exit 1, nothing printed' '
	test_expect_code 1 bestpractice search xylophone >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	test_expect_code 1 bestpractice search --json xylophone >out &&
	test_line_count = 0 out
'

# Every line of $1 is a JSON object with the fields of an article, of the right types.
article_lines() {
	test -s "$1" &&
	test "$(jq -s length "$1")" = "$(wc -l <"$1")" &&
	jq -s -e "all(.[];
		type == \"object\" and
		(.id | type == \"string\") and (.title | type == \"string\") and
		(.sector | type == \"string\") and
		(.tags | type == \"array\" and all(.[]; type == \"string\")) and
		(.author | type == \"string\" or . == null) and
		has(\"source\") and .source == null)" "$1"
}

test_expect_success 'search --json: JSON Lines with the article fields, a score and a snippet' '
	bestpractice search --json court OR inventory >out &&
	test_line_count = 5 out &&
	article_lines out &&
	jq -s -e "all(.[]; (.score | type == \"number\") and (.snippet | type == \"string\"))" out &&
	jq -s -e "map(select(.id == \"law/checking-citations-before-a-court-bundle-goes-out\"))[0] |
		.tags == [\"citations\", \"court\"] and
		.author == \"Declan Murphy <declan@example.org>\" and .sector == \"law\"" out
'

test_expect_success 'list --json and show --json' '
	bestpractice list --json >out &&
	test_line_count = 7 out &&
	article_lines out &&
	bestpractice show --json museum/cataloguing-exhibition-ephemera >out &&
	test_line_count = 1 out &&
	article_lines out &&
	jq -e ".title == \"Cataloguing exhibition ephemera\" and (.text | contains(\"cafe menus\"))" out
'

test_expect_success 'related --json' '
	bestpractice related --json school/a-term-by-term-stock-check >out &&
	article_lines out &&
	jq -s -e "all(.[]; (.score | type == \"number\") and (.snippet | type == \"string\") and
		.id != \"school/a-term-by-term-stock-check\" and .sector != \"school\")" out
'

test_expect_success 'sectors --json and tags --json: a name and a count a line' '
	bestpractice sectors --json >out &&
	test_line_count = 6 out &&
	jq -s -e "all(.[]; type == \"object\" and (.sector | type == \"string\") and
		(.count | type == \"number\")) and .[0] == {\"sector\": \"law\", \"count\": 2}" out &&
	bestpractice tags --json >out &&
	test_line_count = 11 out &&
	jq -s -e "all(.[]; type == \"object\" and (.tag | type == \"string\") and
		(.count | type == \"number\")) and (map(.tag) | index(\"triage\") != null)" out
'

test_expect_success 'sector counts follow an article that changes sector' '
	cd "$TRASH" &&
	bestpractice init many >/dev/null &&
	cd many &&
	make_article law/zebra-a.md "Zebra crossings" law &&
	make_article law/zebra-b.md "Zebra prints" law &&
	make_article museum/zebra-c.md "Zebra hides" museum &&
	git add . && git commit -q -m three &&
	bestpractice search zebra >out &&
	test "$(tail -n 1 out)" = "law 2 · museum 1" &&
	make_article law/zebra-b.md "Zebra prints" museum &&
	git commit -q -am moved &&
	bestpractice search zebra >out &&
	test "$(tail -n 1 out)" = "museum 2 · law 1"
'

test_expect_success 'sector counts stay exact with hundreds of sectors, and after reindex' '
	cd "$TRASH/many" &&
	for i in $(seq 300); do
		make_article "s$i/zebra-$i.md" "Zebra number $i" "s$i" || return 1
	done &&
	git add . && git commit -q -m many &&
	{
		printf "20 of 303 matches: museum 2 · law 1"
		seq 300 | sed "s/^/s/" | LC_ALL=C sort | sed "s/^/ · /; s/\$/ 1/" | tr -d "\n"
		echo
	} >expect &&
	bestpractice search zebra >out &&
	tail -n 1 out >last &&
	test_cmp expect last &&
	bestpractice sectors >sectors &&
	test_line_count = 302 sectors &&
	bestpractice reindex >/dev/null &&
	bestpractice search zebra >out &&
	tail -n 1 out >last &&
	test_cmp expect last &&
	bestpractice search --sector s7 --sector law zebra >out &&
	test "$(tail -n 1 out)" = "law 1 · s7 1"
'

# The best N of a generated corpus, by score: what bestpractice shows, and what FTS5's own
# bm25() gives in SQL for the same expression.
best_scores() {
	bestpractice --kb "$TRASH/gen" search --json "$@" | jq .score | sort -g -r
}
bm25_scores() {
	sqlite3 "$TRASH/gen/.git/bestpractice/index.sqlite" "SELECT round(-bm25(fts, 10.0, 5.0,
		1.0, 0.5, 0.5), 4) FROM fts WHERE fts MATCH '$1' ORDER BY 1 DESC LIMIT $2" |
		sed "s/\.0$//"
}

test_expect_success 'the best N are ranked as bm25 ranks them, however many are asked' '
	"$BUILD/bench/gen" -n 1500 -s 3 "$TRASH/gen" &&
	cd "$TRASH/gen" &&
	git init -q && git add -A && git commit -q -m corpus &&
	bestpractice init . >/dev/null &&
	bestpractice reindex >/dev/null &&
	sqlite3 .git/bestpractice/index.sqlite "SELECT term FROM fts_vocab
		WHERE doc BETWEEN 100 AND 700 AND term GLOB '"'"'[a-z]*'"'"' ORDER BY doc DESC
		LIMIT 4" >words &&
	test_line_count = 4 words &&
	while read -r w; do
		best_scores -n 7 "$w" >few &&
		best_scores -n 1500 "$w" | head -n 7 >many &&
		test_cmp many few &&
		bm25_scores "$w" 7 | sort -g -r >sql &&
		test_cmp sql few || return 1
	done <words &&
	two="$(head -n 2 words | tr "\n" " ")" &&
	best_scores -n 5 $two >few &&
	bm25_scores "$two" 5 | sort -g -r >sql &&
	test_cmp sql few &&
	w=$(head -n 1 words) &&
	best_scores -n 3 --sector law "$w" >few &&
	best_scores -n 1500 --sector law "$w" | head -n 3 >many &&
	test_cmp many few
'

test_done
