#!/bin/bash
# The benchmark suite: `make bench [N=100000]`. Builds a synthetic corpus of N articles with
# bench/gen, publishes it as a peer repository, and measures bestpractice side by side with a
# baseline in the same run (hyperfine, medians), each as a ratio:
#
#   1. the first sync of the peer   vs git clone --bare + a bare FTS5 load (sqlite3 CLI)
#   2. search (whole process)       vs the same FTS5 query in the sqlite3 CLI; vs rg -l -i
#   3. sync of a change set         vs git fetch of the same commit into a bare clone
#   4. reindex of an own KB         vs the bare FTS5 load
#   5. peak memory of sync and reindex; the index's size against the corpus
#   6. a search when nothing changed, at N/10 and at N: the freshness check must not grow
#
# and writes the table to bench/RESULTS.md (RESULTS=FILE elsewhere). Generated data stays in
# build/bench/: corpora (kept between runs while the generator is unchanged) and run-N/.
# Environment: N, SEED (1), SHARE (percent of the change set, 1.75), RUNS (per heavy
# command; 5, or 3 from N=20000 up), QRUNS (per search, 20), BUILD (build).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"

N=${N:-10000}
SEED=${SEED:-1}
SHARE=${SHARE:-1.75}
SMALL=$((N / 10))
if [ "$N" -lt 20000 ]; then RUNS=${RUNS:-5}; else RUNS=${RUNS:-3}; fi
QRUNS=${QRUNS:-20}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
RESULTS=${RESULTS:-$top/bench/RESULTS.md}
bp=$BUILD/bestpractice
gen=$BUILD/bench/gen
W=$BUILD/bench/run-$N
NOMATCH=qwzjxv # no word of the generator has a q or a j

say() {
	printf 'bench: %s\n' "$*" >&2
}

for tool in hyperfine sqlite3 rg git; do
	command -v $tool >/dev/null || {
		say "'$tool' is needed: run 'scripts/install-deps bench'"
		exit 3
	}
done
[ -x "$bp" ] && [ -x "$gen" ] || {
	say "build first: make all $BUILD/bench/gen (make bench does)"
	exit 3
}
case $BUILD in *[!A-Za-z0-9/._-]*)
	say "the build folder's path must be plain (no spaces or quotes): $BUILD"
	exit 3 ;;
esac
case $N in '' | *[!0-9]*) say "N must be a number"; exit 2 ;; esac
[ "$N" -ge 100 ] || { say "N must be at least 100"; exit 2; }

rm -rf "$W"
mkdir -p "$W/home"
# A private home: a git identity, nobody's configuration, no automatic gc while timing.
export HOME=$W/home GIT_CONFIG_NOSYSTEM=1 LC_ALL=C.UTF-8 TZ=UTC
unset BESTPRACTICE_KB BESTPRACTICE_PAGER GIT_DIR GIT_WORK_TREE GIT_AUTHOR_NAME \
	GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
git config --global user.name "Bench Mark"
git config --global user.email bench@example.org
git config --global init.defaultBranch main
git config --global gc.auto 0
git config --global advice.detachedHead false

if [ -x /usr/bin/time ]; then maxrss=/usr/bin/time; else maxrss=; fi

# rss_of FILE COMMAND...: run COMMAND once, its peak RSS in KiB into FILE ("-" without time).
rss_of() {
	f=$1
	shift
	if [ -n "$maxrss" ]; then
		$maxrss -f %M -o "$f" "$@"
	else
		"$@"
		echo - >"$f"
	fi
}

# hf NAME [hyperfine options and commands]: a hyperfine run exported to $W/NAME.json.
hf() {
	name=$1
	shift
	say "$name"
	hyperfine --style basic --export-json "$W/$name.json" "$@" >&2
}

# corpus DIR SIZE: SIZE articles committed in a peer repository (DIR/peer, packed), their
# plain text as CSV (DIR/load.csv) and the bare load (DIR/load.sql); kept while the generator,
# SIZE and SEED are the same.
corpus() {
	d=$1
	n=$2
	stamp="$(cksum <"$gen") $n $SEED"
	if [ -f "$d/stamp" ] && [ "$(cat "$d/stamp")" = "$stamp" ]; then
		return
	fi
	say "generating $n articles in $d"
	rm -rf "$d"
	mkdir -p "$d"
	"$gen" -n "$n" -s "$SEED" --csv "$d/load.csv" "$d/peer"
	git -C "$d/peer" init -q
	git -C "$d/peer" add -A
	GIT_AUTHOR_DATE="2024-06-01T12:00:00Z" GIT_COMMITTER_DATE="2024-06-01T12:00:00Z" \
		git -C "$d/peer" commit -q -m "$n articles"
	git -C "$d/peer" gc -q
	find "$d/peer" -name '*.md' -printf '%s\n' | awk '{ s += $1 } END { print s }' >"$d/bytes"
	cat >"$d/load.sql" <<-EOF
	CREATE VIRTUAL TABLE fts USING fts5(title, tags, body, sector, author,
	  tokenize = 'porter unicode61 remove_diacritics 2');
	BEGIN;
	.import --csv $d/load.csv fts
	COMMIT;
	EOF
	echo "$stamp" >"$d/stamp"
}

# new_kb DIR URL: the commands that make DIR a fresh KB subscribed to URL as peer "src".
new_kb() {
	printf '%s' "rm -rf $1 && $bp init $1 >/dev/null && $bp --kb $1 peer add src $2 >/dev/null"
}

D=$BUILD/bench/corpus-$N
DS=$BUILD/bench/corpus-$SMALL
corpus "$D" "$N"
corpus "$DS" "$SMALL"
URL=file://$D/peer
URLS=file://$DS/peer
bytes=$(cat "$D/bytes")

# --- 1. first sync ------------------------------------------------------------------------
hf first-sync --runs "$RUNS" \
	--prepare "$(new_kb "$W/kb1" "$URL") && sync" \
	"$bp --kb $W/kb1 sync" \
	--prepare "rm -rf $W/clone.git $W/load.db && sync" \
	"git clone -q --bare $URL $W/clone.git && sqlite3 $W/load.db <$D/load.sql" \
	--prepare "rm -rf $W/clone.git && sync" \
	"git clone -q --bare $URL $W/clone.git" \
	--prepare "rm -f $W/load.db && sync" \
	"sqlite3 $W/load.db <$D/load.sql"

# The KBs that later steps search, synced once more with their peak memory measured.
say "syncing the KBs to search"
sh -c "$(new_kb "$W/kb" "$URL")"
rss_of "$W/rss-sync" "$bp" --kb "$W/kb" sync >"$W/first-sync.out"
sh -c "$(new_kb "$W/kb-small" "$URLS")"
"$bp" --kb "$W/kb-small" sync >/dev/null
rss_of "$W/rss-load" sqlite3 "$W/bare.db" <"$D/load.sql"
rm -rf "$W/clone.git"
rss_of "$W/rss-clone" git clone -q --bare "$URL" "$W/clone.git"
index_bytes=$(stat -c %s "$W/kb/.git/bestpractice/index.sqlite")
bare_bytes=$(stat -c %s "$W/bare.db")

# --- 2. search ----------------------------------------------------------------------------
# Query words, chosen from the corpus: a rare name (in about 0.1% of the articles), a phrase
# (about 5%) and a common word (about half, from rank 60 of the vocabulary down).
"$gen" --words >"$W/words.txt"
counts() {
	awk -F'\t' -v kind="$1" -v from="$2" -v to="$3" -v step="$4" '
		$1 == kind && $2 >= from && $2 < to && ($2 - from) % step == 0 &&
		$3 !~ /[-'"'"']/ {
			printf "SELECT '"'"'%s'"'"', count(*) FROM fts WHERE fts MATCH '"'"'\"%s\"'"'"';\n", $3, $3
		}' "$W/words.txt" | sqlite3 "$W/bare.db"
}
rare_target=$((N / 1000 > 3 ? N / 1000 : 3))
rare=$(counts name 20 3000 5 | closest "$rare_target")
phrase=$(counts phrase 0 100000 1 | closest $((N / 20)))
common=$(counts word 60 400 1 | closest $((N / 2)))
say "words: rare $rare, phrase $phrase, common $common"

for kind in rare phrase common; do
	eval "pick=\$$kind"
	word=${pick%|*}
	query=$word
	[ $kind = phrase ] && query="\"$word\""
	"$bp" --kb "$W/kb" search "$query" >"$W/search-$kind.out"
	cat >"$W/q-$kind.sql" <<-EOF
	SELECT title, snippet(fts, 2, '[', ']', '…', 16) FROM fts
	WHERE fts MATCH '"$word"' ORDER BY bm25(fts, 10.0, 5.0, 1.0, 0.5, 0.5) LIMIT 20;
	EOF
	hf "search-$kind" --warmup 3 --runs "$QRUNS" \
		"$bp --kb $W/kb search '$query'" \
		"sqlite3 $W/bare.db <$W/q-$kind.sql" \
		"rg -l -i '$word' $D/peer"
done

# --- 6. nothing changed: N/10 and N -------------------------------------------------------
rare_word=${rare%|*}
hf fresh --warmup 3 --runs "$QRUNS" -i \
	"$bp --kb $W/kb-small search $NOMATCH" \
	"$bp --kb $W/kb search $NOMATCH" \
	"$bp --kb $W/kb-small search $rare_word" \
	"$bp --kb $W/kb search $rare_word"

# --- 3. sync of a change set --------------------------------------------------------------
say "the change set"
cp -a "$W/kb" "$W/kb.A"
git clone -q --bare "$URL" "$W/bare.A.git"
cp -a "$D/peer" "$W/peerB"
"$gen" -n "$N" -s "$SEED" -c "$SHARE" -C 2 "$W/peerB" >"$W/change.txt"
git -C "$W/peerB" add -A
GIT_AUTHOR_DATE="2024-07-01T12:00:00Z" GIT_COMMITTER_DATE="2024-07-01T12:00:00Z" \
	git -C "$W/peerB" commit -q -m "change set"
git -C "$W/peerB" repack -d -q
URLB=file://$W/peerB
changed_paths=$(git -C "$W/peerB" diff --name-only HEAD~ HEAD | wc -l)
hf change-sync --runs $((RUNS * 2)) \
	--prepare "rm -rf $W/kb.x && cp -a $W/kb.A $W/kb.x && git -C $W/kb.x remote set-url src $URLB && sync" \
	"$bp --kb $W/kb.x sync" \
	--prepare "rm -rf $W/bare.x.git && cp -a $W/bare.A.git $W/bare.x.git && sync" \
	"git -C $W/bare.x.git fetch -q $URLB '+refs/heads/*:refs/remotes/origin/*'"
# Once more for what sync says about it.
sh -c "rm -rf $W/kb.x && cp -a $W/kb.A $W/kb.x && git -C $W/kb.x remote set-url src $URLB"
"$bp" --kb "$W/kb.x" sync >"$W/change-sync.out"

# --- 4. reindex ---------------------------------------------------------------------------
say "an own KB of $N articles"
mkdir -p "$W/own"
git -C "$D/peer" archive HEAD | tar -x -C "$W/own"
git -C "$W/own" init -q
git -C "$W/own" add -A
git -C "$W/own" commit -q -m "$N articles"
"$bp" init "$W/own" >/dev/null
rss_of "$W/rss-reindex" "$bp" --kb "$W/own" reindex >"$W/reindex.out"
hf reindex --runs "$RUNS" \
	--prepare "sync" \
	"$bp --kb $W/own reindex" \
	--prepare "rm -f $W/load.db && sync" \
	"sqlite3 $W/load.db <$D/load.sql"

# --- the table ----------------------------------------------------------------------------
say "writing $RESULTS"
ms() { hf_median_ms "$W/$1.json" "$2"; }
# A duration for the table: "850 ms" or "12.3 s".
human() {
	awk -v m="$1" 'BEGIN { if (m >= 10000) printf "%.1f s", m / 1000;
		else if (m >= 1000) printf "%.2f s", m / 1000; else printf "%.0f ms", m }'
}
mib() {
	awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f MiB", k / 1024 }'
}
# row NUM WHAT OURS_MS BASE_TEXT BASE_MS OP GOAL [inverse]: OP "-" for no goal.
row() {
	if [ "${8:-}" = inverse ]; then r=$(ratio "$5" "$3"); else r=$(ratio "$3" "$5"); fi
	if [ "$6" = - ]; then
		goal="—" v="—"
	else
		goal="$(printf '%s' "$6" | sed 's/<=/≤/; s/>=/≥/') $7×" v=$(verdict "$r" "$6" "$7")
	fi
	printf '| %s | %s | %s | %s: %s | %s× | %s | %s |\n' "$1" "$2" "$(human "$3")" \
		"$4" "$(human "$5")" "$r" "$goal" "$v"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
ram=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
rev=$(git -C "$top" rev-parse --short HEAD)
[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] || rev="$rev (with local changes)"
rss_sync=$(cat "$W/rss-sync")
rss_reindex=$(cat "$W/rss-reindex")
word_of() { printf '%s' "${1%|*}"; }
# The memory goal holds at N=100000; at another N the verdict says at which.
mem_verdict() {
	v=$(verdict "$(awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f", k / 1024 }')" "<=" 64)
	if [ "$N" -eq 100000 ] || [ "$v" = - ]; then echo "$v"; else echo "$v at N=$N"; fi
}
count_of() { printf '%s' "${1#*|}"; }

{
	cat <<-EOF
	# Benchmark results

	\`make bench N=$N\` on $(date -u +%Y-%m-%d), bestpractice at $rev. Each time is the median
	of hyperfine runs ($RUNS per sync or reindex, $((RUNS * 2)) per change-set sync, $QRUNS per
	search after 3 warm-ups), measured in the same run as its baseline; the ratio is
	bestpractice / baseline, except against ripgrep (ripgrep / bestpractice: how many times
	faster we are). The machine is shared and noisy: compare ratios, not absolute times.
	Regenerate with \`make bench\` (\`make bench N=100000\` for the large corpus); bench/run.sh
	says how each figure is made.

	## Machine

	| | |
	|---|---|
	| CPU | $cpu |
	| cores | $(nproc) |
	| RAM | $ram |
	| kernel | $(uname -sr) |
	| SQLite | $(pkg-config --modversion sqlite3) (library), $(sqlite3 --version | cut -d' ' -f1) (CLI) |
	| libgit2 | $(pkg-config --modversion libgit2) |
	| git | $(git --version | cut -d' ' -f3) |
	| hyperfine | $(hyperfine --version | cut -d' ' -f2) |
	| ripgrep | $(rg --version | head -n 1 | cut -d' ' -f2) |

	## Corpus

	$N articles from bench/gen (seed $SEED), $(awk -v b="$bytes" 'BEGIN { printf "%.1f MiB", b / 1048576 }')
	of Markdown in eight sector folders, committed in one commit and packed, fetched over
	\`file://\`. Bodies of 150–600 words with Zipf-distributed vocabulary, headings, lists,
	links and emphasis. The baseline loads the same plain text (title, tags, body, sector,
	author) that bestpractice extracts, from a CSV file made beforehand, into an FTS5 table
	with the same columns and tokenizer, in one transaction (\`.import\`).

	Change set ($SHARE%): $(cat "$W/change.txt") articles, $changed_paths paths; sync said
	"$(cat "$W/change-sync.out")".

	Search words: rare \`$(word_of "$rare")\` (in $(count_of "$rare") articles), phrase
	\`"$(word_of "$phrase")"\` ($(count_of "$phrase")), common \`$(word_of "$common")\`
	($(count_of "$common")); the baseline runs \`SELECT title, snippet(…) FROM fts WHERE fts
	MATCH ? ORDER BY bm25(…) LIMIT 20\` with bestpractice's column weights; bestpractice also
	counts the matches and their sectors, as its output shows them.

	## Results

	| # | measurement | bestpractice | baseline | ratio | goal | result |
	|---|---|---:|---|---:|---|---|
	EOF
	row 1 "first sync of the peer (fetch + index)" "$(ms first-sync 0)" \
		"git clone --bare + bare FTS5 load" "$(ms first-sync 1)" "<=" 1.5
	printf '| | (the baseline'"'"'s parts) | | git clone --bare: %s; FTS5 load: %s | | | |\n' \
		"$(human "$(ms first-sync 2)")" "$(human "$(ms first-sync 3)")"
	for kind in rare phrase common; do
		eval "pick=\$$kind"
		row 2 "search, $kind: $(word_of "$pick") ($(count_of "$pick") hits)" \
			"$(ms "search-$kind" 0)" "sqlite3 CLI, same FTS5 query" \
			"$(ms "search-$kind" 1)" "<=" 1.5
		row 2 "search, $kind, against ripgrep" "$(ms "search-$kind" 0)" \
			"rg -l -i over the files" "$(ms "search-$kind" 2)" ">=" 10 inverse
	done
	row 3 "sync of the change set ($SHARE%)" "$(ms change-sync 0)" \
		"git fetch into a bare clone" "$(ms change-sync 1)" "<=" 1.5
	row 4 "reindex of an own KB of $N" "$(ms reindex 0)" "bare FTS5 load" \
		"$(ms reindex 1)" "<=" 1.5
	printf '| 5 | peak memory of the first sync | %s | git clone --bare: %s; FTS5 load: %s | | ≤ 64 MiB at 100k | %s |\n' \
		"$(mib "$rss_sync")" "$(mib "$(cat "$W/rss-clone")")" "$(mib "$(cat "$W/rss-load")")" \
		"$(mem_verdict "$rss_sync")"
	printf '| 5 | peak memory of reindex | %s | FTS5 load: %s | | ≤ 64 MiB at 100k | %s |\n' \
		"$(mib "$rss_reindex")" "$(mib "$(cat "$W/rss-load")")" "$(mem_verdict "$rss_reindex")"
	printf '| 5 | index size on disk / corpus | %s / %s | bare FTS5 database: %s | %s× (bare: %s×) | — | — |\n' \
		"$(mib $((index_bytes / 1024)))" "$(mib $((bytes / 1024)))" \
		"$(mib $((bare_bytes / 1024)))" "$(ratio "$index_bytes" "$bytes")" \
		"$(ratio "$bare_bytes" "$bytes")"
	row 6 "search, no match, nothing changed: N=$N" "$(ms fresh 1)" "the same at N=$SMALL" \
		"$(ms fresh 0)" "<=" 1.25
	row 6 "search, rare word, nothing changed: N=$N" "$(ms fresh 3)" "the same at N=$SMALL" \
		"$(ms fresh 2)" - -
} >"$RESULTS"
cat "$RESULTS"
