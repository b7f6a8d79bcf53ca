/*
 * bp_tree_diff: the changed blobs between two trees, every name checked (see treediff.c).
 */
#ifndef BP_TREEDIFF_H
#define BP_TREEDIFF_H

#include "libgit2.h"

#include "bp/common.h"

struct bp_tree_diff_cb {
	/*
	 * A blob path whose content differs: old_id NULL when it was added, new_id NULL when it
	 * was removed. Returns 0 to go on, anything else stops the walk with that value.
	 */
	int (*change)(const char *path, const git_oid *old_id, const git_oid *new_id,
		      void *payload);
	/* An entry of the new tree that was left out, and why (valid during the call). */
	void (*reject)(const char *path, const char *why, void *payload);
	void *payload;
};

/*
 * Compare two trees (either may be NULL for an empty tree), descending only into subtrees
 * whose ids differ. Only regular files are reported; names are checked on the new side.
 */
int bp_tree_diff(git_repository *repo, git_tree *old_tree, git_tree *new_tree,
		 const struct bp_tree_diff_cb *cb, struct bp_error *err);

#endif
