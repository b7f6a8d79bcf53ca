# bash completion for bestpractice(1)
#
# The program answers for itself: 'bestpractice __complete CWORD -- WORD...' prints the
# candidates for word CWORD of the line, or ':file' / ':dir' when file names are wanted (see
# cmd/complete.c). So this script knows no command, option or value; a new option is
# completed as soon as the program has it.
#
# Installed as .../bash-completion/completions/bestpractice, or sourced from ~/.bashrc. It
# uses the bash-completion package when it is loaded, and works without it.

# Cut the candidates where bash will put them: it replaces only the part of the word after the
# last character of COMP_WORDBREAKS, and ':' (PEER:ID) and '=' (--name=VALUE) are in it by
# default. The same as bash-completion's __ltrim_colon_completions, for '=' as well.
__bestpractice_ltrim()
{
	local brk=${COMP_WORDBREAKS//[^:=]/} pfx i

	[[ -n $brk && $1 == *["$brk"]* ]] || return 0
	pfx=${1%"${1##*["$brk"]}"}
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]=${COMPREPLY[i]#"$pfx"}
	done
}

_bestpractice()
{
	local cur words cword prog out

	COMPREPLY=()
	if declare -F _get_comp_words_by_ref >/dev/null; then
		# The words as the user sees them: not split at ':' or '='.
		_get_comp_words_by_ref -n =: cur words cword
	else
		# Without bash-completion: the line up to the cursor, split at blanks.
		read -ra words <<<"${COMP_LINE:0:COMP_POINT}"
		[[ ${COMP_LINE:0:COMP_POINT} == *[[:blank:]] ]] && words+=("")
		cword=$((${#words[@]} - 1))
		cur=${words[cword]}
	fi
	((cword > 0)) || return 0

	prog=${words[0]}
	[[ $prog == "~/"* ]] && prog=$HOME/${prog#"~/"}
	out=$("$prog" __complete "$cword" -- "${words[@]:0:cword}" "$cur" 2>/dev/null) ||
		return 0
	[[ -n $out ]] || return 0
	mapfile -t COMPREPLY <<<"$out"

	case ${COMPREPLY[0]} in
	:file)
		# No candidates, and readline's own file name completion.
		COMPREPLY=()
		compopt -o default
		return 0
		;;
	:dir)
		COMPREPLY=()
		compopt -o dirnames
		return 0
		;;
	esac
	__bestpractice_ltrim "$cur"
}

complete -F _bestpractice bestpractice
