/*
 * Peers as sources of the index: every git remote of the KB is a peer; a shared one (role
 * "shared", or the remote named origin when no role is set) is merged into the own branch and
 * so indexed as part of the own KB, while a subscribed one is indexed read-only from its
 * remote-tracking branch. The settings live in the remote's own git config section
 * (remote.NAME.bestpracticeRole, ...Sector, ...Branch), so `git remote rm` removes them too.
 */
#include <stdlib.h>
#include <string.h>

#include "index_internal.h"
#include "kb_internal.h"

void bp_sources_free(struct bp_source *s, size_t n)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < n; i++) {
		bp_free(s[i].name);
		bp_free(s[i].default_sector);
	}
	bp_free(s);
}

char *bp_remote_config(git_config *cfg, const char *name, const char *key)
{
	git_buf v = GIT_BUF_INIT;
	struct bp_buf k = BP_BUF_INIT;
	char *out = NULL;

	bp_buf_addf(&k, "remote.%s.%s", name, key);
	if (!bp_buf_oom(&k) && git_config_get_string_buf(&v, cfg, k.ptr) == 0 && v.ptr)
		out = bp_strdup(v.ptr);
	git_buf_dispose(&v);
	bp_buf_release(&k);
	return out;
}

char *bp_kb_remote_config(struct bp_kb *kb, const char *name, const char *key)
{
	git_config *cfg = NULL;
	char *out = NULL;

	if (git_repository_config_snapshot(&cfg, kb->repo) == 0)
		out = bp_remote_config(cfg, name, key);
	git_config_free(cfg);
	return out;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int bp_remote_names(git_strarray *out, git_config **cfg, struct bp_kb *kb, struct bp_error *err)
{
	git_config_iterator *it = NULL;
	git_config_entry *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int rc;

	memset(out, 0, sizeof(*out));
	*cfg = NULL;
	rc = git_repository_config_snapshot(cfg, kb->repo);
	if (rc == 0)
		rc = git_config_iterator_new(&it, *cfg);
	if (rc < 0)
		return bp_git_error(err, rc, "cannot read the peers");
	while ((rc = git_config_next(&e, it)) == 0) {
		size_t len = strlen(e->name);
		char *name;

		/* remote.<name>.url; <name> may itself contain dots. The strings are freed by
		 * git_strarray_dispose(), that is by libgit2's default allocator, free(3). */
		if (strncmp(e->name, "remote.", 7) || len < 12 ||
		    strcmp(e->name + len - 4, ".url"))
			continue;
		name = strndup(e->name + 7, len - 11);
		if (!name)
			goto oom;
		for (i = 0; i < n && strcmp(names[i], name); i++)
			;
		if (i < n) {
			free(name);
			continue;
		}
		if (n == cap) {
			char **p;
			cap = cap ? cap * 2 : 8;
			p = realloc(names, cap * sizeof(*p));
			if (!p) {
				free(name);
				goto oom;
			}
			names = p;
		}
		names[n++] = name;
	}
	git_config_iterator_free(it);
	if (rc != GIT_ITEROVER) {
		rc = bp_git_error(err, rc, "cannot read the peers");
		goto fail;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	out->strings = names;
	out->count = n;
	return 0;
oom:
	git_config_iterator_free(it);
	rc = bp_error_nomem(err);
fail:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int bp_peer_is_shared(git_config *cfg, const char *name)
{
	char *role = bp_remote_config(cfg, name, "bestpracticerole");
	int shared = role ? !strcmp(role, "shared") : !strcmp(name, "origin");

	bp_free(role);
	return shared;
}

/* The remote-tracking commit of a peer: refs/remotes/NAME/BRANCH, else .../HEAD. */
static int tracking_commit(git_oid *out, git_repository *repo, const char *name,
			   const char *branch)
{
	struct bp_buf ref = BP_BUF_INIT;
	git_reference *r = NULL;
	git_object *obj = NULL;
	int rc;

	bp_buf_addf(&ref, "refs/remotes/%s/%s", name, branch ? branch : "HEAD");
	if (bp_buf_oom(&ref))
		return -1;
	rc = git_reference_lookup(&r, repo, ref.ptr);
	if (rc == 0)
		rc = git_reference_peel(&obj, r, GIT_OBJECT_COMMIT);
	if (rc == 0)
		git_oid_cpy(out, git_object_id(obj));
	git_object_free(obj);
	git_reference_free(r);
	bp_buf_release(&ref);
	return rc;
}

int bp_peer_sources(struct bp_source **out, size_t *n, struct bp_kb *kb, struct bp_error *err)
{
	git_strarray names = {0};
	git_config *cfg = NULL;
	struct bp_source *s = NULL;
	size_t i, k = 0;
	int rc;

	*out = NULL;
	*n = 0;
	rc = bp_remote_names(&names, &cfg, kb, err);
	if (rc)
		goto out;
	s = bp_calloc(names.count ? names.count : 1, sizeof(*s));
	if (!s) {
		rc = bp_error_nomem(err);
		goto out;
	}
	for (i = 0; i < names.count; i++) {
		char *branch;

		if (bp_peer_is_shared(cfg, names.strings[i]))
			continue;
		s[k].name = bp_strdup(names.strings[i]);
		s[k].default_sector = bp_remote_config(cfg, names.strings[i], "bestpracticesector");
		if (!s[k].name) {
			k++;
			rc = bp_error_nomem(err);
			goto out;
		}
		branch = bp_remote_config(cfg, names.strings[i], "bestpracticebranch");
		s[k].has_commit =
			tracking_commit(&s[k].commit, kb->repo, names.strings[i], branch) == 0;
		bp_free(branch);
		k++;
	}
	*out = s;
	*n = k;
	s = NULL;
out:
	bp_sources_free(s, k);
	git_config_free(cfg);
	git_strarray_dispose(&names);
	return rc;
}

int bp_kb_each_peer(struct bp_kb *kb, int (*fn)(const char *name, void *payload),
		    void *payload, struct bp_error *err)
{
	git_strarray names = {0};
	git_config *cfg = NULL;
	size_t i;
	int rc;

	/* The KB may have been opened without its repository (bp_index_open_unchanged). */
	rc = bp_kb_need_repo(kb, err);
	if (!rc)
		rc = bp_remote_names(&names, &cfg, kb, err);
	for (i = 0; !rc && i < names.count; i++)
		rc = fn(names.strings[i], payload);
	git_config_free(cfg);
	git_strarray_dispose(&names);
	return rc;
}
