/*
 * The command-line program: one table of commands (cmd/main.c), one file per command. A
 * command is described once — its name, summary, operands and option specs — and usage lines,
 * `--help`, `help`, the man-page test and shell completion are all derived from that.
 */
#ifndef BP_CMD_H
#define BP_CMD_H

#include <stdio.h>

#include "bestpractice.h"

/* Exit statuses, as bestpractice(1) documents them. */
enum {
	EXIT_OK = 0,
	EXIT_NOTHING = 1, /* a search or list found nothing; an add or edit was abandoned */
	EXIT_USAGE = 2,   /* usage or invalid input */
	EXIT_ENV = 3,     /* git, I/O, network: a failure of the environment */
};

enum opt_flags {
	OPT_REPEAT = 1u << 0, /* may be given several times; values collected in order */
	OPT_INT = 1u << 1,    /* the value must be a non-negative integer */
	OPT_HIDDEN = 1u << 2, /* not shown in help (internal) */
};

/* What completion offers for an option's value or an operand. */
enum complete_kind {
	COMPLETE_NONE,
	COMPLETE_FILE,
	COMPLETE_DIR,
	COMPLETE_ID,      /* article ids (own and PEER:ID) */
	COMPLETE_OWN_ID,  /* own article ids */
	COMPLETE_SECTOR,
	COMPLETE_TAG,
	COMPLETE_PEER,
	COMPLETE_COMMAND, /* command names */
	COMPLETE_CONFIG,  /* config keys */
};

struct opt {
	char short_name;     /* 0 when none */
	const char *name;    /* long name without "--" */
	const char *arg;     /* value placeholder ("TITLE"), NULL for a flag */
	unsigned flags;      /* enum opt_flags */
	const char *help;
	enum complete_kind complete;
};

enum cmd_flags {
	CMD_KB = 1u << 0,        /* needs an open KB */
	CMD_INDEX = 1u << 1,     /* needs the index, brought up to date */
	CMD_PAGER = 1u << 2,     /* output goes through a pager on a terminal */
	CMD_HIDDEN = 1u << 3,    /* not listed (internal commands) */
	CMD_DASH_WORDS = 1u << 4, /* "-word" is an operand (search exclusions); short options
				    * are then recognised only alone ("-n 5", not "-n5") */
	CMD_QUICK = 1u << 5,     /* with CMD_KB and CMD_INDEX: reads only the index and the
				    * working tree, so it can run on an index the KB's stamp
				    * shows up to date, without git (bp_index_open_unchanged) */
};

struct ctx;
struct args;

struct cmd {
	const char *name;
	const char *summary;  /* one line, lowercase, no full stop */
	const char *operands; /* as in a synopsis: "[DIR]", "ID", "QUERY..." */
	const struct opt *opts; /* ended by an entry with name NULL */
	unsigned flags;         /* enum cmd_flags */
	enum complete_kind complete; /* what operands complete to */
	int (*run)(struct ctx *ctx, struct args *args);
};

/* Parsed options and operands of one command. */
#define ARGS_MAX_OPTS 32
struct args {
	const struct cmd *cmd;
	const char *value[ARGS_MAX_OPTS]; /* last value, or "1" for a flag given */
	const char **list[ARGS_MAX_OPTS]; /* every value of an OPT_REPEAT option */
	size_t count[ARGS_MAX_OPTS];
	char **operands;
	int noperands;
};

/* What every command gets: the KB, the index, and what the terminal can do. */
struct ctx {
	const char *kb_option; /* --kb DIR, or NULL */
	struct bp_kb *kb;      /* open when the command has CMD_KB */
	struct bp_index *index; /* open and up to date when the command has CMD_INDEX */
	int out_tty;   /* standard output is a terminal */
	int err_tty;   /* standard error is a terminal */
	int color;     /* colour on standard output */
	int no_pager;
	int warnings;  /* number of warnings printed */
};

/* Option lookup by long name; the name must exist in the command's table. */
const char *arg_str(const struct args *a, const char *name);
int arg_flag(const struct args *a, const char *name);
const char *const *arg_list(const struct args *a, const char *name, size_t *n);
long arg_int(const struct args *a, const char *name, long dflt);

/* The table, for help and completion. */
extern const struct cmd *const commands[];
const struct cmd *find_command(const char *name);

/* Whether `word` is the first word of two-word commands ("peer" of "peer add"). */
int is_command_group(const char *word);

/* The options accepted before the command name (and after it); ended by a NULL name. */
extern const struct opt global_options[];

/* An option of `opts` by long name (the first `len` bytes of `name`), or by short name. */
const struct opt *find_long_option(const struct opt *opts, const char *name, size_t len);
const struct opt *find_short_option(const struct opt *opts, char c);

/* The settings config knows (keys under bestpractice.), for completion; ended by NULL. */
extern const char *const config_keys[];

/* The list of commands, for `bestpractice`, `--help` and `help`. */
void print_main_help(FILE *f);

/* Run a program (argv[0] looked up in PATH) with stderr silenced; its exit status, or -1. */
int run_program(const char *const *argv);

/* The usage line of a command ("usage: bestpractice add [-t TITLE] ..."). */
void print_usage(FILE *f, const struct cmd *c);
void print_help(FILE *f, const struct cmd *c);

/*
 * Messages. errorf() prints "bestpractice: <msg>" on stderr; fail() does so for a struct
 * bp_error and returns the exit status its code calls for. All text is escaped first.
 */
void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnf(struct ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fail(const struct bp_error *err);
int exit_status(int code);
void warn_cb(void *payload, const char *msg);

/* Print text from anyone else with its control characters escaped (bp_escape). */
void put_escaped(FILE *f, const char *s, unsigned flags);

/* Progress of long index work on stderr (callers pass it only when stderr is a terminal). */
void index_progress(void *payload, const char *what, size_t done, size_t total);

/* Open the index and bring it up to date (commands without CMD_INDEX that need it). */
int open_index(struct ctx *ctx);

/* Start the pager when standard output is a terminal and the user wants one. */
void setup_pager(struct ctx *ctx);
/* Flush standard output and wait for the pager to end (at exit). */
void finish_pager(void);

/* Run the user's editor on `path` (VISUAL, EDITOR, git's core.editor, vi) through the shell,
 * as git does. */
int run_editor(struct ctx *ctx, const char *path, struct bp_error *err);

/* Read a whole file ("-" for standard input), bounded by BP_ARTICLE_MAX_SIZE. */
int read_input(char **out, size_t *len, const char *path, struct bp_error *err);

/*
 * Keep text the user typed that could not be used: write it to .git/bestpractice/saved/ (or
 * the temporary directory without a KB) and return the path in *out (bp_free).
 */
int save_text(char **out, struct ctx *ctx, const char *what, const char *text, size_t len,
	      struct bp_error *err);

/* The filter options common to list and search (sector, tag, author, peer, mine). */
void filter_from_args(struct bp_filter *f, const struct args *a);

/* Print one JSON object per line (JSON Lines). */
void put_json_line(const char *json);

#define COMMAND(n) extern const struct cmd cmd_##n
COMMAND(init);
COMMAND(add);
COMMAND(show);
COMMAND(edit);
COMMAND(rm);
COMMAND(list);
COMMAND(log);
COMMAND(import);
COMMAND(config);
COMMAND(help);
COMMAND(search);
COMMAND(related);
COMMAND(sectors);
COMMAND(tags);
COMMAND(check);
COMMAND(reindex);
COMMAND(peer_add);
COMMAND(peer_rm);
COMMAND(peer_list);
COMMAND(sync);
COMMAND(adopt);
COMMAND(outdated);
COMMAND(complete);
COMMAND(dump_index);
#undef COMMAND

#endif
