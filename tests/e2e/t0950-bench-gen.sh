#!/bin/sh
# The benchmark's instruments, without timing anything: bench/gen makes the same corpus from
# the same seed and another from another, its articles are valid and its CSV holds the text
# bestpractice indexes, its change set touches the share asked; bench/lib.sh reads hyperfine's
# JSON export and picks query words as bench/run.sh needs.
. "$(dirname "$0")/lib.sh"

gen=$BUILD/bench/gen
. "$TEST_ROOT/bench/lib.sh"

test_expect_success 'the same seed gives the same bytes' '
	"$gen" -n 1000 -s 7 --csv a.csv a &&
	"$gen" -n 1000 -s 7 --csv b.csv b &&
	diff -r a b &&
	cmp a.csv b.csv &&
	find a -name "*.md" >files &&
	test_line_count = 1000 files &&
	ls a >sectors &&
	test_line_count = 8 sectors
'

test_expect_success 'another seed gives other bytes' '
	"$gen" -n 1000 -s 8 --csv c.csv c &&
	! cmp -s a.csv c.csv &&
	{ diff -rq a c >differ || true; } &&
	test_line_count -gt 1000 differ
'

test_expect_success 'every article is valid, and the CSV holds the text that is indexed' '
	git init -q kb &&
	cp -R a/. kb/ &&
	git -C kb add -A &&
	git -C kb commit -q -m corpus &&
	bestpractice init kb >/dev/null &&
	bestpractice --kb kb reindex >out 2>err &&
	test_grep "indexed 1000 articles" out &&
	test ! -s err &&
	cat >load.sql <<-\EOF &&
	CREATE TABLE t(title, tags, body, sector, author);
	.import --csv a.csv t
	EOF
	sqlite3 bare.db <load.sql &&
	q="SELECT title, tags, body, sector, author FROM %s ORDER BY title, body" &&
	sqlite3 kb/.git/bestpractice/index.sqlite "$(printf "$q" fts)" >indexed &&
	sqlite3 bare.db "$(printf "$q" t)" >csv &&
	test_cmp indexed csv
'

test_expect_success 'bodies have 150 to 600 words' '
	sqlite3 bare.db "SELECT min(w), max(w) FROM (SELECT length(body) -
		length(replace(replace(body, char(10), char()), char(32), char())) AS w FROM t)" \
		>range &&
	IFS="|" read lo hi <range &&
	test "$lo" -ge 150 && test "$hi" -le 600
'

test_expect_success 'the change set touches about the share asked, the same each time' '
	cp -R a d && cp -R a e &&
	"$gen" -n 1000 -s 7 -c 1.75 -C 3 d >said &&
	echo "modified 12, added 3, deleted 3" >expect &&
	test_cmp expect said &&
	"$gen" -n 1000 -s 7 -c 1.75 -C 3 e >/dev/null &&
	diff -r d e &&
	{ diff -rq a d >changed || true; } &&
	test_line_count = 18 changed &&
	grep -c "^Only in a" changed >deleted && echo 3 >expect && test_cmp expect deleted &&
	grep -c "^Only in d" changed >added && test_cmp expect added &&
	"$gen" -n 1000 -s 7 -c 1.75 -C 4 a >/dev/null &&
	! diff -r a d >/dev/null
'

test_expect_success 'the CSV of a change set is the changed corpus' '
	"$gen" -n 1000 -s 7 -c 1.75 -C 3 --csv changed.csv &&
	lines() {
		sqlite3 :memory: "CREATE TABLE t(a, b, c, d, e)" ".import --csv $1 t" \
			"SELECT count(*) FROM t"
	} &&
	test "$(lines changed.csv)" -eq 1000 &&
	! cmp -s a.csv changed.csv
'

test_expect_success 'hyperfine JSON: medians, counts, ratios, verdicts' '
	cat >hf.json <<-\EOF &&
	{
	  "results": [
	    {
	      "command": "bestpractice --kb kb search precedent",
	      "mean": 0.006476517, "stddev": 0.0014279877596842347,
	      "median": 0.006236905, "user": 0.00066, "system": 0.0,
	      "min": 0.005183493, "max": 0.008009153,
	      "times": [0.006236905, 0.005183493, 0.008009153], "exit_codes": [0, 0, 0]
	    },
	    {
	      "command": "sqlite3 bare.db <q.sql",
	      "mean": 0.013964356666666669, "stddev": 0.002538180866649643,
	      "median": 0.014571039000000001, "user": 0.00083, "system": 0.0,
	      "min": 0.011177809, "max": 0.016144222,
	      "times": [0.016144222, 0.014571039000000001, 0.011177809], "exit_codes": [0, 0, 0]
	    }
	  ]
	}
	EOF
	test "$(hf_count hf.json)" = 2 &&
	test "$(hf_median_ms hf.json 0)" = 6.2 &&
	test "$(hf_median_ms hf.json 1)" = 14.6 &&
	test "$(hf_get hf.json 1 command)" = "sqlite3 bare.db <q.sql" &&
	test "$(ratio 14.6 6.2)" = 2.35 &&
	test "$(ratio 1 0)" = - &&
	test "$(verdict 1.50 "<=" 1.5)" = pass &&
	test "$(verdict 1.51 "<=" 1.5)" = miss &&
	test "$(verdict 12 ">=" 10)" = pass &&
	test "$(verdict - "<=" 1.5)" = - &&
	cp hf.json "it'\''s.json" &&
	test "$(hf_median_ms "it'\''s.json" 0)" = 6.2
'

test_expect_success 'query words: the count closest to the target, never a word with none' '
	printf "alpha|0\nbeta|40\ngamma|57\ndelta|45\nepsilon|55\n" | closest 50 >got &&
	echo "delta|45" >expect &&
	test_cmp expect got &&
	printf "alpha|0\n" | closest 0 >got &&
	test ! -s got
'

test_expect_success 'the benchmark script parses' '
	bash -n "$TEST_ROOT/bench/run.sh"
'

test_done
