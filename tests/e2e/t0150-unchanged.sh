#!/bin/sh
# A search (or list, tags, sectors, the shell completion of ids, sectors and tags) of a KB where
# nothing changed since the index was last brought up to date answers from the index alone,
# without git: libgit2 is not even loaded (the KB's stamp, lib/stamp.c).
# Any change git would see makes the search ask git again, and find what changed: an edit
# that keeps the file's size and modification time, a new untracked file, a commit made
# with git, a peer fetched with git, a new remote.
#
# "Without git" is shown by a libgit2 that cannot be loaded: an empty file named as its
# soname, first on LD_LIBRARY_PATH. A search that needs git then fails, saying so.
#
# A stamp with a time stamp of the last two seconds is not trusted (a second change in the
# same clock tick could keep it): the cases wait that long before they expect the quick way,
# and the edit that keeps its file's size and modification time waits too, so that only its
# change time tells.
. "$(dirname "$0")/lib.sh"

soname=$(sed -n "s/^#define LIBGIT2_VER_\(MAJOR\|MINOR\) *\([0-9]*\)$/\2/p" \
	"$(pkg-config --variable=includedir libgit2)/git2/version.h" | paste -sd. -)
mkdir nogit && : >"nogit/libgit2.so.$soname"

# A search with no libgit2 to load: succeeds only the quick way.
quick() {
	LD_LIBRARY_PATH="$TRASH/nogit" bestpractice search "$@"
}

# Let every time stamp age past the racy window, then search once so that the index keeps
# the KB's stamp.
settle() {
	sleep 2.2 &&
	bestpractice search --exact anything >/dev/null
	test $? -le 1
}

test_expect_success 'setup: a KB with two tips, indexed' '
	echo "$soname" | grep -qx "[0-9][0-9]*\.[0-9][0-9]*" &&
	bestpractice init kb >/dev/null &&
	tip kb "Weeding the reference shelf" public "Weed the almanacs every spring." &&
	tip kb "Triage of a donation" archives "Sort the boxes by accession before anything." &&
	cd kb &&
	settle
'

test_expect_success 'an unchanged KB is searched without libgit2' '
	quick almanacs >../out &&
	test_grep "Weeding the reference shelf" ../out &&
	BESTPRACTICE_KB="$TRASH/kb" quick almanacs >../out &&
	test_grep "Weeding the reference shelf" ../out &&
	(cd .. && quick --kb kb almanacs >out) &&
	test_grep "Weeding the reference shelf" ../out
'

test_expect_success 'list, tags and sectors of an unchanged KB run without libgit2 too' '
	LD_LIBRARY_PATH="$TRASH/nogit" bestpractice list >../out &&
	test_grep "^public/weeding-the-reference-shelf " ../out &&
	test_line_count = 2 ../out &&
	LD_LIBRARY_PATH="$TRASH/nogit" bestpractice sectors >../out &&
	test_grep "archives" ../out &&
	# No tip has a tag: nothing to list (1), and nothing to say.
	test_expect_code 1 env LD_LIBRARY_PATH="$TRASH/nogit" bestpractice tags >../out 2>../err &&
	test_line_count = 0 ../err
'

test_expect_success 'shell completion of ids and sectors runs without libgit2' '
	LD_LIBRARY_PATH="$TRASH/nogit" bestpractice __complete 2 -- bestpractice show pub \
		>../out 2>../err &&
	echo public/weeding-the-reference-shelf >../expect &&
	test_cmp ../expect ../out &&
	LD_LIBRARY_PATH="$TRASH/nogit" bestpractice __complete 3 -- bestpractice list --sector ar \
		>../out 2>../err &&
	test_grep "^archives" ../out &&
	test_line_count = 0 ../err
'

test_expect_success 'a search that needs git says libgit2 cannot be loaded' '
	mkdir -p ../elsewhere && (
		cd ../elsewhere &&
		test_expect_code 127 quick --kb ../kb/public almanacs 2>../err
	) &&
	test_grep "cannot load libgit2.so.$soname" ../err
'

test_expect_success 'an edit in place keeping size and modification time is seen' '
	quick almanacs >../out &&
	f=$(ls public/*.md) &&
	touch -r "$f" ../when &&
	text=$(sed "s/almanacs/gazettes/" "$f") &&
	printf "%s\n" "$text" >"$f" &&
	touch -r ../when "$f" &&
	sleep 2.2 &&
	test_expect_code 127 quick gazettes 2>../err &&
	test_grep "cannot load libgit2" ../err &&
	bestpractice search gazettes >../out &&
	test_grep "Weeding the reference shelf" ../out &&
	settle &&
	quick gazettes >../out &&
	test_grep "Weeding the reference shelf" ../out
'

test_expect_success 'a new untracked tip is seen' '
	make_article school/shelving-by-colour.md "Shelving by colour" school \
		"Colour bands on the spines help the youngest readers." &&
	test_expect_code 127 quick spines 2>../err &&
	bestpractice search spines >../out &&
	test_grep "Shelving by colour" ../out &&
	settle &&
	quick spines >../out
'

test_expect_success 'a commit made with git is seen' '
	git add school && git commit -q -m "colour" &&
	git rm -q --cached school/shelving-by-colour.md && git commit -q -m "untrack" &&
	rm school/shelving-by-colour.md &&
	test_expect_code 127 quick spines 2>../err &&
	test_expect_code 1 bestpractice search spines &&
	settle
'

test_expect_success 'a peer fetched with git, and a new peer, are seen' '
	librarian ../peer "Pat Peer" &&
	tip ../peer "Spine labels" museum "Labels on the spines of the catalogues." &&
	bestpractice peer add pat ../peer >/dev/null &&
	test_expect_code 127 quick catalogues 2>../err &&
	bestpractice sync >/dev/null &&
	bestpractice search catalogues >../out &&
	test_grep "Spine labels" ../out &&
	settle &&
	quick catalogues >../out &&
	test_grep "Spine labels" ../out &&
	tip ../peer "Catalogue cards" museum "Keep the catalogues of cards." &&
	git fetch -q pat &&
	test_expect_code 127 quick catalogues 2>../err &&
	bestpractice search catalogues >../out &&
	test_grep "Catalogue cards" ../out
'

test_done
