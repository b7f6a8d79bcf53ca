#!/bin/sh
# After any sequence of adds, edits, removals, imports and hand changes (edits of bodies and
# front matter, new files, deletions, renames with mv and git mv, commits, reverts), the index
# that followed them incrementally holds exactly what a rebuild from scratch holds.
#
# The operations are random but replayable: the seed is printed, and BP_TEST_SEED=N runs the
# same sequence again (BP_TEST_OPS=N changes its length). After every few operations the
# index is dumped (dump-index) and checked, then rebuilt from scratch (reindex) and dumped
# again: the two dumps must be identical, and check must find the index in step with git.
. "$(dirname "$0")/lib.sh"

seed=${BP_TEST_SEED:-20240611}
ops=${BP_TEST_OPS:-250}
say "# seed $seed, $ops operations (replay with BP_TEST_SEED=$seed)"

# A linear congruential generator, as dash has no $RANDOM: rnd N sets r to 0..N-1.
rnd_state=$seed
rnd() {
	rnd_state=$(((rnd_state * 1103515245 + 12345) % 2147483648))
	r=$(((rnd_state / 65536) % $1))
}

# Pick one of the arguments into $pick.
choose() {
	rnd $#
	shift "$r"
	pick=$1
}

SECTORS="law medical museum school archives"
WORDS="weeding catalogue retention triage café Zürich budget volunteer donation licence induction salvage"

word() {
	# shellcheck disable=SC2086
	choose $WORDS
	w=$pick
}

# The program, recording any exit status outside 0-3 (a crash, a sanitizer's report).
bp() {
	bestpractice "$@" >>"$TRASH/bp.out" 2>>"$TRASH/bp.err"
	bp_rc=$?
	if [ "$bp_rc" -gt 3 ]; then
		echo "exit $bp_rc: bestpractice $*" >>"$TRASH/crashes"
	fi
	return "$bp_rc"
}

# A random article file of the working tree in $f (empty when there is none).
pick_article() {
	set -- */*.md */*/*.md
	f=
	[ -f "$1" ] || shift # a pattern that matched nothing stays as it is
	[ $# -gt 0 ] || return 0
	rnd $#
	shift "$r"
	[ -f "$1" ] && f=$1
}

# A random path of HEAD that the working tree changed or deleted, in $f (or empty).
pick_changed() {
	git diff --name-only --diff-filter=MD HEAD -- '*.md' >"$TRASH/files"
	n=$(wc -l <"$TRASH/files")
	f=
	if [ "$n" -gt 0 ]; then
		rnd "$n"
		f=$(sed -n "$((r + 1))p" "$TRASH/files")
	fi
}

# A random new article path in $dest (sometimes a folder deeper).
new_path() {
	# shellcheck disable=SC2086
	choose $SECTORS
	rnd 8
	if [ "$r" -eq 0 ]; then
		dest=$pick/sub/hand-$step.md
	else
		dest=$pick/hand-$step.md
	fi
	mkdir -p "$(dirname "$dest")"
}

log() {
	echo "$step: $*" >>"$TRASH/ops.log"
}

# One random operation. `step` numbers it.
operate() {
	rnd 23
	case $r in
	0 | 1) # add through the program, from standard input
		word
		choose $SECTORS
		log "add -s $pick 'Tip $step about $w'"
		printf 'Advice on %s, step %s.\n\nSee [the guide](https://host%s.example/%s).\n' \
			"$w" "$step" "$step" "$w" |
			bp add -t "Tip $step about $w" -s "$pick" -g "tag-$((step % 7))"
		;;
	2) # edit through the program, with an editor that appends a line and retitles
		pick_article
		[ -n "$f" ] || return 0
		word
		log "edit ${f%.md} (append $w, retitle)"
		BP_LINE="Edited at step $step: $w." BP_TITLE="Edited $step $w" \
			EDITOR="$TRASH/editor.sh" bp edit "${f%.md}"
		;;
	3) # rm through the program
		pick_article
		[ -n "$f" ] || return 0
		log "rm ${f%.md}"
		bp rm "${f%.md}"
		;;
	4 | 5) # a hand edit of the body
		pick_article
		[ -n "$f" ] || return 0
		word
		log "hand edit body of $f ($w)"
		printf '\nA hand-written line about %s at step %s.\n' "$w" "$step" >>"$f"
		;;
	6) # a hand edit of the front matter
		pick_article
		[ -n "$f" ] || return 0
		word
		rnd 6
		case $r in
		0) log "hand retitle $f"
		   sed -i "s/^title: .*/title: Retitled by hand $step $w/" "$f" ;;
		1) log "hand retag $f"
		   if grep -q '^tags:' "$f"; then
			   sed -i "s/^tags: .*/tags: [$w, step-$step]/" "$f"
		   else
			   sed -i "1a tags: [$w]" "$f"
		   fi ;;
		2) choose $SECTORS
		   log "hand change of sector of $f to $pick"
		   sed -i "s/^sector: .*/sector: $pick/" "$f" ;;
		3) log "hand change of author and dates of $f"
		   sed -i "s/^author: .*/author: Hand $step <h$step@example.org>/; s/^created: .*/created: 2021-0$((step % 9 + 1))-1$((step % 10))/" "$f" ;;
		4) log "hand break of the front matter of $f"
		   sed -i "s/^tags: .*/tags: [unclosed, $w/" "$f" ;;
		5) log "hand removal of the front matter of $f"
		   awk 'NR == 1 && /^---$/ { fm = 1; next } fm && /^---$/ { fm = 0; next } !fm' \
			   "$f" >"$TRASH/nofm" && cat "$TRASH/nofm" >"$f" ;;
		esac
		;;
	7 | 8) # a new file by hand
		new_path
		word
		log "hand new $dest"
		make_article "$dest" "Hand tip $step on $w" "${dest%%/*}" \
			"Notes on $w from step $step, with *emphasis* and a [link](https://hand$step.example)."
		;;
	9) # a deletion by hand
		pick_article
		[ -n "$f" ] || return 0
		log "hand rm $f"
		rm -f "$f"
		;;
	10) # a rename by hand, with mv
		pick_article
		[ -n "$f" ] || return 0
		new_path
		log "hand mv $f $dest"
		mv "$f" "$dest"
		;;
	11) # a rename with git mv (tracked files only)
		git ls-files -- '*/*.md' >"$TRASH/files"
		n=$(wc -l <"$TRASH/files")
		[ "$n" -gt 0 ] || return 0
		rnd "$n"
		f=$(sed -n "$((r + 1))p" "$TRASH/files")
		[ -f "$f" ] || return 0
		new_path
		log "git mv $f $dest"
		git mv "$f" "$dest"
		;;
	12) # a commit of the hand changes, by git
		log "git commit of everything"
		git add -A . && { git diff --cached --quiet || git commit -q -m "hand changes $step"; }
		;;
	13) # a hand change reverted by git
		pick_changed
		[ -n "$f" ] || return 0
		log "git checkout HEAD -- $f"
		git checkout -q HEAD -- "$f"
		;;
	14) # a hand change reverted with an unstaged checkout
		git diff --name-only -- '*.md' >"$TRASH/files"
		n=$(wc -l <"$TRASH/files")
		[ "$n" -gt 0 ] || return 0
		rnd "$n"
		f=$(sed -n "$((r + 1))p" "$TRASH/files")
		log "git checkout -- $f"
		git checkout -q -- "$f"
		;;
	15) # import through the program
		word
		choose $SECTORS
		mkdir -p "$TRASH/imp"
		printf '# Imported %s %s\n\nAn imported note on %s.\n' "$step" "$w" "$w" \
			>"$TRASH/imp/note-$step.md"
		log "import --sector $pick note-$step.md"
		bp import --sector "$pick" "$TRASH/imp/note-$step.md"
		;;
	16 | 17) # a search, which brings the index up to date
		word
		log "search $w"
		bp search "$w"
		;;
	18) # a hand rewrite with the same content (only the file's time changes)
		pick_article
		[ -n "$f" ] || return 0
		log "hand rewrite of $f, same content"
		cp "$f" "$TRASH/same" && cat "$TRASH/same" >"$f"
		;;
	19) # a file that is no article: at the root, hidden, or not Markdown
		log "hand non-articles"
		echo "# Read me" >README.md
		echo "x" >"law/.hidden-$step.md" 2>/dev/null
		echo "x" >"medical/notes-$step.txt" 2>/dev/null
		;;
	20 | 21) # a hand change seen by a search, then reverted by git
		git ls-files -- '*/*.md' >"$TRASH/files"
		n=$(wc -l <"$TRASH/files")
		[ "$n" -gt 0 ] || return 0
		rnd "$n"
		f=$(sed -n "$((r + 1))p" "$TRASH/files")
		word
		rnd 2
		if [ "$r" -eq 0 ]; then
			log "hand rm $f, search, git checkout HEAD -- $f"
			rm -f "$f"
		else
			log "hand edit $f, search, git checkout HEAD -- $f"
			echo "Changed my mind about $w." >>"$f"
		fi
		bp search "$w"
		git checkout -q HEAD -- "$f"
		;;
	22) # a file with odd content, new or over an article: some are skipped, some lenient
		dest=
		rnd 2
		if [ "$r" -eq 0 ]; then
			pick_article
			dest=$f
		fi
		[ -n "$dest" ] || new_path
		rnd 6
		case $r in
		0) log "hand UTF-16 file $dest"
		   printf '\377\376-\000-\000-\000\n\000' >"$dest" ;;
		1) log "hand file with invalid UTF-8 $dest"
		   printf -- '---\ntitle: Caf\351 %s\nsector: law\n---\nNa\357ve \377 body\n' "$step" \
			   >"$dest" ;;
		2) log "hand empty file $dest"
		   : >"$dest" ;;
		3) log "hand file with CRLF line ends $dest"
		   printf -- '---\r\ntitle: Windows %s\r\nsector: school\r\ntags: [crlf]\r\n---\r\nBody.\r\n' \
			   "$step" >"$dest" ;;
		4) log "hand file with a NUL byte $dest"
		   printf -- '---\ntitle: Nul %s\nsector: law\n---\nA \000 B\n' "$step" >"$dest" ;;
		5) log "hand file with front matter only $dest"
		   printf -- '---\ntitle: Only front matter %s\nsector: museum\n---\n' "$step" >"$dest" ;;
		esac
		;;
	esac
	# Now and then a search, as a user would run between changes.
	rnd 3
	if [ "$r" -eq 0 ]; then
		word
		log "search $w"
		bp search "$w"
	fi
	return 0
}

# Dump the incremental index, check it (every third round), set it aside and rebuild, and compare the two. The
# index is a cache under .git: setting it aside and putting it back leaves the KB as it was,
# and costs far less than a copy of the KB at every round.
compare() {
	ix=.git/bestpractice/index.sqlite
	bestpractice dump-index >"$TRASH/inc.dump" 2>"$TRASH/inc.err" || {
		cat "$TRASH/inc.err"
		return 1
	}
	: >"$TRASH/check.err"
	if [ $((round % 3)) -eq 0 ]; then
		bestpractice check >"$TRASH/check.out" 2>"$TRASH/check.err"
	fi
	mv "$ix" "$TRASH/incremental.sqlite" &&
	bestpractice reindex >/dev/null 2>&1 &&
	bestpractice dump-index >"$TRASH/full.dump" 2>/dev/null &&
	rm -f "$ix-wal" "$ix-shm" &&
	mv "$TRASH/incremental.sqlite" "$ix" || return 1
	ok=1
	if grep "index (\|did not match" "$TRASH/check.err"; then
		say "check saw the incremental index differ from git"
		ok=
	fi
	if ! diff "$TRASH/full.dump" "$TRASH/inc.dump" >"$TRASH/dump.diff"; then
		say "the incremental index differs from a rebuild (< rebuild, > incremental):"
		cut -c1-300 "$TRASH/dump.diff"
		ok=
	fi
	if [ -z "$ok" ]; then
		say "last operations (replay with BP_TEST_SEED=$seed):"
		tail -n 30 "$TRASH/ops.log"
		return 1
	fi
}

test_expect_success 'setup: the sample KB, committed, and an editor script' '
	bestpractice init kb >/dev/null &&
	cp -r "$TEST_ROOT"/kb-sample/* kb/ &&
	git -C kb add -A && git -C kb commit -q -m "the sample KB" &&
	cat >editor.sh <<-\EOF &&
	#!/bin/sh
	sed -i "s/^title: .*/title: $BP_TITLE/" "$1"
	echo "$BP_LINE" >>"$1"
	EOF
	chmod +x editor.sh &&
	: >ops.log && : >bp.err && : >crashes &&
	cd kb &&
	bestpractice search catalogue >/dev/null &&
	bestpractice help >"$TRASH/help.out" &&
	test_grep -v dump-index "$TRASH/help.out"
'

step=0
round=0
test_expect_success 'the first index equals a rebuild' 'compare'
while [ "$step" -lt "$ops" ] && [ "$test_failed" -eq 0 ]; do
	rnd 5
	k=$((r + 3))
	first=$((step + 1))
	while [ "$k" -gt 0 ] && [ "$step" -lt "$ops" ]; do
		step=$((step + 1))
		operate </dev/null >/dev/null 2>&1
		k=$((k - 1))
	done
	round=$((round + 1))
	test_expect_success "operations $first-$step: the index equals a rebuild" 'compare'
done

test_expect_success 'no command crashed' '
	test_line_count = 0 "$TRASH/crashes" &&
	test_grep -v "Sanitizer\|runtime error" "$TRASH/bp.err"
'

if [ "$test_failed" -eq 0 ]; then
	test_expect_success "the $ops operations did what they say" '
		test "$(git rev-list --count HEAD)" -gt $((ops / 15)) &&
		test "$(grep -c "hand" "$TRASH/ops.log")" -gt $((ops / 6)) &&
		test "$(grep -c ": search" "$TRASH/ops.log")" -gt $((ops / 6))
	'
fi

test_done
