/*
 * Fetching a peer that is a repository on this machine (a path or a file:// URL).
 *
 * libgit2's local transport opens the peer as a repository like any other, so it honours the
 * peer's objects/info/alternates: objects of another repository on the machine (one the user
 * never meant to share) come into the KB through them. It also sends the objects of every ref
 * the peer has (its own remote-tracking branches, notes, stashes), fails on one branch with
 * an invalid name, and walks every tree of every commit again (minutes for a long history of
 * a large tree).
 *
 * Here the peer is read through an object database of its own objects only (loose and
 * packed, no alternates) and an empty configuration; only its branches are fetched, those
 * that cannot be used left out with a warning; each tree is read once, as git reads it, and
 * copied as it is (names git refuses on checkout included: the index decides later which it
 * uses); large blobs are copied as streams. A missing or damaged object, a history that stops
 * short (a shallow clone), or a tree git itself cannot walk fails the fetch before any ref
 * moves. Nothing the peer holds is run: libgit2 runs no hooks, and the peer's configuration
 * is never consulted once the repository is open.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "deflate.h"
#include "kb_internal.h"
#include "localfetch.h"

/* Blobs at least this large are copied as a stream, never whole in memory. */
#define STREAM_MIN (1u << 20)
/* Paths in messages are cut here. */
#define PATH_MAX_SHOWN 512

/* --- a set of object ids --------------------------------------------------------------- */

struct oidset {
	git_oid *slot;
	unsigned char *used;
	size_t n, cap;
};

static size_t oid_hash(const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h;
}

static int oidset_grow(struct oidset *s)
{
	struct oidset bigger = {0};
	size_t i;

	bigger.cap = s->cap ? s->cap * 2 : 1024;
	bigger.slot = bp_calloc(bigger.cap, sizeof(*bigger.slot));
	bigger.used = bp_calloc(bigger.cap, 1);
	if (!bigger.slot || !bigger.used) {
		bp_free(bigger.slot);
		bp_free(bigger.used);
		return BP_ENOMEM;
	}
	for (i = 0; i < s->cap; i++) {
		size_t k;

		if (!s->used[i])
			continue;
		for (k = oid_hash(&s->slot[i]) & (bigger.cap - 1); bigger.used[k];
		     k = (k + 1) & (bigger.cap - 1))
			;
		bigger.slot[k] = s->slot[i];
		bigger.used[k] = 1;
	}
	bigger.n = s->n;
	bp_free(s->slot);
	bp_free(s->used);
	*s = bigger;
	return 0;
}

/* Add `id`: 1 when it was new, 0 when it was there, BP_ENOMEM. */
static int oidset_add(struct oidset *s, const git_oid *id)
{
	size_t k;

	if ((s->n + 1) * 2 > s->cap && oidset_grow(s))
		return BP_ENOMEM;
	for (k = oid_hash(id) & (s->cap - 1); s->used[k]; k = (k + 1) & (s->cap - 1))
		if (git_oid_equal(&s->slot[k], id))
			return 0;
	s->slot[k] = *id;
	s->used[k] = 1;
	s->n++;
	return 1;
}

static void oidset_release(struct oidset *s)
{
	bp_free(s->slot);
	bp_free(s->used);
	memset(s, 0, sizeof(*s));
}

/* --- URLs ------------------------------------------------------------------------------ */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int bp_local_url_path(char **path, const char *url)
{
	struct stat st;

	*path = NULL;
	if (!strncasecmp(url, "file://", 7)) {
		const char *p = url + 7;
		char *out, *o;

		/* file:///path and file://localhost/path; another host is not this machine. */
		if (!strncasecmp(p, "localhost/", 10))
			p += 9;
		if (*p != '/')
			return 0;
		out = o = bp_malloc(strlen(p) + 1);
		if (!out)
			return BP_ENOMEM;
		for (; *p; p++) {
			if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
				*o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
				p += 2;
			} else {
				*o++ = *p;
			}
		}
		*o = '\0';
		*path = out;
		return 1;
	}
	if (strstr(url, "://") || stat(url, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	*path = bp_strdup(url);
	return *path ? 1 : BP_ENOMEM;
}

/* --- the fetch ------------------------------------------------------------------------- */

/*
 * Whether an object database has an object. Without NO_REFRESH, libgit2 rescans the pack
 * folder after every miss: thousands of misses are the rule when a peer is fetched the first
 * time.
 */
static int has(git_odb *odb, const git_oid *id)
{
	return git_odb_exists_ext(odb, id, GIT_ODB_LOOKUP_NO_REFRESH) == 1;
}

struct branch {
	char *name;  /* after refs/heads/ */
	git_oid tip;
};

struct fetch {
	struct bp_kb *kb;
	const struct bp_local_fetch_opts *o;
	git_repository *peer;
	git_odb *peer_odb, *our_odb;
	git_packbuilder *pb;
	struct oidset trees, blobs; /* seen, by the kind their entries name them as */
	git_oid *queue;             /* the objects the KB lacks, for write_pack */
	size_t nqueue, capqueue;
	git_odb_backend *peer_pack; /* the peer's packs (owned by peer_odb) */
	struct branch *br;
	size_t nbr;
	int borrows;  /* the peer has objects/info/alternates (ignored) */
	int shallow;  /* the peer has a shallow file */
	struct bp_error *err;
};

/* Queue an object for write_pack. */
static int enqueue(struct fetch *f, const git_oid *id)
{
	if (f->nqueue == f->capqueue) {
		size_t cap = f->capqueue ? f->capqueue * 2 : 1024;
		git_oid *q = bp_realloc(f->queue, cap * sizeof(*q));

		if (!q)
			return BP_ENOMEM;
		f->queue = q;
		f->capqueue = cap;
	}
	git_oid_cpy(&f->queue[f->nqueue++], id);
	return 0;
}

/* A tree still to read, and where it is (for messages). */
struct pending {
	git_oid id;
	char *path;
};

static void warn(struct fetch *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct fetch *f, const char *fmt, ...)
{
	char msg[BP_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bp_warn(bp_kb_warn(f->kb), "peer '%s': %s", f->o->peer, msg);
}

static int file_nonempty(const char *dir, const char *name)
{
	struct bp_buf p = BP_BUF_INIT;
	struct stat st;
	int yes;

	bp_buf_addf(&p, "%s%s", dir, name);
	yes = !bp_buf_oom(&p) && stat(p.ptr, &st) == 0 && st.st_size > 0;
	bp_buf_release(&p);
	return yes;
}

/*
 * The configuration the peer is read with: never its own, only ours, which says one thing.
 * The pack written into the KB is written without deltas: compressing each article against
 * its neighbours was most of the cost of a first sync, and a KB's objects are small text.
 * pack.windowMemory = 1 leaves the packbuilder's window a single object, but it still read
 * every object and indexed it for a delta search. libgit2 1.5 reads its big-file threshold,
 * above which an object is not searched for deltas at all, from pack.deltaCacheSize (a slip
 * for pack.bigFileThreshold): 1 byte there skips the search. The file lives in the KB's
 * private folder.
 */
static int pack_config(git_config **out, struct fetch *f)
{
	static const char text[] = "# how bestpractice reads a local peer (not the peer's own)\n"
				   "[pack]\n\twindowMemory = 1\n\tdeltaCacheSize = 1\n";
	char *dir = NULL;
	struct bp_buf path = BP_BUF_INIT;
	FILE *fp;
	int rc;

	*out = NULL;
	rc = bp_kb_private_dir(&dir, f->kb, f->err);
	if (rc)
		return -1;
	bp_buf_addf(&path, "%s/peer-read.config", dir);
	bp_free(dir);
	if (bp_buf_oom(&path))
		return -1;
	fp = fopen(path.ptr, "w");
	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0) {
		bp_buf_release(&path);
		return -1;
	}
	rc = git_config_open_ondisk(out, path.ptr);
	bp_buf_release(&path);
	return rc;
}

/*
 * Open the peer, then replace what libgit2 would consult of it: its configuration by ours
 * (pack_config), its object database by one of its own loose and packed objects (no
 * alternates).
 */
static int open_peer(struct fetch *f, const char *path)
{
	git_config *cfg = NULL;
	git_odb_backend *pack = NULL, *loose = NULL;
	struct bp_buf objects = BP_BUF_INIT;
	const char *common;
	int rc;

	rc = git_repository_open_ext(&f->peer, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc < 0)
		return bp_git_error(f->err, rc, "cannot open the repository '%s'", path);
	rc = pack_config(&cfg, f);
	if (rc == 0)
		rc = git_repository_set_config(f->peer, cfg);
	git_config_free(cfg);
	if (rc < 0)
		return bp_git_error(f->err, rc, "cannot open the repository '%s'", path);
	common = git_repository_commondir(f->peer);
	bp_buf_addf(&objects, "%sobjects", common);
	if (bp_buf_oom(&objects))
		return bp_error_nomem(f->err);
	f->borrows = file_nonempty(objects.ptr, "/info/alternates") ||
		     file_nonempty(objects.ptr, "/info/http-alternates");
	f->shallow = file_nonempty(common, "shallow");
	rc = git_odb_new(&f->peer_odb);
	if (rc == 0 && (rc = git_odb_backend_pack(&pack, objects.ptr)) == 0) {
		if ((rc = git_odb_add_backend(f->peer_odb, pack, 2)) < 0)
			pack->free(pack);
		else
			f->peer_pack = pack;
	}
	if (rc == 0 && (rc = git_odb_backend_loose(&loose, objects.ptr, -1, 0, 0, 0)) == 0 &&
	    (rc = git_odb_add_backend(f->peer_odb, loose, 1)) < 0) {
		loose->free(loose);
	}
	if (rc == 0)
		rc = git_repository_set_odb(f->peer, f->peer_odb);
	bp_buf_release(&objects);
	return rc < 0 ? bp_git_error(f->err, rc, "cannot read the objects of '%s'", path) : 0;
}

/* The branches worth fetching: valid names, resolving to a commit the peer has. */
static int read_branches(struct fetch *f)
{
	git_reference_iterator *it = NULL;
	const char *name;
	size_t cap = 0;
	int rc;

	rc = git_reference_iterator_glob_new(&it, f->peer, "refs/heads/*");
	if (rc < 0)
		return bp_git_error(f->err, rc, "cannot list the branches");
	while ((rc = git_reference_next_name(&name, it)) == 0) {
		git_reference *ref = NULL, *res = NULL;
		struct bp_buf local = BP_BUF_INIT;
		const char *why = NULL;
		git_object_t type;
		size_t size;
		int valid = 0;

		bp_buf_addf(&local, "refs/remotes/%s/%s", f->o->peer, name + 11);
		if (bp_buf_oom(&local)) {
			rc = bp_error_nomem(f->err);
			break;
		}
		if (git_reference_name_is_valid(&valid, name) < 0 || !valid ||
		    git_reference_name_is_valid(&valid, local.ptr) < 0 || !valid)
			why = "an invalid branch name";
		else if (git_reference_lookup(&ref, f->peer, name) < 0 ||
			 git_reference_resolve(&res, ref) < 0)
			why = "it names no commit";
		else if (git_odb_read_header(&size, &type, f->peer_odb, git_reference_target(res)) < 0)
			why = "its commit is missing";
		else if (type != GIT_OBJECT_COMMIT)
			why = "it names something other than a commit";
		if (why) {
			git_error_clear();
			warn(f, "skipped branch '%s': %s", name + 11, why);
		} else if (f->nbr == cap) {
			struct branch *p;

			cap = cap ? cap * 2 : 8;
			p = bp_realloc(f->br, cap * sizeof(*p));
			if (!p)
				rc = bp_error_nomem(f->err);
			else
				f->br = p;
		}
		if (!why && !rc) {
			f->br[f->nbr].name = bp_strdup(name + 11);
			git_oid_cpy(&f->br[f->nbr].tip, git_reference_target(res));
			if (f->br[f->nbr].name)
				f->nbr++;
			else
				rc = bp_error_nomem(f->err);
		}
		git_reference_free(res);
		git_reference_free(ref);
		bp_buf_release(&local);
		if (rc)
			break;
	}
	git_reference_iterator_free(it);
	if (rc == GIT_ITEROVER)
		return 0;
	return rc == BP_ENOMEM ? rc : bp_git_error(f->err, rc, "cannot list the branches");
}

/* The branch HEAD names (even when it does not exist), or NULL. */
static int read_head(char **out, struct fetch *f)
{
	git_reference *head = NULL;
	const char *target;
	int valid = 0;

	*out = NULL;
	if (git_reference_lookup(&head, f->peer, "HEAD") < 0) {
		git_error_clear();
		return 0;
	}
	if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
	    !strncmp((target = git_reference_symbolic_target(head)), "refs/heads/", 11) &&
	    git_reference_name_is_valid(&valid, target) == 0 && valid)
		*out = bp_strdup(target + 11);
	git_reference_free(head);
	return (*out || !valid) ? 0 : bp_error_nomem(f->err);
}

/* Say which object of the peer failed, where, and why. */
static int object_error(struct fetch *f, int rc, const git_oid *id, const char *path)
{
	char hex[GIT_OID_HEXSZ + 1];
	const char *hint = "";

	git_oid_tostr(hex, sizeof(hex), id);
	if (rc == GIT_ENOTFOUND && f->borrows)
		hint = " (its objects/info/alternates, which borrows objects from another "
		       "repository, is ignored)";
	else if (rc == GIT_ENOTFOUND && f->shallow)
		hint = " (it is a shallow clone: its history is incomplete)";
	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return bp_error_set(f->err, BP_EGIT, "object %.7s%s%s%s is missing from the peer%s",
				    hex, *path ? " ('" : "", path, *path ? "')" : "", hint);
	}
	return bp_git_error(f->err, rc, "object %.7s%s%s%s of the peer is damaged", hex,
			    *path ? " ('" : "", path, *path ? "')" : "");
}

/* What an object is, in the words of a folder of files. */
static const char *kind(git_object_t type)
{
	return type == GIT_OBJECT_BLOB ? "a file" : type == GIT_OBJECT_TREE ? "a folder"
						  : type == GIT_OBJECT_COMMIT ? "a commit"
									     : "a tag";
}

/*
 * A tree git itself could not walk: its fetch, gc and repack would fail on it, in the peer and
 * in the KB alike, so it is not brought in.
 */
static int unwalkable(struct fetch *f, const git_oid *id, const char *path, const char *why)
{
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), id);
	return bp_error_set(f->err, BP_EGIT, "'%s' (object %.7s) %s, which git cannot read",
			    *path ? path : "/", hex, why);
}

/* Copy a large blob as a stream; GIT_PASSTHROUGH when the peer's storage cannot stream it. */
static int copy_stream(struct fetch *f, const git_oid *id)
{
	git_odb_stream *in = NULL, *out = NULL;
	git_object_size_t len = 0;
	git_object_t type;
	git_oid got;
	char buf[65536];
	int rc, n = 0;

	rc = git_odb_open_rstream(&in, &len, &type, f->peer_odb, id);
	if (rc < 0) {
		git_error_clear();
		return GIT_PASSTHROUGH;
	}
	rc = git_odb_open_wstream(&out, f->our_odb, len, type);
	while (rc == 0 && (n = git_odb_stream_read(in, buf, sizeof(buf))) > 0)
		rc = git_odb_stream_write(out, buf, (size_t)n);
	if (rc == 0 && n < 0)
		rc = n;
	if (rc == 0)
		rc = git_odb_stream_finalize_write(&got, out);
	if (rc == 0 && !git_oid_equal(&got, id)) {
		git_error_set_str(GIT_ERROR_OBJECT, "its content does not match its name");
		rc = -1;
	}
	git_odb_stream_free(in);
	git_odb_stream_free(out);
	return rc;
}

static char *child_path(const char *dir, const char *name, size_t len);

/*
 * Queue one object named by a tree for the pack (a blob, or anything in its place); `dir`,
 * `name` and `len` say where it is, for messages.
 */
static int take_object(struct fetch *f, const git_oid *id, const char *dir, const char *name,
		       size_t len)
{
	git_object_t type;
	size_t size;
	int rc;

	rc = oidset_add(&f->blobs, id);
	if (rc <= 0)
		return rc == 0 ? 0 : bp_error_nomem(f->err);
	rc = has(f->our_odb, id) ? git_odb_read_header(&size, &type, f->our_odb, id) : 1;
	if (rc == 0 && type == GIT_OBJECT_BLOB)
		return 0; /* here already */
	if (rc == 1)
		rc = git_odb_read_header(&size, &type, f->peer_odb, id);
	if (rc == 0 && type != GIT_OBJECT_BLOB) {
		char *path = child_path(dir, name, len), why[64];

		snprintf(why, sizeof(why), "is %s recorded as a file", kind(type));
		rc = unwalkable(f, id, path ? path : "", why);
		bp_free(path);
		return rc;
	}
	if (rc == 0 && size >= STREAM_MIN) {
		rc = copy_stream(f, id);
		if (rc != GIT_PASSTHROUGH)
			goto out;
	}
	if (rc == 0 && enqueue(f, id))
		return bp_error_nomem(f->err);
out:
	if (rc < 0) {
		char *path = child_path(dir, name, len);

		rc = object_error(f, rc, id, path ? path : "");
		bp_free(path);
	}
	return rc;
}

static char *child_path(const char *dir, const char *name, size_t len)
{
	struct bp_buf b = BP_BUF_INIT;

	if (*dir)
		bp_buf_addf(&b, "%s/", dir);
	bp_buf_add(&b, name, len);
	if (b.len > PATH_MAX_SHOWN)
		bp_buf_truncate(&b, PATH_MAX_SHOWN);
	return bp_buf_detach(&b, NULL);
}

/*
 * Queue a tree and everything under it that the KB lacks. Trees are read as raw objects and
 * parsed as git parses them, and no further: names git refuses on checkout ('..', '.git',
 * 'a/b') are copied as they are, for the index to leave out; but a tree git cannot walk (an
 * empty name, a truncated entry, an entry naming another kind of object than its mode says)
 * fails the fetch, as it fails git's. Submodule entries (and modes git takes for them) name
 * commits of another repository and are skipped.
 */
static int take_tree(struct fetch *f, const git_oid *root)
{
	struct pending *stack = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	stack = bp_malloc(sizeof(*stack) * (cap = 64));
	if (!stack)
		return bp_error_nomem(f->err);
	stack[n].id = *root;
	stack[n].path = bp_strdup("");
	if (!stack[n++].path) {
		bp_free(stack);
		return bp_error_nomem(f->err);
	}
	while (n && !rc) {
		struct pending t = stack[--n];
		git_odb_object *obj = NULL;
		const unsigned char *p, *end;

		int fresh = oidset_add(&f->trees, &t.id);
		git_object_t type;
		size_t size;

		if (fresh < 0) {
			rc = bp_error_nomem(f->err);
			bp_free(t.path);
			break;
		}
		/* A tree the KB has comes with all it holds: not walked again. */
		if (!fresh || (has(f->our_odb, &t.id) &&
			       git_odb_read_header(&size, &type, f->our_odb, &t.id) == 0 &&
			       type == GIT_OBJECT_TREE)) {
			bp_free(t.path);
			continue;
		}
		rc = git_odb_read(&obj, f->peer_odb, &t.id);
		if (rc == 0 && enqueue(f, &t.id))
			rc = bp_error_nomem(f->err);
		if (rc < 0) {
			rc = object_error(f, rc, &t.id, t.path);
		} else if (git_odb_object_type(obj) != GIT_OBJECT_TREE) {
			char why[64];

			snprintf(why, sizeof(why), "is %s recorded as a folder",
				 kind(git_odb_object_type(obj)));
			rc = unwalkable(f, &t.id, t.path, why);
		} else {
			p = git_odb_object_data(obj);
			end = p + git_odb_object_size(obj);
			while (!rc && p < end) {
				const unsigned char *name, *nul;
				unsigned mode = 0, digits = 0;
				git_oid id;

				while (p < end && *p >= '0' && *p <= '7' && digits++ < 7)
					mode = mode * 8 + (unsigned)(*p++ - '0');
				name = p + 1;
				nul = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
				if (!digits || p >= end || *p != ' ' || !nul ||
				    end - (nul + 1) < GIT_OID_RAWSZ) {
					rc = unwalkable(f, &t.id, t.path, "has a malformed entry");
					break;
				}
				if (nul == name) {
					rc = unwalkable(f, &t.id, t.path,
							"has an entry with an empty name");
					break;
				}
				git_oid_fromraw(&id, nul + 1);
				p = nul + 1 + GIT_OID_RAWSZ;
				/* What git walks: folders, files and links; anything else it takes for
				 * a submodule, a commit of another repository. */
				if ((mode & 0170000) == 0100000 || (mode & 0170000) == 0120000) {
					rc = take_object(f, &id, t.path, (const char *)name,
							 (size_t)(nul - name));
					continue;
				}
				if ((mode & 0170000) != 0040000)
					continue;
				if (n == cap) {
					struct pending *bigger = bp_realloc(stack, sizeof(*stack) * cap * 2);

					if (!bigger) {
						rc = bp_error_nomem(f->err);
						break;
					}
					stack = bigger;
					cap *= 2;
				}
				stack[n].id = id;
				stack[n].path = child_path(t.path, (const char *)name, (size_t)(nul - name));
				if (!stack[n++].path)
					rc = bp_error_nomem(f->err);
			}
		}
		git_odb_object_free(obj);
		bp_free(t.path);
	}
	while (n)
		bp_free(stack[--n].path);
	bp_free(stack);
	return rc;
}

/*
 * Queue every commit the KB lacks, with its tree: a walk from the branches' tips down their
 * parents, stopping at commits the KB has (their history came with them). A parent that is
 * nowhere (a shallow clone, a damaged repository) fails the fetch: the KB never gets a
 * history that stops short, on which git's gc and fsck would fail. (libgit2's revwalk would
 * do the walk, but leaks when a parent is missing.)
 */
static int take_history(struct fetch *f)
{
	struct oidset commits = {0};
	git_oid *stack = NULL;
	size_t n = 0, cap = f->nbr + 64, i;
	int rc = 0;

	stack = bp_malloc(sizeof(*stack) * cap);
	if (!stack)
		return bp_error_nomem(f->err);
	for (i = 0; i < f->nbr; i++)
		stack[n++] = f->br[i].tip;
	while (n && !rc) {
		git_oid id = stack[--n];
		git_commit *c = NULL;
		unsigned k;

		rc = oidset_add(&commits, &id);
		if (rc < 0) {
			rc = bp_error_nomem(f->err);
			break;
		}
		if (!rc || has(f->our_odb, &id)) {
			rc = 0;
			continue;
		}
		rc = git_commit_lookup(&c, f->peer, &id);
		if (rc < 0) {
			rc = object_error(f, rc, &id, "");
			break;
		}
		for (k = 0; k < git_commit_parentcount(c) && !rc; k++) {
			const git_oid *parent = git_commit_parent_id(c, k);

			if (!has(f->peer_odb, parent) && !has(f->our_odb, parent)) {
				rc = object_error(f, GIT_ENOTFOUND, parent, "");
			} else if (n == cap) {
				git_oid *bigger = bp_realloc(stack, sizeof(*stack) * cap * 2);

				if (bigger) {
					stack = bigger;
					cap *= 2;
				} else {
					rc = bp_error_nomem(f->err);
				}
			}
			if (!rc)
				stack[n++] = *parent;
		}
		if (!rc && enqueue(f, &id))
			rc = bp_error_nomem(f->err);
		if (!rc)
			rc = take_tree(f, git_commit_tree_id(c));
		git_commit_free(c);
	}
	bp_free(stack);
	oidset_release(&commits);
	return rc;
}

struct pack_out {
	git_odb_writepack *wp;
	git_indexer_progress stats;
};

static int pack_append(void *buf, size_t size, void *payload)
{
	struct pack_out *po = payload;

	po->stats.received_bytes += size;
	return po->wp->append(po->wp, buf, size, &po->stats);
}

static int count_object(const git_oid *id, void *payload)
{
	(void)id;
	(*(size_t *)payload)++;
	return 0;
}

/* Copy one file into the KB's objects folder: to a temporary name, then renamed. */
static int copy_file(const char *from, const char *to)
{
	char tmp[4200], buf[65536];
	FILE *in = NULL, *out = NULL;
	size_t n;
	int rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp", to);
	in = fopen(from, "rb");
	out = in ? fopen(tmp, "wb") : NULL;
	if (!out)
		goto done;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			goto done;
	if (ferror(in))
		goto done;
	rc = fclose(out);
	out = NULL;
	if (rc == 0)
		rc = rename(tmp, to);
done:
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	if (rc)
		unlink(tmp);
	return rc;
}

/*
 * The first fetch of a peer, done as git clones from a path: its packs are copied whole
 * (.pack, then .idx, so that no index ever names a missing pack) instead of every object being
 * read, compressed again and indexed again. Only when the walk found nothing wrong, the peer
 * borrows nothing (no alternates) and is not shallow, and the KB lacks most of what its packs
 * hold (at most twice as many objects as the walk queued, plus a little: so a peer cannot pour
 * unrelated data in this way, and a later fetch of a few changes is not done by copying). What is still missing after
 * the copy (loose objects) goes through the packbuilder as usual. Returns 1 when copied.
 */
static int copy_packs(struct fetch *f)
{
	struct bp_buf from = BP_BUF_INIT, to = BP_BUF_INIT, dir = BP_BUF_INIT;
	struct dirent *de;
	DIR *d = NULL;
	size_t count = 0;
	int copied = 0;

	if (f->borrows || f->shallow || !f->peer_pack || !f->nqueue)
		return 0;
	if (f->peer_pack->foreach(f->peer_pack, count_object, &count) < 0 ||
	    count > 2 * f->nqueue + 1000)
		return 0;
	bp_buf_addf(&dir, "%sobjects/pack", git_repository_commondir(f->peer));
	if (bp_buf_oom(&dir) || !(d = opendir(dir.ptr)))
		goto out;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, ".pack") || de->d_name[0] == '.')
			continue;
		for (const char *ext = ".pack";; ext = ".idx") {
			bp_buf_truncate(&from, 0);
			bp_buf_truncate(&to, 0);
			bp_buf_addf(&from, "%s/%.*s%s", dir.ptr, (int)(n - 5), de->d_name, ext);
			bp_buf_addf(&to, "%sobjects/pack/%.*s%s", git_repository_path(f->kb->repo),
				    (int)(n - 5), de->d_name, ext);
			if (bp_buf_oom(&from) || bp_buf_oom(&to) ||
			    (access(to.ptr, F_OK) != 0 && copy_file(from.ptr, to.ptr) != 0))
				goto out;
			if (!strcmp(ext, ".idx"))
				break;
		}
		copied = 1;
	}
out:
	if (d)
		closedir(d);
	bp_buf_release(&from);
	bp_buf_release(&to);
	bp_buf_release(&dir);
	if (copied) {
		git_odb_refresh(f->our_odb);
		/* Say what arrived, as a transfer would have. */
		if (f->o->progress) {
			git_indexer_progress stats;

			memset(&stats, 0, sizeof(stats));
			stats.total_objects = stats.received_objects = stats.indexed_objects =
				(unsigned int)count;
			f->o->progress(&stats, f->o->payload);
		}
	}
	return copied;
}

/* Write the queued objects into the KB as one pack. */
static int write_pack(struct fetch *f)
{
	struct pack_out po;
	size_t i;
	int rc, copied = copy_packs(f);

	for (i = 0; i < f->nqueue; i++) {
		if (copied && has(f->our_odb, &f->queue[i]))
			continue;
		rc = git_packbuilder_insert(f->pb, &f->queue[i], NULL);
		if (rc < 0)
			return object_error(f, rc, &f->queue[i], "");
	}
	if (!git_packbuilder_object_count(f->pb))
		return 0;
	memset(&po, 0, sizeof(po));
	rc = git_odb_write_pack(&po.wp, f->our_odb, f->o->progress, f->o->payload);
	if (rc == 0)
		rc = git_packbuilder_foreach(f->pb, pack_append, &po);
	if (rc == 0)
		rc = po.wp->commit(po.wp, &po.stats);
	if (po.wp)
		po.wp->free(po.wp);
	/* Lookups skip the refresh (see has()): make the new pack known. */
	if (rc == 0)
		rc = git_odb_refresh(f->our_odb);
	return rc < 0 ? bp_git_error(f->err, rc, "cannot store the objects") : 0;
}

/* Point refs/remotes/PEER/ at the branches fetched; remove the others. */
static int update_refs(struct fetch *f)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	struct bp_buf prefix = BP_BUF_INIT, name = BP_BUF_INIT, gone = BP_BUF_INIT;
	const char *p;
	size_t i;
	int rc;

	bp_buf_addf(&prefix, "refs/remotes/%s/", f->o->peer);
	if (bp_buf_oom(&prefix))
		return bp_error_nomem(f->err);
	/* The ones it no longer has first: "a" may have become "a/b". */
	rc = git_reference_iterator_new(&it, f->kb->repo);
	while (rc == 0 && git_reference_next(&ref, it) == 0) {
		const char *n = git_reference_name(ref);

		if (!strncmp(n, prefix.ptr, prefix.len) &&
		    git_reference_type(ref) == GIT_REFERENCE_DIRECT) {
			for (i = 0; i < f->nbr && strcmp(f->br[i].name, n + prefix.len); i++)
				;
			if (i == f->nbr)
				bp_buf_add(&gone, n, strlen(n) + 1);
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	if (bp_buf_oom(&gone))
		rc = bp_error_nomem(f->err);
	for (p = gone.ptr; rc == 0 && p && p < gone.ptr + gone.len; p += strlen(p) + 1)
		rc = git_reference_remove(f->kb->repo, p);
	for (i = 0; i < f->nbr && rc == 0; i++) {
		bp_buf_truncate(&name, 0);
		bp_buf_addf(&name, "%s%s", prefix.ptr, f->br[i].name);
		if (bp_buf_oom(&name)) {
			rc = bp_error_nomem(f->err);
			break;
		}
		if (!has(f->our_odb, &f->br[i].tip)) {
			rc = object_error(f, GIT_ENOTFOUND, &f->br[i].tip, "");
			break;
		}
		rc = git_reference_create(&ref, f->kb->repo, name.ptr, &f->br[i].tip, 1,
					  "bestpractice sync: fetch");
		git_reference_free(ref);
	}
	if (rc < 0 && rc != BP_ENOMEM && !f->err->msg[0])
		rc = bp_git_error(f->err, rc, "cannot update the peer's branches");
	bp_buf_release(&prefix);
	bp_buf_release(&name);
	bp_buf_release(&gone);
	return rc;
}

int bp_local_fetch(char **head_branch, struct bp_kb *kb, const char *path,
		   const struct bp_local_fetch_opts *opts, struct bp_error *err)
{
	struct fetch f;
	size_t i;
	int rc;

	*head_branch = NULL;
	memset(&f, 0, sizeof(f));
	f.kb = kb;
	f.o = opts;
	f.err = err;
	bp_error_clear(err);
	rc = open_peer(&f, path);
	if (!rc && (rc = git_repository_odb(&f.our_odb, kb->repo)) < 0)
		rc = bp_git_error(err, rc, "cannot open the KB's objects");
	if (!rc) {
		/* The pack is the KB's own, read again at once: fast over small (deflate.c). */
		int was = bp_deflate_fastest(1);

		if ((rc = git_packbuilder_new(&f.pb, f.peer)) < 0)
			rc = bp_git_error(err, rc, "cannot prepare a pack");
		bp_deflate_fastest(was);
	}
	if (!rc)
		git_packbuilder_set_threads(f.pb, 0); /* as many as there are processors */
	if (!rc)
		rc = read_branches(&f);
	if (!rc)
		rc = read_head(head_branch, &f);
	if (!rc)
		rc = take_history(&f);
	if (!rc)
		rc = write_pack(&f);
	if (!rc)
		rc = update_refs(&f);
	if (rc) {
		bp_free(*head_branch);
		*head_branch = NULL;
		/* Whatever went wrong, the peer could not be fetched: a failure of git. */
		if (rc != BP_ENOMEM)
			rc = err->code = BP_EGIT;
	}
	for (i = 0; i < f.nbr; i++)
		bp_free(f.br[i].name);
	bp_free(f.br);
	oidset_release(&f.trees);
	oidset_release(&f.blobs);
	bp_free(f.queue);
	git_packbuilder_free(f.pb);
	git_odb_free(f.our_odb);
	git_odb_free(f.peer_odb);
	git_repository_free(f.peer);
	return rc;
}
