/*
 * A tree-to-tree comparison that trusts nothing in the trees. libgit2's diff and tree walks
 * pass entry names through raw ("..", ".git", names with '/', control characters), so the
 * index compares sources with this walk instead: it descends only into subtrees whose ids
 * differ (the cost follows what changed), checks every name of the new side with
 * bp_path_component_ok, keeps only blobs (no symbolic link is followed, no submodule is
 * entered), and drops entries that are out of order or duplicated, each with a reason. Of
 * names that one folder holds twice on a file system that ignores case or Unicode
 * normalisation (Law and law, café in NFC and in NFD), the first in git's order is kept. A
 * folder that cannot be read (a folder entry naming a file, a tree git cannot parse) is left
 * out with a reason; only a missing tree stops the walk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp/path.h"
#include "icu.h"
#include "kb_internal.h"
#include "treediff.h"

#define MAX_DEPTH 32
#define MAX_PATH 1024

struct walk {
	git_repository *repo;
	git_odb *odb;
	const struct bp_tree_diff_cb *cb;
	char path[MAX_PATH + 256];
	struct bp_error *err;
};

/* git's order of tree entries: names compared as if trees ended with '/'. */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
	size_t la = strlen(na), lb = strlen(nb), n = la < lb ? la : lb;
	int c = memcmp(na, nb, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = la > n ? (unsigned char)na[n] : git_tree_entry_type(a) == GIT_OBJECT_TREE ? '/' : 0;
	cb = lb > n ? (unsigned char)nb[n] : git_tree_entry_type(b) == GIT_OBJECT_TREE ? '/' : 0;
	return (int)ca - (int)cb;
}

static void reject(struct walk *w, size_t base, const char *name, const char *why)
{
	size_t n = strlen(name);

	if (base + n >= sizeof(w->path))
		n = sizeof(w->path) - base - 1;
	memcpy(w->path + base, name, n);
	w->path[base + n] = '\0';
	if (w->cb->reject)
		w->cb->reject(w->path, why, w->cb->payload);
}

/*
 * The name under which a file system that ignores case and Unicode normalisation stores
 * `name`: its canonical caseless form, NFD(fold(NFD(name))), in UTF-8 (bp_free). ASCII names
 * need only lowercasing. NULL when out of memory; the name itself when ICU fails.
 */
static char *fold_key(const char *name, size_t len)
{
	UChar a[1024], b[1024];
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfd;
	const struct bp_icu *icu;
	int32_t n = 0, out = 0;
	char *key;
	size_t i;

	for (i = 0; i < len && !((unsigned char)name[i] & 0x80); i++)
		;
	if (i == len) {
		key = bp_strndup(name, len);
		for (i = 0; key && i < len; i++)
			if (key[i] >= 'A' && key[i] <= 'Z')
				key[i] = (char)(key[i] + 32);
		return key;
	}
	/* Without ICU the name stands for itself: collisions of case go unnoticed. */
	icu = bp_icu();
	if (!icu)
		return bp_strndup(name, len);
	nfd = icu->norm_getNFDInstance(&st);
	icu->strFromUTF8(b, BP_ARRAY_SIZE(b), &n, name, (int32_t)len, &st);
	n = icu->norm_normalize(nfd, b, n, a, BP_ARRAY_SIZE(a), &st);
	n = icu->strFoldCase(b, BP_ARRAY_SIZE(b), a, n, U_FOLD_CASE_DEFAULT, &st);
	n = icu->norm_normalize(nfd, b, n, a, BP_ARRAY_SIZE(a), &st);
	if (U_SUCCESS(st))
		icu->strToUTF8(NULL, 0, &out, a, n, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR)
		st = U_ZERO_ERROR;
	if (U_FAILURE(st) || !(key = bp_malloc((size_t)out + 1)))
		return U_FAILURE(st) ? bp_strndup(name, len) : NULL;
	icu->strToUTF8(key, out + 1, NULL, a, n, &st);
	return key;
}

struct keyed {
	char *key;
	size_t i; /* the entry's place in git's order */
};

static int keyed_cmp(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	return c ? c : a->i < b->i ? -1 : a->i > b->i;
}

/*
 * Leave out of `e` (n entries, in git's order) the names that an earlier one of the folder
 * collides with where case or Unicode normalisation is ignored; *n becomes the number kept.
 */
static int drop_collisions(const git_tree_entry **e, size_t *n, struct walk *w, size_t base,
			   int report)
{
	struct keyed *k;
	const git_tree_entry **first = NULL;
	size_t i, j, kept = 0, total = *n;
	int rc = 0;

	if (total < 2)
		return 0;
	/* Names of ASCII without capitals are their own keys, and usable() already left out
	 * equal ones: nothing can collide (the common case, a folder of slugs). */
	for (i = 0; i < total; i++) {
		const unsigned char *p = (const unsigned char *)git_tree_entry_name(e[i]);

		while (*p && *p < 0x80 && !(*p >= 'A' && *p <= 'Z'))
			p++;
		if (*p)
			break;
	}
	if (i == total)
		return 0;
	k = bp_calloc(*n, sizeof(*k));
	first = bp_calloc(*n, sizeof(*first));
	for (i = 0; k && first && i < *n; i++) {
		const char *name = git_tree_entry_name(e[i]);

		k[i].i = i;
		if (!(k[i].key = fold_key(name, strlen(name))))
			break;
	}
	if (!k || !first || i < *n) {
		rc = bp_error_nomem(w->err);
		goto out;
	}
	qsort(k, *n, sizeof(*k), keyed_cmp);
	for (i = 1, j = 0; i < *n; i++) {
		if (strcmp(k[i].key, k[j].key)) {
			j = i;
			continue;
		}
		first[k[i].i] = e[k[j].i];
	}
	for (i = 0; i < *n; i++) {
		if (!first[i]) {
			e[kept++] = e[i];
		} else if (report) {
			char why[600];

			snprintf(why, sizeof(why),
				 "the same name as '%s' where case or Unicode normalisation is ignored",
				 git_tree_entry_name(first[i]));
			reject(w, base, git_tree_entry_name(e[i]), why);
		}
	}
	*n = kept;
out:
	for (i = 0; k && i < total; i++)
		bp_free(k[i].key);
	bp_free(k);
	bp_free(first);
	return rc;
}

/*
 * The usable entries of a tree, in order: the caller's array gets pointers into the tree and
 * *count their number. Entries that are unsafe, of a kind that is never content, out of order,
 * duplicated or colliding are reported (new side only) and left out. The old side is filtered
 * the same way, so that both sides pair up as they did when the old one was new.
 */
static int usable(const git_tree_entry **out, size_t *count, git_tree *t, struct walk *w,
		  size_t base, int report)
{
	size_t i, n = t ? git_tree_entrycount(t) : 0, k = 0;
	const char *why;
	char mode_why[64];

	for (i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const char *name = git_tree_entry_name(e);
		git_filemode_t mode = git_tree_entry_filemode_raw(e);
		size_t len = strlen(name);

		if (!bp_path_component_ok(name, len, &why)) {
			/* Dot-files (.gitignore, .github) are never content; say nothing. */
			if (report && why != bp_path_hidden)
				reject(w, base, name, why);
			continue;
		}
		/* Only what git itself writes for folders and files (git_tree_entry_filemode
		 * would pass 100664 and the like off as 100644). */
		if (mode != GIT_FILEMODE_TREE && mode != GIT_FILEMODE_BLOB &&
		    mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
			snprintf(mode_why, sizeof(mode_why), "an unusual file mode %06o",
				 (unsigned)mode);
			if (report)
				reject(w, base, name,
				       mode == GIT_FILEMODE_LINK     ? "a symbolic link (not followed)"
				       : mode == GIT_FILEMODE_COMMIT ? "a submodule (not entered)"
								     : mode_why);
			continue;
		}
		if (k && entry_cmp(out[k - 1], e) >= 0) {
			if (report)
				reject(w, base, name,
				       entry_cmp(out[k - 1], e) ? "an entry out of order"
								: "a duplicate entry");
			continue;
		}
		out[k++] = e;
	}
	*count = k;
	return drop_collisions(out, count, w, base, report);
}

static int compare(struct walk *w, git_tree *a, git_tree *b, size_t base, int depth);

/*
 * Open the subtree of entry `e` (at w->path[base]), or NULL when `e` is not a tree. A folder
 * entry that names something else, or a tree git cannot parse, is NULL too, and reported when
 * `report` is set; a missing tree is an error.
 */
static int subtree(git_tree **out, struct walk *w, const git_tree_entry *e, size_t base,
		   int report)
{
	git_object_t type = GIT_OBJECT_INVALID;
	const git_error *ge;
	size_t size;
	char why[300];
	int rc;

	*out = NULL;
	if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE)
		return 0;
	rc = git_odb_read_header(&size, &type, w->odb, git_tree_entry_id(e));
	if (rc == GIT_ENOTFOUND)
		return bp_git_error(w->err, rc, "cannot read tree");
	if (rc == 0 && type != GIT_OBJECT_TREE) {
		snprintf(why, sizeof(why), "a folder entry that names a %s",
			 git_object_type2string(type));
	} else {
		if (rc == 0 && (rc = git_tree_lookup(out, w->repo, git_tree_entry_id(e))) == 0)
			return 0;
		ge = git_error_last();
		snprintf(why, sizeof(why), "a folder that cannot be read (%s)",
			 ge && ge->message ? ge->message : "damaged");
	}
	git_error_clear();
	if (report)
		reject(w, base, git_tree_entry_name(e), why);
	return 0;
}

/* One name present on either side (or both). */
static int pair(struct walk *w, const git_tree_entry *ea, const git_tree_entry *eb, size_t base,
		int depth)
{
	const git_tree_entry *e = eb ? eb : ea;
	const char *name = git_tree_entry_name(e);
	size_t len = strlen(name);
	git_tree *ta = NULL, *tb = NULL;
	int a_tree = ea && git_tree_entry_type(ea) == GIT_OBJECT_TREE;
	int b_tree = eb && git_tree_entry_type(eb) == GIT_OBJECT_TREE;
	int rc = 0;

	if (ea && eb && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
	    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
		return 0; /* unchanged, whatever it holds */
	if (base + len + 1 > MAX_PATH) {
		if (eb)
			reject(w, base, name, "a path longer than 1024 bytes");
		return 0;
	}
	memcpy(w->path + base, name, len);
	w->path[base + len] = '\0';
	if (!a_tree && !b_tree) {
		return w->cb->change(w->path, ea ? git_tree_entry_id(ea) : NULL,
				     eb ? git_tree_entry_id(eb) : NULL, w->cb->payload);
	}
	/* A blob on one side and a tree on the other: the blob side first. */
	if (ea && !a_tree)
		rc = w->cb->change(w->path, git_tree_entry_id(ea), NULL, w->cb->payload);
	if (!rc && eb && !b_tree)
		rc = w->cb->change(w->path, NULL, git_tree_entry_id(eb), w->cb->payload);
	if (rc)
		return rc;
	if (depth + 1 > MAX_DEPTH) {
		if (b_tree)
			reject(w, base, name, "a folder more than 32 levels deep");
		return 0;
	}
	rc = subtree(&ta, w, a_tree ? ea : NULL, base, 0);
	if (!rc)
		rc = subtree(&tb, w, b_tree ? eb : NULL, base, 1);
	if (!rc) {
		w->path[base + len] = '/';
		rc = compare(w, ta, tb, base + len + 1, depth + 1);
	}
	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}

static int compare(struct walk *w, git_tree *a, git_tree *b, size_t base, int depth)
{
	const git_tree_entry **la = NULL, **lb = NULL;
	size_t na = 0, nb = 0, i = 0, j = 0;
	int rc = 0, c;

	la = bp_calloc((a ? git_tree_entrycount(a) : 0) + 1, sizeof(*la));
	lb = bp_calloc((b ? git_tree_entrycount(b) : 0) + 1, sizeof(*lb));
	if (!la || !lb) {
		rc = bp_error_nomem(w->err);
		goto out;
	}
	rc = usable(la, &na, a, w, base, 0);
	if (!rc)
		rc = usable(lb, &nb, b, w, base, 1);
	while (!rc && (i < na || j < nb)) {
		if (i == na)
			c = 1;
		else if (j == nb)
			c = -1;
		else
			c = entry_cmp(la[i], lb[j]);
		if (c < 0)
			rc = pair(w, la[i++], NULL, base, depth);
		else if (c > 0)
			rc = pair(w, NULL, lb[j++], base, depth);
		else
			rc = pair(w, la[i++], lb[j++], base, depth);
	}
out:
	bp_free(la);
	bp_free(lb);
	return rc;
}

int bp_tree_diff(git_repository *repo, git_tree *old_tree, git_tree *new_tree,
		 const struct bp_tree_diff_cb *cb, struct bp_error *err)
{
	struct walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.repo = repo;
	w.cb = cb;
	w.err = err;
	rc = git_repository_odb(&w.odb, repo);
	if (rc < 0)
		return bp_git_error(err, rc, "cannot read the objects");
	rc = compare(&w, old_tree, new_tree, 0, 0);
	git_odb_free(w.odb);
	return rc;
}
