#!/bin/bash
# Build hostile peer repositories for the end-to-end tests, one bare repository per class of
# bad input, each holding at least one valid tip beside the bad content.
#
#   tests/hostile/build.sh CLASS DIR
#
# makes DIR/CLASS.git (and, for some classes, helper repositories beside it) and prints the
# facts a test needs as shell assignments (e.g. "commit=..."), to be eval'd. Classes: paths,
# collide, tree, size, scale, markdown, content, inject, history, transport.
#
# Trees that git would refuse to write (names with '/', '..', '.git', duplicates, entries out
# of order, odd modes) are written as raw tree objects with `git hash-object --literally`, as
# git's own t1450-fsck.sh and t7415-submodule-names.sh do; commits with `git commit-tree`,
# branches with `git update-ref`. Dates are fixed, so object ids are the same on every run.
set -eu

class=$1
dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

export GIT_AUTHOR_NAME="Hostile Peer" GIT_AUTHOR_EMAIL="peer@example.org"
export GIT_COMMITTER_NAME="Hostile Peer" GIT_COMMITTER_EMAIL="peer@example.org"
export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"
export GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES

# --- plumbing helpers (GIT_DIR names the repository being built) ---------------------------

# new_repo NAME: an empty bare repository DIR/NAME.git on branch main; sets GIT_DIR.
new_repo() {
	rm -rf "$dir/$1.git"
	git init -q --bare "$dir/$1.git"
	export GIT_DIR="$dir/$1.git"
	git symbolic-ref HEAD refs/heads/main
}

# blob: write stdin as a blob, print its id.
blob() {
	git hash-object -w --stdin
}

# text_blob TEXT: a blob of TEXT and a newline.
text_blob() {
	printf '%s\n' "$1" | blob
}

# tip TITLE WORD [SECTOR]: a valid article whose body holds WORD (for searching it).
tip() {
	printf -- '---\ntitle: %s\nsector: %s\n---\nA good tip about %s, from a peer.\n' \
		"$1" "${3:-law}" "$2" | blob
}

# ent MODE NAME ID: one raw tree entry ("MODE NAME\0" and the 20 bytes of the id).
ent() {
	printf '%s %s\0' "$1" "$2"
	printf "$(printf '%s' "$3" | sed 's/../\\x&/g')"
}

# raw_tree: write the raw entries read from stdin as a tree object, as they are.
raw_tree() {
	git hash-object -w --literally -t tree --stdin
}

# tree LINES: a valid tree from lines "MODE NAME ID" (names without spaces), sorted in git's
# order (a folder sorts as if its name ended with '/').
tree() {
	printf '%s\n' "$1" | grep . | while read -r mode name id; do
		if [ "$mode" = 40000 ]; then key="$name/"; else key=$name; fi
		printf '%s\t%s\t%s\t%s\n' "$key" "$mode" "$name" "$id"
	done | LC_ALL=C sort -t "$(printf '\t')" -k1,1 | while IFS="$(printf '\t')" read -r key mode name id; do
		ent "$mode" "$name" "$id"
	done | raw_tree
}

# commit TREE MESSAGE [PARENT...]: print the new commit's id.
commit() {
	t=$1 m=$2
	shift 2
	p=
	for x in "$@"; do p="$p -p $x"; done
	# shellcheck disable=SC2086
	printf '%s\n' "$m" | git commit-tree "$t" $p
}

# branch NAME COMMIT
branch() {
	git update-ref "refs/heads/$1" "$2"
}

# chain_tree NAME LEVELS LEAF_TREE: LEVELS nested folders NAME/NAME/... around LEAF_TREE.
chain_tree() {
	t=$3
	i=0
	while [ "$i" -lt "$2" ]; do
		t=$(ent 40000 "$1" "$t" | raw_tree)
		i=$((i + 1))
	done
	printf '%s\n' "$t"
}

# say NAME VALUE: a fact for the test.
say() {
	printf "%s='%s'\n" "$1" "$2"
}

# --- classes -------------------------------------------------------------------------------

# Names that are unsafe on some system, beside law/good.md.
build_paths() {
	new_repo paths
	good=$(tip "Good tip beside bad names" zebracitator)
	x=$(tip "Should never be indexed" forbiddenword)
	inner=$(tree "100644 x.md $x")
	long=$(printf 'a%.0s' $(seq 1 297)).md
	deep=$(chain_tree d 40 "$inner")
	# The folder law/: the good tip and every bad name, in git's order (bytes, a folder's name
	# compared as if it ended with '/'), so that git finds nothing wrong with the tree but
	# the names.
	law=$(
		{
			ent 40000 ".." "$inner"
			ent 40000 "." "$inner"
			ent 40000 ".GIT" "$inner"
			ent 40000 ".Git" "$inner"
			ent 40000 ".git " "$inner"
			ent 40000 ".git." "$inner"
			ent 40000 ".git" "$inner"
			ent 40000 "$(printf '.g\342\200\214it')" "$inner"
			ent 100644 "AUX.md" "$x"
			ent 100644 "COM1.md" "$x"
			ent 40000 "CON" "$inner"
			ent 100644 "a/b.md" "$x"
			ent 100644 "a\\b.md" "$x"
			ent 100644 "$long" "$x"
			ent 100644 "$(printf 'bad\001name.md')" "$x"
			ent 100644 "$(printf 'bad\033[31mred.md')" "$x"
			ent 100644 "$(printf 'caf\351-latin1.md')" "$x"
			ent 40000 "d" "$deep"
			ent 40000 "git~1" "$inner"
			ent 100644 "good.md" "$good"
			ent 100644 "$(printf 'new\nline.md')" "$x"
			ent 100644 "nul .md" "$x"
			ent 100644 "x.md::\$DATA" "$x"
		} | raw_tree
	)
	root=$(
		{
			ent 40000 ".." "$inner"
			ent 40000 ".git" "$(tree "100644 config $x")"
			ent 40000 "law" "$law"
		} | raw_tree
	)
	c=$(commit "$root" "Tips beside names no system should see")
	branch main "$c"
	say commit "$c"
	say bad 24
}

# Names that collide on case-insensitive or normalising file systems.
build_collide() {
	new_repo collide
	good=$(tip "Good tip beside collisions" zebracitator medical)
	upper=$(tip "Upper-case folder" firstfolder)
	lower=$(tip "Lower-case folder" secondfolder)
	nfd=$(tip "Cafe decomposed" firstcafe)
	nfc=$(tip "Cafe composed" secondcafe)
	a_upper=$(tree "100644 a.md $upper")
	a_lower=$(tree "100644 a.md $lower")
	# NFD "cafe\u0301" sorts before NFC "caf\u00e9" ('e' < 0xc3): the NFD one is kept.
	archives=$(
		{
			ent 100644 "$(printf 'cafe\314\201.md')" "$nfd"
			ent 100644 "$(printf 'caf\303\251.md')" "$nfc"
		} | raw_tree
	)
	root=$(
		{
			ent 40000 "Law" "$a_upper"
			ent 40000 "archives" "$archives"
			ent 40000 "law" "$a_lower"
			ent 40000 "medical" "$(tree "100644 good.md $good")"
		} | raw_tree
	)
	c=$(commit "$root" "Names that differ only in case or normalisation")
	branch main "$c"
	say commit "$c"
}


# Tree entries that are out of the ordinary: duplicates, disorder, odd modes, links,
# submodules, and files that would be configuration if anyone read them as such.
build_tree() {
	new_repo tree
	mkdir -p "$dir/markers"
	m=$dir/markers
	good=$(tip "Good tip beside odd entries" zebracitator)
	first=$(tip "First of two entries named alike" firstdup)
	second=$(tip "Second of two entries named alike" seconddup)
	x=$(tip "Should never be indexed" forbiddenword)
	a=$(tip "Sorted after b" sortedafter)
	b=$(tip "Sorted before a" sortedbefore)
	target=$(printf '/etc/passwd' | blob)
	dirtarget=$(printf '/etc' | blob)
	unsorted=$({ ent 100644 b.md "$b"; ent 100644 a.md "$a"; } | raw_tree)
	folder=$(tree "100644 x.md $x")
	hook=$(printf '#!/bin/sh\ntouch "%s/hook-in-tree"\n' "$m" | blob)
	gitmodules=$(printf '[submodule "sub"]\n\tpath = law/sub\n\turl = ext::sh -c touch%% %s/gitmodules\n\tupdate = !touch %s/gitmodules-update\n' "$m" "$m" | blob)
	attributes=$(printf '* filter=evil diff=evil merge=evil\n*.md text eol=crlf ident\n' | blob)
	config=$(printf '[core]\n\tfsmonitor = touch %s/config-fsmonitor\n\thooksPath = %s\n[filter "evil"]\n\tclean = touch %s/filter-clean\n\tsmudge = touch %s/filter-smudge\n[diff "evil"]\n\ttextconv = touch %s/diff-textconv\n' "$m" "$m" "$m" "$m" "$m" | blob)
	law=$(
		{
			ent 100644 .gitattributes "$attributes"
			ent 100644 dup.md "$first"
			ent 100644 dup.md "$second"
			ent 100644 good.md "$good"
			ent 120000 linked-folder "$dirtarget"
			ent 100664 mode-664.md "$x"
			ent 120000 passwd.md "$target"
			ent 160000 sub "1234567890123456789012345678901234567890"
			ent 160000 sub.md "1234567890123456789012345678901234567890"
			ent 40000 unsorted "$unsorted"
		} | raw_tree
	)
	hooks=$(tree "100755 post-checkout $hook
100755 pre-upload $hook
100755 post-merge $hook")
	root=$(
		{
			ent 100644 .gitattributes "$attributes"
			ent 100644 .gitmodules "$gitmodules"
			ent 100644 config "$config"
			ent 40000 hooks "$hooks"
			ent 40000 law "$law"
		} | raw_tree
	)
	c=$(commit "$root" "Odd entries: duplicates, disorder, modes, links, submodules")
	branch main "$c"
	say commit "$c"
}

# Entries that name an object of another kind than their mode says: trees git itself cannot
# walk (its gc, repack and fetch fail on them).
build_kinds() {
	new_repo kinds
	good=$(tip "Good tip beside entries of the wrong kind" zebracitator)
	x=$(tip "Should never be indexed" forbiddenword)
	folder=$(tree "100644 x.md $x")
	c=$(commit "$(tree "40000 law $(tree "100644 good.md $good")")" "Good")
	branch main "$c"
	say commit "$c"
	# A blob recorded as a folder.
	say folder_blob "$(commit "$(tree "40000 law $(tree "100644 good.md $good
40000 folder-blob.md $x")")" "A blob recorded as a folder" "$c")"
	# A folder recorded as a file.
	say file_tree "$(commit "$(tree "40000 law $(tree "100644 good.md $good
100644 not-a-blob.md $folder")")" "A folder recorded as a file" "$c")"
}

# A tree with an entry whose name is empty, in a folder beside a good one.
build_emptyname() {
	new_repo emptyname
	good=$(tip "Good tip beside an empty name" zebracitator)
	x=$(tip "Should never be indexed" forbiddenword)
	bad=$({ ent 100644 "" "$x"; ent 100644 ok.md "$x"; } | raw_tree)
	root=$(
		{
			ent 40000 law "$(tree "100644 good.md $good")"
			ent 40000 medical "$bad"
		} | raw_tree
	)
	c=$(commit "$root" "An entry with an empty name")
	branch main "$c"
	say commit "$c"
	# Then the root folder itself with an entry of an empty name: no tree of it can be read.
	later=$(tip "A later tip nobody can read" laterword)
	root=$({ ent 100644 "" "$x"; ent 40000 law "$(tree "100644 later.md $later")"; } | raw_tree)
	say rootbad "$(commit "$root" "A root folder with an empty name" "$c")"
}

# A 50 MB file named like an article (highly compressible: it costs little to store and
# fetch, but 50 MB of memory to whoever reads it), beside a good tip.
build_size() {
	new_repo size
	good=$(tip "Good tip beside a huge file" zebracitator)
	huge=$({
		printf -- '---\ntitle: Huge\nsector: law\n---\n'
		yes 'hugeword filler text that repeats and repeats' | head -c 52428800
	} | blob)
	root=$(tree "40000 law $(tree "100644 good.md $good
100644 huge.md $huge")")
	c=$(commit "$root" "A tip and a 50 MB file")
	branch main "$c"
	say commit "$c"
	say huge "$huge"
}

# 100 000 files in one tree (100 folders of 1000) and a history of 10 000 commits (the last
# 9 999 each change one file), written with git fast-import.
build_scale() {
	new_repo scale
	perl -e '
		my $t = 1700000000;
		print "commit refs/heads/main\ncommitter Hostile Peer <peer\@example.org> $t +0000\n";
		print "data 14\n100 000 files\n";
		for my $f (0 .. 99) {
			for my $i (0 .. 999) {
				my $n = $f * 1000 + $i;
				my $d = sprintf("---\ntitle: Tip number %d\nsector: s%02d\n---\nscaleword tip%d about folder %d.\n", $n, $f, $n, $f);
				printf "M 100644 inline s%02d/tip-%04d.md\ndata %d\n%s\n", $f, $i, length($d), $d;
			}
		}
		for my $c (1 .. 9999) {
			$t++;
			my $d = sprintf("---\ntitle: A tip changed often, version %d\nsector: log\n---\nscaleword changing version%d.\n", $c, $c);
			print "commit refs/heads/main\ncommitter Hostile Peer <peer\@example.org> $t +0000\n";
			printf "data %d\n%s\n", length("change $c"), "change $c";
			printf "M 100644 inline log/changing.md\ndata %d\n%s\n", length($d), $d;
		}
	' | git fast-import --quiet
	say commit "$(git rev-parse main)"
}

# cmark's pathological inputs (its test/pathological_tests.py), one per article, and one of
# them as large as an article may be (4 MB of '<!--': 650 MB of parse tree in one piece).
build_markdown() {
	new_repo markdown
	good=$(tip "Good tip beside pathological Markdown" zebracitator)
	lines="100644 good.md $good"
	n=0
	while IFS='|' read -r name perl; do
		n=$((n + 1))
		id=$({
			printf -- '---\ntitle: Pathological %s\nsector: law\n---\n' "$name"
			perl -e "binmode STDOUT; print $perl"
		} | blob)
		lines="$lines
100644 $name.md $id"
	done <<-\EOF
	nested-emphasis|"*a **a " x 65000, "b", " a** a*" x 65000
	emphasis-closers|"a_ " x 65000
	emphasis-openers|"_a " x 65000
	link-closers|"a]" x 65000
	link-openers|"[a" x 65000
	mismatched|"*a_ " x 50000
	multiple-of-3|"a**b", "c* " x 50000
	link-emphasis|"[ a_" x 50000
	bracket-paren|"[ (](" x 80000
	nested-brackets|"[" x 50000, "a", "]" x 50000
	nested-quotes|"> " x 50000, "a"
	nested-lists|join("", map { "  " x $_ . "* a\n" } 0 .. 999)
	deep-lists-flat|"* " x 50000, "a"
	backticks|join("", map { "e" . "`" x $_ } 1 .. 2500)
	unclosed-links-a|"[a](<b" x 30000
	unclosed-links-b|"[a](b" x 30000
	unclosed-comments|"</", "<!--" x 300000
	references|"[a]: /u\n" x 20000, "[a]\n" x 20000
	entities|"&#" x 100000, "&amp" x 100000
	headings|"#" x 10000, " a\n" x 1, ("a\n" . "=" x 1000 . "\n") x 1000
	long-line|"word " x 800000
	huge-comments|"</", "<!--" x 1000000
	EOF
	root=$(tree "40000 law $(tree "$lines")")
	c=$(commit "$root" "Markdown that is slow to parse for naive parsers")
	branch main "$c"
	say commit "$c"
	say files "$n"
}

# Files whose content is not what an article should be: each one, alone, a problem.
build_content() {
	new_repo content
	m=$dir/markers
	mkdir -p "$m"
	fm='---\ntitle: %s\nsector: law\n---\n'
	good=$(tip "Good tip beside odd content" zebracitator)
	nul=$({ printf -- "$fm" "NUL bytes"; printf 'nulword before\000after the NUL\n'; } | blob)
	latin1=$({ printf -- "$fm" "Latin-1 body"; printf 'latinword caf\351 cr\350me\n'; } | blob)
	utf16bom=$(printf -- "$fm"'utf16word body\n' "UTF-16 with BOM" | iconv -f UTF-8 -t UTF-16 | blob)
	utf16be=$(printf -- "$fm"'utf16word body\n' "UTF-16 without BOM" | iconv -f UTF-8 -t UTF-16BE | blob)
	bom=$({ printf '\357\273\277'; printf -- "$fm" "Byte order mark"; printf 'bomword body\n'; } | blob)
	crlf=$(printf -- '---\r\ntitle: Windows line ends\r\nsector: law\r\n---\r\ncrlfword body\r\n' | blob)
	unterminated=$(printf -- '---\ntitle: Never closed\nsector: law\nunterminatedword body\n' | blob)
	hugefm=$({
		printf -- '---\ntitle: Huge front matter\nsector: law\nnotes: |\n'
		yes '  a line of notes in the front matter, long enough to add up' | head -n 1200
		printf -- '---\nhugefmword body\n'
	} | blob)
	bomb=$(printf -- '---\ntitle: Billion laughs\nsector: law\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\ntags: *i\n---\nlaughword body\n' | blob)
	pytag=$(printf -- '---\ntitle: !!python/object/apply:os.system ["touch %s/python"]\nsector: law\n---\npythonword body\n' "$m" | blob)
	date=$(printf -- '---\ntitle: Impossible date\nsector: law\ncreated: 2023-02-30\n---\ndateword body\n' | blob)
	root=$(tree "40000 law $(tree "100644 good.md $good
100644 nul-bytes.md $nul
100644 latin1.md $latin1
100644 utf16-bom.md $utf16bom
100644 utf16-be.md $utf16be
100644 bom.md $bom
100644 crlf.md $crlf
100644 unterminated.md $unterminated
100644 huge-front-matter.md $hugefm
100644 billion-laughs.md $bomb
100644 python-tag.md $pytag
100644 impossible-date.md $date")")
	c=$(commit "$root" "Content that is not quite an article")
	branch main "$c"
	say commit "$c"
}

# Terminal escape sequences wherever a peer can put text: titles, tags, authors, paths,
# branch names and (for a shared history) commit messages and authors.
ESC=$(printf '\033')
CSI="$ESC[2J$ESC[31m"
OSC8="$ESC]8;;https://evil.example/$ESC\\click$ESC]8;;$ESC\\"
OSC52="$ESC]52;c;ZXZpbA==$(printf '\007')"
DCS="${ESC}P+q544e$ESC\\"
C1=$(printf '\302\233')
BIDI=$(printf '\342\200\256')
build_inject() {
	new_repo inject
	good=$(tip "Good tip beside escapes" zebracitator)
	# YAML cannot carry control characters raw: its double-quoted escapes can.
	yesc='\e[2J\e[31m \e]8;;https://evil.example/\e\\click\e]8;;\e\\ \e]52;c;ZXZpbA==\a \u009b \u202e'
	title=$({
		printf -- '---\ntitle: "Title %s"\nsector: law\n' "$yesc"
		printf 'tags: [ok, "bad\\e[31mtag", "\\u202etag"]\nauthor: "Eve %s"\n---\n' "$yesc"
		printf 'injectword body %s %s %s %s %s\n' "$CSI" "$OSC8" "$BIDI" "$DCS" "$C1$OSC52"
	} | blob)
	plain=$(printf -- '---\ntitle: Plain title\nsector: law\n---\nbidipathword body\n' | blob)
	heading=$(printf -- '# Heading %s%s and %s\n\nheadingword body\n' "$CSI" "$OSC52" "$C1" | blob)
	# In git's order: "c1" < "esc\033" < "escapes" < "evil" < "good" < "no-front-matter".
	law=$(
		{
			ent 100644 "c1$C1.md" "$plain"
			ent 100644 "esc$ESC[31m.md" "$plain"
			ent 100644 escapes.md "$title"
			ent 100644 "evil${BIDI}dm.md" "$plain"
			ent 100644 good.md "$good"
			ent 100644 no-front-matter.md "$heading"
		} | raw_tree
	)
	root=$(tree "40000 law $law")
	c=$(commit "$root" "$(printf 'Subject %s%s%s' "$CSI" "$OSC52" "$BIDI")")
	branch "main${BIDI}evil" "$c"
	git symbolic-ref HEAD "refs/heads/main${BIDI}evil"
	say commit "$c"
	# A shared history: its commits carry escapes in their messages and authors.
	new_repo inject-shared
	tip1=$(tip "Shared tip" sharedword)
	tip2=$(tip "A tip whose name reads backwards" backwardsword)
	root=$(tree "40000 law $({ ent 100644 "evil${BIDI}dm.md" "$tip2"; ent 100644 shared.md "$tip1"; } | raw_tree)")
	c=$(GIT_AUTHOR_NAME="Mallory $CSI$BIDI" commit "$root" "$(printf 'Add %s%s%s%s tip\n\nBody %s' "$CSI" "$OSC8" "$C1" "$BIDI" "$DCS")")
	branch main "$c"
	say shared_commit "$c"
}

# Histories that move or break: a force-push to an unrelated history, objects missing or
# corrupt, a shallow repository, refs with invalid names, a HEAD naming no branch.
build_history() {
	new_repo history
	a1=$(tip "Alpha tip" alphaword)
	a2=$(tip "Beta tip" betaword)
	b1=$(tip "Gamma tip" gammaword)
	first=$(commit "$(tree "40000 law $(tree "100644 alpha.md $a1
100644 beta.md $a2")")" "First history")
	unrelated=$(commit "$(tree "40000 law $(tree "100644 gamma.md $b1")")" "An unrelated history")
	missing=$(commit "$(tree "40000 law $(tree "100644 gamma.md $b1
100644 lost.md 0123456789abcdef0123456789abcdef01234567")")" "A blob that is nowhere" "$unrelated")
	corrupt_blob=$(tip "Corrupt tip" corruptword)
	corrupt=$(commit "$(tree "40000 law $(tree "100644 gamma.md $b1
100644 corrupt.md $corrupt_blob")")" "A blob that is damaged" "$unrelated")
	# Damage the loose object: same name, other bytes.
	f="$GIT_DIR/objects/$(printf '%s' "$corrupt_blob" | cut -c1-2)/$(printf '%s' "$corrupt_blob" | cut -c3-)"
	chmod u+w "$f"
	printf 'this is not a zlib stream' >"$f"
	branch main "$first"
	branch other "$unrelated"
	say first "$first"
	say unrelated "$unrelated"
	say missing "$missing"
	say corrupt "$corrupt"
	# Refs git would never write, beside a good branch.
	new_repo badrefs
	good=$(tip "Good tip beside bad refs" zebracitator)
	c=$(commit "$(tree "40000 law $(tree "100644 good.md $good")")" "Good")
	branch main "$c"
	for name in 'bad..dots' 'x.lock' '-dash' 'sp ace' 'tilde~1' 'colon:x' 'ends.'; do
		printf '%s\n' "$c" >"$GIT_DIR/refs/heads/$name"
	done
	printf '%s\n' 0123456789abcdef0123456789abcdef01234567 >"$GIT_DIR/refs/heads/nowhere"
	printf 'ref: refs/heads/gone\n' >"$GIT_DIR/refs/heads/dangling"
	say badrefs_commit "$c"
	# HEAD names a branch that does not exist.
	new_repo dangling
	good=$(tip "Good tip behind a dangling HEAD" zebracitator)
	c=$(commit "$(tree "40000 law $(tree "100644 good.md $good")")" "Good")
	branch main "$c"
	git symbolic-ref HEAD refs/heads/gone
	say dangling_commit "$c"
	# A shallow clone of a history of its own: its first commit's parent is nowhere.
	new_repo deep
	d1=$(tip "Deep tip one" deeponeword)
	d2=$(tip "Deep tip two" deeptwoword)
	c=$(commit "$(tree "40000 law $(tree "100644 one.md $d1")")" "Deep one")
	c=$(commit "$(tree "40000 law $(tree "100644 one.md $d1
100644 two.md $d2")")" "Deep two" "$c")
	branch main "$c"
	unset GIT_DIR
	rm -rf "$dir/shallow.git"
	git clone -q --bare --depth 1 "file://$dir/deep.git" "$dir/shallow.git"
	export GIT_DIR="$dir/shallow.git"
	a1=$(tip "Alpha tip" alphaword)
	two=$(commit "$(tree "40000 law $(tree "100644 gamma.md $b1
100644 alpha.md $a1")")" "On top of a shallow history" "$(git rev-parse HEAD)")
	three=$(commit "$(tree "40000 law $(tree "100644 alpha.md $a1")")" "Second on top" "$two")
	git update-ref HEAD "$three"
	say shallow "$three"
}

# A local peer whose configuration, hooks and alternates would run commands or bring in
# another repository's objects if anyone honoured them.
build_transport() {
	m=$dir/markers
	mkdir -p "$m"
	# The repository whose objects must never leak in.
	new_repo secret
	secret=$(tip "Secret tip" secretword)
	c=$(commit "$(tree "40000 law $(tree "100644 secret.md $secret")")" "Secret")
	branch main "$c"
	say secret_blob "$secret"
	# A non-bare repository with every hook and every command-running setting.
	rm -rf "$dir/configured"
	unset GIT_DIR
	git init -q "$dir/configured"
	export GIT_DIR="$dir/configured/.git"
	git symbolic-ref HEAD refs/heads/main
	good=$(tip "Good tip from a configured peer" zebracitator)
	c=$(commit "$(tree "40000 law $(tree "100644 good.md $good")")" "Good")
	branch main "$c"
	# The working tree first: what follows would run on every git command here.
	git read-tree main
	git --work-tree="$dir/configured" checkout-index -a -q
	for h in applypatch-msg pre-applypatch post-applypatch pre-commit pre-merge-commit \
		prepare-commit-msg commit-msg post-commit pre-rebase post-checkout post-merge \
		pre-push pre-receive update proc-receive post-receive post-update \
		reference-transaction push-to-checkout pre-auto-gc post-rewrite sendemail-validate \
		fsmonitor-watchman p4-changelist p4-prepare-changelist p4-post-changelist \
		p4-pre-submit post-index-change pre-upload upload-pack; do
		for d in "$GIT_DIR/hooks" "$dir/configured-hooks"; do
			mkdir -p "$d"
			printf '#!/bin/sh\ntouch "%s/hook-%s"\n' "$m" "$h" >"$d/$h"
			chmod +x "$d/$h"
		done
	done
	cat >>"$GIT_DIR/config" <<-EOF
	[core]
		fsmonitor = touch $m/fsmonitor
		hooksPath = $dir/configured-hooks
		sshCommand = touch $m/sshcommand
		gitProxy = touch $m/gitproxy
		askPass = touch $m/askpass
		pager = touch $m/pager
		editor = touch $m/editor
	[uploadpack]
		packObjectsHook = touch $m/packobjectshook
	[credential]
		helper = !touch $m/credential
	[filter "evil"]
		clean = touch $m/filter-clean
		smudge = touch $m/filter-smudge
		process = touch $m/filter-process
	[diff "evil"]
		textconv = touch $m/textconv
	[remote "origin"]
		url = ext::sh -c touch% $m/remote-ext
	[url "ext::sh -c touch% $m/insteadof #"]
		insteadOf = $dir/
	EOF
	printf '* filter=evil diff=evil\n' >"$GIT_DIR/info/attributes"
	# A repository that borrows objects from the secret one: its tip needs a blob it does not
	# have itself.
	new_repo borrower
	printf '%s/secret.git/objects\n' "$dir" >"$GIT_DIR/objects/info/alternates"
	good=$(tip "Good tip from a borrower" zebracitator)
	c=$(commit "$(tree "40000 law $(tree "100644 good.md $good
100644 borrowed.md $secret")")" "A tip and a borrowed one")
	branch main "$c"
	# A repository with the same alternates that needs nothing from them.
	new_repo decoy
	printf '%s/secret.git/objects\n' "$dir" >"$GIT_DIR/objects/info/alternates"
	good=$(tip "Good tip from a decoy" zebracitator)
	c=$(commit "$(tree "40000 law $(tree "100644 good.md $good")")" "Good")
	branch main "$c"
	say decoy_commit "$c"
}

case $class in
paths | collide | tree | kinds | emptyname | size | scale | markdown | content | inject | history | \
	transport) "build_$class" ;;
*)
	echo "build.sh: unknown class '$class'" >&2
	exit 2
	;;
esac
