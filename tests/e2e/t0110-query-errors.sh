#!/bin/sh
# Malformed and hostile queries: each one either runs (exit 0 or 1, nothing on stderr) or is
# refused (exit 2) with a message in the user's terms, never SQLite's or FTS5's; none crashes,
# none reaches the database as SQL, and the index works as before afterwards.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: the sample KB with its vocabulary' '
	bestpractice init kb >/dev/null &&
	cp -r "$TEST_ROOT"/kb-sample/* kb/ &&
	cd kb &&
	git add -A && git commit -q -m "the sample KB" &&
	bestpractice list >before &&
	test_line_count = 88 before &&
	git rev-parse HEAD >head.before
'

# try WANT MESSAGE QUERY...: run a search. WANT "ok" is exit 0 or 1 with nothing on stderr;
# WANT 2 is a refusal whose message contains MESSAGE and nothing of SQLite's vocabulary.
try() {
	want=$1 msg=$2
	shift 2
	bestpractice search "$@" >out 2>err
	rc=$?
	shown=$(printf "%s" "$*" | cat -v | head -c 120)
	case $rc in
	0 | 1)
		if [ "$want" != ok ]; then
			say "query [$shown]: exit $rc, expected a refusal ($msg)"
			return 1
		fi
		if [ -s err ]; then
			say "query [$shown]: exit $rc, but stderr says:"
			cat err
			return 1
		fi
		;;
	2)
		if [ "$want" != 2 ]; then
			say "query [$shown]: refused, expected it to run:"
			cat err
			return 1
		fi
		if ! grep -q "^bestpractice: " err || ! grep -qF -- "$msg" err; then
			say "query [$shown]: expected a message with \"$msg\", got:"
			cat err
			return 1
		fi
		if grep -i -e "fts5" -e "syntax error" -e "sql" -e "no such column" err; then
			say "query [$shown]: the message leaks the database"
			return 1
		fi
		if [ -s out ]; then
			say "query [$shown]: refused, but printed results"
			return 1
		fi
		;;
	*)
		say "query [$shown]: exit $rc"
		cat err
		return 1
		;;
	esac
}

# Each line: what must happen | what the message says | the query, as a printf format.
cat >queries <<-\EOF
2|'AND' needs a word on each side|AND OR
2|'AND' needs a word on each side|AND
2|'AND' needs a word on each side|weeding AND AND budget
2|'OR' needs a word on each side|OR
2|'OR' needs a word on each side|weeding OR
2|'OR' needs a word on each side|weeding OR OR budget
2|'NOT' must be followed by a word|NOT
2|'NOT' must be followed by a word|weeding NOT
2|unbalanced '('|(((
2|unbalanced '('|(weeding OR budget
2|unbalanced ')'|)))
2|unbalanced ')'|weeding OR budget)
2|unbalanced ')'|weeding)(
2|empty parentheses|()
2|empty parentheses|title:()
2|'-' must be followed by a word|-
2|'-' must be followed by a word|weeding - budget
2|'-' must be followed by a word|'; DROP TABLE articles; --
2|a query must contain a word that is not excluded|-weeding
2|a query must contain a word that is not excluded|-(weeding OR budget)
2|a query must contain a word that is not excluded|NOT weeding
2|'title:' must be followed by a word|title:
2|'title:' must be followed by a word|title:title:x
2|'sector:' must be followed by a word|sector:
2|'author:' must be followed by a word|author: OR x
2|unterminated quote|"unbalanced
2|unterminated quote|weeding "budget case
2|unterminated quote|author:"
2|unterminated quote|"
2|query has no words to search for|*
2|query has no words to search for|***
2|query has no words to search for|""
2|query has no words to search for|"" ""
2|query has no words to search for|%% _ \\\\ ; :
2|query has no words to search for|tag:*
2|query is not valid UTF-8|caf\351
2|query is not valid UTF-8|\377\376weeding
2|query is not valid UTF-8|\300\200
2|query is not valid UTF-8|weeding \355\240\200
2|query nests parentheses too deeply|(((((((((((((((((((((weeding)))))))))))))))))))))
ok||((((((((((((((((weeding))))))))))))))))
ok||NEAR(weeding budget)
ok||NEAR(weeding budget, 2)
ok||NEAR
ok||{title}:weeding
ok||{title body}: weeding
ok||^weeding
ok||"'; DROP TABLE articles; --"
ok||x' OR '1'='1
ok||weeding'; DELETE FROM articles; SELECT '1
ok||rank:1
ok||rowid:1
ok||fts:weeding
ok||mail:x
ok||e-mail
ok||http://example.org/x?q=1&r=2
ok||sector:law'--
ok||weeding\001budget\033[31mcase\177
ok||weeding\nbudget\ttriage\r
ok||weeding*budget*
ok||"weeding" * "budget"
ok||x:y:z
ok||title:(weeding tag:(budget))
ok||📚 مكتبة 図書館
ok||a:
ok||:weeding
ok||weeding NOT budget
ok||patron* client "fee earner" ILL
EOF

test_expect_success 'a table of malformed and hostile queries: run or refused, in our words' '
	test "$(wc -l <queries)" -ge 60 &&
	fails=0 &&
	while IFS="|" read -r want msg fmt; do
		q=$(printf -- "$fmt") &&
		try "$want" "$msg" "$q" || fails=$((fails + 1))
	done <queries &&
	test "$fails" = 0
'

test_expect_success 'queries of several arguments, as a shell splits them' '
	try 2 "'"'"'AND'"'"' needs a word on each side" AND OR &&
	try 2 "unbalanced" "(" weeding &&
	try ok "" weeding "(" budget OR triage ")" &&
	try ok "" -- weeding -budget
'

test_expect_success 'a 5000-byte query and one of 200 words are refused, not run' '
	try 2 "query is too long (at most 1024 bytes)" "$(printf "%5000s" | tr " " x)" &&
	try 2 "query is too long" "$(for i in $(seq 500); do printf "weeding "; done)" &&
	try 2 "query has too many words (at most 64)" $(seq -f "w%g" 200) &&
	try 2 "query has too many words" "$(seq -f "w%g" 200 | tr "\n" " ")" &&
	try ok "" $(seq -f "w%g" 64)
'

test_expect_success 'a word of the vocabulary 64 times over (each widened to its group) runs' '
	q=$(for i in $(seq 63); do printf "patron OR "; done; echo clinician) &&
	try ok "" "$q"
'

test_expect_success 'filters and ids are values, never SQL' '
	test_expect_code 1 bestpractice search --exact --sector "law'"'"' OR '"'"'1'"'"'='"'"'1" weeding >out &&
	test_line_count = 0 out &&
	test_expect_code 1 bestpractice search --exact --tag "x'"'"') OR 1=1 --" weeding >out &&
	test_expect_code 1 bestpractice search --exact --author "%" weeding >out &&
	test_expect_code 1 bestpractice search --exact --author "_" weeding >out &&
	test_line_count = 0 out &&
	test_expect_code 1 bestpractice list --sector "law'"'"' OR 1=1 --" >out &&
	test_expect_code 2 bestpractice search --since "2020-01-01'"'"' OR 1=1" weeding 2>err &&
	test_grep "YYYY-MM-DD" err &&
	test_expect_code 2 bestpractice related "law/x'"'"' OR 1=1 --" 2>err &&
	test_grep "no article" err &&
	test_expect_code 2 bestpractice show "../../../etc/passwd" 2>err &&
	test_grep "no article" err &&
	test_grep -v -i "sql" err
'

test_expect_success 'afterwards the KB and its index are as they were' '
	git rev-parse HEAD >head.after &&
	test_cmp head.before head.after &&
	test -z "$(git status --porcelain -- "*/*.md")" &&
	bestpractice list >after &&
	test_cmp before after &&
	bestpractice search --exact weeding >out &&
	test_grep "law/cancelling-superseded-looseleaf-without-losing-the-history" out &&
	bestpractice check >out 2>err &&
	test_grep "88 articles checked, all valid; the index matches git" out &&
	test_line_count = 0 err
'

test_done
