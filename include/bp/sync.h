/*
 * Sharing through git: peers are git remotes of the KB. A subscribed peer is fetched and
 * indexed read-only from its remote-tracking branch, never checked out; a shared remote
 * (origin, or any peer added as shared) is fetched, merged into the own branch and pushed.
 *
 * Sync never loses a side: it fast-forwards when it can, merges three ways when both sides
 * changed different things, and when both changed one article keeps both versions in the
 * merge commit, one in place and the other beside it (<slug>.conflict-<who>.md), their front
 * matter naming each other, until the user decides.
 */
#ifndef BP_SYNC_H
#define BP_SYNC_H

#include <stddef.h>
#include "common.h"

struct bp_kb;
struct bp_index;

/* Whether `name` may name a peer: [A-Za-z0-9] then letters, digits, '.', '_', '-' (max 64). */
int bp_peer_name_valid(const char *name);

/*
 * Check a peer URL before any transport sees it. Accepted: a local path, file://, git://,
 * http://, https://, ssh:// and scp-style [user@]host:path. Refused with BP_EINVALID and a
 * reason: an option-like URL (leading '-'), "transport::address" forms (ext::, fd::), other
 * schemes, control characters, anything over 2048 bytes, and a host that is missing or looks
 * like an option (in brackets or after the last '@' too), an empty user, a port not all
 * digits.
 */
int bp_peer_url_check(const char *url, struct bp_error *err);

/*
 * `url` as it may be shown: the password of its user information, or an http(s) user name
 * (a token, as git hosts take them), written as "***". NULL when out of memory; bp_free().
 * Every message and listing shows peer URLs this way.
 */
char *bp_peer_url_redacted(const char *url);

enum bp_peer_role {
	BP_PEER_SUBSCRIBED,
	BP_PEER_SHARED,
};

/* Add a peer: a git remote NAME with URL, without contacting it. `sector` may be NULL. */
int bp_peer_add(struct bp_kb *kb, const char *name, const char *url, enum bp_peer_role role,
		const char *sector, struct bp_error *err);

/* Remove a peer: its remote, its remote-tracking branches and its settings. */
int bp_peer_remove(struct bp_kb *kb, const char *name, struct bp_error *err);

/* One peer as listed. Strings borrowed for the callback's duration; NULL when unset. */
struct bp_peer_info {
	const char *name;
	const char *url;    /* with its secrets hidden (bp_peer_url_redacted) */
	enum bp_peer_role role;
	const char *sector;
	const char *branch; /* the branch it is followed on, once known */
	const char *commit; /* the commit last fetched, hex */
};

int bp_peer_list(struct bp_kb *kb, int (*fn)(const struct bp_peer_info *p, void *payload),
		 void *payload, struct bp_error *err);

/* What happened to one peer during a sync. */
struct bp_sync_report {
	const char *peer;
	enum bp_peer_role role;
	int failed;              /* the peer could not be synced: see `error` and `code` */
	const char *error;
	int code;                /* BP_E* of the failure */
	int unchanged;           /* nothing new */
	int rewritten;           /* its history was rewritten (force-push): re-indexed */
	int pushed;              /* shared: our commits were pushed */
	int fast_forward;        /* shared: our branch moved to theirs */
	int merged;              /* shared: a merge commit was made */
	int adopted_history;     /* shared: an empty KB took the remote's history */
	/* Shared: articles added, changed and removed, compared with the last sync. A
	 * subscribed peer's are counted by the index as it takes them in: see
	 * bp_index_peer_changes(). */
	size_t added, changed, removed;
	size_t conflicts;        /* articles kept side by side */
	const char *const *conflict_paths; /* the copies placed beside them */
};

struct bp_sync_opts {
	const char *const *peers; /* only these (NULL: every peer) */
	size_t npeers;
	int force; /* allow a shared merge that deletes more than half of the articles */
	/* Transfer progress, for a terminal. */
	void (*progress)(void *payload, const char *peer, const char *what, size_t done,
			 size_t total);
	void *payload;
	/* Called once per peer when its sync is over. */
	void (*report)(void *payload, const struct bp_sync_report *r);
};

/*
 * Sync: commit pending hand edits, then fetch every peer (or those named); merge and push the
 * shared ones. A peer that fails does not stop the others: the call returns BP_ENETWORK (or
 * the first failure's code) after all were tried, with *failed set to their number; each
 * peer's outcome goes to opts->report. The index is not updated here: the caller brings it up
 * to date afterwards.
 */
int bp_sync(struct bp_kb *kb, const struct bp_sync_opts *opts, size_t *failed,
	    struct bp_error *err);

/*
 * adopt: copy a peer's article (id "PEER:path") into the own KB as a new commit, with an
 * `adopted-from` mapping in its front matter naming the peer, its URL, the path and the
 * commit it was taken from. `sector` (may be NULL) replaces the article's sector. *out_id
 * (bp_free) is the new own id.
 */
int bp_adopt(char **out_id, struct bp_kb *kb, const char *peer_id, const char *sector,
	     struct bp_error *err);

/* An adopted article whose origin changed since it was adopted. Strings borrowed. */
struct bp_outdated {
	const char *path;       /* own article */
	const char *peer;
	const char *peer_path;
	const char *adopted_at; /* the commit it was adopted from */
	const char *now_at;     /* the peer's commit now; NULL when the peer is gone */
	int removed;            /* the peer no longer has the file */
};

/*
 * Every adopted own article whose origin changed since (or is gone), in path order. *count
 * (may be NULL) gets their number.
 */
int bp_outdated(struct bp_kb *kb, int (*fn)(const struct bp_outdated *o, void *payload),
		void *payload, size_t *count, struct bp_error *err);

/*
 * The change upstream of an adopted own article since it was adopted: a unified diff of the
 * peer's file from the adopted commit to the peer's current one. *out (bp_free) is empty when
 * nothing changed. BP_EINVALID when the article was not adopted.
 */
int bp_upstream_diff(char **out, struct bp_kb *kb, const char *path, struct bp_error *err);

#endif
