/*
 * help: the command list, or a command's manual page (as `git help` does), falling back to
 * its --help text when no manual can be shown.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"

/*
 * The page that belongs to this very program: in the source tree next to a program run from
 * build/ (man/PAGE.1), or installed beside it (PREFIX/share/man/man1/PAGE.1, found from
 * PREFIX/bin, so an installed tree can move), or where the build said it would be installed.
 */
static int page_beside_program(char *out, size_t size, const char *page)
{
	char exe[PATH_MAX - 512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;
	char *slash;
	int k;

	if (n <= 0)
		return 0;
	exe[n] = '\0';
	/* build/bestpractice or build/san/bestpractice: the man/ folder is one or two up. */
	for (k = 0; k < 3; k++) {
		slash = strrchr(exe, '/');
		if (!slash)
			return 0;
		*slash = '\0';
		snprintf(out, size, "%s/man/%s.1", exe, page);
		if (stat(out, &st) == 0)
			return 1;
		snprintf(out, size, "%s/share/man/man1/%s.1", exe, page);
		if (stat(out, &st) == 0)
			return 1;
	}
	snprintf(out, size, "%s/man1/%s.1", BP_MANDIR, page);
	return stat(out, &st) == 0;
}

static int run(struct ctx *ctx, struct args *a)
{
	const struct cmd *c = NULL;
	char page[128], path[PATH_MAX + 512];
	int rc;

	if (a->noperands > 2) {
		print_usage(stderr, a->cmd);
		return EXIT_USAGE;
	}
	if (!a->noperands) {
		print_main_help(stdout);
		return 0;
	}
	if (a->noperands == 2) {
		snprintf(page, sizeof(page), "%s %s", a->operands[0], a->operands[1]);
		c = find_command(page);
	} else {
		c = find_command(a->operands[0]);
	}
	/* A group of commands ("peer") has one page for all of them. */
	if (!c && a->noperands == 1 && is_command_group(a->operands[0])) {
		size_t k, n = strlen(a->operands[0]);

		for (k = 0; commands[k]; k++)
			if (!strncmp(commands[k]->name, a->operands[0], n) &&
			    commands[k]->name[n] == ' ' && !c)
				c = commands[k];
	}
	if (!c || (c->flags & CMD_HIDDEN)) {
		errorf("no such command '%s%s%s' (see 'bestpractice help')", a->operands[0],
		       a->noperands == 2 ? " " : "", a->noperands == 2 ? a->operands[1] : "");
		return EXIT_USAGE;
	}
	/* The page of "peer add" is bestpractice-peer. */
	snprintf(page, sizeof(page), "bestpractice-%.*s", (int)strcspn(c->name, " "), c->name);
	if (page_beside_program(path, sizeof(path), page)) {
		const char *argv[] = {"man", "-l", path, NULL};
		rc = run_program(argv);
	} else {
		const char *argv[] = {"man", page, NULL};
		rc = run_program(argv);
	}
	if (rc != 0)
		print_help(stdout, c);
	(void)ctx;
	return 0;
}

const struct cmd cmd_help = {
	.name = "help",
	.summary = "show the command list, or a command's manual",
	.operands = "[COMMAND [SUBCOMMAND]]",
	.complete = COMPLETE_COMMAND,
	.run = run,
};
