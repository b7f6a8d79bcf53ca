#!/bin/sh
# Shell completion: the hidden __complete command that answers it, and the bash and zsh scripts
# that ask it, driven the way the shells drive them.
. "$(dirname "$0")/lib.sh"

# complete_words WORD...: what `bestpractice __complete` offers for the last WORD, sorted, in
# 'actual' (its standard error in 'err').
complete_words() {
	n=$#
	bestpractice __complete "$n" -- bestpractice "$@" >actual.raw 2>err &&
	sort actual.raw >actual
}

# expect LINE...: 'expect' holds the lines, sorted.
expect() {
	printf '%s\n' "$@" | sort >expect
}

# A bash that has loaded bash-completion and our script runs _bestpractice as readline would
# for LINE, with the cursor at its end, split into WORDs as bash splits it (at ':' and '='
# too); COMPREPLY is printed one a line, sorted, and a compopt call as "compopt ARGS".
# Without bash-completion when BC=no.
cat >drive.bash <<\EOF
[ "${BC-}" = no ] || . /usr/share/bash-completion/bash_completion || exit 3
. "$TEST_ROOT/completion/bestpractice.bash" || exit 3
compopt() { printf 'compopt %s\n' "$*"; }
COMP_LINE=$1
shift
COMP_POINT=${#COMP_LINE}
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_TYPE=9 COMP_KEY=9
_bestpractice bestpractice "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
((${#COMPREPLY[@]} == 0)) || printf '%s\n' "${COMPREPLY[@]}" | sort
EOF

# bash_complete LINE WORD...: COMPREPLY in 'actual'.
bash_complete() {
	TEST_ROOT=$TEST_ROOT bash "$TRASH/drive.bash" "$@" >actual 2>err &&
	test_line_count = 0 err
}

# The peer is a plain git remote until 'peer add' exists; the index reads its articles from
# refs/remotes/hospital/HEAD, which a fetch by git 2.39 does not set.
test_expect_success 'setup: a KB with articles in two sectors, and a peer' '
	bestpractice init kb &&
	echo "Keep them seven years." |
		bestpractice --kb kb add -t "Retention of client files" -s law -g retention \
			-g records >id &&
	test "$(cat id)" = law/retention-of-client-files &&
	echo "Ask three questions." |
		bestpractice --kb kb add -t "Triage at the desk" -s medical -g reference >/dev/null &&
	bestpractice init peer &&
	echo "Weed by use." |
		bestpractice --kb peer add -t "Weeding the ward library" -s medical >/dev/null &&
	git -C kb remote add hospital ../peer &&
	git -C kb fetch -q hospital &&
	git -C kb remote set-head hospital main &&
	bestpractice --kb kb list --peer hospital >out &&
	test_grep "^hospital:medical/weeding-the-ward-library " out &&
	cd kb
'

# The hidden command itself.

test_expect_success '__complete: command names at the first word, by prefix' '
	complete_words se &&
	expect search sectors &&
	test_cmp expect actual &&
	test_line_count = 0 err &&
	complete_words "" &&
	for c in init add show edit rm list search related sectors tags log import check \
		reindex config help; do
		test_grep "^$c\$" actual || return 1
	done &&
	test_grep -v "__complete" actual
'

test_expect_success '__complete: options of a command, long and short, with --help' '
	complete_words list - &&
	expect --sector -s --tag -g --author -a --peer --mine --json --help &&
	test_cmp expect actual &&
	complete_words add --t &&
	expect --title --tag &&
	test_cmp expect actual &&
	complete_words --k &&
	expect --kb &&
	test_cmp expect actual
'

test_expect_success '__complete: an option value by its kind, after a separate word or =' '
	complete_words list --sector "" &&
	expect law medical &&
	test_cmp expect actual &&
	complete_words search -s l &&
	expect law &&
	test_cmp expect actual &&
	complete_words list --tag=re &&
	expect --tag=records --tag=reference --tag=retention &&
	test_cmp expect actual &&
	complete_words list --peer h &&
	expect hospital &&
	test_cmp expect actual
'

test_expect_success '__complete: article ids, own and a peer'"'"'s, by prefix' '
	complete_words show law/ret &&
	expect law/retention-of-client-files &&
	test_cmp expect actual &&
	complete_words related "" &&
	expect law/retention-of-client-files medical/triage-at-the-desk \
		hospital:medical/weeding-the-ward-library &&
	test_cmp expect actual &&
	complete_words show hospital:medical/w &&
	expect hospital:medical/weeding-the-ward-library &&
	test_cmp expect actual
'

test_expect_success '__complete: commands that change articles offer only own ids' '
	complete_words edit "" &&
	expect law/retention-of-client-files medical/triage-at-the-desk &&
	test_cmp expect actual &&
	complete_words rm law/retention-of-client-files m &&
	expect medical/triage-at-the-desk &&
	test_cmp expect actual
'

test_expect_success '__complete: option values and operands are told apart' '
	complete_words search --sector law ret &&
	test_line_count = 0 actual &&
	complete_words show --raw law/r &&
	expect law/retention-of-client-files &&
	test_cmp expect actual &&
	complete_words show law/retention-of-client-files "" &&
	test_line_count = 0 actual &&
	complete_words log -n 3 law/ &&
	expect law/retention-of-client-files &&
	test_cmp expect actual &&
	complete_words log -n3 law/ &&
	test_cmp expect actual &&
	complete_words --no-pager log --max-count=3 law/ &&
	test_cmp expect actual &&
	complete_words add -t "" &&
	test_line_count = 0 actual &&
	complete_words show -- -x &&
	test_line_count = 0 actual &&
	complete_words config "" &&
	expect lockTimeout &&
	test_cmp expect actual &&
	complete_words config editor "" &&
	test_line_count = 0 actual
'

test_expect_success '__complete: help offers the commands; files and folders are the shell'"'"'s' '
	complete_words help s &&
	expect search sectors show sync &&
	test_cmp expect actual &&
	complete_words import "" &&
	expect :file &&
	test_cmp expect actual &&
	complete_words init "" &&
	expect :dir &&
	test_cmp expect actual &&
	complete_words --kb "" &&
	expect :dir &&
	test_cmp expect actual &&
	complete_words add -f "" &&
	expect :file &&
	test_cmp expect actual
'

# Outside the KB: in the test's folder, which holds it.

test_expect_success '__complete: outside a KB, only what needs none; never a word on stderr' '
	(
		cd "$TRASH" &&
		complete_words show "" &&
		test_line_count = 0 actual &&
		test_line_count = 0 err &&
		complete_words list --sector "" &&
		test_line_count = 0 actual &&
		test_line_count = 0 err &&
		complete_words sh &&
		expect show &&
		test_cmp expect actual &&
		complete_words --kb nowhere show "" &&
		test_line_count = 0 actual &&
		test_line_count = 0 err
	)
'

test_expect_success '__complete: the --kb given on the line, before or after the command' '
	(
		cd "$TRASH" &&
		complete_words --kb kb show law/ &&
		expect law/retention-of-client-files &&
		test_cmp expect actual &&
		complete_words --kb=kb list --sector m &&
		expect medical &&
		test_cmp expect actual &&
		complete_words list --kb kb --peer "" &&
		expect hospital &&
		test_cmp expect actual &&
		complete_words --kb "~/../kb" show l &&
		expect law/retention-of-client-files &&
		test_cmp expect actual
	)
'

test_expect_success '__complete: a misused protocol is exit 2, silently' '
	test_expect_code 2 bestpractice __complete 2>err &&
	test_expect_code 2 bestpractice __complete x -- bestpractice 2>>err &&
	test_expect_code 2 bestpractice __complete 5 -- bestpractice show 2>>err &&
	test_line_count = 0 err &&
	bestpractice help >out &&
	test_grep -v __complete out
'

# bash, for real.

test_expect_success 'bash: command names' '
	bash_complete "bestpractice se" bestpractice se &&
	expect search sectors &&
	test_cmp expect actual
'

test_expect_success 'bash: an article id' '
	bash_complete "bestpractice show law/ret" bestpractice show law/ret &&
	expect law/retention-of-client-files &&
	test_cmp expect actual
'

test_expect_success 'bash: options of a command, and sectors after --sector' '
	bash_complete "bestpractice list --s" bestpractice list --s &&
	expect --sector &&
	test_cmp expect actual &&
	bash_complete "bestpractice list --sector " bestpractice list --sector "" &&
	expect law medical &&
	test_cmp expect actual
'

test_expect_success 'bash: help offers the commands' '
	bash_complete "bestpractice help " bestpractice help "" &&
	bestpractice help | sed -n "s/^  \([a-z][a-z]*\) .*/\1/p" | sort -u >expect &&
	test_line_count -gt 10 expect &&
	test_cmp expect actual
'

test_expect_success 'bash: a PEER:ID that bash split at the colon' '
	bash_complete "bestpractice show hospital:medical/w" \
		bestpractice show hospital : medical/w &&
	expect medical/weeding-the-ward-library &&
	test_cmp expect actual &&
	bash_complete "bestpractice show hospital:" bestpractice show hospital : &&
	expect medical/weeding-the-ward-library &&
	test_cmp expect actual &&
	bash_complete "bestpractice show hosp" bestpractice show hosp &&
	expect hospital:medical/weeding-the-ward-library &&
	test_cmp expect actual
'

test_expect_success 'bash: the value of --name=VALUE, split at the =' '
	bash_complete "bestpractice list --sector=m" bestpractice list --sector = m &&
	expect medical &&
	test_cmp expect actual
'

test_expect_success 'bash: candidates are whole when : and = do not break words' '
	cat >wordbreaks.bash <<-\EOF &&
	. "$TEST_ROOT/completion/bestpractice.bash"
	COMP_WORDBREAKS=$1
	COMPREPLY=(hospital:medical/x --sector=law)
	__bestpractice_ltrim "$2"
	printf "%s\n" "${COMPREPLY[@]}" | sort
	EOF
	TEST_ROOT=$TEST_ROOT bash wordbreaks.bash " " hospital:m >actual &&
	expect hospital:medical/x --sector=law &&
	test_cmp expect actual &&
	TEST_ROOT=$TEST_ROOT bash wordbreaks.bash " :" hospital:m >actual &&
	expect medical/x --sector=law &&
	test_cmp expect actual
'

test_expect_success 'bash: file names are left to readline' '
	bash_complete "bestpractice import " bestpractice import "" &&
	expect "compopt -o default" &&
	test_cmp expect actual &&
	bash_complete "bestpractice --kb=" bestpractice --kb = &&
	expect "compopt -o dirnames" &&
	test_cmp expect actual
'

test_expect_success 'bash: without bash-completion, the line is split at blanks' '
	BC=no bash_complete "bestpractice show hospital:medical/w" \
		bestpractice show hospital : medical/w &&
	expect medical/weeding-the-ward-library &&
	test_cmp expect actual &&
	BC=no bash_complete "bestpractice --kb ../kb list --sector " \
		bestpractice --kb ../kb list --sector "" &&
	expect law medical &&
	test_cmp expect actual
'

test_expect_success 'bash: outside a KB, ids complete to nothing, silently' '
	(
		cd "$TRASH" &&
		bash_complete "bestpractice show " bestpractice show "" &&
		test_line_count = 0 actual
	)
'

# zsh: the script parses, and asks the program as the bash one does.

if command -v zsh >/dev/null 2>&1; then
	test_expect_success 'zsh: the script parses' '
		zsh -n "$TEST_ROOT/completion/_bestpractice"
	'

	test_expect_success 'zsh: candidates, and files left to _files' '
			cat >drive.zsh <<-\EOF &&
		compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }
		compdef() { :; }
		compset() { :; }
		_files() { print -r -- "_files $*"; }
		source "$TEST_ROOT/completion/_bestpractice"
		words=("$@")
		CURRENT=$#
		PREFIX=$words[CURRENT]
		_bestpractice
		EOF
		TEST_ROOT=$TEST_ROOT zsh -f drive.zsh bestpractice show hospital:medical/w >actual &&
		expect hospital:medical/weeding-the-ward-library &&
		test_cmp expect actual &&
		TEST_ROOT=$TEST_ROOT zsh -f drive.zsh bestpractice list --sector=l >actual &&
		expect --sector=law &&
		test_cmp expect actual &&
		TEST_ROOT=$TEST_ROOT zsh -f drive.zsh bestpractice init "" >actual &&
		expect "_files -/" &&
		test_cmp expect actual
	'
else
	say "# zsh is not installed: its script was not checked (scripts/install-deps)"
fi

test_done
