/*
 * sync: fetch every peer; merge and push the shared ones, never losing a side.
 *
 * A subscribed peer is only fetched: its remote-tracking branch moves, and the index (updated
 * by the caller afterwards) reads its tips straight from git's objects. A shared remote is
 * merged into the own branch: fast-forward when possible, a three-way merge otherwise, and on
 * a conflicting article both versions are kept, one in place and one beside it. Everything a
 * shared remote would bring into the working tree is validated first (bp_path_ok, no symbolic
 * links, no submodules): a remote with unsafe content is not merged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bp/article.h"
#include "bp/path.h"
#include "bp/sync.h"
#include "index_internal.h"
#include "kb_internal.h"
#include "localfetch.h"
#include "tls.h"
#include "treediff.h"

/* How many times a push rejected because the remote moved is retried after a new merge. */
#define PUSH_ATTEMPTS 4

struct sync_state {
	struct bp_kb *kb;
	const struct bp_sync_opts *opts;
	const char *peer;
	/* credentials */
	unsigned attempts;
	unsigned ssh_step;
	unsigned pass_step;
	unsigned allowed; /* the credential types the transport asked for */
	char auth_tried[256];
	/* push */
	int push_rejected;
	char push_status[256];
	/* https */
	int tls_ready;
	int https; /* the transfer under way is over https */
};

/* --- credentials ----------------------------------------------------------------------- */

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Ask git's credential helpers, as `git credential fill` does for git itself, without a
 * prompt. Returns 0 with *user and *pass (malloc'd) or -1.
 */
static int credential_fill(char **user, char **pass, const char *url)
{
	char in[4096], out[4096];
	const char *scheme_end = strstr(url, "://"), *host, *path;
	int to[2] = {-1, -1}, from[2] = {-1, -1}, status, len;
	ssize_t n, got = 0;
	pid_t pid;
	char *line, *save = NULL;

	*user = *pass = NULL;
	if (!scheme_end)
		return -1;
	host = scheme_end + 3;
	if (strchr(host, '@') && (!strchr(host, '/') || strchr(host, '@') < strchr(host, '/')))
		host = strchr(host, '@') + 1;
	path = strchr(host, '/');
	len = snprintf(in, sizeof(in), "protocol=%.*s\nhost=%.*s\npath=%s\n\n",
		       (int)(scheme_end - url), url,
		       (int)(path ? (size_t)(path - host) : strlen(host)), host,
		       path ? path + 1 : "");
	if (len < 0 || (size_t)len >= sizeof(in) || strpbrk(url, "\n\r"))
		return -1;
	if (pipe(to) < 0 || pipe(from) < 0)
		goto fail;
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(to[0], 0);
		dup2(from[1], 1);
		if (null >= 0)
			dup2(null, 2);
		close(to[1]);
		close(from[0]);
		setenv("GIT_TERMINAL_PROMPT", "0", 1);
		execlp("git", "git", "credential", "fill", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	to[0] = from[1] = -1;
	if (write(to[1], in, (size_t)len) != len) {
		/* The helper reads what it needs; a short write ends in a failed fill. */
	}
	close(to[1]);
	to[1] = -1;
	while (got < (ssize_t)sizeof(out) - 1 &&
	       (n = read(from[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	close(from[0]);
	from[0] = -1;
	out[got] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "username=", 9) && !*user)
			*user = strdup(line + 9);
		else if (!strncmp(line, "password=", 9) && !*pass)
			*pass = strdup(line + 9);
	}
	if (*user && *pass)
		return 0;
	free(*user);
	free(*pass);
	*user = *pass = NULL;
	return -1;
fail:
	if (to[0] >= 0)
		close(to[0]);
	if (to[1] >= 0)
		close(to[1]);
	if (from[0] >= 0)
		close(from[0]);
	if (from[1] >= 0)
		close(from[1]);
	return -1;
}

/*
 * The credentials callback. libgit2 calls it again after every failure without limit, so the
 * attempts are counted and each method is tried once: for ssh the agent, then the user's
 * keys; for https a token from BESTPRACTICE_TOKEN, then git's credential helpers.
 */
static int credentials(git_credential **out, const char *url, const char *user_from_url,
		       unsigned int allowed, void *payload)
{
	struct sync_state *s = payload;
	const char *user = user_from_url && *user_from_url ? user_from_url : getenv("USER");
	const char *home = getenv("HOME");
	static const char *const keys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};

	if (!user || !*user)
		user = "git";
	s->allowed |= allowed;
	if (++s->attempts > 8)
		goto give_up;
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user);
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		while (s->ssh_step < 1 + BP_ARRAY_SIZE(keys)) {
			unsigned step = s->ssh_step++;
			char key[4096], pub[4200];

			if (step == 0) {
				if (getenv("SSH_AUTH_SOCK") && *getenv("SSH_AUTH_SOCK")) {
					snprintf(s->auth_tried, sizeof(s->auth_tried), "ssh-agent");
					return git_credential_ssh_key_from_agent(out, user);
				}
				continue;
			}
			if (!home)
				break;
			snprintf(key, sizeof(key), "%s/.ssh/%s", home, keys[step - 1]);
			if (!file_exists(key))
				continue;
			snprintf(pub, sizeof(pub), "%s.pub", key);
			snprintf(s->auth_tried + strlen(s->auth_tried),
				 sizeof(s->auth_tried) - strlen(s->auth_tried), "%s~/.ssh/%s",
				 *s->auth_tried ? ", " : "", keys[step - 1]);
			return git_credential_ssh_key_new(out, user, file_exists(pub) ? pub : NULL,
							  key, NULL);
		}
	}
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		while (s->pass_step < 2) {
			unsigned step = s->pass_step++;
			const char *token = getenv("BESTPRACTICE_TOKEN");

			if (step == 0 && token && *token) {
				snprintf(s->auth_tried, sizeof(s->auth_tried), "BESTPRACTICE_TOKEN");
				return git_credential_userpass_plaintext_new(
					out, user_from_url && *user_from_url ? user_from_url
									     : "bestpractice",
					token);
			}
			if (step == 1) {
				char *u = NULL, *p = NULL;
				int rc;

				if (credential_fill(&u, &p, url) < 0)
					continue;
				snprintf(s->auth_tried + strlen(s->auth_tried),
					 sizeof(s->auth_tried) - strlen(s->auth_tried), "%s%s",
					 *s->auth_tried ? ", " : "", "git credential helpers");
				rc = git_credential_userpass_plaintext_new(out, u, p);
				free(u);
				if (p) {
					/* The secret lives no longer than it must. */
					memset(p, 0, strlen(p));
					free(p);
				}
				return rc;
			}
		}
	}
give_up:
	git_error_set_str(GIT_ERROR_NET,
			  *s->auth_tried ? "authentication failed" : "no credentials to offer");
	return GIT_EAUTH;
}

static int transfer_progress(const git_indexer_progress *stats, void *payload)
{
	struct sync_state *s = payload;

	if (s->opts->progress)
		s->opts->progress(s->opts->payload, s->peer, "receiving objects",
				  stats->received_objects, stats->total_objects);
	return 0;
}

static int push_status(const char *refname, const char *status, void *payload)
{
	struct sync_state *s = payload;

	if (status) {
		s->push_rejected = 1;
		snprintf(s->push_status, sizeof(s->push_status), "%s: %s", refname, status);
	}
	return 0;
}

static void callbacks_init(git_remote_callbacks *cb, struct sync_state *s)
{
	git_remote_init_callbacks(cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb->credentials = credentials;
	cb->transfer_progress = transfer_progress;
	cb->push_update_reference = push_status;
	cb->payload = s;
	/* certificate_check stays NULL: libgit2 then refuses hosts missing from
	 * ~/.ssh/known_hosts and https certificates the system does not trust. */
}

/*
 * Ready TLS before the first transfer of a sync: the certificates git itself would trust
 * for https, GIT_SSL_CAINFO or http.sslCAInfo (for a private or self-signed host), else
 * the system's bundle.
 */
static int tls_prepare(struct sync_state *s, const char *url, struct bp_error *err)
{
	const char *env = getenv("GIT_SSL_CAINFO"), *home = getenv("HOME");
	const char *file, *from = "GIT_SSL_CAINFO";
	char *conf = NULL, path[4096];
	int rc = 0;

	s->https = url && !strncasecmp(url, "https://", 8);
	if (s->tls_ready || !s->https)
		return 0;
	if (env && *env) {
		file = env;
	} else if (bp_kb_git_config(&conf, s->kb, "http.sslCAInfo", NULL) == 0 && *conf) {
		/* A path in git's configuration may start with ~/, as git itself reads it. */
		file = conf;
		from = "http.sslCAInfo";
		if (!strncmp(conf, "~/", 2) && home &&
		    (size_t)snprintf(path, sizeof(path), "%s%s", home, conf + 1) < sizeof(path))
			file = path;
	} else {
		free(conf);
		bp_tls_load();
		s->tls_ready = 1;
		return 0;
	}
	/* Failing, every peer of this sync says so again: none goes without the CA asked for. */
	if (!file_exists(file))
		rc = bp_error_set(err, BP_ENETWORK,
				  "peer '%s': certificate file '%s' (%s) is not there", s->peer,
				  file, from);
	else if (bp_tls_set_ca(file) < 0)
		rc = bp_git_error(err, -1, "peer '%s': cannot read certificate file '%s'", s->peer,
				  file);
	else
		s->tls_ready = 1;
	free(conf);
	return rc;
}

/* A transport error, in the user's terms, naming the peer; never a secret. */
static int peer_error(struct sync_state *s, struct bp_error *err, int rc, const char *what)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown error";

	if (rc == GIT_EAUTH || (e && strstr(msg, "authentication"))) {
		/* What to set up, for the kind of credentials this peer asked for. */
		const char *hint =
			s->allowed & GIT_CREDENTIAL_SSH_KEY
				? "start ssh-agent or put an ed25519 key in ~/.ssh"
			: s->allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT
				? "set BESTPRACTICE_TOKEN or a git credential helper"
				: "for ssh, start ssh-agent or put an ed25519 key in ~/.ssh; for "
				  "https, set BESTPRACTICE_TOKEN or a git credential helper";

		return bp_error_set(err, BP_EAUTH, "peer '%s': %s: authentication failed (%s%s)",
				    s->peer, what, *s->auth_tried ? "tried " : "no credentials: ",
				    *s->auth_tried ? s->auth_tried : hint);
	}
	if (rc == GIT_ECERTIFICATE) {
		char *nl;

		bp_error_set(err, BP_EAUTH,
			     "peer '%s': %s: the host's identity could not be verified (%s): %s",
			     s->peer, what,
			     s->https ? "its certificate must be signed by an authority the system "
					"trusts, or by the one GIT_SSL_CAINFO or http.sslCAInfo names"
				      : "for ssh, add it to ~/.ssh/known_hosts",
			     msg);
		/* mbedTLS puts one reason a line: keep the message on one. */
		while (err && (nl = strchr(err->msg, '\n')))
			*nl = ' ';
		return BP_EAUTH;
	}
	return bp_error_set(err, BP_ENETWORK, "peer '%s': %s: %s", s->peer, what, msg);
}

/*
 * Check a peer's URLs again before any transport sees them: they may have been changed by
 * hand since peer add (git remote set-url, a push URL, url.*.insteadOf rewrites, which
 * git_remote_url and git_remote_pushurl already applied).
 */
static int remote_urls_ok(git_remote *remote, const char *peer, struct bp_error *err)
{
	int rc = bp_peer_url_check(git_remote_url(remote), err);

	if (!rc && git_remote_pushurl(remote))
		rc = bp_peer_url_check(git_remote_pushurl(remote), err);
	if (rc)
		return bp_error_prefix(err, "peer '%s'", peer);
	/* libgit2 would say "unsupported URL protocol" of a folder that is not there. */
	if (bp_peer_local_missing(git_remote_url(remote)))
		return bp_error_set(err, BP_ENETWORK, "peer '%s': no repository at '%s'", peer,
				    git_remote_url(remote));
	return 0;
}

/* --- small git helpers ----------------------------------------------------------------- */

static int config_set(struct bp_kb *kb, const char *peer, const char *key, const char *value)
{
	git_config *cfg = NULL;
	struct bp_buf k = BP_BUF_INIT;
	int rc;

	bp_buf_addf(&k, "remote.%s.%s", peer, key);
	if (bp_buf_oom(&k))
		return -1;
	rc = git_repository_config(&cfg, kb->repo);
	if (rc == 0)
		rc = git_config_set_string(cfg, k.ptr, value);
	git_config_free(cfg);
	bp_buf_release(&k);
	return rc;
}

/* The commit a ref points to; 0 when found. */
static int ref_commit(git_oid *out, git_repository *repo, const char *name)
{
	git_reference *r = NULL;
	git_object *obj = NULL;
	int rc = git_reference_lookup(&r, repo, name);

	if (rc == 0)
		rc = git_reference_peel(&obj, r, GIT_OBJECT_COMMIT);
	if (rc == 0)
		git_oid_cpy(out, git_object_id(obj));
	git_object_free(obj);
	git_reference_free(r);
	return rc;
}

/* Whether any remote-tracking branch of `peer` exists. */
static int has_branches(struct bp_kb *kb, const char *peer)
{
	git_reference_iterator *it = NULL;
	const char *name;
	size_t n = strlen(peer);
	int yes = 0;

	if (git_reference_iterator_new(&it, kb->repo) < 0)
		return 0;
	while (!yes && git_reference_next_name(&name, it) == 0)
		yes = !strncmp(name, "refs/remotes/", 13) && !strncmp(name + 13, peer, n) &&
		      name[13 + n] == '/';
	git_reference_iterator_free(it);
	return yes;
}

/* Whether the index would read the blob `id`: a file, not larger than it reads. */
static int indexable(git_odb *odb, const git_oid *id)
{
	git_object_t type;
	size_t size;

	if (!id)
		return 0;
	return !odb || (git_odb_read_header(&size, &type, odb, id) == 0 &&
			type == GIT_OBJECT_BLOB && size <= BP_PEER_MAX_BLOB);
}

int bp_count_change(const char *path, const git_oid *old_id, const git_oid *new_id,
		    void *payload)
{
	struct bp_change_counts *c = payload;
	int was, is;

	if (!(c->peer ? bp_kb_is_peer_article_path(path) : bp_kb_is_article_path(path)))
		return 0;
	was = indexable(c->odb, old_id);
	is = indexable(c->odb, new_id);
	if (!was && is)
		c->added++;
	else if (was && !is)
		c->removed++;
	else if (was && is)
		c->changed++;
	return 0;
}

/*
 * Articles of the own KB added, changed and removed between two trees (either may be NULL),
 * counted by the index's own tree comparison, so that a report never counts what the index
 * leaves out (a name such as 'law/a\b.md', a symbolic link, a file too large to read) or
 * gives up on a tree libgit2 cannot diff. (A subscribed peer's are counted by the index.)
 */
static int diff_counts(struct bp_kb *kb, git_tree *a, git_tree *b, size_t *added,
		       size_t *changed, size_t *removed)
{
	struct bp_change_counts c = {NULL, 0, 0, 0, 0};
	struct bp_tree_diff_cb cb = {bp_count_change, NULL, &c};
	int rc;

	if (git_repository_odb(&c.odb, kb->repo) < 0)
		c.odb = NULL;
	rc = bp_tree_diff(kb->repo, a, b, &cb, NULL);
	git_odb_free(c.odb);

	*added = c.added;
	*changed = c.changed;
	*removed = c.removed;
	return rc;
}

/* Count the own articles of a tree (NULL: none). */
static size_t count_articles(struct bp_kb *kb, git_tree *tree)
{
	size_t n = 0, changed, removed;

	if (tree)
		diff_counts(kb, NULL, tree, &n, &changed, &removed);
	return n;
}

static int commit_tree_of(git_tree **out, struct bp_kb *kb, const git_oid *id)
{
	git_commit *c = NULL;
	int rc = git_commit_lookup(&c, kb->repo, id);

	if (rc == 0)
		rc = git_commit_tree(out, c);
	git_commit_free(c);
	return rc;
}

/* --- safety of what a shared remote brings --------------------------------------------- */

struct safety {
	char bad[1024];
	const char *why;
	char why_buf[600];
};

static int safety_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct safety *s = payload;
	const char *name = git_tree_entry_name(e);
	git_filemode_t mode = git_tree_entry_filemode(e);

	if (!bp_path_component_ok(name, strlen(name), &s->why))
		goto bad;
	if (mode == GIT_FILEMODE_LINK) {
		s->why = "a symbolic link";
		goto bad;
	}
	if (mode == GIT_FILEMODE_COMMIT) {
		s->why = "a submodule";
		goto bad;
	}
	if (strlen(root) > 900) {
		s->why = "a path too deep";
		goto bad;
	}
	return 0;
bad:
	snprintf(s->bad, sizeof(s->bad), "%s%s", root, name);
	return -1;
}

static int safety_change(const char *path, const git_oid *old_id, const git_oid *new_id,
			 void *payload)
{
	(void)path;
	(void)old_id;
	(void)new_id;
	(void)payload;
	return 0;
}

/* What the index's checked comparison leaves out is not checked out either. */
static void safety_reject(const char *path, const char *why, void *payload)
{
	struct safety *s = payload;

	if (s->why)
		return;
	snprintf(s->bad, sizeof(s->bad), "%s", path);
	snprintf(s->why_buf, sizeof(s->why_buf), "%s", why);
	s->why = s->why_buf;
}

/*
 * Whether every name of a tree is safe to check out; *why and the path when not. Beyond the
 * names, the tree must be what git writes: a name held twice, entries out of order, names
 * that collide where case is ignored would make libgit2's merge take one entry for another
 * (a duplicate of the base version hid the remote's change from it, and the merge then
 * dropped the user's own edit of that file without a conflict).
 */
static int tree_safe(git_repository *repo, git_tree *tree, struct safety *s)
{
	struct bp_tree_diff_cb cb = {safety_change, safety_reject, s};

	memset(s, 0, sizeof(*s));
	if (git_tree_walk(tree, GIT_TREEWALK_PRE, safety_cb, s) != 0)
		return 0;
	if (bp_tree_diff(repo, NULL, tree, &cb, NULL) != 0 && !s->why) {
		s->why = "a folder that cannot be read";
		snprintf(s->bad, sizeof(s->bad), "%s", "(a folder)");
	}
	return s->why == NULL;
}

/* --- fetching -------------------------------------------------------------------------- */

/*
 * Fetch a peer's branches into refs/remotes/NAME/ and find the branch it is followed on
 * (the peer's HEAD, remembered in remote.NAME.bestpracticeBranch). *has is 0 for a peer with
 * no commit at all (an empty repository).
 */
static int fetch(struct sync_state *s, git_oid *tip, int *has, char **branch,
		 struct bp_error *err)
{
	git_remote *remote = NULL;
	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
	git_buf head = GIT_BUF_INIT;
	struct bp_buf spec = BP_BUF_INIT, ref = BP_BUF_INIT;
	char *refspec, *local = NULL, *local_head = NULL;
	git_strarray specs;
	int rc, from_head = 0;

	*has = 0;
	*branch = NULL;
	rc = git_remote_lookup(&remote, s->kb->repo, s->peer);
	if (rc < 0) {
		rc = bp_error_set(err, BP_ENOTFOUND, "no peer named '%s'", s->peer);
		goto out;
	}
	rc = remote_urls_ok(remote, s->peer, err);
	if (rc)
		goto out;
	/* A repository on this machine is read without libgit2's local transport, which would
	 * honour its alternates (see localfetch.c). */
	rc = bp_local_url_path(&local, git_remote_url(remote));
	if (rc < 0) {
		rc = bp_error_nomem(err);
		goto out;
	}
	if (rc == 1) {
		struct bp_local_fetch_opts lo = {s->peer, transfer_progress, s};

		rc = bp_local_fetch(&local_head, s->kb, local, &lo, err);
		if (rc) {
			bp_error_prefix(err, "peer '%s': cannot fetch", s->peer);
			goto out;
		}
		from_head = local_head != NULL;
		if (local_head) {
			*branch = local_head;
			local_head = NULL;
		} else {
			*branch = bp_kb_remote_config(s->kb, s->peer, "bestpracticebranch");
		}
		goto found;
	}
	bp_buf_addf(&spec, "+refs/heads/*:refs/remotes/%s/*", s->peer);
	if (bp_buf_oom(&spec)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	refspec = spec.ptr;
	specs.strings = &refspec;
	specs.count = 1;
	callbacks_init(&fo.callbacks, s);
	fo.prune = GIT_FETCH_PRUNE;
	fo.update_fetchhead = 0;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	s->attempts = s->ssh_step = s->pass_step = s->allowed = 0;
	s->auth_tried[0] = '\0';
	rc = tls_prepare(s, git_remote_url(remote), err);
	if (rc)
		goto out;
	rc = git_remote_fetch(remote, &specs, &fo, "bestpractice sync");
	if (rc < 0) {
		rc = peer_error(s, err, rc, "cannot fetch");
		goto out;
	}
	if (git_remote_default_branch(&head, remote) == 0 && head.ptr &&
	    !strncmp(head.ptr, "refs/heads/", 11)) {
		*branch = bp_strdup(head.ptr + 11);
		from_head = *branch != NULL;
	} else {
		*branch = bp_kb_remote_config(s->kb, s->peer, "bestpracticebranch");
	}
found:
	if (*branch) {
		bp_buf_addf(&ref, "refs/remotes/%s/%s", s->peer, *branch);
		if (!bp_buf_oom(&ref) && ref_commit(tip, s->kb->repo, ref.ptr) == 0)
			*has = 1;
	}
	/* A peer with branches but none to follow is broken, not empty: an empty peer would
	 * take all of its tips out of the index. */
	if (!*has && has_branches(s->kb, s->peer)) {
		if (*branch)
			rc = bp_error_set(err, BP_EGIT,
					  "peer '%s': its HEAD names branch '%s', which it does not "
					  "have; nothing to follow",
					  s->peer, *branch);
		else
			rc = bp_error_set(err, BP_EGIT,
					  "peer '%s': its HEAD names no branch; nothing to follow",
					  s->peer);
		goto out;
	}
	if (*has && from_head)
		config_set(s->kb, s->peer, "bestpracticebranch", *branch);
	rc = 0;
out:
	bp_free(local);
	bp_free(local_head);
	git_buf_dispose(&head);
	bp_buf_release(&spec);
	bp_buf_release(&ref);
	git_remote_free(remote);
	return rc;
}

/* --- subscribed peers ------------------------------------------------------------------ */

static int sync_subscribed(struct sync_state *s, struct bp_sync_report *r, struct bp_error *err)
{
	git_tree *new_tree = NULL;
	git_oid old, tip;
	char *branch = NULL, *old_branch = bp_kb_remote_config(s->kb, s->peer, "bestpracticebranch");
	struct bp_buf ref = BP_BUF_INIT;
	int has_old = 0, has = 0, rc;

	if (old_branch) {
		bp_buf_addf(&ref, "refs/remotes/%s/%s", s->peer, old_branch);
		has_old = !bp_buf_oom(&ref) && ref_commit(&old, s->kb->repo, ref.ptr) == 0;
	}
	rc = fetch(s, &tip, &has, &branch, err);
	if (rc)
		goto out;
	if (has_old && has && git_oid_equal(&old, &tip)) {
		r->unchanged = 1;
		goto out;
	}
	if (has && commit_tree_of(&new_tree, s->kb, &tip) < 0) {
		rc = peer_error(s, err, -1, "cannot read what was fetched");
		goto out;
	}
	if (has_old && has && !git_graph_descendant_of(s->kb->repo, &tip, &old))
		r->rewritten = 1;
	/* What changed is counted by the index as it takes the changes in
	 * (bp_index_peer_changes): comparing the trees here too cost as much again. */
out:
	git_tree_free(new_tree);
	bp_buf_release(&ref);
	bp_free(branch);
	bp_free(old_branch);
	return rc;
}

/* --- shared remotes -------------------------------------------------------------------- */

/* The name of the local branch HEAD is on ("main"), or BP_EINVALID when detached. */
static int local_branch(char **out, struct bp_kb *kb, struct bp_error *err)
{
	git_reference *head = NULL;
	const char *name;
	int rc;

	*out = NULL;
	rc = git_reference_lookup(&head, kb->repo, "HEAD");
	if (rc < 0)
		return bp_git_error(err, rc, "cannot read HEAD");
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC ||
	    strncmp((name = git_reference_symbolic_target(head)), "refs/heads/", 11)) {
		git_reference_free(head);
		return bp_error_set(err, BP_EINVALID,
				    "HEAD is not on a branch; check out a branch before syncing");
	}
	*out = bp_strdup(name + 11);
	git_reference_free(head);
	return *out ? 0 : bp_error_nomem(err);
}

/*
 * A name for the other side's version of a conflicting file: who made it, that is the author
 * of the last commit on their side that changed it; the peer's name when that says nothing.
 */
static void conflict_who(char *out, size_t size, struct bp_kb *kb, git_commit *theirs,
			 const char *path, const char *peer)
{
	char *who = NULL, *name = NULL, *slug = NULL;

	if (bp_last_author(&who, &name, kb->repo, git_commit_id(theirs), path, NULL) == 0 &&
	    bp_slugify(&slug, name, 30, NULL) == 0 && strcmp(slug, "untitled"))
		snprintf(out, size, "%s", slug);
	else
		snprintf(out, size, "%s", peer);
	bp_free(slug);
	bp_free(name);
	bp_free(who);
}

/* "law/x.md" -> "law/x.conflict-bob.md" (or -2, -3 when taken in `idx`). */
static char *copy_path(git_index *idx, const char *path, const char *who)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	struct bp_buf b = BP_BUF_INIT;
	unsigned k;

	if (!dot || (slash && dot < slash))
		dot = path + strlen(path);
	for (k = 1; k < 1000; k++) {
		bp_buf_truncate(&b, 0);
		bp_buf_add(&b, path, (size_t)(dot - path));
		bp_buf_addf(&b, ".conflict-%s", who);
		if (k > 1)
			bp_buf_addf(&b, "-%u", k);
		bp_buf_addstr(&b, dot);
		if (bp_buf_oom(&b))
			break;
		if (!git_index_get_bypath(idx, b.ptr, 0))
			break;
	}
	return bp_buf_detach(&b, NULL);
}

/*
 * The blob of an article with one front-matter field added, linking the two versions of a
 * conflict. A file that is not a valid article is kept as it is.
 */
static int linked_blob(git_oid *out, struct bp_kb *kb, const git_oid *blob_id, const char *path,
		       const char *key, const char *value)
{
	git_blob *blob = NULL;
	struct bp_article *a = NULL;
	struct bp_article_opts lenient = {0};
	char *text = NULL;
	size_t len = 0;
	int rc;

	git_oid_cpy(out, blob_id);
	rc = git_blob_lookup(&blob, kb->repo, blob_id);
	if (rc < 0)
		return rc;
	if (strcmp(path + strlen(path) - 3, ".md") || git_blob_rawsize(blob) > BP_ARTICLE_MAX_SIZE)
		goto out;
	if (bp_article_parse(&a, path, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
			     &lenient, NULL) ||
	    bp_article_set_field(a, key, value, NULL) ||
	    bp_article_serialize(&text, &len, a, NULL))
		goto out;
	rc = git_blob_create_from_buffer(out, kb->repo, text, len);
out:
	bp_free(text);
	bp_article_free(a);
	git_blob_free(blob);
	return rc;
}

static int index_put(git_index *idx, const char *path, const git_oid *id, uint32_t mode)
{
	git_index_entry e;

	memset(&e, 0, sizeof(e));
	e.path = path;
	e.mode = mode;
	git_oid_cpy(&e.id, id);
	return git_index_add(idx, &e);
}

struct conflict {
	char *path;
	int has_ours, has_theirs;
	git_oid ours, theirs;
	uint32_t ours_mode, theirs_mode;
};

/*
 * Merge `theirs` into `ours` in memory and resolve every conflict by keeping both sides.
 * *tree_out gets the resulting tree; the copies placed beside conflicting files go to
 * r->conflict_paths (owned by *copies, freed by the caller).
 */
static int merge_trees(git_oid *tree_out, struct sync_state *s, git_commit *ours,
		       git_commit *theirs, struct bp_sync_report *r, char ***copies,
		       struct bp_error *err)
{
	git_merge_options mo = GIT_MERGE_OPTIONS_INIT;
	git_index *idx = NULL;
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *anc, *o, *t;
	struct conflict *cs = NULL;
	size_t n = 0, cap = 0, i, k = 0;
	char who[64];
	int rc;

	*copies = NULL;
	mo.flags = 0;
	rc = git_merge_commits(&idx, s->kb->repo, ours, theirs, &mo);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot merge peer '%s'", s->peer);
		goto out;
	}
	if (git_index_has_conflicts(idx)) {
		rc = git_index_conflict_iterator_new(&it, idx);
		while (rc == 0 && (rc = git_index_conflict_next(&anc, &o, &t, it)) == 0) {
			if (n == cap) {
				struct conflict *p;
				cap = cap ? cap * 2 : 8;
				p = bp_realloc(cs, cap * sizeof(*p));
				if (!p) {
					rc = bp_error_nomem(err);
					goto out;
				}
				cs = p;
			}
			memset(&cs[n], 0, sizeof(cs[n]));
			cs[n].path = bp_strdup(o ? o->path : t->path);
			if (!cs[n].path) {
				rc = bp_error_nomem(err);
				goto out;
			}
			if (o) {
				cs[n].has_ours = 1;
				git_oid_cpy(&cs[n].ours, &o->id);
				cs[n].ours_mode = o->mode;
			}
			if (t) {
				cs[n].has_theirs = 1;
				git_oid_cpy(&cs[n].theirs, &t->id);
				cs[n].theirs_mode = t->mode;
			}
			n++;
		}
		git_index_conflict_iterator_free(it);
		it = NULL;
		if (rc != GIT_ITEROVER) {
			rc = bp_git_error(err, rc, "cannot read the merge's conflicts");
			goto out;
		}
	}
	*copies = bp_calloc(n + 1, sizeof(char *));
	if (!*copies) {
		rc = bp_error_nomem(err);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct conflict *c = &cs[i];
		git_oid mine, copy;
		char *cp, id[1100], copy_id[1100];

		rc = git_index_conflict_remove(idx, c->path);
		if (rc < 0)
			break;
		if (c->has_ours && !c->has_theirs) {
			/* Changed here, removed there: the change is kept. */
			rc = index_put(idx, c->path, &c->ours, c->ours_mode);
			continue;
		}
		if (!c->has_ours) {
			/* Removed here, changed there: their change is kept. */
			rc = index_put(idx, c->path, &c->theirs, c->theirs_mode);
			continue;
		}
		/* Both changed it: ours stays in place, theirs goes beside it. */
		conflict_who(who, sizeof(who), s->kb, theirs, c->path, s->peer);
		cp = copy_path(idx, c->path, who);
		if (!cp) {
			rc = bp_error_nomem(err);
			goto out;
		}
		(*copies)[k++] = cp;
		snprintf(id, sizeof(id), "%.*s", (int)(strlen(c->path) - 3), c->path);
		snprintf(copy_id, sizeof(copy_id), "%.*s", (int)(strlen(cp) - 3), cp);
		rc = linked_blob(&mine, s->kb, &c->ours, c->path, "conflict-copy", copy_id);
		if (rc == 0)
			rc = linked_blob(&copy, s->kb, &c->theirs, cp, "conflict-of", id);
		if (rc == 0)
			rc = index_put(idx, c->path, &mine, c->ours_mode);
		if (rc == 0)
			rc = index_put(idx, cp, &copy, c->theirs_mode);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot keep both sides of a conflict");
		goto out;
	}
	r->conflicts = k;
	r->conflict_paths = (const char *const *)*copies;
	rc = git_index_write_tree_to(tree_out, idx, s->kb->repo);
	rc = rc < 0 ? bp_git_error(err, rc, "cannot write the merged tree") : 0;
out:
	for (i = 0; i < n; i++)
		bp_free(cs[i].path);
	bp_free(cs);
	git_index_conflict_iterator_free(it);
	git_index_free(idx);
	return rc;
}

/* The files a move from one tree to another changes. */
struct moves {
	struct {
		char *path;
		git_oid old_id, new_id;
		int has_old, has_new;
	} *m;
	size_t n, cap;
	int oom;
};

static int collect_move(const char *path, const git_oid *old_id, const git_oid *new_id,
			void *payload)
{
	struct moves *mv = payload;

	if (mv->n == mv->cap) {
		size_t cap = mv->cap ? mv->cap * 2 : 32;
		void *p = bp_realloc(mv->m, cap * sizeof(*mv->m));
		if (!p) {
			mv->oom = 1;
			return -1;
		}
		mv->m = p;
		mv->cap = cap;
	}
	memset(&mv->m[mv->n], 0, sizeof(mv->m[mv->n]));
	mv->m[mv->n].path = bp_strdup(path);
	if (!mv->m[mv->n].path) {
		mv->oom = 1;
		return -1;
	}
	if (old_id) {
		git_oid_cpy(&mv->m[mv->n].old_id, old_id);
		mv->m[mv->n].has_old = 1;
	}
	if (new_id) {
		git_oid_cpy(&mv->m[mv->n].new_id, new_id);
		mv->m[mv->n].has_new = 1;
	}
	mv->n++;
	return 0;
}

static void moves_release(struct moves *mv)
{
	size_t i;

	for (i = 0; i < mv->n; i++)
		bp_free(mv->m[i].path);
	bp_free(mv->m);
}

/* Whether the working-tree file at `path` is exactly the blob `id` (or absent when NULL). */
static int worktree_is(struct bp_kb *kb, const char *path, const git_oid *id)
{
	struct bp_buf full = BP_BUF_INIT;
	struct stat st;
	git_oid have;
	int same = 0;

	bp_buf_addf(&full, "%s%s", kb->workdir, path);
	if (bp_buf_oom(&full))
		return 0;
	if (lstat(full.ptr, &st) < 0) {
		same = !id && errno == ENOENT;
	} else if (id && S_ISREG(st.st_mode) &&
		   git_odb_hashfile(&have, full.ptr, GIT_OBJECT_BLOB) == 0) {
		same = git_oid_equal(&have, id);
	}
	bp_buf_release(&full);
	return same;
}

/* The largest file a shared remote may bring into the working tree. */
#define MAX_CHECKOUT (64u << 20)

/*
 * Move the working tree, git's index and the branch from commit `from` to commit `to`. Each
 * file is written through a temporary file and rename(2), so a crash never leaves half a
 * file; a crash part way leaves some new files, which the next command commits as hand edits
 * (nothing is lost, and the next sync merges again). The branch moves last, and only if it
 * still points at `from`. A file changed by hand where the move must write stops it before
 * anything is written.
 */
static int move_branch(struct sync_state *s, const char *branch, git_commit *from,
		       git_commit *to, const char *message, struct bp_error *err)
{
	struct moves mv = {0};
	struct bp_tree_diff_cb cb = {collect_move, NULL, &mv};
	git_tree *a = NULL, *b = NULL;
	git_index *idx = NULL;
	git_odb *odb = NULL;
	git_reference *ref = NULL;
	struct bp_buf name = BP_BUF_INIT;
	size_t i;
	int rc;

	rc = git_commit_tree(&a, from);
	if (rc == 0)
		rc = git_commit_tree(&b, to);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot read commit");
		goto out;
	}
	rc = bp_tree_diff(s->kb->repo, a, b, &cb, err);
	if (mv.oom)
		rc = bp_error_nomem(err);
	if (rc)
		goto out;
	/* Everything that could stop the move is checked before anything is written. */
	rc = git_repository_odb(&odb, s->kb->repo);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot read objects");
		goto out;
	}
	for (i = 0; i < mv.n; i++) {
		size_t size = 0;
		git_object_t type;

		if (mv.m[i].has_new &&
		    (git_odb_read_header(&size, &type, odb, &mv.m[i].new_id) < 0 ||
		     size > MAX_CHECKOUT)) {
			rc = bp_error_set(err, BP_EREFUSED, "peer '%s': not merged: '%s' is missing "
					  "or larger than 64 MiB", s->peer, mv.m[i].path);
			goto out;
		}
		if (!worktree_is(s->kb, mv.m[i].path, mv.m[i].has_old ? &mv.m[i].old_id : NULL) &&
		    !worktree_is(s->kb, mv.m[i].path, mv.m[i].has_new ? &mv.m[i].new_id : NULL)) {
			rc = bp_error_set(err, BP_EINVALID,
					  "peer '%s': not merged: '%s' was changed by hand and is not "
					  "committed (commit or remove it, then sync again)",
					  s->peer, mv.m[i].path);
			goto out;
		}
	}
	for (i = 0; i < mv.n; i++) {
		git_blob *blob = NULL;

		if (!mv.m[i].has_new) {
			rc = bp_kb_delete_file(s->kb, mv.m[i].path, err);
		} else if ((rc = git_blob_lookup(&blob, s->kb->repo, &mv.m[i].new_id)) < 0) {
			rc = bp_git_error(err, rc, "cannot read '%s'", mv.m[i].path);
		} else {
			rc = bp_kb_write_file(s->kb, mv.m[i].path, git_blob_rawcontent(blob),
					      (size_t)git_blob_rawsize(blob), err);
		}
		git_blob_free(blob);
		if (rc)
			goto out;
	}
	rc = git_repository_index(&idx, s->kb->repo);
	if (rc == 0)
		rc = git_index_read(idx, 1);
	for (i = 0; rc == 0 && i < mv.n; i++)
		rc = mv.m[i].has_new ? git_index_add_bypath(idx, mv.m[i].path)
				     : git_index_remove_bypath(idx, mv.m[i].path);
	if (rc == 0)
		rc = git_index_write(idx);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot update git's index");
		goto out;
	}
	bp_buf_addf(&name, "refs/heads/%s", branch);
	if (bp_buf_oom(&name)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	rc = git_reference_create_matching(&ref, s->kb->repo, name.ptr, git_commit_id(to), 1,
					   git_commit_id(from), message);
	if (rc < 0)
		rc = bp_git_error(err, rc, "cannot move branch '%s'", branch);
out:
	moves_release(&mv);
	git_odb_free(odb);
	git_reference_free(ref);
	git_index_free(idx);
	git_tree_free(a);
	git_tree_free(b);
	bp_buf_release(&name);
	return rc;
}

/* Refuse a result that would delete more than half of the own articles. */
static int deletion_guard(struct sync_state *s, git_commit *from, const git_oid *to_tree,
			  struct bp_error *err)
{
	git_tree *a = NULL, *b = NULL;
	size_t before, added, changed, removed;
	int rc = 0;

	if (s->opts->force)
		return 0;
	if (git_commit_tree(&a, from) < 0 || git_tree_lookup(&b, s->kb->repo, to_tree) < 0)
		goto out;
	/* Every article changed or removed was there before: no more removed than changed
	 * cannot be most of them, and the whole tree need not be counted. */
	if (diff_counts(s->kb, a, b, &added, &changed, &removed) == 0 && removed > changed &&
	    (before = count_articles(s->kb, a)) >= 2 && removed * 2 > before)
		rc = bp_error_set(err, BP_EREFUSED,
				  "peer '%s': syncing would delete %zu of your %zu articles; nothing "
				  "was changed (run 'bestpractice sync --force' if that is what you "
				  "want)",
				  s->peer, removed, before);
out:
	git_tree_free(a);
	git_tree_free(b);
	return rc;
}

/* Whether the tree of `c` holds any article. */
static int has_articles(struct bp_kb *kb, git_commit *c)
{
	git_tree *t = NULL;
	size_t n;

	if (git_commit_tree(&t, c) < 0)
		return 1;
	n = count_articles(kb, t);
	git_tree_free(t);
	return n > 0;
}

/* Whether every entry of `a`'s tree is in `b`'s with the same id (a is nothing of its own). */
static int tree_within(git_commit *a, git_commit *b)
{
	git_tree *ta = NULL, *tb = NULL;
	size_t i, n;
	int yes = 1;

	if (git_commit_tree(&ta, a) < 0 || git_commit_tree(&tb, b) < 0) {
		yes = 0;
		goto out;
	}
	n = git_tree_entrycount(ta);
	for (i = 0; i < n && yes; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(ta, i);
		const git_tree_entry *f = git_tree_entry_byname(tb, git_tree_entry_name(e));

		yes = f && git_oid_equal(git_tree_entry_id(e), git_tree_entry_id(f));
	}
out:
	git_tree_free(ta);
	git_tree_free(tb);
	return yes;
}

static int push(struct sync_state *s, const char *local, const char *remote_branch,
		struct bp_error *err)
{
	git_remote *remote = NULL;
	git_push_options po = GIT_PUSH_OPTIONS_INIT;
	struct bp_buf spec = BP_BUF_INIT;
	git_strarray specs;
	char *refspec;
	int rc;

	rc = git_remote_lookup(&remote, s->kb->repo, s->peer);
	if (rc < 0)
		return bp_error_set(err, BP_ENOTFOUND, "no peer named '%s'", s->peer);
	rc = remote_urls_ok(remote, s->peer, err);
	if (rc)
		goto out;
	bp_buf_addf(&spec, "refs/heads/%s:refs/heads/%s", local, remote_branch);
	if (bp_buf_oom(&spec)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	refspec = spec.ptr;
	specs.strings = &refspec;
	specs.count = 1;
	callbacks_init(&po.callbacks, s);
	s->push_rejected = 0;
	s->push_status[0] = '\0';
	s->attempts = s->ssh_step = s->pass_step = s->allowed = 0;
	s->auth_tried[0] = '\0';
	rc = tls_prepare(s, git_remote_pushurl(remote) ? git_remote_pushurl(remote)
						     : git_remote_url(remote), err);
	if (rc)
		goto out;
	rc = git_remote_push(remote, &specs, &po);
	if (rc == GIT_ENONFASTFORWARD || (rc == 0 && s->push_rejected)) {
		/* The remote moved since we fetched: the caller fetches, merges and retries. */
		rc = bp_error_set(err, BP_EEXISTS, "peer '%s' rejected the push (%s)", s->peer,
				  *s->push_status ? s->push_status : "not a fast-forward");
	} else if (rc < 0) {
		rc = peer_error(s, err, rc, "cannot push");
	}
out:
	bp_buf_release(&spec);
	git_remote_free(remote);
	return rc;
}

/* One round of a shared sync: fetch, merge or fast-forward, push. BP_EEXISTS: push again. */
static int shared_round(struct sync_state *s, const char *local, struct bp_sync_report *r,
			char ***copies, struct bp_error *err)
{
	git_oid tip, head_id, tree_id, merge_id;
	git_commit *head = NULL, *theirs = NULL, *merged = NULL;
	git_tree *tree = NULL, *their_tree = NULL, *head_tree = NULL;
	git_signature *sig = NULL;
	struct safety safe;
	struct bp_buf msg = BP_BUF_INIT, ref = BP_BUF_INIT;
	char *branch = NULL;
	int has = 0, rc;

	rc = fetch(s, &tip, &has, &branch, err);
	if (rc)
		goto out;
	rc = bp_kb_lock(s->kb, err);
	if (rc)
		goto out;
	bp_buf_addf(&ref, "refs/heads/%s", local);
	if (bp_buf_oom(&ref) || ref_commit(&head_id, s->kb->repo, ref.ptr) < 0 ||
	    git_commit_lookup(&head, s->kb->repo, &head_id) < 0) {
		rc = bp_git_error(err, -1, "cannot read branch '%s'", local);
		goto unlock;
	}
	if (!has) {
		/* An empty remote: the first sync publishes. */
		bp_kb_unlock(s->kb);
		rc = push(s, local, branch ? branch : local, err);
		if (!rc) {
			r->pushed = 1;
			config_set(s->kb, s->peer, "bestpracticebranch", branch ? branch : local);
		}
		goto out;
	}
	if (git_oid_equal(&tip, &head_id)) {
		r->unchanged = 1;
		goto unlock;
	}
	if (git_graph_descendant_of(s->kb->repo, &head_id, &tip) == 1) {
		bp_kb_unlock(s->kb);
		rc = push(s, local, branch, err);
		r->pushed = !rc;
		goto out;
	}
	rc = git_commit_lookup(&theirs, s->kb->repo, &tip);
	if (rc == 0)
		rc = git_commit_tree(&their_tree, theirs);
	if (rc < 0) {
		rc = peer_error(s, err, rc, "cannot read what was fetched");
		goto unlock;
	}
	/* Nothing a shared remote sends reaches the working tree unchecked. */
	if (!tree_safe(s->kb->repo, their_tree, &safe)) {
		rc = bp_error_set(err, BP_EREFUSED,
				  "peer '%s': not merged: '%s' is %s, which is never checked out",
				  s->peer, safe.bad, safe.why ? safe.why : "unsafe");
		goto unlock;
	}
	if (git_commit_tree(&head_tree, head) == 0)
		diff_counts(s->kb, head_tree, their_tree, &r->added, &r->changed, &r->removed);
	if (git_graph_descendant_of(s->kb->repo, &tip, &head_id) == 1 ||
	    (!has_articles(s->kb, head) && tree_within(head, theirs))) {
		/* Fast-forward; or a KB with no tips of its own takes the remote's history. */
		r->fast_forward = git_graph_descendant_of(s->kb->repo, &tip, &head_id) == 1;
		r->adopted_history = !r->fast_forward;
		rc = deletion_guard(s, head, git_commit_tree_id(theirs), err);
		if (!rc)
			rc = move_branch(s, local, head, theirs, "bestpractice sync: fast-forward",
					 err);
		goto unlock;
	}
	/* Both sides moved: merge, keeping both versions of whatever both changed. */
	rc = merge_trees(&tree_id, s, head, theirs, r, copies, err);
	if (!rc)
		rc = deletion_guard(s, head, &tree_id, err);
	if (!rc)
		rc = bp_kb_signature(&sig, s->kb, err);
	if (rc)
		goto unlock;
	bp_buf_addf(&msg, "merge %s", s->peer);
	if (r->conflicts) {
		size_t i;

		bp_buf_addf(&msg, ": %zu conflict%s kept side by side\n\n", r->conflicts,
			    r->conflicts == 1 ? "" : "s");
		for (i = 0; i < r->conflicts; i++)
			bp_buf_addf(&msg, "%s\n", r->conflict_paths[i]);
	} else {
		bp_buf_addch(&msg, '\n');
	}
	if (bp_buf_oom(&msg)) {
		rc = bp_error_nomem(err);
		goto unlock;
	}
	rc = git_tree_lookup(&tree, s->kb->repo, &tree_id);
	/* What the merge brings into the KB, not how the two sides differ: our own changes
	 * since the fork are neither "changed" nor "removed" by it. */
	if (rc == 0 && head_tree)
		diff_counts(s->kb, head_tree, tree, &r->added, &r->changed, &r->removed);
	if (rc == 0) {
		const git_commit *parents[2] = {head, theirs};
		rc = git_commit_create(&merge_id, s->kb->repo, NULL, sig, sig, NULL, msg.ptr, tree,
				       2, parents);
	}
	if (rc == 0)
		rc = git_commit_lookup(&merged, s->kb->repo, &merge_id);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot commit the merge");
		goto unlock;
	}
	rc = move_branch(s, local, head, merged, "bestpractice sync: merge", err);
	if (rc)
		goto unlock;
	r->merged = 1;
	bp_kb_unlock(s->kb);
	rc = push(s, local, branch, err);
	r->pushed = !rc;
	goto out;
unlock:
	bp_kb_unlock(s->kb);
out:
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(their_tree);
	git_tree_free(head_tree);
	git_commit_free(merged);
	git_commit_free(theirs);
	git_commit_free(head);
	bp_buf_release(&msg);
	bp_buf_release(&ref);
	bp_free(branch);
	return rc;
}

static void free_copies(char **copies)
{
	size_t i;

	for (i = 0; copies && copies[i]; i++)
		bp_free(copies[i]);
	bp_free(copies);
}

static int sync_shared(struct sync_state *s, struct bp_sync_report *r, char ***copies,
		       struct bp_error *err)
{
	char *local = NULL;
	int attempt, rc;

	rc = local_branch(&local, s->kb, err);
	for (attempt = 0; !rc && attempt < PUSH_ATTEMPTS; attempt++) {
		struct bp_sync_report keep = *r;

		free_copies(*copies);
		*copies = NULL;
		rc = shared_round(s, local, r, copies, err);
		if (rc != BP_EEXISTS)
			break;
		/* Rejected because the remote moved meanwhile: fetch and merge again. */
		if (attempt + 1 < PUSH_ATTEMPTS) {
			*r = keep;
			rc = 0;
		}
	}
	bp_free(local);
	return rc;
}

/* --- the whole sync -------------------------------------------------------------------- */

int bp_sync(struct bp_kb *kb, const struct bp_sync_opts *opts, size_t *failed,
	    struct bp_error *err)
{
	git_config *cfg = NULL;
	git_strarray names = {0};
	struct sync_state s;
	size_t i, j;
	int rc, first_rc = 0;

	*failed = 0;
	memset(&s, 0, sizeof(s));
	s.kb = kb;
	s.opts = opts;
	/* The whole sync holds the KB's lock: fetches write refs, merges write everything. */
	rc = bp_kb_lock(kb, err);
	if (rc)
		return rc;
	rc = bp_kb_commit_pending(NULL, kb, err);
	if (rc)
		goto out;
	rc = bp_remote_names(&names, &cfg, kb, err);
	if (rc)
		goto out;
	for (j = 0; j < opts->npeers; j++) {
		for (i = 0; i < names.count && strcmp(names.strings[i], opts->peers[j]); i++)
			;
		if (i == names.count) {
			rc = bp_error_set(err, BP_ENOTFOUND, "no peer named '%s'", opts->peers[j]);
			goto out;
		}
	}
	if (!names.count) {
		rc = bp_error_set(err, BP_ENOTFOUND,
				  "no peers yet (add one with 'bestpractice peer add NAME URL')");
		goto out;
	}
	for (i = 0; i < names.count; i++) {
		struct bp_sync_report r;
		struct bp_error perr;
		char **copies = NULL;
		int prc;

		if (opts->npeers) {
			for (j = 0; j < opts->npeers && strcmp(names.strings[i], opts->peers[j]); j++)
				;
			if (j == opts->npeers)
				continue;
		}
		memset(&r, 0, sizeof(r));
		bp_error_clear(&perr);
		s.peer = r.peer = names.strings[i];
		r.role = bp_peer_is_shared(cfg, s.peer) ? BP_PEER_SHARED : BP_PEER_SUBSCRIBED;
		prc = r.role == BP_PEER_SHARED ? sync_shared(&s, &r, &copies, &perr)
					       : sync_subscribed(&s, &r, &perr);
		if (prc) {
			r.failed = 1;
			r.error = perr.msg;
			r.code = prc;
			(*failed)++;
			if (!first_rc) {
				first_rc = prc;
				if (err)
					*err = perr;
			}
		}
		if (opts->report)
			opts->report(opts->payload, &r);
		free_copies(copies);
	}
	rc = first_rc;
out:
	git_strarray_dispose(&names);
	git_config_free(cfg);
	bp_kb_unlock(kb);
	return rc;
}
