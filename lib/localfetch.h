/*
 * Fetching a peer that is a repository on this machine (a path or a file:// URL) without
 * libgit2's local transport: see localfetch.c for why.
 */
#ifndef BP_LOCALFETCH_H
#define BP_LOCALFETCH_H

#include "libgit2.h"

#include "bp/common.h"

struct bp_kb;

/*
 * Whether `url` names a repository on this machine: a file:// URL, or a path (no scheme) to an
 * existing folder. Returns 1 with *path (bp_free) set to the folder, 0 when it is not local,
 * BP_ENOMEM.
 */
int bp_local_url_path(char **path, const char *url);

struct bp_local_fetch_opts {
	const char *peer; /* its name: its branches go to refs/remotes/PEER/ */
	/* Progress of the objects being copied (may be NULL). */
	int (*progress)(const git_indexer_progress *stats, void *payload);
	void *payload;
};

/*
 * Fetch every branch of the repository at `path` into refs/remotes/PEER/ of the KB, and remove
 * the remote-tracking branches it no longer has. Only the peer's own objects are read (its
 * objects/info/alternates and its configuration are ignored), and nothing it holds is run.
 * Branches that cannot be used (invalid names, dangling, not a commit) are left out with a
 * warning through the KB's warnings. A missing or damaged object, a history that stops short
 * (a shallow clone), or a tree git cannot walk (an empty name, an entry naming another kind
 * of object than its mode says) fails the whole fetch, with a message naming the object and
 * its path, before any ref moves; the error is then BP_EGIT.
 *
 * *head_branch (bp_free) gets the branch the peer's HEAD names, whether or not it exists, or
 * NULL when HEAD names none.
 */
int bp_local_fetch(char **head_branch, struct bp_kb *kb, const char *path,
		   const struct bp_local_fetch_opts *opts, struct bp_error *err);

#endif
