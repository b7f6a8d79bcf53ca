/*
 * The fuzz targets without libFuzzer: a main() that feeds saved inputs to a target's
 * LLVMFuzzerTestOneInput, so that `make check` replays every finding (tests/fuzz/regressions)
 * and every seed (tests/fuzz/corpus-TARGET) under the normal build, and under ASan and UBSan
 * when it is built with SANITIZE. Linked with one target, it is build/tests/unit/t-fuzz-TARGET
 * and prints TAP as the unit tests do: one line an input, run in a child process of its own so
 * that a crash, a sanitizer report or a hang fails that input and the others still run.
 *
 *     t-fuzz-article              the target's regressions and seeds, then the empty input
 *     t-fuzz-article FILE...      only those inputs
 *
 * BP_FUZZ_TARGET (the target's name) and BP_FUZZ_DIR (tests/fuzz) come from the Makefile.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

/* Seconds an input may take here: generous, as sanitized builds are slow. */
#define REPLAY_TIMEOUT 60

static int tests, failed;

static int read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *p;
	size_t cap = 0, n = 0, got;

	*out = NULL;
	if (!f)
		return -1;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(p = realloc(buf, cap))) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
}

/* Run the target on one input in a child; one TAP line for it. */
static void replay(const char *name, const uint8_t *data, size_t len)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		printf("not ok %d - %s\n#   cannot fork: %s\n", ++tests, name, strerror(errno));
		failed++;
		return;
	}
	if (pid == 0) {
		alarm(REPLAY_TIMEOUT);
		LLVMFuzzerTestOneInput(data, len);
		exit(0); /* exit, not _exit: LeakSanitizer checks at exit */
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	tests++;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %d - %s\n", tests, name);
	} else {
		failed++;
		printf("not ok %d - %s\n", tests, name);
		if (WIFSIGNALED(status))
			printf("#   killed by signal %d%s\n", WTERMSIG(status),
			       WTERMSIG(status) == SIGALRM ? " (timed out)" : "");
		else
			printf("#   exit status %d\n", WEXITSTATUS(status));
	}
	fflush(stdout);
}

static void replay_file(const char *path, const char *name)
{
	uint8_t *data = NULL;
	size_t len = 0;

	if (read_file(path, &data, &len)) {
		printf("not ok %d - %s\n#   cannot read it: %s\n", ++tests, name, strerror(errno));
		failed++;
		return;
	}
	replay(name, data, len);
	free(data);
}

static int no_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every file of `dir` (named `label` in the output), in name order; a missing dir is empty. */
static void replay_dir(const char *dir, const char *label)
{
	struct dirent **names = NULL;
	char path[4096], name[4096];
	int n, i;

	if ((n = scandir(dir, &names, no_dot, alphasort)) < 0) {
		if (errno != ENOENT) {
			printf("not ok %d - %s\n#   cannot list it: %s\n", ++tests, dir,
			       strerror(errno));
			failed++;
		}
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		snprintf(name, sizeof(name), "%s/%s", label, names[i]->d_name);
		replay_file(path, name);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int i;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			replay_file(argv[i], argv[i]);
	} else {
		replay_dir(BP_FUZZ_DIR "/regressions/" BP_FUZZ_TARGET,
			   "regressions/" BP_FUZZ_TARGET);
		replay_dir(BP_FUZZ_DIR "/corpus-" BP_FUZZ_TARGET, "corpus-" BP_FUZZ_TARGET);
		replay("(empty input)", (const uint8_t *)"", 0);
	}
	printf("1..%d\n", tests);
	return failed ? 1 : 0;
}
