#!/bin/sh
# Hostile peers, tree oddities: duplicate entries, entries out of order, unusual modes,
# symbolic links (to a file, to a folder), submodules and a .gitmodules that would run a
# command, a .gitattributes with filter and diff drivers, a 'config' and hooks as files.
# Those are data, never configuration: skipped with one warning each, nothing run. Trees git
# itself cannot walk (an entry with an empty name, an entry naming another kind of object
# than its mode says) are refused whole, naming the peer, and the KB's git keeps working.
. "$(dirname "$0")/lib.sh"
. "$SHARED_DIR/hostile/lib.sh"

warns() {
	grep -c "^bestpractice: warning: peer '$1'" "$2"
}

test_expect_success 'setup: a KB with tips of its own, peers with odd trees' '
	hostile_setup tree kinds emptyname &&
	bestpractice peer add odd "$TRASH/fx/tree.git" &&
	bestpractice peer add kinds "$TRASH/fx/kinds.git" &&
	snapshot before
'

test_expect_success 'sync exits 0; the good tips are searchable' '
	bestpractice sync >../o/out 2>../o/err &&
	test_grep "^odd: 3 new" ../o/out &&
	test_grep "^kinds: 1 new" ../o/out &&
	bestpractice search zebracitator >../o/search &&
	test_grep "odd:law/good" ../o/search &&
	test_grep "kinds:law/good" ../o/search &&
	bestpractice list --peer odd >../o/list &&
	test_line_count = 3 ../o/list
'

test_expect_success 'syncing wrote nothing outside the KB and ran nothing' '
	snapshot after &&
	test_cmp ../o/snapshot-before ../o/snapshot-after &&
	test_no_markers
'

test_expect_success 'of a name held twice, the first entry is indexed, shown and adopted' '
	test_grep "^odd:law/dup  *First of two entries named alike" ../o/list &&
	test_warned 1 odd $tree_commit law/dup.md "a duplicate entry" ../o/err &&
	bestpractice show odd:law/dup >../o/show &&
	test_grep "firstdup" ../o/show &&
	test_expect_code 1 bestpractice search seconddup &&
	bestpractice adopt odd:law/dup >../o/adopt &&
	test_grep "firstdup" law/first-of-two-entries-named-alike.md &&
	test_grep -v "seconddup" law/first-of-two-entries-named-alike.md
'

test_expect_success 'an entry out of order is skipped; the tip before it stays readable' '
	test_warned 1 odd $tree_commit law/unsorted/a.md "an entry out of order" ../o/err &&
	test_grep "^odd:law/unsorted/b " ../o/list &&
	bestpractice show --raw odd:law/unsorted/b >../o/show &&
	test_grep "sortedbefore" ../o/show &&
	bestpractice adopt odd:law/unsorted/b >../o/adopt &&
	test_grep "sortedbefore" law/sorted-before-a.md
'

test_expect_success 'links, submodules and odd modes are skipped, one warning each' '
	c=$tree_commit &&
	test_warned 1 odd $c law/passwd.md "a symbolic link (not followed)" ../o/err &&
	test_warned 1 odd $c law/linked-folder "a symbolic link (not followed)" ../o/err &&
	test_warned 1 odd $c law/sub "a submodule (not entered)" ../o/err &&
	test_warned 1 odd $c law/sub.md "a submodule (not entered)" ../o/err &&
	test_warned 1 odd $c law/mode-664.md "an unusual file mode 100664" ../o/err &&
	test $(warns odd ../o/err) -eq 7 &&
	test_expect_code 1 bestpractice search forbiddenword &&
	test_expect_code 1 bestpractice search root
'

test_expect_success '.gitmodules, .gitattributes, config and hooks are never acted on' '
	test_no_markers &&
	test ! -e "$TRASH/kb/.gitmodules" &&
	test ! -e "$TRASH/kb/.gitattributes" &&
	test ! -e "$TRASH/kb/config" &&
	git -C "$TRASH/kb" config --list --local >../o/config &&
	test_grep -v "evil\|fsmonitor\|hookspath\|touch" ../o/config
'

test_expect_success 'a blob recorded as a folder: the peer is refused whole, naming it' '
	git -C "$TRASH/fx/kinds.git" update-ref refs/heads/main $kinds_folder_blob &&
	snapshot before &&
	test_expect_code 3 bestpractice sync kinds >../o/out 2>../o/err &&
	test_grep "peer '"'"'kinds'"'"': cannot fetch: '"'"'law/folder-blob.md'"'"' (object [0-9a-f]\{7\}) is a file recorded as a folder, which git cannot read" ../o/err &&
	test_grep "1 peer could not be synced" ../o/err &&
	test "$(git rev-parse refs/remotes/kinds/main)" = "$kinds_commit" &&
	bestpractice list --peer kinds >../o/list &&
	test_grep "^kinds:law/good " ../o/list
'

test_expect_success 'a folder recorded as a file: refused the same way' '
	git -C "$TRASH/fx/kinds.git" update-ref refs/heads/main $kinds_file_tree &&
	test_expect_code 3 bestpractice sync kinds >../o/out 2>../o/err &&
	test_grep "'"'"'law/not-a-blob.md'"'"' (object [0-9a-f]\{7\}) is a folder recorded as a file" ../o/err &&
	test "$(git rev-parse refs/remotes/kinds/main)" = "$kinds_commit"
'

test_expect_success 'an entry with an empty name: refused the same way' '
	bestpractice peer add empty "$TRASH/fx/emptyname.git" &&
	test_expect_code 3 bestpractice sync empty >../o/out 2>../o/err &&
	test_grep "peer '"'"'empty'"'"': cannot fetch: '"'"'medical'"'"' (object [0-9a-f]\{7\}) has an entry with an empty name" ../o/err &&
	! git rev-parse -q --verify refs/remotes/empty/main &&
	bestpractice peer rm empty >/dev/null
'

test_expect_success 'what was refused left nothing behind' '
	snapshot after &&
	test_cmp ../o/snapshot-before ../o/snapshot-after
'

test_expect_success 'git still works on the KB: gc and a full walk of every ref' '
	git gc -q &&
	git rev-list --objects --all >/dev/null
'

test_expect_success 'a peer whose commit the index cannot read keeps its previous tips' '
	# A peer as a transport that checks nothing could leave it: first a good commit...
	bestpractice peer add broken "$TRASH/fx/emptyname.git" &&
	git update-ref refs/remotes/broken/main $tree_commit &&
	git config remote.broken.bestpracticebranch main &&
	bestpractice list --peer broken >../o/list 2>/dev/null &&
	test_grep "^broken:law/good " ../o/list &&
	# ... then one whose root folder no one can parse.
	git -C "$TRASH/fx/emptyname.git" cat-file --batch-all-objects \
		--batch-check="%(objectname) %(objecttype)" >../o/objects &&
	while read id type; do
		git -C "$TRASH/fx/emptyname.git" cat-file $type $id |
		git hash-object -w --literally -t $type --stdin >/dev/null || return 1
	done <../o/objects &&
	git update-ref refs/remotes/broken/main $emptyname_rootbad &&
	bestpractice list >../o/list 2>../o/err &&
	test_grep "^broken:law/good " ../o/list &&
	test_grep "^odd:law/good " ../o/list &&
	test_grep "^public/own-shelving-tip " ../o/list &&
	test_grep "warning: peer '"'"'broken'"'"' (commit [0-9a-f]\{7\}): not indexed, its tips as they were stay searchable" ../o/err &&
	test_line_count = 1 ../o/err &&
	bestpractice show broken:law/good >../o/show &&
	test_grep zebracitator ../o/show &&
	test_expect_code 3 bestpractice sync odd >../o/out 2>../o/err &&
	test_grep "1 peer could not be indexed" ../o/err &&
	git update-ref refs/remotes/broken/main $tree_commit &&
	bestpractice list >/dev/null 2>../o/err &&
	test_line_count = 0 ../o/err &&
	bestpractice peer rm broken >/dev/null
'

test_expect_success 'a shared remote holding a name twice is not merged; the own edit stays' '
	git init -q --bare "$TRASH/team.git" &&
	bestpractice peer add --shared team "$TRASH/team.git" &&
	bestpractice sync team >../o/out &&
	f=public/own-shelving-tip.md &&
	GIT_DIR="$TRASH/team.git" &&
	export GIT_DIR &&
	base=$(git rev-parse main:$f) &&
	theirs=$(printf -- "---\ntitle: Own shelving tip\nsector: public\n---\nTheir body.\n" |
		git hash-object -w --stdin) &&
	hex() { perl -e "print pack(q(H*), q($1))"; } &&
	public=$({ printf "100644 own-shelving-tip.md\0"; hex $base;
		printf "100644 own-shelving-tip.md\0"; hex $theirs; } |
		git hash-object -w --literally -t tree --stdin) &&
	root=$( (git ls-tree main | grep -v "	public\$"; printf "040000 tree %s\tpublic\n" $public) |
		git mktree) &&
	next=$(echo "A name held twice" | git commit-tree $root -p main) &&
	git update-ref refs/heads/main $next &&
	unset GIT_DIR &&
	echo "My own line." >>$f &&
	test_expect_code 2 bestpractice sync team >../o/out 2>../o/err &&
	test_grep "peer '"'"'team'"'"': not merged: '"'"'public/own-shelving-tip.md'"'"' is a duplicate entry" ../o/err &&
	test_grep "My own line." $f &&
	git show HEAD:$f >../o/head &&
	test_grep "My own line." ../o/head &&
	bestpractice peer rm team >/dev/null &&
	rm -rf "$TRASH/team.git"
'

test_expect_success 'output is free of raw control characters' '
	bestpractice list >../o/list &&
	test_no_raw_controls ../o/list &&
	test_no_raw_controls ../o/err
'

test_expect_success 'nothing run, no own tip lost' '
	test_no_markers &&
	test_own_intact
'

test_done
