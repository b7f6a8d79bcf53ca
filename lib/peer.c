/*
 * Peers: adding, removing and listing the git remotes a KB shares through, and the checks
 * that every peer name and URL passes before it is stored or any transport sees it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bp/article.h"
#include "bp/sync.h"
#include "index_internal.h"
#include "kb_internal.h"

int bp_peer_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (!n || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	/* What git refuses in a ref name component. */
	if (strstr(name, "..") || (n >= 5 && !strcmp(name + n - 5, ".lock")) ||
	    name[n - 1] == '.')
		return 0;
	return 1;
}

static int has_prefix(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

/*
 * Whether [user@]host[:port] (n bytes; the host may be a bracketed IPv6 address) names a
 * host the way every transport reads it: a user, when given, is not empty; the host is not
 * empty and does not look like an option, brackets or not; a port is digits only. git's own
 * ssh transport reads the user up to the last '@', so a host is what follows that one.
 */
static int authority_ok(const char *s, size_t n, int port_allowed, const char **why)
{
	const char *end = s + n, *at = NULL, *host, *host_end, *p;

	for (p = s; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == s) {
		*why = "an empty user name";
		return 0;
	}
	host = at ? at + 1 : s;
	if (host < end && *host == '[') {
		host_end = memchr(host, ']', (size_t)(end - host));
		if (!host_end) {
			*why = "an unclosed '['";
			return 0;
		}
		p = host_end + 1;
		host++;
	} else {
		host_end = host;
		while (host_end < end && *host_end != ':')
			host_end++;
		p = host_end;
	}
	if (host_end == host) {
		*why = "no host";
		return 0;
	}
	if (*host == '-') {
		*why = "a host that looks like an option";
		return 0;
	}
	if (p < end) {
		if (*p != ':' || !port_allowed || p + 1 == end) {
			*why = "an invalid port";
			return 0;
		}
		for (p++; p < end; p++)
			if (*p < '0' || *p > '9') {
				*why = "an invalid port";
				return 0;
			}
	}
	return 1;
}

/* Whether "::" occurs outside of brackets. */
static int has_double_colon(const char *url)
{
	int depth = 0;

	for (; *url; url++) {
		if (*url == '[')
			depth++;
		else if (*url == ']' && depth)
			depth--;
		else if (!depth && url[0] == ':' && url[1] == ':')
			return 1;
	}
	return 0;
}

static int url_check(const char *url, const char *shown, struct bp_error *err);

char *bp_peer_url_redacted(const char *url)
{
	const char *scheme = strstr(url, "://"), *host, *at, *colon;
	struct bp_buf b = BP_BUF_INIT;

	if (!scheme)
		return bp_strdup(url); /* a path, or user@host:path: no password there */
	host = scheme + 3;
	at = host + strcspn(host, "/?#");
	while (at > host && at[-1] != '@')
		at--;
	if (at == host)
		return bp_strdup(url);
	at--; /* the last '@' before the path: user information ends there */
	colon = memchr(host, ':', (size_t)(at - host));
	if (colon) {
		bp_buf_add(&b, url, (size_t)(colon + 1 - url));
		bp_buf_addstr(&b, "***");
	} else if (has_prefix(url, "http://") || has_prefix(url, "https://")) {
		/* A token given as the user name, as git hosts take them. */
		bp_buf_add(&b, url, (size_t)(host - url));
		bp_buf_addstr(&b, "***");
	} else {
		bp_buf_add(&b, url, (size_t)(at - url));
	}
	bp_buf_addstr(&b, at);
	return bp_buf_detach(&b, NULL);
}

int bp_peer_url_check(const char *url, struct bp_error *err)
{
	char *shown = bp_peer_url_redacted(url);
	int rc = url_check(url, shown ? shown : "(the URL)", err);

	bp_free(shown);
	return rc;
}

/* bp_peer_url_check, naming the URL as `shown` (its secrets hidden) in messages. */
static int url_check(const char *url, const char *shown, struct bp_error *err)
{
	size_t i, n = strlen(url);
	const char *colon, *slash, *why = NULL;

	if (!n)
		return bp_error_set(err, BP_EINVALID, "empty peer URL");
	if (n > 2048)
		return bp_error_set(err, BP_EINVALID, "peer URL is longer than 2048 bytes");
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] < 0x20 || url[i] == 0x7f)
			return bp_error_set(err, BP_EINVALID,
					    "peer URL contains a control character");
	if (url[0] == '-')
		return bp_error_set(err, BP_EINVALID,
				    "refusing peer URL '%s': it looks like an option", shown);
	/* git's "transport::address" runs a helper program (ext:: runs any command). An IPv6
	 * address in brackets ([::1]) is not one. */
	if (has_double_colon(url))
		return bp_error_set(err, BP_EINVALID,
				    "refusing peer URL '%s': transports that run commands are not "
				    "allowed",
				    shown);
	if (has_prefix(url, "https://") || has_prefix(url, "http://") ||
	    has_prefix(url, "ssh://") || has_prefix(url, "git://") || has_prefix(url, "file://")) {
		const char *rest = strstr(url, "://") + 3;
		size_t len = strcspn(rest, "/");

		/* file:///path has no host; file://host/path names this machine. */
		if (has_prefix(url, "file://") && !len)
			return 0;
		/* A password in the URL would be stored in git's config and shown by peer list. */
		if (memchr(rest, '@', len) && memchr(rest, ':', (size_t)((const char *)memchr(
								 rest, '@', len) - rest)))
			return bp_error_set(err, BP_EINVALID,
					    "refusing peer URL: it holds a password; put it in "
					    "BESTPRACTICE_TOKEN or a git credential helper instead");
		/* ssh://-oProxyCommand=... would reach ssh as an option. */
		if (!authority_ok(rest, len, !has_prefix(url, "file://"), &why))
			return bp_error_set(err, BP_EINVALID, "refusing peer URL '%s': it has %s",
					    shown, why);
		return 0;
	}
	colon = strchr(url, ':');
	slash = strchr(url, '/');
	if (colon && strstr(url, "://"))
		return bp_error_set(err, BP_EINVALID,
				    "refusing peer URL '%s': use a path, file://, git://, http://, "
				    "https://, ssh:// or user@host:path",
				    shown);
	if (colon && (!slash || colon < slash)) {
		/* scp-style [user@]host:path, the host maybe in brackets: [host]:path */
		size_t len = (size_t)(colon - url);

		if (url[0] == '[' && strchr(url, ']'))
			len = (size_t)(strchr(url, ']') - url) + 1;
		if (!authority_ok(url, len, 0, &why))
			return bp_error_set(err, BP_EINVALID, "refusing peer URL '%s': it has %s",
					    shown, why);
		return 0;
	}
	return 0; /* a local path */
}

/* Whether a checked URL is a local path (no scheme, not scp-style host:path). */
static int is_local_path(const char *url)
{
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');

	return !strstr(url, "://") && (!colon || (slash && slash < colon));
}

int bp_peer_local_missing(const char *url)
{
	struct stat st;

	return is_local_path(url) && stat(url, &st) < 0;
}

int bp_peer_add(struct bp_kb *kb, const char *name, const char *url, enum bp_peer_role role,
		const char *sector, struct bp_error *err)
{
	char *abs = NULL;
	git_remote *remote = NULL;
	git_config *cfg = NULL;
	struct bp_buf key = BP_BUF_INIT;
	int rc;

	if (!bp_peer_name_valid(name))
		return bp_error_set(err, BP_EINVALID,
				    "invalid peer name '%s': use letters, digits, '.', '_' and '-', "
				    "starting with a letter or digit",
				    name);
	rc = bp_peer_url_check(url, err);
	if (rc)
		return rc;
	if (sector && !bp_is_valid_sector(sector))
		return bp_error_set(err, BP_EINVALID,
				    "invalid sector '%s': use lowercase letters, digits and hyphens",
				    sector);
	/* A relative path means what it means here, not where sync happens to run later. */
	if (is_local_path(url) && url[0] != '/') {
		char *real = realpath(url, NULL), cwd[4096];

		if (real)
			abs = bp_strdup(real);
		else if (getcwd(cwd, sizeof(cwd)))
			abs = bp_malloc(strlen(cwd) + strlen(url) + 2);
		if (abs && !real)
			snprintf(abs, strlen(cwd) + strlen(url) + 2, "%s/%s", cwd, url);
		free(real);
		if (!abs)
			return bp_error_nomem(err);
		url = abs;
	}
	rc = bp_kb_lock(kb, err);
	if (rc) {
		bp_free(abs);
		return rc;
	}
	rc = git_remote_create(&remote, kb->repo, name, url);
	if (rc == GIT_EEXISTS) {
		rc = bp_error_set(err, BP_EEXISTS, "a peer named '%s' already exists", name);
		goto out;
	}
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot add peer '%s'", name);
		goto out;
	}
	rc = git_repository_config(&cfg, kb->repo);
	if (rc == 0) {
		bp_buf_addf(&key, "remote.%s.bestpracticerole", name);
		rc = bp_buf_oom(&key) ? -1
				      : git_config_set_string(cfg, key.ptr,
							      role == BP_PEER_SHARED ? "shared"
										     : "subscribed");
	}
	if (rc == 0 && sector) {
		bp_buf_truncate(&key, 0);
		bp_buf_addf(&key, "remote.%s.bestpracticesector", name);
		rc = bp_buf_oom(&key) ? -1 : git_config_set_string(cfg, key.ptr, sector);
	}
	if (rc < 0) {
		rc = bp_git_error(err, rc, "cannot configure peer '%s'", name);
		git_remote_delete(kb->repo, name);
	}
out:
	bp_kb_unlock(kb);
	bp_buf_release(&key);
	git_config_free(cfg);
	git_remote_free(remote);
	bp_free(abs);
	return rc;
}

int bp_peer_remove(struct bp_kb *kb, const char *name, struct bp_error *err)
{
	git_remote *remote = NULL;
	int rc;

	rc = git_remote_lookup(&remote, kb->repo, name);
	git_remote_free(remote);
	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
		return bp_error_set(err, BP_ENOTFOUND, "no peer named '%s'", name);
	if (rc < 0)
		return bp_git_error(err, rc, "cannot read peer '%s'", name);
	rc = bp_kb_lock(kb, err);
	if (rc)
		return rc;
	rc = git_remote_delete(kb->repo, name);
	bp_kb_unlock(kb);
	return rc < 0 ? bp_git_error(err, rc, "cannot remove peer '%s'", name) : 0;
}

int bp_peer_list(struct bp_kb *kb, int (*fn)(const struct bp_peer_info *p, void *payload),
		 void *payload, struct bp_error *err)
{
	git_strarray names = {0};
	git_config *cfg = NULL;
	struct bp_buf key = BP_BUF_INIT;
	size_t i;
	int rc;

	rc = bp_remote_names(&names, &cfg, kb, err);
	if (rc)
		goto out;
	for (i = 0; i < names.count && !rc; i++) {
		struct bp_peer_info p = {0};
		git_buf url = GIT_BUF_INIT;
		char *shown = NULL, *sector = NULL, *branch = NULL;
		git_reference *ref = NULL;
		git_object *obj = NULL;
		char hex[GIT_OID_HEXSZ + 1];

		p.name = names.strings[i];
		p.role = bp_peer_is_shared(cfg, p.name) ? BP_PEER_SHARED : BP_PEER_SUBSCRIBED;
		bp_buf_truncate(&key, 0);
		bp_buf_addf(&key, "remote.%s.url", p.name);
		if (!bp_buf_oom(&key) && git_config_get_string_buf(&url, cfg, key.ptr) == 0 &&
		    !(p.url = shown = bp_peer_url_redacted(url.ptr))) {
			rc = bp_error_nomem(err);
			git_buf_dispose(&url);
			break;
		}
		p.sector = sector = bp_remote_config(cfg, p.name, "bestpracticesector");
		branch = bp_remote_config(cfg, p.name, "bestpracticebranch");
		if (branch) {
			p.branch = branch;
			bp_buf_truncate(&key, 0);
			bp_buf_addf(&key, "refs/remotes/%s/%s", p.name, p.branch);
			if (!bp_buf_oom(&key) && git_reference_lookup(&ref, kb->repo, key.ptr) == 0 &&
			    git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
				git_oid_tostr(hex, sizeof(hex), git_object_id(obj));
				p.commit = hex;
			}
		}
		if (bp_buf_oom(&key))
			rc = bp_error_nomem(err);
		else
			rc = fn(&p, payload);
		git_object_free(obj);
		git_reference_free(ref);
		git_buf_dispose(&url);
		bp_free(shown);
		bp_free(sector);
		bp_free(branch);
	}
out:
	bp_buf_release(&key);
	git_config_free(cfg);
	git_strarray_dispose(&names);
	return rc;
}
