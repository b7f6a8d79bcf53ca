#!/bin/sh
# The index follows the working tree with no command in between (hand edits, new files,
# deletions, renames, reverts), rebuilds itself when it is missing, damaged or of another
# schema, and check and reindex keep it honest. The vocabulary: expansions announced, --exact,
# hand edits of vocabulary.yaml seen at once, an invalid one survived.
. "$(dirname "$0")/lib.sh"

CIT=law/checking-citations-before-a-court-bundle-goes-out
LOOSE=law/cancelling-superseded-looseleaf-without-losing-the-history
IX=.git/bestpractice/index.sqlite

# The ids a search printed, one a line, in order.
ids() {
	bestpractice search "$@" >out.full &&
	sed -n "s/^  \([a-z]*\/[a-z0-9/-]*\) · .*/\1/p" out.full >ids
}

test_expect_success 'setup: the sample KB, indexed' '
	bestpractice init kb >/dev/null &&
	cp -r "$TEST_ROOT"/kb-sample/* kb/ &&
	cd kb &&
	git add -A && git commit -q -m "the sample KB" &&
	bestpractice search --exact looseleaf >/dev/null &&
	test -f $IX
'

test_expect_success 'a hand edit of the body is found by the next search' '
	test_expect_code 1 bestpractice search xylography &&
	echo "Also check the xylography of every exhibit." >>$CIT.md &&
	ids xylography &&
	echo $CIT >expect &&
	test_cmp expect ids
'

test_expect_success 'a hand edit of the front matter is seen by the next search' '
	sed -i "s/^title: .*/title: Zeppelin-proof citation checks/" $CIT.md &&
	ids title:zeppelin &&
	test_cmp expect ids &&
	bestpractice search --json title:zeppelin >out &&
	jq -e ".title == \"Zeppelin-proof citation checks\"" out
'

test_expect_success 'git checkout of the hand edit is seen too' '
	git checkout -q -- $CIT.md &&
	test_expect_code 1 bestpractice search xylography &&
	test_expect_code 1 bestpractice search title:zeppelin &&
	ids "title:\"court bundle\"" &&
	test_cmp expect ids
'

test_expect_success 'a new file made by hand is found' '
	make_article museum/quilting-bees-in-the-reading-room.md \
		"Quilting bees in the reading room" museum "Volunteers mend the textiles." &&
	ids quilting &&
	echo museum/quilting-bees-in-the-reading-room >expect &&
	test_cmp expect ids &&
	bestpractice list --sector museum >out &&
	test_grep "^museum/quilting-bees-in-the-reading-room " out
'

test_expect_success 'a file deleted by hand is gone from the next search' '
	ids title:looseleaf &&
	echo $LOOSE >expect &&
	test_cmp expect ids &&
	rm $LOOSE.md &&
	test_expect_code 1 bestpractice search title:looseleaf &&
	test_expect_code 2 bestpractice show $LOOSE
'

test_expect_success 'and is back once git restores it' '
	git checkout -q -- $LOOSE.md &&
	ids title:looseleaf &&
	test_cmp expect ids
'

test_expect_success 'a file renamed by hand (mv) is found under its new id only' '
	mv $LOOSE.md law/retiring-looseleaf.md &&
	ids title:looseleaf &&
	echo law/retiring-looseleaf >expect &&
	test_cmp expect ids &&
	test_expect_code 2 bestpractice show $LOOSE &&
	mv law/retiring-looseleaf.md $LOOSE.md &&
	ids title:looseleaf &&
	echo $LOOSE >expect &&
	test_cmp expect ids
'

test_expect_success 'a rename with git mv, into another sector folder, and its commit' '
	git mv $LOOSE.md corporate/retiring-looseleaf.md &&
	ids title:looseleaf &&
	echo corporate/retiring-looseleaf >expect &&
	test_cmp expect ids &&
	git commit -q -m "move by hand" &&
	ids title:looseleaf &&
	test_cmp expect ids &&
	git mv corporate/retiring-looseleaf.md $LOOSE.md &&
	git commit -q -m "move back" &&
	ids title:looseleaf &&
	echo $LOOSE >expect &&
	test_cmp expect ids
'

test_expect_success 'a deleted index is rebuilt by the next search, with the same results' '
	bestpractice search --json --exact catalogue >before.json &&
	bestpractice dump-index >before.dump &&
	rm $IX &&
	bestpractice search --json --exact catalogue >after.json 2>err &&
	test_cmp before.json after.json &&
	test_line_count = 0 err &&
	bestpractice dump-index >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success 'a truncated index is rebuilt, with a message' '
	truncate -s 8192 $IX &&
	bestpractice search --json --exact catalogue >after.json 2>err &&
	test_cmp before.json after.json &&
	test_grep "warning: the search index was damaged; rebuilding it" err &&
	bestpractice dump-index >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success 'a file that is no database at all is rebuilt, with a message' '
	yes "not a database" | head -c 100000 >$IX &&
	bestpractice search --json --exact catalogue >after.json 2>err &&
	test_cmp before.json after.json &&
	test_grep "the search index was damaged; rebuilding it" err &&
	bestpractice dump-index >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success 'an index damaged past its first pages is rebuilt when a search reaches it' '
	page=$(sqlite3 $IX "PRAGMA page_size") &&
	root=$(sqlite3 $IX "SELECT rootpage FROM sqlite_schema WHERE name = '"'fts_data'"'") &&
	yes garbage | head -c "$page" |
		dd of=$IX bs="$page" seek=$((root - 1)) conv=notrunc 2>/dev/null &&
	bestpractice search --json --exact catalogue >after.json 2>err &&
	test_cmp before.json after.json &&
	test_grep "the search index was damaged; rebuilding it" err &&
	bestpractice dump-index >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success 'so is one that a listing or check runs into' '
	page=$(sqlite3 $IX "PRAGMA page_size") &&
	root=$(sqlite3 $IX "SELECT rootpage FROM sqlite_schema WHERE name = '"'articles'"'") &&
	yes garbage | head -c "$page" |
		dd of=$IX bs="$page" seek=$((root - 1)) conv=notrunc 2>/dev/null &&
	bestpractice list >out 2>err &&
	test_line_count = 89 out &&
	test_grep "the search index was damaged; rebuilding it" err &&
	root=$(sqlite3 $IX "SELECT rootpage FROM sqlite_schema WHERE name = '"'fts_data'"'") &&
	yes garbage | head -c "$page" |
		dd of=$IX bs="$page" seek=$((root - 1)) conv=notrunc 2>/dev/null &&
	bestpractice check >out 2>err &&
	test_grep "damaged" err &&
	bestpractice check >out 2>err &&
	test_line_count = 0 err
'

test_expect_success 'an index of another schema version is rebuilt' '
	version=$(sqlite3 $IX "PRAGMA user_version") &&
	sqlite3 $IX "DROP TABLE worktree; PRAGMA user_version = $((version - 1))" &&
	bestpractice search --json --exact catalogue >after.json 2>err &&
	test_cmp before.json after.json &&
	test "$(sqlite3 $IX "PRAGMA user_version")" = "$version" &&
	sqlite3 $IX "PRAGMA user_version = 9999" &&
	bestpractice search --json --exact catalogue >after.json 2>err &&
	test_cmp before.json after.json &&
	test "$(sqlite3 $IX "PRAGMA user_version")" = "$version" &&
	bestpractice dump-index >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success 'stale -wal and -shm files beside the index do no harm' '
	sqlite3 $IX ".filectrl persist_wal 1" "INSERT INTO sources(name) VALUES ('"'x'"')" \
		"DELETE FROM sources WHERE name = '"'x'"'" >/dev/null &&
	test -s $IX-wal && test -s $IX-shm &&
	bestpractice search --json --exact catalogue >after.json 2>err &&
	test_cmp before.json after.json &&
	test_line_count = 0 err
'

test_expect_success 'nor do those of an index deleted by hand, or garbage ones' '
	sqlite3 $IX ".filectrl persist_wal 1" "INSERT INTO sources(name) VALUES ('"'x'"')" \
		"DELETE FROM sources WHERE name = '"'x'"'" >/dev/null &&
	test -s $IX-wal &&
	rm $IX &&
	bestpractice search --json --exact catalogue >after.json 2>err &&
	test_cmp before.json after.json &&
	bestpractice dump-index >after.dump &&
	test_cmp before.dump after.dump &&
	yes wal | head -c 20000 >$IX-wal &&
	yes shm | head -c 32768 >$IX-shm &&
	bestpractice search --json --exact catalogue >after.json 2>err &&
	test_cmp before.json after.json &&
	bestpractice dump-index >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success 'after all that, check finds every article valid and the index in step' '
	bestpractice check >out 2>err &&
	echo "89 articles checked, all valid; the index matches git" >expect &&
	test_cmp expect out &&
	test_line_count = 0 err
'

test_expect_success 'check notices an index out of step with git, says what, and mends it' '
	sqlite3 $IX "UPDATE articles SET blob = '"'0000'"' WHERE path = '"'$CIT.md'"';
		DELETE FROM articles WHERE path = '"'$LOOSE.md'"'" &&
	bestpractice check >out 2>err &&
	test_grep "index (own): .$CIT.md. is out of date" err &&
	test_grep "index (own): .$LOOSE.md. is missing" err &&
	test_grep "the search index did not match git (2 differences); rebuilding it" err &&
	bestpractice check >out 2>err &&
	test_line_count = 0 err &&
	bestpractice dump-index >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success 'check: exit 2 and FILE:LINE for an article broken by hand' '
	sed -i "s/^tags: .*/tags: reference/" $CIT.md &&
	test_expect_code 2 bestpractice check >out 2>err &&
	test_grep "^bestpractice: $CIT.md:4: .tags. must be a list" err &&
	test_grep "1 of 89 articles are invalid" err &&
	test_grep -v "index" err &&
	ids "title:\"court bundle\"" &&
	echo $CIT >expect &&
	test_cmp expect ids &&
	git checkout -q -- $CIT.md &&
	bestpractice check
'

test_expect_success 'reindex rebuilds from git and says how many articles it indexed' '
	bestpractice reindex >out 2>err &&
	echo "indexed 89 articles" >expect &&
	test_cmp expect out &&
	bestpractice dump-index >after.dump &&
	test_cmp before.dump after.dump
'

test_expect_success 'the vocabulary widens a word to its group, and says so' '
	make_article public/fines-free-borrowing.md "Fines-free borrowing" public \
		"Every borrower who returns an airship model late pays nothing." &&
	bestpractice search patron airship >out &&
	test_grep "^(searching .patron. also as patrons, borrower, client," out &&
	test_grep "; --exact turns this off)$" out &&
	test_grep "^  public/fines-free-borrowing · public$" out
'

test_expect_success '--exact searches the word alone, and says nothing of the vocabulary' '
	test_expect_code 1 bestpractice search --exact patron airship >out &&
	test_line_count = 0 out &&
	bestpractice search --exact borrower airship >out &&
	test_grep -v "searching" out
'

test_expect_success 'a hand edit of vocabulary.yaml counts at once' '
	test_expect_code 1 bestpractice search dirigible &&
	printf "airships: [airship, dirigible, zeppelin, blimp]\n" >>vocabulary.yaml &&
	bestpractice search dirigible >out &&
	test_grep "^(searching .dirigible. also as airship, zeppelin, blimp;" out &&
	test_grep "^  public/fines-free-borrowing · public$" out
'

test_expect_success 'an invalid vocabulary.yaml: a warning, and the search runs without it' '
	printf "airships: [airship, dirigible\n" >>vocabulary.yaml &&
	bestpractice search borrower airship >out 2>err &&
	test_grep "^bestpractice: warning: vocabulary.yaml:[0-9]*: .*(searching without the vocabulary)$" err &&
	test_grep -v "searching .borrower" out &&
	test_grep "^  public/fines-free-borrowing · public$" out &&
	git checkout -q -- vocabulary.yaml &&
	bestpractice search borrower airship >out 2>err &&
	test_line_count = 0 err &&
	test_grep "^(searching .borrower. also as" out
'

test_done
