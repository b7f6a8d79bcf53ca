/*
 * The KB's stamp: a hash of the metadata of everything git reads to tell what a KB holds.
 *
 * Bringing the index up to date asks git three things: the commit HEAD names, the commit of
 * each peer's remote-tracking branch, and the status of the working tree. Each answer comes
 * from files: HEAD, refs/ and packed-refs, config (which remotes are peers), the index file
 * and the working tree itself (git status compares each file's metadata to the index file's,
 * and reads a folder again when its own changed). None of them changes without its metadata
 * changing: a file rewritten in place gets a new modification and change time, one replaced
 * by a rename a new inode, a folder whose entries change a new modification time.
 *
 * So the index keeps, with what it holds, the stamp taken before its last update; a search
 * whose stamp is the same knows the index is up to date without asking git, and without even
 * loading libgit2 (libgit2.c): a few hundred stat(2) calls for a KB of a few hundred tips of
 * its own, whatever the number of peer tips, which live in git objects.
 *
 * A time stamp is only as fine as the file system's clock tick: a file changed twice within
 * one tick, without changing size, keeps its metadata. As git does with "racily clean"
 * entries, a stamp that sees a time stamp of the last two seconds is not used: the next
 * update takes one again.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kb_internal.h"

/* Beyond this many entries, a working tree is not stamped (git status does the work). */
#define STAMP_MAX_ENTRIES 200000
#define STAMP_MAX_DEPTH 64
/* How recent a time stamp must be to be racy: as stat_unchanged() in index.c. */
#define STAMP_RACY_NS 2000000000LL

struct stamp {
	uint64_t hash;
	size_t entries;
	long long racy_from; /* a time stamp at or after this, in ns, is racy */
	int unusable;
};

/* FNV-1a, 64 bits: a change detector over our own files, not a defence against forgery. */
static void mix(struct stamp *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n--) {
		s->hash ^= *p++;
		s->hash *= 0x100000001b3ULL;
	}
}

static void mix_num(struct stamp *s, long long v)
{
	mix(s, &v, sizeof(v));
}

static long long ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* One entry: its name, then its metadata or a mark that it is absent. */
static void mix_entry(struct stamp *s, const char *name, const struct stat *st)
{
	mix(s, name, strlen(name) + 1);
	if (!st) {
		mix_num(s, -1);
		return;
	}
	if (++s->entries > STAMP_MAX_ENTRIES)
		s->unusable = 1;
	mix_num(s, (long long)st->st_mode);
	mix_num(s, (long long)st->st_dev);
	mix_num(s, (long long)st->st_ino);
	mix_num(s, (long long)st->st_uid);
	mix_num(s, (long long)st->st_size);
	mix_num(s, ns(&st->st_mtim));
	mix_num(s, ns(&st->st_ctim));
	if (ns(&st->st_mtim) >= s->racy_from || ns(&st->st_ctim) >= s->racy_from)
		s->unusable = 1;
}

/* A file or folder by its full path, named in the hash by `name`. */
static void mix_path(struct stamp *s, const char *full, const char *name)
{
	struct stat st;

	mix_entry(s, name, lstat(full, &st) == 0 ? &st : NULL);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * Every entry under the folder path->ptr (which ends with '/'), in name order, named in the
 * hash from `base` on; the top of a working tree skips its .git.
 */
static void mix_tree(struct stamp *s, struct bp_buf *path, size_t base, int depth, int top)
{
	struct dirent **ents = NULL;
	size_t len = path->len;
	int i, n;

	if (depth > STAMP_MAX_DEPTH) {
		s->unusable = 1;
		return;
	}
	n = scandir(path->ptr, &ents, NULL, by_name);
	if (n < 0) {
		mix_num(s, -2);
		return;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		struct stat st;

		if (s->unusable || !strcmp(name, ".") || !strcmp(name, "..") ||
		    (top && !strcmp(name, ".git")))
			continue;
		bp_buf_truncate(path, len);
		bp_buf_addstr(path, name);
		if (bp_buf_oom(path) || lstat(path->ptr, &st) < 0) {
			s->unusable = 1;
			continue;
		}
		mix_entry(s, path->ptr + base, &st);
		if (S_ISDIR(st.st_mode)) {
			bp_buf_addch(path, '/');
			mix_tree(s, path, base, depth + 1, 0);
		}
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	bp_buf_truncate(path, len);
}

/* The user's and the system's git configuration, and the ignore file git reads by default. */
static void mix_user_config(struct stamp *s)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	struct bp_buf p = BP_BUF_INIT;

	mix(s, home ? home : "", strlen(home ? home : "") + 1);
	mix(s, xdg ? xdg : "", strlen(xdg ? xdg : "") + 1);
	if (home && *home) {
		bp_buf_addf(&p, "%s/.gitconfig", home);
		mix_path(s, p.ptr, "~/.gitconfig");
		bp_buf_truncate(&p, 0);
	}
	if (xdg && *xdg)
		bp_buf_addf(&p, "%s/git/", xdg);
	else if (home && *home)
		bp_buf_addf(&p, "%s/.config/git/", home);
	if (p.len) {
		size_t len = p.len;

		bp_buf_addstr(&p, "config");
		mix_path(s, p.ptr, "xdg config");
		bp_buf_truncate(&p, len);
		bp_buf_addstr(&p, "ignore");
		mix_path(s, p.ptr, "xdg ignore");
		bp_buf_truncate(&p, len);
		bp_buf_addstr(&p, "attributes");
		mix_path(s, p.ptr, "xdg attributes");
	}
	mix_path(s, "/etc/gitconfig", "/etc/gitconfig");
	if (bp_buf_oom(&p))
		s->unusable = 1;
	bp_buf_release(&p);
}

int bp_kb_stamp(uint64_t *out, const char *workdir, const char *gitdir)
{
	static const char *const gitfiles[] = {
		"HEAD", "config", "index", "packed-refs", "info/exclude", "commondir", "shallow",
	};
	struct stamp s = {0xcbf29ce484222325ULL, 0, 0, 0};
	struct bp_buf path = BP_BUF_INIT;
	struct timespec now;
	size_t i, base;

	clock_gettime(CLOCK_REALTIME, &now);
	s.racy_from = ns(&now) - STAMP_RACY_NS;
	/* Not the paths themselves: libgit2 and bp_kb_open_quick() may spell them differently
	 * (symbolic links), and a KB moved as it is keeps what its index holds. */
	mix_num(&s, (long long)geteuid());
	mix_user_config(&s);
	for (i = 0; i < BP_ARRAY_SIZE(gitfiles); i++) {
		bp_buf_truncate(&path, 0);
		bp_buf_addf(&path, "%s%s", gitdir, gitfiles[i]);
		if (!bp_buf_oom(&path))
			mix_path(&s, path.ptr, gitfiles[i]);
	}
	bp_buf_truncate(&path, 0);
	bp_buf_addf(&path, "%srefs/", gitdir);
	base = strlen(gitdir);
	if (!bp_buf_oom(&path))
		mix_tree(&s, &path, base, 0, 0);
	bp_buf_truncate(&path, 0);
	bp_buf_addstr(&path, workdir);
	if (!bp_buf_oom(&path)) {
		mix_path(&s, workdir, "");
		mix_tree(&s, &path, path.len, 0, 1);
	}
	if (bp_buf_oom(&path))
		s.unusable = 1;
	bp_buf_release(&path);
	*out = s.hash;
	return s.unusable;
}
