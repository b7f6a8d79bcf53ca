#!/bin/sh
# The manual agrees with the program, in the manner of git's t0450-txt-doc-vs-help.sh: every
# command that `bestpractice help` lists has a page, whose SYNOPSIS is the usage line of its
# --help and whose OPTIONS list names exactly the options --help lists; mandoc finds nothing
# to say about any page; make install puts them in place; `bestpractice help CMD` shows one.
. "$(dirname "$0")/lib.sh"

MAN=$TEST_ROOT/man
BS=$(printf '\b')

# The commands `bestpractice help` lists, in its order.
commands() {
	bestpractice help | sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z-]*\)  *.*/\1/p'
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

check_synopsis() {
	bestpractice "$1" --help | sed -n 's/^usage: //p' | normalise >usage.$1 &&
	test -s usage.$1 &&
	section SYNOPSIS "$MAN/bestpractice-$1.1" | normalise >synopsis.$1 &&
	test_cmp usage.$1 synopsis.$1
}

check_options() {
	bestpractice "$1" --help | sed -n '/^options:$/,/^$/p' | spellings >help-options.$1 &&
	section OPTIONS "$MAN/bestpractice-$1.1" | grep '^     -' | spellings >page-options.$1 &&
	test_cmp help-options.$1 page-options.$1
}

test_expect_success 'help lists the commands' '
	commands >commands &&
	test_grep "^init$" commands &&
	test_grep "^search$" commands &&
	test_grep "^help$" commands
'

for c in $(commands); do
	test_expect_success "$c: the page exists, with the sections of a command page" \
		"check_page $c"
	test_expect_success "$c: its SYNOPSIS is the usage line of --help" \
		"check_synopsis $c"
	test_expect_success "$c: its OPTIONS list names every option of --help, and no other" \
		"check_options $c"
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
	for c in $(commands); do
		grep -F "bestpractice-$c(1)" page.flat >/dev/null || {
			say "bestpractice(1) does not mention bestpractice-$c(1)"
			return 1
		}
	done
'

test_expect_success 'mandoc -T lint -W warning is silent on every page' '
	mandoc -T lint -W warning "$MAN"/*.[157] >lint 2>&1
	test_line_count = 0 lint
'

test_expect_success 'make install puts the program and every page in place' '
	make -C "$TEST_ROOT" --no-print-directory -o "$BUILD/bestpractice" BUILD="$BUILD" \
		PREFIX="$TRASH/inst" install >make.out 2>&1 &&
	test -x inst/bin/bestpractice &&
	test -f inst/share/man/man1/bestpractice.1 &&
	for c in $(commands); do
		test -f inst/share/man/man1/bestpractice-$c.1 || {
			say "bestpractice-$c.1 was not installed"
			return 1
		}
	done &&
	test -f inst/share/man/man5/bestpractice-article.5
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
else
	test_skip 'help COMMAND shows the page beside the program' 'man is not installed'
	test_skip 'an installed program shows the installed page' 'man is not installed'
fi

test_done
