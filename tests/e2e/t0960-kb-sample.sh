#!/bin/sh
# kb-sample/: what make demo and the README's tour rely on. At least 80 tips in at least 8
# sectors of at least 6 each, all valid, 120-600 words, one consistent set of tags, and
# analogies that related and the vocabulary really find across sectors.
. "$(dirname "$0")/lib.sh"

SAMPLE=$TEST_ROOT/kb-sample

test_expect_success 'at least 80 tips, in at least 8 sectors of at least 6 each' '
	(cd "$SAMPLE" && ls */*.md) >tips &&
	test_line_count -ge 80 tips &&
	sed "s,/.*,," tips | sort | uniq -c >sectors &&
	test_line_count -ge 8 sectors &&
	for s in law medical corporate archives academic public school museum; do
		grep -q " $s$" sectors || { echo "no sector $s"; return 1; }
	done &&
	! awk "\$1 < 6" sectors | grep .
'

test_expect_success 'every tip is valid: check on a KB made of kb-sample passes' '
	git init -q kb && cp -R "$SAMPLE"/. kb/ &&
	git -C kb add -A && git -C kb commit -q -m sample &&
	bestpractice init kb >/dev/null &&
	bestpractice --kb kb check >out &&
	test_grep "all valid" out
'

test_expect_success 'every body has 120 to 600 words' '
	for f in $(cat tips); do
		n=$(awk "/^---\$/ { fm++; next } fm >= 2" "$SAMPLE/$f" | wc -w) &&
		if [ "$n" -lt 120 ] || [ "$n" -gt 600 ]; then
			echo "$f: $n words"; return 1
		fi || return 1
	done
'

test_expect_success 'one set of tags: no near-duplicates (plurals, spellings with _ or space)' '
	bestpractice --kb kb tags --json | jq -r .tag | sort >tags &&
	test_line_count -ge 20 tags &&
	for t in $(cat tags); do
		grep -qx "${t}s" tags && { echo "both $t and ${t}s"; return 1; }
		echo "$t" | grep -q "[^a-z0-9-]" && { echo "odd tag $t"; return 1; }
	done; true
'

test_expect_success 'related finds the same problem in another sector first' '
	for id in public/triaging-book-donations-before-they-fill-the-back-room \
		public/weeding-adult-non-fiction-by-usage-condition-and-currency \
		corporate/making-the-records-retention-schedule-usable-by-colleagues \
		archives/salvaging-wet-records-in-the-first-forty-eight-hours \
		law/protecting-client-confidentiality-in-research-requests; do
		bestpractice --kb kb related --json -n 3 "$id" >rel || return 1
		own=${id%%/*}
		first=$(head -n 1 rel | jq -r .sector)
		test -n "$first" && test "$first" != "$own" || { echo "$id: $first"; return 1; }
	done
'

test_expect_success 'the vocabulary crosses sectors: weeding finds deaccessioning, patron a client' '
	bestpractice --kb kb search --json -n 50 weeding | jq -r .sector | sort -u >s1 &&
	test_grep "^museum$" s1 &&
	bestpractice --kb kb search --json -n 50 weeding --exact | jq -r .id >exact &&
	bestpractice --kb kb search --json -n 50 weeding | jq -r .id >wide &&
	test "$(wc -l <wide)" -gt "$(wc -l <exact)" &&
	bestpractice --kb kb search --json patron confidentiality | jq -r .sector >s2 &&
	test_grep "^law$" s2
'

test_expect_success 'the typed word ranks first; the best few are the first of many' '
	bestpractice --kb kb search --json -n 50 --exact weeding | jq -r .id | sort >exact &&
	n=$(wc -l <exact) &&
	test "$n" -ge 3 &&
	bestpractice --kb kb search --json -n 50 weeding | jq -c "[.id, .score]" >wide &&
	head -n "$n" wide | jq -r ".[0]" | sort >first &&
	test_cmp exact first &&
	for k in 2 $n $((n + 3)); do
		bestpractice --kb kb search --json -n $k weeding | jq -c "[.id, .score]" >few &&
		head -n $k wide >expect &&
		test_cmp expect few || return 1
	done
'

test_done
