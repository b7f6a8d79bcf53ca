/*
 * What the commands share for talking to the user: messages with escaped text, the pager,
 * the editor, reading input, and saving text that could not be used so no typing is lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libgit2.h"

#include "cmd.h"

void put_escaped(FILE *f, const char *s, unsigned flags)
{
	char *e = NULL;

	if (!s)
		return;
	if (!bp_needs_escape(s, strlen(s), flags)) {
		fputs(s, f);
		return;
	}
	if (bp_escape(&e, s, strlen(s), flags, NULL) == 0)
		fputs(e, f);
	bp_free(e);
}

static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
	char msg[BP_ERROR_MAX * 2];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fflush(stdout);
	fputs(prefix, stderr);
	put_escaped(stderr, msg, 0);
	fputc('\n', stderr);
}

void errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage("bestpractice: ", fmt, ap);
	va_end(ap);
}

void warnf(struct ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx)
		ctx->warnings++;
	va_start(ap, fmt);
	vmessage("bestpractice: warning: ", fmt, ap);
	va_end(ap);
}

void warn_cb(void *payload, const char *msg)
{
	warnf(payload, "%s", msg);
}

int exit_status(int code)
{
	switch (code) {
	case BP_OK:
		return EXIT_OK;
	case BP_EABORTED:
		return EXIT_NOTHING;
	case BP_ENOTFOUND:
	case BP_EINVALID:
	case BP_EEXISTS:
	case BP_EREFUSED:
		return EXIT_USAGE;
	default:
		return EXIT_ENV;
	}
}

int fail(const struct bp_error *err)
{
	errorf("%s", err->msg[0] ? err->msg : "unknown error");
	return exit_status(err->code);
}

void put_json_line(const char *json)
{
	char *safe = NULL;

	/* JSON allows C1 and bidirectional controls raw; a terminal showing it would obey them. */
	if (bp_json_escape(&safe, json, strlen(json), NULL) == 0)
		fputs(safe, stdout);
	bp_free(safe);
	fputc('\n', stdout);
}

static pid_t pager_pid = -1;

void setup_pager(struct ctx *ctx)
{
	const char *pager = getenv("BESTPRACTICE_PAGER");
	int fd[2];
	pid_t pid;

	if (!ctx->out_tty || ctx->no_pager)
		return;
	if (!pager)
		pager = getenv("PAGER");
	if (!pager)
		pager = "less";
	if (!*pager || !strcmp(pager, "cat"))
		return;
	if (pipe(fd) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return;
	}
	if (pid == 0) {
		dup2(fd[0], STDIN_FILENO);
		close(fd[0]);
		close(fd[1]);
		/* As git does: quit at the end of one screen, keep colours, no init string. */
		setenv("LESS", getenv("LESS") ? getenv("LESS") : "FRX", 1);
		setenv("LV", getenv("LV") ? getenv("LV") : "-c", 1);
		execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
		_exit(127);
	}
	dup2(fd[1], STDOUT_FILENO);
	close(fd[0]);
	close(fd[1]);
	pager_pid = pid;
	/* Quitting the pager early is not an error. */
	signal(SIGPIPE, SIG_IGN);
}

void finish_pager(void)
{
	int status;

	if (pager_pid < 0)
		return;
	fflush(stdout);
	fclose(stdout);
	while (waitpid(pager_pid, &status, 0) < 0 && errno == EINTR)
		;
	pager_pid = -1;
}

/* The editor the user chose, in git's order: VISUAL (on a capable terminal), EDITOR, git
 * config core.editor, then vi. */
static char *editor_command(struct ctx *ctx)
{
	const char *term = getenv("TERM"), *v = getenv("VISUAL");
	git_config *cfg = NULL;
	git_buf val = GIT_BUF_INIT;
	char *out = NULL;

	if (v && *v && !(term && !strcmp(term, "dumb")))
		return strdup(v);
	v = getenv("EDITOR");
	if (v && *v)
		return strdup(v);
	if (ctx->kb) {
		char *cfg_editor = NULL;

		if (bp_kb_git_config(&cfg_editor, ctx->kb, "core.editor", NULL) == 0 &&
		    *cfg_editor) {
			out = strdup(cfg_editor);
			bp_free(cfg_editor);
			return out ? out : strdup("vi");
		}
		bp_free(cfg_editor);
	}
	git_libgit2_init();
	if (git_config_open_default(&cfg) == 0 &&
	    git_config_get_string_buf(&val, cfg, "core.editor") == 0 && val.size)
		out = strdup(val.ptr);
	git_buf_dispose(&val);
	git_config_free(cfg);
	git_libgit2_shutdown();
	return out ? out : strdup("vi");
}

int run_editor(struct ctx *ctx, const char *path, struct bp_error *err)
{
	char *editor = editor_command(ctx), *script = NULL;
	int status, rc = 0;
	pid_t pid;

	if (!editor)
		return bp_error_set(err, BP_ENOMEM, "out of memory");
	if (!strcmp(editor, ":"))
		goto out; /* as git: ':' means "do not edit" */
	/* Through the shell, as git runs it, so that EDITOR="code --wait" works. */
	if (asprintf(&script, "%s \"$@\"", editor) < 0) {
		script = NULL;
		rc = bp_error_set(err, BP_ENOMEM, "out of memory");
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		rc = bp_error_set(err, BP_EIO, "cannot start the editor: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", script, editor, path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			rc = bp_error_set(err, BP_EIO, "cannot wait for the editor: %s",
					  strerror(errno));
			goto out;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = bp_error_set(err, BP_EABORTED, "the editor '%s' failed (%s %d)", editor,
				  WIFEXITED(status) ? "exit status" : "signal",
				  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
out:
	free(script);
	free(editor);
	return rc;
}

int read_input(char **out, size_t *len, const char *path, struct bp_error *err)
{
	char *buf = NULL;
	size_t have = 0, cap = 0;
	ssize_t n;
	int fd, rc = 0;

	*out = NULL;
	*len = 0;
	if (!strcmp(path, "-"))
		fd = STDIN_FILENO;
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bp_error_set(err, errno == ENOENT ? BP_EINVALID : BP_EIO,
				    "cannot read '%s': %s", path, strerror(errno));
	for (;;) {
		if (have + 4096 + 1 > cap) {
			char *p;
			cap = cap ? cap * 2 : 8192;
			p = realloc(buf, cap);
			if (!p) {
				rc = bp_error_set(err, BP_ENOMEM, "out of memory");
				goto out;
			}
			buf = p;
		}
		n = read(fd, buf + have, cap - have - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = bp_error_set(err, BP_EIO, "cannot read '%s': %s", path,
					  strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > BP_ARTICLE_MAX_SIZE) {
			rc = bp_error_set(err, BP_EINVALID, "'%s' is larger than %u MiB", path,
					  BP_ARTICLE_MAX_SIZE >> 20);
			goto out;
		}
	}
	if (!buf && !(buf = malloc(1))) {
		rc = bp_error_set(err, BP_ENOMEM, "out of memory");
		goto out;
	}
	buf[have] = '\0';
	*out = buf;
	*len = have;
	buf = NULL;
out:
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	return rc;
}

int save_text(char **out, struct ctx *ctx, const char *what, const char *text, size_t len,
	      struct bp_error *err)
{
	char stamp[32], *dir = NULL, *path = NULL;
	time_t t = time(NULL);
	struct tm tm;
	size_t done = 0;
	int fd = -1, i, rc = 0;

	*out = NULL;
	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (ctx->kb) {
		rc = bp_kb_private_dir(&dir, ctx->kb, err);
		if (rc)
			return rc;
		if (asprintf(&path, "%s/saved", dir) < 0)
			path = NULL;
		if (!path)
			goto oom;
		mkdir(path, 0777);
		bp_free(dir);
		dir = path;
		path = NULL;
	} else {
		const char *tmp = getenv("TMPDIR");
		dir = strdup(tmp && *tmp ? tmp : "/tmp");
		if (!dir)
			goto oom;
	}
	for (i = 0; i < 100 && fd < 0; i++) {
		free(path);
		if ((i ? asprintf(&path, "%s/%s-%s-%d.md", dir, what, stamp, i)
		       : asprintf(&path, "%s/%s-%s.md", dir, what, stamp)) < 0) {
			path = NULL;
			goto oom;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		rc = bp_error_set(err, BP_EIO, "cannot save your text in '%s': %s", dir,
				  strerror(errno));
		goto out;
	}
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = bp_error_set(err, BP_EIO, "cannot save your text in '%s': %s", path,
					  strerror(errno));
			goto out;
		}
		done += (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = bp_error_set(err, BP_EIO, "cannot save your text in '%s': %s", path,
				  strerror(errno));
		goto out;
	}
	fd = -1;
	*out = path;
	path = NULL;
	goto out;
oom:
	rc = bp_error_set(err, BP_ENOMEM, "out of memory");
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(dir);
	return rc;
}

int run_program(const char *const *argv)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
