/*
 * bestpractice: the command table, option parsing and the setup every command shares (the
 * KB, the index, the pager), derived from the table so that each option exists in one place.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libgit2.h"

#include "cmd.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const struct cmd *const commands[] = {
	&cmd_init,    &cmd_add,  &cmd_show,   &cmd_edit, &cmd_rm,    &cmd_list,
	&cmd_search,  &cmd_related, &cmd_sectors, &cmd_tags, &cmd_log, &cmd_import,
	&cmd_check,   &cmd_reindex, &cmd_peer_add, &cmd_peer_rm, &cmd_peer_list, &cmd_sync,
	&cmd_adopt,   &cmd_outdated,
	&cmd_config,  &cmd_help, &cmd_complete, &cmd_dump_index, NULL,
};

/* Options accepted before the command name (and after it, for convenience). */
const struct opt global_options[] = {
	{0, "kb", "DIR", 0, "use the knowledge base in DIR", COMPLETE_DIR},
	{0, "no-pager", NULL, 0, "do not page output", COMPLETE_NONE},
	{'h', "help", NULL, 0, "show help", COMPLETE_NONE},
	{0, "version", NULL, 0, "print the version", COMPLETE_NONE},
	{0},
};

const struct cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; commands[i]; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

int is_command_group(const char *word)
{
	size_t i, n = strlen(word);

	for (i = 0; commands[i]; i++)
		if (!strncmp(commands[i]->name, word, n) && commands[i]->name[n] == ' ')
			return 1;
	return 0;
}

/* The command named by argv[0], or by argv[0] and argv[1] ("peer add"); *words says which. */
static const struct cmd *lookup(int argc, char **argv, int *words)
{
	char two[128];

	*words = 1;
	if (is_command_group(argv[0])) {
		if (argc < 2)
			return NULL;
		snprintf(two, sizeof(two), "%s %s", argv[0], argv[1]);
		*words = 2;
		return find_command(two);
	}
	return find_command(argv[0]);
}

static int opt_index(const struct cmd *c, const char *name)
{
	int i;

	for (i = 0; c->opts && c->opts[i].name; i++)
		if (!strcmp(c->opts[i].name, name))
			return i;
	/* A lookup of an option the command does not declare is a programming error. */
	fprintf(stderr, "bestpractice: BUG: command '%s' has no option '%s'\n", c->name, name);
	abort();
}

const char *arg_str(const struct args *a, const char *name)
{
	return a->value[opt_index(a->cmd, name)];
}

int arg_flag(const struct args *a, const char *name)
{
	return a->value[opt_index(a->cmd, name)] != NULL;
}

const char *const *arg_list(const struct args *a, const char *name, size_t *n)
{
	int i = opt_index(a->cmd, name);

	*n = a->count[i];
	return a->list[i];
}

long arg_int(const struct args *a, const char *name, long dflt)
{
	const char *v = arg_str(a, name);

	return v ? strtol(v, NULL, 10) : dflt;
}

/* One option as a synopsis shows it: "-t TITLE", "--file FILE", "--raw". */
static void put_opt(FILE *f, const struct opt *o)
{
	if (o->short_name)
		fprintf(f, "-%c", o->short_name);
	else
		fprintf(f, "--%s", o->name);
	if (o->arg)
		fprintf(f, " %s", o->arg);
}

void print_usage(FILE *f, const struct cmd *c)
{
	const struct opt *o;

	fprintf(f, "usage: bestpractice %s", c->name);
	for (o = c->opts; o && o->name; o++) {
		if (o->flags & OPT_HIDDEN)
			continue;
		fputs(" [", f);
		put_opt(f, o);
		fputs(o->flags & OPT_REPEAT ? "]..." : "]", f);
	}
	if (c->operands && *c->operands)
		fprintf(f, " %s", c->operands);
	fputc('\n', f);
}

static void print_options(FILE *f, const struct opt *opts)
{
	const struct opt *o;
	char buf[64];
	int n;

	for (o = opts; o && o->name; o++) {
		if (o->flags & OPT_HIDDEN)
			continue;
		if (o->short_name)
			n = snprintf(buf, sizeof(buf), "-%c, --%s%s%s", o->short_name, o->name,
				     o->arg ? " " : "", o->arg ? o->arg : "");
		else
			n = snprintf(buf, sizeof(buf), "    --%s%s%s", o->name, o->arg ? " " : "",
				     o->arg ? o->arg : "");
		fprintf(f, "  %-24s %s\n", buf, o->help);
		(void)n;
	}
}

void print_help(FILE *f, const struct cmd *c)
{
	print_usage(f, c);
	fprintf(f, "\n%s.\n", c->summary);
	if (c->opts && c->opts[0].name) {
		fputs("\noptions:\n", f);
		print_options(f, c->opts);
	}
	fprintf(f, "\nSee 'bestpractice help %s' for the manual.\n", c->name);
}

void print_main_help(FILE *f)
{
	size_t i;

	fputs("usage: bestpractice [--kb DIR] [--no-pager] COMMAND [ARGS]\n"
	      "       bestpractice --version | --help | help [COMMAND [SUBCOMMAND]]\n\n"
	      "A shared notebook of practice tips for solo librarians, kept in git.\n\n"
	      "commands:\n",
	      f);
	for (i = 0; commands[i]; i++)
		if (!(commands[i]->flags & CMD_HIDDEN))
			fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\nglobal options:\n", f);
	print_options(f, global_options);
	fputs("\nSee 'bestpractice help COMMAND' or 'man bestpractice' for more.\n", f);
}

static void put_escaped_args(FILE *f, const char *s)
{
	put_escaped(f, s, 0);
}

/* Report a usage error ("<what>'<arg>'"), then the command's usage line. */
static int usage_error(const struct cmd *c, const char *what, const char *arg)
{
	fputs("bestpractice: ", stderr);
	fputs(what, stderr);
	fputc('\'', stderr);
	put_escaped_args(stderr, arg);
	fputs("'\n", stderr);
	if (c)
		print_usage(stderr, c);
	else
		fputs("usage: bestpractice [--kb DIR] [--no-pager] COMMAND [ARGS]\n", stderr);
	return EXIT_USAGE;
}

const struct opt *find_long_option(const struct opt *opts, const char *name, size_t len)
{
	const struct opt *o;

	for (o = opts; o && o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	return NULL;
}

const struct opt *find_short_option(const struct opt *opts, char c)
{
	const struct opt *o;

	for (o = opts; o && o->name; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

/* Store one option value; a global option given after the command goes into ctx. */
static int set_opt(struct ctx *ctx, struct args *a, const struct opt *o, const char *val)
{
	int i;
	const char **list;

	if (o >= global_options && o < global_options + ARRAY_SIZE(global_options)) {
		if (!strcmp(o->name, "kb"))
			ctx->kb_option = val;
		else if (!strcmp(o->name, "no-pager"))
			ctx->no_pager = 1;
		else /* --version belongs before the command, as git has it */
			return usage_error(a->cmd, "unknown option ", "--version");
		return 0;
	}
	i = (int)(o - a->cmd->opts);
	if (o->flags & OPT_INT) {
		char *end;
		long v;

		errno = 0;
		v = strtol(val, &end, 10);
		if (!*val || *end || v < 0 || errno) {
			fprintf(stderr, "bestpractice: --%s needs a non-negative number, not '",
				o->name);
			put_escaped_args(stderr, val);
			fputs("'\n", stderr);
			return EXIT_USAGE;
		}
	}
	a->value[i] = val;
	if (o->flags & OPT_REPEAT) {
		list = realloc(a->list[i], (a->count[i] + 2) * sizeof(*list));
		if (!list) {
			errorf("out of memory");
			return EXIT_ENV;
		}
		list[a->count[i]++] = val;
		list[a->count[i]] = NULL;
		a->list[i] = list;
	} else {
		a->count[i] = 1;
	}
	return 0;
}

/*
 * Parse a command's arguments: options anywhere before "--", long options as --name VALUE or
 * --name=VALUE, short ones as -x VALUE or -xVALUE, flags bundled (-ab); in a command with
 * CMD_DASH_WORDS only as -x VALUE or -xNUMBER, as "-word" is an operand there. Returns 0,
 * or the exit status of a usage error already reported. Sets *help when --help was given.
 */
static int parse_args(struct ctx *ctx, struct args *a, const struct cmd *c, int argc,
		      char **argv, int *help)
{
	int i, rc;

	memset(a, 0, sizeof(*a));
	a->cmd = c;
	a->operands = calloc((size_t)argc + 1, sizeof(char *));
	if (!a->operands) {
		errorf("out of memory");
		return EXIT_ENV;
	}
	for (i = 0; i < argc; i++) {
		const char *s = argv[i];
		const struct opt *o;

		if (!strcmp(s, "--")) {
			while (++i < argc)
				a->operands[a->noperands++] = argv[i];
			break;
		}
		if (s[0] != '-' || !s[1]) {
			a->operands[a->noperands++] = argv[i];
			continue;
		}
		if (s[1] == '-') {
			const char *eq = strchr(s + 2, '=');
			size_t len = eq ? (size_t)(eq - s - 2) : strlen(s + 2);

			o = find_long_option(c->opts, s + 2, len);
			if (!o)
				o = find_long_option(global_options, s + 2, len);
			if (!o)
				return usage_error(c, "unknown option ", s);
			if (!strcmp(o->name, "help")) {
				*help = 1;
				continue;
			}
			if (!o->arg) {
				if (eq)
					return usage_error(c, "option takes no value: ", s);
				rc = set_opt(ctx, a, o, "1");
			} else if (eq) {
				rc = set_opt(ctx, a, o, eq + 1);
			} else if (i + 1 < argc) {
				rc = set_opt(ctx, a, o, argv[++i]);
			} else {
				return usage_error(c, "option needs a value: ", s);
			}
			if (rc)
				return rc;
			continue;
		}
		/*
		 * Where an operand may start with '-' (search's "-word" excludes), a short option
		 * stands alone: "-scanner" is a word to exclude, not -s with the value "canner".
		 * Only a number may be attached, to an option that takes one ("-n5").
		 */
		if ((c->flags & CMD_DASH_WORDS) && s[2]) {
			o = find_short_option(c->opts, s[1]);
			if (!o || !(o->flags & OPT_INT) || s[2 + strspn(s + 2, "0123456789")]) {
				a->operands[a->noperands++] = argv[i];
				continue;
			}
		}
		/* Short options, possibly bundled. */
		o = find_short_option(c->opts, s[1]);
		if (!o && s[1] == 'h' && !s[2]) {
			*help = 1;
			continue;
		}
		if (!o) {
			if (c->flags & CMD_DASH_WORDS) {
				a->operands[a->noperands++] = argv[i];
				continue;
			}
			return usage_error(c, "unknown option ", s);
		}
		for (const char *p = s + 1; *p; p++) {
			o = find_short_option(c->opts, *p);
			if (!o) {
				char bad[3] = {'-', *p, 0};
				return usage_error(c, "unknown option ", bad);
			}
			if (o->arg) {
				if (p[1])
					rc = set_opt(ctx, a, o, p + 1);
				else if (i + 1 < argc)
					rc = set_opt(ctx, a, o, argv[++i]);
				else
					return usage_error(c, "option needs a value: ", s);
				if (rc)
					return rc;
				break;
			}
			rc = set_opt(ctx, a, o, "1");
			if (rc)
				return rc;
		}
	}
	return 0;
}

static void free_args(struct args *a)
{
	size_t i;

	for (i = 0; i < ARGS_MAX_OPTS; i++)
		free(a->list[i]);
	free(a->operands);
}

/* Warnings about the KB go through warnf. */
static void set_warn(struct ctx *ctx)
{
	static struct bp_warn warn = {warn_cb, NULL};

	warn.payload = ctx;
	bp_kb_set_warn(ctx->kb, &warn);
}

/* Open the KB the discovery order names; report and return an exit status on failure. */
static int open_kb(struct ctx *ctx)
{
	struct bp_error err;
	enum bp_kb_origin origin;
	char *dir = NULL;
	int rc;

	rc = bp_kb_locate(&dir, &origin, ctx->kb_option, &err);
	if (rc)
		return fail(&err);
	rc = bp_kb_open(&ctx->kb, dir, &err);
	if (rc == BP_ENOTFOUND && origin == BP_KB_FROM_DEFAULT)
		bp_error_set(&err, BP_ENOTFOUND,
			     "no knowledge base yet (create one with 'bestpractice init', or "
			     "point --kb or BESTPRACTICE_KB at one)");
	bp_free(dir);
	if (rc)
		return fail(&err);
	set_warn(ctx);
	return 0;
}

void index_progress(void *payload, const char *what, size_t done, size_t total)
{
	/* `what` names a peer: any git remote, whatever its name. */
	fputc('\r', stderr);
	put_escaped(stderr, what, 0);
	if (total)
		fprintf(stderr, ": %zu/%zu", done, total);
	else
		fprintf(stderr, ": %zu", done);
	/* The line ends with the work: a total of 0 means it is not known yet. */
	if (total && done >= total)
		fputc('\n', stderr);
}

int open_index(struct ctx *ctx)
{
	struct bp_progress p = {index_progress, NULL};
	struct bp_error err;
	int rc;

	if (ctx->index)
		return 0;
	rc = bp_index_open(&ctx->index, ctx->kb, &err);
	if (!rc)
		rc = bp_index_update(ctx->index, ctx->err_tty ? &p : NULL, &err);
	return rc ? fail(&err) : 0;
}

static int run_command(struct ctx *ctx, const struct cmd *c, int argc, char **argv)
{
	struct args a;
	int help = 0, rc;

	rc = parse_args(ctx, &a, c, argc, argv, &help);
	if (rc)
		goto out;
	if (help) {
		print_help(stdout, c);
		goto out;
	}
	if ((c->flags & CMD_QUICK) &&
	    bp_index_open_unchanged(&ctx->index, &ctx->kb, ctx->kb_option)) {
		set_warn(ctx);
	} else if (c->flags & CMD_KB) {
		rc = open_kb(ctx);
		if (rc)
			goto out;
	}
	if (c->flags & CMD_INDEX) {
		rc = open_index(ctx);
		if (rc)
			goto out;
	}
	if (c->flags & CMD_PAGER)
		setup_pager(ctx);
	rc = c->run(ctx, &a);
out:
	free_args(&a);
	return rc;
}

int main(int argc, char **argv)
{
	struct ctx ctx;
	const struct cmd *c;
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	int i, rc, words;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out_tty = isatty(STDOUT_FILENO);
	ctx.err_tty = isatty(STDERR_FILENO);
	ctx.color = ctx.out_tty && !(nc && *nc) && !(term && !strcmp(term, "dumb"));

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *s = argv[i];

		if (!strcmp(s, "--kb")) {
			if (i + 1 >= argc)
				return usage_error(NULL, "option needs a value: ", s);
			ctx.kb_option = argv[++i];
		} else if (!strncmp(s, "--kb=", 5)) {
			ctx.kb_option = s + 5;
		} else if (!strcmp(s, "--no-pager")) {
			ctx.no_pager = 1;
		} else if (!strcmp(s, "--version")) {
			printf("bestpractice %s\n", BP_VERSION);
			return 0;
		} else if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			print_main_help(stdout);
			return 0;
		} else {
			return usage_error(NULL, "unknown option ", s);
		}
	}
	if (i >= argc) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	c = lookup(argc - i, argv + i, &words);
	if (!c && is_command_group(argv[i])) {
		size_t k, n = strlen(argv[i]);

		if (i + 1 < argc)
			usage_error(NULL, "unknown command ", argv[i + 1]);
		for (k = 0; commands[k]; k++)
			if (!strncmp(commands[k]->name, argv[i], n) && commands[k]->name[n] == ' ')
				print_usage(stderr, commands[k]);
		return EXIT_USAGE;
	}
	if (!c)
		return usage_error(NULL, "unknown command ", argv[i]);
	rc = run_command(&ctx, c, argc - i - words, argv + i + words);
	bp_index_free(ctx.index);
	bp_kb_free(ctx.kb);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE) {
			errorf("cannot write output: %s", strerror(errno));
			rc = EXIT_ENV;
		}
	}
	finish_pager();
	bp_libgit2_release();
	return rc;
}
