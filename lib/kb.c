/*
 * Opening, finding and creating a KB; its repository-local configuration; the lock that
 * serialises changes; ids typed by users.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "bp/article.h"
#include "bp/query.h"
#include "kb_internal.h"

int bp_git_error(struct bp_error *err, int rc, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char what[BP_ERROR_MAX / 2];
	int code;
	va_list ap;

	switch (rc) {
	case GIT_ENOTFOUND:
		code = BP_ENOTFOUND;
		break;
	case GIT_ELOCKED:
		code = BP_ELOCKED;
		break;
	case GIT_EAUTH:
		code = BP_EAUTH;
		break;
	case GIT_EEXISTS:
		code = BP_EEXISTS;
		break;
	default:
		code = BP_EGIT;
		break;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* git_error_last() may be NULL even after a failure (LIBFACTS). */
	if (e && e->message && *e->message)
		return bp_error_set(err, code, "%s: %s", what, e->message);
	return bp_error_set(err, code, "%s: libgit2 error %d", what, rc);
}

double bp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void bp_backoff(unsigned attempt)
{
	struct timespec ts;
	long ms = 5L << (attempt < 6 ? attempt : 6);

	if (ms > 200)
		ms = 200;
	/* Spread waiters apart so that two of them do not retry in lock step. */
	ms += rand() % 10;
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	nanosleep(&ts, NULL);
}

void bp_today(char *buf)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}

/* Join a directory and a name into a new string; NULL on OOM. */
static char *path_join(const char *dir, const char *name)
{
	struct bp_buf b = BP_BUF_INIT;
	size_t n = strlen(dir);

	bp_buf_addstr(&b, dir);
	if (n && dir[n - 1] != '/')
		bp_buf_addch(&b, '/');
	bp_buf_addstr(&b, name);
	return bp_buf_detach(&b, NULL);
}

/* An absolute version of `path`, without requiring it to exist. */
static int absolute_path(char **out, const char *path, struct bp_error *err)
{
	char cwd[PATH_MAX], *real;

	if (!*path)
		return bp_error_set(err, BP_EINVALID, "empty KB path");
	real = realpath(path, NULL);
	if (real) {
		*out = bp_strdup(real);
		free(real);
		return *out ? 0 : bp_error_nomem(err);
	}
	if (path[0] == '/') {
		*out = bp_strdup(path);
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return bp_error_set(err, BP_EIO, "cannot get the current directory: %s",
					    strerror(errno));
		*out = path_join(cwd, path);
	}
	return *out ? 0 : bp_error_nomem(err);
}

/* Whether the repository's own config marks it as a KB. */
static int is_marked(git_repository *repo)
{
	git_config *cfg = NULL, *local = NULL;
	int32_t v = 0;
	int marked = 0;

	if (git_repository_config(&cfg, repo) < 0)
		return 0;
	if (git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL) == 0 &&
	    git_config_get_int32(&v, local, BP_KB_MARK_KEY) == 0)
		marked = v >= 1;
	git_config_free(local);
	git_config_free(cfg);
	return marked;
}

/* Expand a leading "~/" with $HOME. */
static char *expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] == '~' && path[1] == '/' && home && *home)
		return path_join(home, path + 2);
	return bp_strdup(path);
}

int bp_kb_locate(char **out, enum bp_kb_origin *origin, const char *option,
		 struct bp_error *err)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	git_buf val = GIT_BUF_INIT;
	const char *env, *xdg, *home;
	char *tmp = NULL;
	int rc;

	*out = NULL;
	if (option) {
		if (origin)
			*origin = BP_KB_FROM_OPTION;
		return absolute_path(out, option, err);
	}
	env = getenv("BESTPRACTICE_KB");
	if (env && *env) {
		if (origin)
			*origin = BP_KB_FROM_ENV;
		return absolute_path(out, env, err);
	}
	git_libgit2_init();
	if (git_repository_open_ext(&repo, ".", 0, NULL) == 0 && !git_repository_is_bare(repo) &&
	    is_marked(repo)) {
		if (origin)
			*origin = BP_KB_FROM_CWD;
		rc = absolute_path(out, git_repository_workdir(repo), err);
		goto out;
	}
	if (git_config_open_default(&cfg) == 0 &&
	    git_config_get_string_buf(&val, cfg, "bestpractice.kb") == 0 && val.size) {
		if (origin)
			*origin = BP_KB_FROM_CONFIG;
		tmp = expand_home(val.ptr);
		rc = tmp ? absolute_path(out, tmp, err) : bp_error_nomem(err);
		goto out;
	}
	if (origin)
		*origin = BP_KB_FROM_DEFAULT;
	xdg = getenv("XDG_DATA_HOME");
	home = getenv("HOME");
	if (xdg && xdg[0] == '/') {
		*out = path_join(xdg, "bestpractice/kb");
	} else if (home && *home) {
		*out = path_join(home, ".local/share/bestpractice/kb");
	} else {
		rc = bp_error_set(err, BP_ECONFIG,
				  "cannot find a KB: neither HOME nor XDG_DATA_HOME is set");
		goto out;
	}
	rc = *out ? 0 : bp_error_nomem(err);
out:
	bp_free(tmp);
	git_buf_dispose(&val);
	git_config_free(cfg);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

/* Wrap an opened repository into a struct bp_kb. Takes ownership of `repo`. */
static int kb_new(struct bp_kb **out, git_repository *repo, struct bp_error *err)
{
	struct bp_kb *kb = bp_calloc(1, sizeof(*kb));

	if (!kb)
		goto oom;
	kb->repo = repo;
	kb->lock_fd = -1;
	/*
	 * libgit2 hashes every object it reads again to check it: a third of the work of
	 * indexing. git does not (objects are checked when they arrive: a fetch's pack is
	 * indexed, which hashes each object), and neither do we.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	/*
	 * Memory: libgit2 keeps up to 256 MiB of parsed objects in its cache, and maps pack files
	 * in windows of 1 GiB (a whole pack at once) up to 8 GiB; the pages of a pack read from
	 * end to end (a first sync, a reindex) all count in the process's resident size. The
	 * index reads each object once: a small cache, and 4 MiB windows of which at most
	 * 32 MiB stay mapped, suffice.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)(8 << 20));
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)(4 << 20));
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)(32 << 20));
	kb->workdir = bp_strdup(git_repository_workdir(repo));
	kb->gitdir = bp_strdup(git_repository_path(repo));
	if (!kb->workdir || !kb->gitdir)
		goto oom;
	*out = kb;
	return 0;
oom:
	if (kb) {
		bp_free(kb->workdir);
		bp_free(kb->gitdir);
		bp_free(kb);
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return bp_error_nomem(err);
}

/* Whether `dir` holds a git directory that another user owns (git's safe.directory case). */
static int owned_by_another(const char *dir)
{
	char *gitdir = path_join(dir, ".git");
	struct stat st;
	int yes;

	yes = gitdir && stat(gitdir, &st) == 0 && st.st_uid != geteuid();
	bp_free(gitdir);
	return yes;
}

int bp_kb_open(struct bp_kb **out, const char *dir, struct bp_error *err)
{
	git_repository *repo = NULL;
	int rc;

	*out = NULL;
	git_libgit2_init();
	rc = git_repository_open_ext(&repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc == GIT_ENOTFOUND && owned_by_another(dir)) {
		/* libgit2 says only that a config value was not found. */
		rc = bp_error_set(err, BP_EINVALID,
				  "git refuses '%s': it belongs to another user (if you trust it: "
				  "git config --global --add safe.directory %s)",
				  dir, dir);
		goto fail;
	}
	if (rc == GIT_ENOTFOUND) {
		rc = bp_error_set(err, BP_ENOTFOUND,
				  "no knowledge base at '%s' (create one with 'bestpractice init')",
				  dir);
		goto fail;
	}
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot open '%s'", dir);
		goto fail;
	}
	if (git_repository_is_bare(repo)) {
		rc = bp_error_set(err, BP_EINVALID,
				  "'%s' is a bare repository; a knowledge base needs a working tree",
				  dir);
		goto fail;
	}
	if (!is_marked(repo)) {
		rc = bp_error_set(err, BP_EINVALID,
				  "'%s' is a git repository but not a knowledge base "
				  "(make it one with 'bestpractice init %s')",
				  dir, dir);
		goto fail;
	}
	return kb_new(out, repo, err);
fail:
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

/* The branch a new KB starts on: git config init.defaultBranch, else "main". */
static int default_branch(char **out, struct bp_error *err)
{
	git_config *cfg = NULL;
	git_buf val = GIT_BUF_INIT;
	struct bp_buf ref = BP_BUF_INIT;
	int valid = 0, rc = 0;

	if (git_config_open_default(&cfg) == 0 &&
	    git_config_get_string_buf(&val, cfg, "init.defaultbranch") == 0 && val.size)
		*out = bp_strdup(val.ptr);
	else
		*out = bp_strdup("main");
	if (!*out) {
		rc = bp_error_nomem(err);
		goto out;
	}
	bp_buf_addf(&ref, "refs/heads/%s", *out);
	if (bp_buf_oom(&ref)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	if (git_reference_name_is_valid(&valid, ref.ptr) < 0 || !valid)
		rc = bp_error_set(err, BP_ECONFIG, "git config init.defaultBranch '%s' is not a "
				  "valid branch name", *out);
out:
	if (rc) {
		bp_free(*out);
		*out = NULL;
	}
	bp_buf_release(&ref);
	git_buf_dispose(&val);
	git_config_free(cfg);
	return rc;
}

int bp_kb_identity(char **out, struct bp_kb *kb, struct bp_error *err)
{
	git_signature *sig = NULL;
	const char *name = getenv("GIT_AUTHOR_NAME"), *email = getenv("GIT_AUTHOR_EMAIL");
	struct bp_buf b = BP_BUF_INIT;
	int rc;

	*out = NULL;
	if (!(name && *name && email && *email)) {
		rc = git_signature_default(&sig, kb->repo);
		if (rc < 0) {
			git_config *cfg = NULL;
			git_buf v = GIT_BUF_INIT;
			const char *missing = "user.name";

			if (git_repository_config_snapshot(&cfg, kb->repo) == 0 &&
			    git_config_get_string_buf(&v, cfg, "user.name") == 0 && v.size)
				missing = "user.email";
			git_buf_dispose(&v);
			git_config_free(cfg);
			return bp_error_set(err, BP_ECONFIG,
					    "cannot commit: git config %s is not set (set it with "
					    "'git config --global %s \"...\"')",
					    missing, missing);
		}
		name = sig->name;
		email = sig->email;
	}
	bp_buf_addf(&b, "%s <%s>", name, email);
	git_signature_free(sig);
	*out = bp_buf_detach(&b, NULL);
	return *out ? 0 : bp_error_nomem(err);
}

/* Create the empty first commit of a new KB on its unborn branch. */
static int first_commit(struct bp_kb *kb, struct bp_error *err);

int bp_kb_init(struct bp_kb **out, int *created, const char *dir, struct bp_error *err)
{
	git_repository *repo = NULL;
	git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	git_config *cfg = NULL;
	struct bp_kb *kb = NULL;
	char *branch = NULL;
	int rc;

	*out = NULL;
	*created = 0;
	git_libgit2_init();
	rc = git_repository_open_ext(&repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	if (rc == 0) {
		if (git_repository_is_bare(repo)) {
			rc = bp_error_set(err, BP_EINVALID,
					  "'%s' is a bare repository; a knowledge base needs a "
					  "working tree",
					  dir);
			goto fail;
		}
		if (is_marked(repo)) {
			git_libgit2_init(); /* kb_new takes over this reference */
			rc = kb_new(out, repo, err);
			git_libgit2_shutdown();
			return rc;
		}
	} else if (rc == GIT_ENOTFOUND) {
		rc = default_branch(&branch, err);
		if (rc)
			goto fail;
		opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
		opts.initial_head = branch;
		rc = git_repository_init_ext(&repo, dir, &opts);
		if (rc < 0) {
			rc = bp_git_error(err, rc, "cannot create a repository at '%s'", dir);
			goto fail;
		}
	} else {
		rc = bp_git_error(err, rc, "cannot open '%s'", dir);
		goto fail;
	}

	rc = git_repository_config(&cfg, repo);
	if (rc == 0)
		rc = git_config_set_int32(cfg, BP_KB_MARK_KEY, BP_KB_FORMAT);
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot mark '%s' as a knowledge base", dir);
		goto fail;
	}
	git_libgit2_init();
	rc = kb_new(&kb, repo, err);
	repo = NULL;
	if (rc)
		goto fail;
	if (git_repository_head_unborn(kb->repo) == 1) {
		rc = first_commit(kb, err);
		if (rc)
			goto fail;
	}
	*created = 1;
	*out = kb;
	kb = NULL;
fail:
	bp_kb_free(kb);
	bp_free(branch);
	git_config_free(cfg);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

static int first_commit(struct bp_kb *kb, struct bp_error *err)
{
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_oid tree_id, commit_id;
	git_tree *tree = NULL;
	int rc;

	rc = bp_kb_signature(&sig, kb, err);
	if (rc)
		return rc;
	rc = git_treebuilder_new(&tb, kb->repo, NULL);
	if (rc == 0)
		rc = git_treebuilder_write(&tree_id, tb);
	if (rc == 0)
		rc = git_tree_lookup(&tree, kb->repo, &tree_id);
	if (rc == 0)
		rc = git_commit_create(&commit_id, kb->repo, "HEAD", sig, sig, NULL,
				       "init knowledge base\n", tree, 0, NULL);
	if (rc < 0)
		rc = bp_git_error(err, rc, "cannot make the first commit");
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_signature_free(sig);
	return rc;
}

void bp_kb_free(struct bp_kb *kb)
{
	if (!kb)
		return;
	if (kb->lock_fd >= 0)
		close(kb->lock_fd);
	bp_free(kb->workdir);
	bp_free(kb->gitdir);
	/* A KB opened quickly holds no repository, nor the reference to libgit2 that goes
	 * with one: freeing it must not load libgit2. */
	if (kb->repo) {
		git_repository_free(kb->repo);
		git_libgit2_shutdown();
	}
	bp_free(kb);
}

int bp_kb_open_quick(struct bp_kb **out, uint64_t *stamp, const char *option)
{
	const char *env = getenv("BESTPRACTICE_KB");
	char *dir = NULL;
	struct bp_kb *kb = NULL;
	struct stat st;
	struct bp_error err;

	*out = NULL;
	if (option)
		absolute_path(&dir, option, &err);
	else if (env && *env)
		absolute_path(&dir, env, &err);
	else if (lstat(".git", &st) == 0 && S_ISDIR(st.st_mode))
		/* A KB's top: a folder inside one, or in another repository, needs git. */
		absolute_path(&dir, ".", &err);
	if (!dir)
		return 0;
	kb = bp_calloc(1, sizeof(*kb));
	if (kb) {
		kb->lock_fd = -1;
		kb->workdir = path_join(dir, "");
		kb->gitdir = path_join(dir, ".git/");
	}
	bp_free(dir);
	if (!kb || !kb->workdir || !kb->gitdir ||
	    lstat(kb->gitdir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    bp_kb_stamp(stamp, kb->workdir, kb->gitdir)) {
		bp_kb_free(kb);
		return 0;
	}
	*out = kb;
	return 1;
}

int bp_kb_need_repo(struct bp_kb *kb, struct bp_error *err)
{
	struct bp_kb *full;
	int rc;

	if (kb->repo)
		return 0;
	rc = bp_kb_open(&full, kb->workdir, err);
	if (rc)
		return rc;
	/* The repository moves over with the libgit2 reference kb_new took for it. */
	kb->repo = full->repo;
	full->repo = NULL;
	bp_kb_free(full);
	return 0;
}

void bp_kb_set_warn(struct bp_kb *kb, const struct bp_warn *warn)
{
	if (warn)
		kb->warn = *warn;
	else
		memset(&kb->warn, 0, sizeof(kb->warn));
}

const struct bp_warn *bp_kb_warn(const struct bp_kb *kb)
{
	return &kb->warn;
}

const char *bp_kb_workdir(const struct bp_kb *kb)
{
	return kb->workdir;
}

const char *bp_kb_gitdir(const struct bp_kb *kb)
{
	return kb->gitdir;
}

static int valid_config_key(const char *key)
{
	size_t i, n = strlen(key);

	if (!n || n > 200 || key[0] == '.' || key[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)key[i];
		if (!(c == '-' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z')))
			return 0;
		if (c == '.' && key[i + 1] == '.')
			return 0;
	}
	return 1;
}

/* The string value of git config `name`, named `shown` in messages. */
static int config_read(char **out, struct bp_kb *kb, const char *name, const char *shown,
		       struct bp_error *err)
{
	git_config *cfg = NULL;
	git_buf val = GIT_BUF_INIT;
	int rc;

	*out = NULL;
	rc = git_repository_config_snapshot(&cfg, kb->repo);
	if (rc == 0)
		rc = git_config_get_string_buf(&val, cfg, name);
	if (rc == GIT_ENOTFOUND) {
		rc = bp_error_set(err, BP_ENOTFOUND, "'%s' is not set", shown);
	} else if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot read config '%s'", shown);
	} else {
		*out = bp_strdup(val.ptr ? val.ptr : "");
		rc = *out ? 0 : bp_error_nomem(err);
	}
	git_buf_dispose(&val);
	git_config_free(cfg);
	return rc;
}

int bp_kb_config_get(char **out, struct bp_kb *kb, const char *key, struct bp_error *err)
{
	struct bp_buf name = BP_BUF_INIT;
	int rc;

	*out = NULL;
	if (!valid_config_key(key))
		return bp_error_set(err, BP_EINVALID, "invalid config key '%s'", key);
	bp_buf_addf(&name, "bestpractice.%s", key);
	if (bp_buf_oom(&name))
		return bp_error_nomem(err);
	rc = config_read(out, kb, name.ptr, key, err);
	bp_buf_release(&name);
	return rc;
}

int bp_kb_git_config(char **out, struct bp_kb *kb, const char *key, struct bp_error *err)
{
	return config_read(out, kb, key, key, err);
}

int bp_kb_config_set(struct bp_kb *kb, const char *key, const char *value,
		     struct bp_error *err)
{
	git_config *cfg = NULL, *local = NULL;
	struct bp_buf name = BP_BUF_INIT;
	int rc;

	if (!valid_config_key(key))
		return bp_error_set(err, BP_EINVALID, "invalid config key '%s'", key);
	if (value && strpbrk(value, "\n\r"))
		return bp_error_set(err, BP_EINVALID, "a config value must be one line");
	bp_buf_addf(&name, "bestpractice.%s", key);
	if (bp_buf_oom(&name))
		return bp_error_nomem(err);
	rc = git_repository_config(&cfg, kb->repo);
	if (rc == 0)
		rc = git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL);
	if (rc == 0) {
		if (value)
			rc = git_config_set_string(local, name.ptr, value);
		else
			rc = git_config_delete_entry(local, name.ptr);
	}
	if (rc == GIT_ENOTFOUND && !value)
		rc = bp_error_set(err, BP_ENOTFOUND, "'%s' is not set", key);
	else if (rc < 0)
		rc = bp_git_error(err, rc, "cannot set config '%s'", key);
	git_config_free(local);
	git_config_free(cfg);
	bp_buf_release(&name);
	return rc;
}

int bp_kb_private_dir(char **out, struct bp_kb *kb, struct bp_error *err)
{
	*out = path_join(kb->gitdir, "bestpractice");
	if (!*out)
		return bp_error_nomem(err);
	if (mkdir(*out, 0777) < 0 && errno != EEXIST) {
		int e = errno;
		bp_error_set(err, BP_EIO, "cannot create '%s': %s", *out, strerror(e));
		bp_free(*out);
		*out = NULL;
		return BP_EIO;
	}
	return 0;
}

double bp_kb_lock_timeout(struct bp_kb *kb)
{
	char *v = NULL;
	double t = 30;

	/* A KB opened quickly only reads its index: the default bounds the rare wait. */
	if (kb->repo && bp_kb_config_get(&v, kb, "locktimeout", NULL) == 0) {
		char *end;
		double x = strtod(v, &end);
		if (end != v && x >= 0 && x < 86400)
			t = x;
	}
	bp_free(v);
	return t;
}

/* Remove the .lock files under `dir` (relative to the git directory), recursively. */
static void remove_locks(struct bp_kb *kb, const char *dir, int depth)
{
	struct bp_buf path = BP_BUF_INIT;
	DIR *d;
	struct dirent *de;

	if (depth > 16)
		return;
	bp_buf_addf(&path, "%s%s", kb->gitdir, dir);
	d = bp_buf_oom(&path) ? NULL : opendir(path.ptr);
	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		bp_buf_truncate(&path, 0);
		bp_buf_addf(&path, "%s%s/%s", kb->gitdir, dir, de->d_name);
		if (bp_buf_oom(&path) || lstat(path.ptr, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			char *sub = NULL;

			if (asprintf(&sub, "%s/%s", dir, de->d_name) >= 0) {
				remove_locks(kb, sub, depth + 1);
				free(sub);
			}
		} else if (n > 5 && !strcmp(de->d_name + n - 5, ".lock") && unlink(path.ptr) == 0) {
			bp_warn(&kb->warn, "an earlier command was interrupted; removed its stale "
				"lock '%s/%s'", dir, de->d_name);
		}
	}
	if (d)
		closedir(d);
	bp_buf_release(&path);
}

/*
 * The holder of the KB's lock marks it busy (the lock file is not empty) until it is done. A
 * busy mark found by the next holder means a command died in the middle of a change (a power
 * cut, kill -9): the git locks it left would otherwise block every command after it. No other
 * bestpractice command can be changing the KB now (we hold the lock), so they are removed.
 */
static void recover_interrupted(struct bp_kb *kb, int fd)
{
	static const char *const top[] = {"index.lock", "HEAD.lock", "config.lock",
					  "packed-refs.lock", "ORIG_HEAD.lock"};
	struct bp_buf path = BP_BUF_INIT;
	struct stat st;
	size_t i;

	if (fstat(fd, &st) < 0 || st.st_size == 0)
		return;
	for (i = 0; i < BP_ARRAY_SIZE(top); i++) {
		bp_buf_truncate(&path, 0);
		bp_buf_addf(&path, "%s%s", kb->gitdir, top[i]);
		if (!bp_buf_oom(&path) && unlink(path.ptr) == 0)
			bp_warn(&kb->warn, "an earlier command was interrupted; removed its stale "
				"lock '%s'", top[i]);
	}
	remove_locks(kb, "refs", 0);
	bp_buf_release(&path);
}

int bp_kb_lock(struct bp_kb *kb, struct bp_error *err)
{
	char *dir = NULL, *path = NULL;
	double deadline;
	unsigned attempt = 0;
	int fd, rc;

	if (kb->lock_depth++ > 0)
		return 0;
	rc = bp_kb_private_dir(&dir, kb, err);
	if (rc)
		goto fail;
	path = path_join(dir, "lock");
	if (!path) {
		rc = bp_error_nomem(err);
		goto fail;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = bp_error_set(err, BP_EIO, "cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	deadline = bp_now() + bp_kb_lock_timeout(kb);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			rc = bp_error_set(err, BP_EIO, "cannot lock '%s': %s", path,
					  strerror(errno));
			close(fd);
			goto fail;
		}
		if (bp_now() > deadline) {
			rc = bp_error_set(err, BP_ELOCKED,
					  "another bestpractice command is changing this knowledge "
					  "base; gave up waiting after %.0f s (git config "
					  "bestpractice.lockTimeout)",
					  bp_kb_lock_timeout(kb));
			close(fd);
			goto fail;
		}
		bp_backoff(attempt++);
	}
	recover_interrupted(kb, fd);
	if (ftruncate(fd, 0) < 0 || write(fd, "busy\n", 5) != 5) {
		rc = bp_error_set(err, BP_EIO, "cannot write '%s': %s", path, strerror(errno));
		flock(fd, LOCK_UN);
		close(fd);
		goto fail;
	}
	kb->lock_fd = fd;
	bp_free(path);
	bp_free(dir);
	return 0;
fail:
	kb->lock_depth--;
	bp_free(path);
	bp_free(dir);
	return rc;
}

void bp_kb_unlock(struct bp_kb *kb)
{
	if (kb->lock_depth <= 0 || --kb->lock_depth > 0)
		return;
	if (kb->lock_fd >= 0) {
		/* Done: no longer busy. */
		if (ftruncate(kb->lock_fd, 0) < 0) {
			/* The next holder will clear git locks that are not there: harmless. */
		}
		flock(kb->lock_fd, LOCK_UN);
		close(kb->lock_fd);
		kb->lock_fd = -1;
	}
}

/* A path component a KB may contain: not empty, ".", "..", hidden, nor odd bytes. */
static int sane_component(const char *s, size_t n)
{
	size_t i;

	if (!n || s[0] == '.' || n > 255)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '\\' || c == ':')
			return 0;
	}
	return bp_utf8_valid(s, n, NULL);
}

int bp_kb_is_article_path(const char *path)
{
	const char *p = path, *slash;
	size_t n = strlen(path), parts = 0;

	if (n < 4 || n > 1024 || strcmp(path + n - 3, ".md"))
		return 0;
	for (;;) {
		slash = strchr(p, '/');
		if (!sane_component(p, slash ? (size_t)(slash - p) : strlen(p)))
			return 0;
		parts++;
		if (!slash)
			break;
		p = slash + 1;
	}
	return parts >= 2 && strlen(p) > 3;
}

int bp_kb_is_peer_article_path(const char *path)
{
	/* What a repository says about itself, and a site's home page, in any case. */
	static const char *const about[] = {
		"authors", "changelog", "changes", "citation", "code_of_conduct", "code-of-conduct",
		"contributing", "contributors", "copying", "governance", "history", "index",
		"license", "licence", "maintainers", "news", "notice", "readme", "security",
		"support",
	};
	size_t n = strlen(path), i;

	if (bp_kb_is_article_path(path))
		return 1;
	/* A name starting with '_' is a site generator's (_sidebar.md, _index.md). */
	if (n < 4 || n > 255 || strchr(path, '/') || strcmp(path + n - 3, ".md") ||
	    path[0] == '_' || !sane_component(path, n))
		return 0;
	for (i = 0; i < sizeof(about) / sizeof(about[0]); i++)
		if (strlen(about[i]) == n - 3 && !strncasecmp(path, about[i], n - 3))
			return 0;
	return 1;
}

int bp_kb_read(char **out, size_t *len, struct bp_kb *kb, const char *path,
	       struct bp_error *err)
{
	char *full = path_join(kb->workdir, path), *buf = NULL;
	struct stat st;
	ssize_t got;
	size_t have = 0;
	int fd = -1, rc = 0;

	*out = NULL;
	if (!full)
		return bp_error_nomem(err);
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = bp_error_set(err, errno == ENOENT ? BP_ENOTFOUND : BP_EIO,
				  "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = bp_error_set(err, BP_EIO, "cannot read '%s': not a regular file", path);
		goto out;
	}
	if (st.st_size > BP_ARTICLE_MAX_SIZE) {
		rc = bp_error_set(err, BP_EINVALID, "'%s' is larger than %u MiB", path,
				  BP_ARTICLE_MAX_SIZE >> 20);
		goto out;
	}
	buf = bp_malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = bp_error_nomem(err);
		goto out;
	}
	while (have < (size_t)st.st_size) {
		got = read(fd, buf + have, (size_t)st.st_size - have);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = bp_error_set(err, BP_EIO, "cannot read '%s': %s", path,
					  strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		have += (size_t)got;
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	bp_free(buf);
	bp_free(full);
	return rc;
}

/* Whether the working tree has a regular file at `path` (relative). */
static int have_file(struct bp_kb *kb, const char *path)
{
	char *full = path_join(kb->workdir, path);
	struct stat st;
	int yes;

	if (!full)
		return 0;
	yes = lstat(full, &st) == 0 && S_ISREG(st.st_mode);
	bp_free(full);
	return yes;
}

int bp_kb_resolve(char **out, struct bp_kb *kb, const char *id, struct bp_error *err)
{
	struct bp_buf path = BP_BUF_INIT, found = BP_BUF_INIT, names = BP_BUF_INIT;
	DIR *d = NULL;
	struct dirent *de;
	size_t matches = 0, n;
	int rc = 0;

	*out = NULL;
	while (id[0] == '.' && id[1] == '/')
		id += 2;
	n = strlen(id);
	if (n > 3 && !strcmp(id + n - 3, ".md"))
		n -= 3;
	if (!n || n > 1000)
		return bp_error_set(err, BP_EINVALID, "invalid article id '%s'", id);
	if (memchr(id, '/', n)) {
		bp_buf_add(&path, id, n);
		bp_buf_addstr(&path, ".md");
		if (bp_buf_oom(&path))
			return bp_error_nomem(err);
		if (!bp_kb_is_article_path(path.ptr)) {
			rc = bp_error_set(err, BP_EINVALID, "invalid article id '%.*s'", (int)n,
					  id);
		} else if (!have_file(kb, path.ptr)) {
			rc = bp_error_set(err, BP_ENOTFOUND, "no article '%.*s'", (int)n, id);
		} else {
			*out = bp_buf_detach(&path, NULL);
			rc = *out ? 0 : bp_error_nomem(err);
		}
		bp_buf_release(&path);
		return rc;
	}
	/* A bare slug: look for it in every sector folder. */
	d = opendir(kb->workdir);
	if (!d)
		return bp_error_set(err, BP_EIO, "cannot list '%s': %s", kb->workdir,
				    strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		bp_buf_truncate(&path, 0);
		bp_buf_addf(&path, "%s/%.*s.md", de->d_name, (int)n, id);
		if (bp_buf_oom(&path))
			break;
		if (!bp_kb_is_article_path(path.ptr) || !have_file(kb, path.ptr))
			continue;
		if (matches++ == 0)
			bp_buf_addstr(&found, path.ptr);
		bp_buf_addf(&names, "%s'%.*s'", matches > 1 ? ", " : "",
			    (int)(path.len - 3), path.ptr);
	}
	closedir(d);
	if (bp_buf_oom(&path) || bp_buf_oom(&found) || bp_buf_oom(&names))
		rc = bp_error_nomem(err);
	else if (!matches)
		rc = bp_error_set(err, BP_ENOTFOUND, "no article '%.*s'", (int)n, id);
	else if (matches > 1)
		rc = bp_error_set(err, BP_EINVALID, "'%.*s' is ambiguous: %s", (int)n, id,
				  names.ptr);
	else
		*out = bp_buf_detach(&found, NULL);
	if (!rc && !*out)
		rc = bp_error_nomem(err);
	bp_buf_release(&path);
	bp_buf_release(&found);
	bp_buf_release(&names);
	return rc;
}

int bp_kb_vocabulary(struct bp_vocab **out, struct bp_kb *kb, struct bp_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = bp_kb_read(&text, &len, kb, BP_VOCAB_PATH, err);
	if (rc == BP_ENOTFOUND) {
		bp_error_clear(err);
		return 0;
	}
	if (!rc)
		rc = bp_vocab_parse(out, BP_VOCAB_PATH, text, len, err);
	bp_free(text);
	return rc;
}

/* Walk `rel` (a folder relative to the working tree, "" for its root) for article files. */
static int walk_articles(struct bp_kb *kb, const char *rel, int depth,
			 int (*fn)(const char *path, void *payload), void *payload,
			 struct bp_error *err)
{
	struct bp_buf dir = BP_BUF_INIT, path = BP_BUF_INIT;
	struct dirent **ents = NULL;
	struct stat st;
	int i, n, rc = 0;

	if (depth > 64)
		return 0;
	bp_buf_addf(&dir, "%s%s", kb->workdir, rel);
	if (bp_buf_oom(&dir))
		return bp_error_nomem(err);
	n = scandir(dir.ptr, &ents, NULL, alphasort);
	if (n < 0) {
		rc = bp_error_set(err, BP_EIO, "cannot list '%s': %s", dir.ptr, strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (rc || ents[i]->d_name[0] == '.')
			continue;
		bp_buf_truncate(&path, 0);
		bp_buf_addf(&path, "%s%s%s", rel, *rel ? "/" : "", ents[i]->d_name);
		bp_buf_truncate(&dir, 0);
		bp_buf_addf(&dir, "%s%s", kb->workdir, bp_buf_cstr(&path));
		if (bp_buf_oom(&path) || bp_buf_oom(&dir)) {
			rc = bp_error_nomem(err);
			continue;
		}
		if (lstat(dir.ptr, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = walk_articles(kb, path.ptr, depth + 1, fn, payload, err);
		else if (S_ISREG(st.st_mode) && bp_kb_is_article_path(path.ptr))
			rc = fn(path.ptr, payload);
	}
out:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	bp_buf_release(&dir);
	bp_buf_release(&path);
	return rc;
}

int bp_kb_each_article(struct bp_kb *kb, int (*fn)(const char *path, void *payload),
		       void *payload, struct bp_error *err)
{
	return walk_articles(kb, "", 0, fn, payload, err);
}
