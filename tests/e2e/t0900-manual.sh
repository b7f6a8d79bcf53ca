#!/bin/sh
# The manual agrees with the program, in the manner of git's t0450-txt-doc-vs-help.sh: every
# command that `bestpractice help` lists has a page, whose SYNOPSIS is the usage line of its
# --help and whose OPTIONS list names exactly the options --help lists; mandoc finds nothing
# to say about any page; make install puts them in place; `bestpractice help CMD` shows one.
#
# A command whose name has a space ("peer add") belongs to the group of its first word, and
# the group has one page, bestpractice-peer.1: its SYNOPSIS has one line per command of the
# group, each the usage line of that command, and its OPTIONS list names every option of every
# command of the group.
. "$(dirname "$0")/lib.sh"

MAN=$TEST_ROOT/man
BS=$(printf '\b')

# The commands `bestpractice help` lists, in its order, one a line ("peer add"): the name is
# the words before the first run of two spaces.
commands() {
	bestpractice help |
		sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z-]*\( [a-z][a-z-]*\)*\)  .*/\1/p'
}

# The pages of the commands, in order: the first word of each name, once.
pages() {
	commands | sed 's/ .*//' | awk '!seen[$0]++'
}

# The commands whose page is $1, one a line: "peer add", "peer rm", ...; "init" for init.
group() {
	commands | awk -v page="$1" '$1 == page'
}

# The commands of page $1 joined with ", ", for the names of the cases.
group_names() {
	group "$1" | sed -n 'H;${x;s/^\n//;s/\n/, /g;p;}'
}

# Runs of white space as one space, none at either end, one line.
normalise() {
	printf '%s\n' "$(tr -s '[:space:]' ' ' | sed -e 's/^ //' -e 's/ $//')"
}

# A page as plain text: mandoc's ASCII output without its backspace overstrikes.
render() {
	mandoc -T ascii "$1" | sed "s/.$BS//g"
}

# The body of section $1 (SYNOPSIS, OPTIONS, ...) of the rendered page $2.
section() {
	render "$2" | sed -n "/^$1\$/,/^[A-Z]/{/^[A-Z]/!p;}"
}

# Option spellings ("-t", "--title") from lines that start with an option, as the tags of a
# page's OPTIONS list and the lines of --help's "options:" do: what comes before the first
# run of two spaces, cut at commas, the first word of each part.
spellings() {
	sed -n 's/^ *\(-.*\)/\1/p' | sed 's/  .*//' | tr ',' '\n' |
		sed -n 's/^ *\(-[^ ]*\).*/\1/p' | sort -u
}

check_page() {
	test -f "$MAN/bestpractice-$1.1" || {
		say "no page man/bestpractice-$1.1"
		return 1
	}
	render "$MAN/bestpractice-$1.1" >page.$1 &&
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		test_grep "^$s\$" page.$1 || return 1
	done
}

# The SYNOPSIS of page $1, one line per synopsis: a line that starts with the program's name
# begins one, and the lines indented under it continue it.
synopses() {
	section SYNOPSIS "$MAN/bestpractice-$1.1" |
		awk '/^     bestpractice / { if (n++) print ""; } { printf "%s ", $0 } END { print "" }' |
		while IFS= read -r line; do
			printf '%s\n' "$line" | normalise
		done
}

# The usage line of each command of page $1, in order, one a line.
usages() {
	group "$1" >group.$1 &&
	while IFS= read -r c; do
		# $c unquoted: "peer add" is two words of the command line.
		bestpractice $c --help | sed -n 's/^usage: //p' | normalise
	done <group.$1
}

check_synopsis() {
	usages "$1" >usage.$1 &&
	test -s usage.$1 &&
	test_line_count -eq "$(group "$1" | wc -l)" usage.$1 &&
	synopses "$1" >synopsis.$1 &&
	test_cmp usage.$1 synopsis.$1
}

check_options() {
	group "$1" >group.$1 &&
	while IFS= read -r c; do
		bestpractice $c --help | sed -n '/^options:$/,/^$/p'
	done <group.$1 | spellings >help-options.$1 &&
	section OPTIONS "$MAN/bestpractice-$1.1" | grep '^     -' | spellings >page-options.$1 &&
	test_cmp help-options.$1 page-options.$1
}

test_expect_success 'help lists the commands' '
	commands >commands &&
	test_grep "^init$" commands &&
	test_grep "^search$" commands &&
	test_grep "^peer add$" commands &&
	test_grep "^help$" commands &&
	pages >pages &&
	test_grep "^peer$" pages &&
	test_grep -v " " pages
'

for p in $(pages); do
	if [ "$(group "$p")" = "$p" ]; then
		test_expect_success "$p: the page exists, with the sections of a command page" \
			"check_page $p"
		test_expect_success "$p: its SYNOPSIS is the usage line of --help" \
			"check_synopsis $p"
		test_expect_success "$p: its OPTIONS list names every option of --help, and no other" \
			"check_options $p"
	else
		names=$(group_names "$p")
		test_expect_success "$p ($names): one page, with the sections of a command page" \
			"check_page $p"
		test_expect_success "$p: its SYNOPSIS has the usage line of each of $names, in order" \
			"check_synopsis $p"
		test_expect_success "$p: its OPTIONS list names every option of $names, and no other" \
			"check_options $p"
	fi
done

test_expect_success 'bestpractice(1) and bestpractice-article(5) exist' '
	render "$MAN/bestpractice.1" >page &&
	test_grep "^ENVIRONMENT$" page &&
	test_grep "^EXIT STATUS$" page &&
	render "$MAN/bestpractice-article.5" >page5 &&
	test_grep "^THE VOCABULARY FILE$" page5
'

test_expect_success 'bestpractice(1) refers to the page of every command' '
	render "$MAN/bestpractice.1" | normalise >page.flat &&
	for p in $(pages); do
		grep -F "bestpractice-$p(1)" page.flat >/dev/null || {
			say "bestpractice(1) does not mention bestpractice-$p(1)"
			return 1
		}
	done &&
	grep -F "bestpractice-sharing(7)" page.flat >/dev/null
'

test_expect_success 'bestpractice-sharing(7) exists, with its sections, and lints' '
	test -f "$MAN/bestpractice-sharing.7" &&
	render "$MAN/bestpractice-sharing.7" >page7 &&
	test_grep "^BESTPRACTICE-SHARING(7)" page7 &&
	for s in NAME DESCRIPTION EXAMPLES "SEE ALSO"; do
		test_grep "^$s\$" page7 || return 1
	done &&
	mandoc -T lint -W warning "$MAN/bestpractice-sharing.7" >lint7 2>&1 &&
	test_line_count = 0 lint7
'

test_expect_success 'mandoc -T lint -W warning is silent on every page' '
	mandoc -T lint -W warning "$MAN"/*.[157] >lint 2>&1
	test_line_count = 0 lint
'

test_expect_success 'make install puts the program, every page and completion in place' '
	make -C "$TEST_ROOT" --no-print-directory -o "$BUILD/bestpractice" BUILD="$BUILD" \
		PREFIX="$TRASH/inst" install >make.out 2>&1 &&
	test -x inst/bin/bestpractice &&
	test -f inst/share/man/man1/bestpractice.1 &&
	for p in $(pages); do
		test -f inst/share/man/man1/bestpractice-$p.1 || {
			say "bestpractice-$p.1 was not installed"
			return 1
		}
	done &&
	test -f inst/share/man/man5/bestpractice-article.5 &&
	test -f inst/share/man/man7/bestpractice-sharing.7 &&
	cmp "$TEST_ROOT/completion/bestpractice.bash" \
		inst/share/bash-completion/completions/bestpractice &&
	cmp "$TEST_ROOT/completion/_bestpractice" inst/share/zsh/site-functions/_bestpractice
'

if command -v man >/dev/null 2>&1; then
	test_expect_success 'help COMMAND shows the page beside the program' '
		bestpractice help add >out &&
		normalise <out >out.flat &&
		test_grep "BESTPRACTICE-ADD(1)" out &&
		test_grep "writes a new tip into the" out.flat
	'
	test_expect_success 'an installed program shows the installed page' '
		MANPATH=$TRASH/inst/share/man inst/bin/bestpractice help search >out &&
		normalise <out >out.flat &&
		test_grep "BESTPRACTICE-SEARCH(1)" out &&
		test_grep "The query language" out.flat
	'
	test_expect_success 'help GROUP and help GROUP COMMAND show the page of the group' '
		bestpractice help peer >out &&
		test_grep "BESTPRACTICE-PEER(1)" out &&
		bestpractice help peer add >out &&
		test_grep "BESTPRACTICE-PEER(1)" out &&
		MANPATH=$TRASH/inst/share/man inst/bin/bestpractice help peer list >out &&
		test_grep "BESTPRACTICE-PEER(1)" out
	'
else
	test_skip 'help COMMAND shows the page beside the program' 'man is not installed'
	test_skip 'an installed program shows the installed page' 'man is not installed'
	test_skip 'help GROUP and help GROUP COMMAND show the page of the group' \
		'man is not installed'
fi

test_done
