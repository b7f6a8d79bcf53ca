/*
 * __complete: the candidates for one word of a command line, asked by the shell completion
 * scripts (completion/bestpractice.bash, completion/_bestpractice). The commands, their
 * options and what their values can be are read from the table and the KB here, as git
 * answers from its option tables (--git-completion-helper), so the scripts list nothing.
 *
 *   bestpractice __complete CWORD -- WORD0 WORD1 ...
 *
 * The words are the command line as the shell split it, the program's name first; word CWORD
 * (counted from 0) is the one being completed, up to the cursor, and may be left out when it
 * is empty. The answer is the candidates that start with it, whole words, one a line; or the
 * single line ":file" or ":dir" when the shell should complete a file or folder name itself
 * (no candidate starts with ':'). For a word "--name=VALUE" the candidates are "--name=..."
 * too: the bash script cuts them where bash breaks words, as it does for "PEER:ID".
 *
 * Completion runs at every Tab, so it is silent: nothing is printed on standard error, a
 * missing KB or index only means fewer candidates, and the exit status is 0 unless the
 * protocol itself is misused (2, still silent).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

struct completion {
	struct ctx *ctx;
	const char *kb_option; /* --kb DIR on the line being completed */
	char *kb_expanded;     /* kb_option with a leading '~' expanded */
	const char *lead;      /* printed before each value: "--sector=" (lead_len bytes) */
	int lead_len;
	const char *prefix;    /* what the values must start with */
	int kb_tried, index_tried;
};

/* Print one candidate, if it starts with the prefix and can be said on one line. */
static void offer(struct completion *cp, const char *s)
{
	const char *p;

	if (strncmp(s, cp->prefix, strlen(cp->prefix)) || (!cp->lead_len && *s == ':'))
		return;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return;
	printf("%.*s%s\n", cp->lead_len, cp->lead, s);
}

static int offer_hit(const struct bp_hit *h, void *payload)
{
	offer(payload, h->id);
	return 0;
}

static int offer_count(const char *name, size_t count, const char *json, void *payload)
{
	offer(payload, name);
	return 0;
}

static int offer_name(const char *name, void *payload)
{
	offer(payload, name);
	return 0;
}

/* The --kb the line names, with a leading "~" expanded; NULL when none (or no memory). */
static const char *kb_option(struct completion *cp)
{
	const char *home = getenv("HOME"), *opt = cp->kb_option;

	/* The shell expands "~" when it runs the command, not in the words it completes. */
	if (opt && opt[0] == '~' && (!opt[1] || opt[1] == '/') && home) {
		if (!cp->kb_expanded && asprintf(&cp->kb_expanded, "%s%s", home, opt + 1) < 0)
			cp->kb_expanded = NULL;
		return cp->kb_expanded;
	}
	return opt;
}

/* The KB the line names (--kb, else the usual discovery), opened once; NULL when none. */
static struct bp_kb *kb_of(struct completion *cp)
{
	struct ctx *ctx = cp->ctx;
	struct bp_error err;
	char *dir = NULL;

	if (cp->kb_tried)
		return ctx->kb;
	cp->kb_tried = 1;
	if (cp->kb_option && !kb_option(cp))
		return NULL;
	if (bp_kb_locate(&dir, NULL, kb_option(cp), &err) == 0)
		bp_kb_open(&ctx->kb, dir, &err);
	bp_free(dir);
	return ctx->kb;
}

/*
 * The index, brought up to date when it can be; a stale one still completes. A KB whose
 * stamp shows nothing changed is read without git, as search reads it: a tab is answered
 * without loading libgit2.
 */
static struct bp_index *index_of(struct completion *cp)
{
	struct ctx *ctx = cp->ctx;
	struct bp_error err;

	if (cp->index_tried)
		return ctx->index;
	cp->index_tried = 1;
	if (!cp->kb_tried && (!cp->kb_option || kb_option(cp)) &&
	    bp_index_open_unchanged(&ctx->index, &ctx->kb, kb_option(cp))) {
		cp->kb_tried = 1;
		return ctx->index;
	}
	if (kb_of(cp) && bp_index_open(&ctx->index, ctx->kb, &err) == 0)
		bp_index_update(ctx->index, NULL, &err);
	return ctx->index;
}

static void complete_kind(struct completion *cp, enum complete_kind kind)
{
	struct bp_filter f = {0};
	struct bp_error err;
	size_t i;

	switch (kind) {
	case COMPLETE_NONE:
		break;
	case COMPLETE_FILE:
		puts(":file");
		break;
	case COMPLETE_DIR:
		puts(":dir");
		break;
	case COMPLETE_COMMAND:
		/* The first word of each command: "peer" once for "peer add", "peer rm", ... */
		for (i = 0; commands[i]; i++) {
			const char *name = commands[i]->name;
			int n = (int)strcspn(name, " "), seen = 0;
			char first[64];
			size_t k;

			if (commands[i]->flags & CMD_HIDDEN)
				continue;
			for (k = 0; k < i && !seen; k++)
				seen = (int)strcspn(commands[k]->name, " ") == n &&
				       !strncmp(commands[k]->name, name, (size_t)n);
			if (seen)
				continue;
			snprintf(first, sizeof(first), "%.*s", n, name);
			offer(cp, first);
		}
		break;
	case COMPLETE_CONFIG:
		for (i = 0; config_keys[i]; i++)
			offer(cp, config_keys[i]);
		break;
	case COMPLETE_PEER:
		if (kb_of(cp))
			bp_kb_each_peer(cp->ctx->kb, offer_name, cp, &err);
		break;
	case COMPLETE_ID:
	case COMPLETE_OWN_ID:
		f.mine = kind == COMPLETE_OWN_ID;
		if (index_of(cp))
			bp_index_list(cp->ctx->index, &f, offer_hit, cp, NULL, &err);
		break;
	case COMPLETE_SECTOR:
		if (index_of(cp))
			bp_index_sectors(cp->ctx->index, &f, offer_count, cp, &err);
		break;
	case COMPLETE_TAG:
		if (index_of(cp))
			bp_index_tags(cp->ctx->index, &f, offer_count, cp, &err);
		break;
	}
}

/* Every spelling of the options: "--name", and "-x" when there is a short one. */
static void offer_options(struct completion *cp, const struct opt *opts)
{
	const struct opt *o;
	char buf[128];

	for (o = opts; o && o->name; o++) {
		if (o->flags & OPT_HIDDEN)
			continue;
		snprintf(buf, sizeof(buf), "--%s", o->name);
		offer(cp, buf);
		if (o->short_name) {
			snprintf(buf, sizeof(buf), "-%c", o->short_name);
			offer(cp, buf);
		}
	}
}

/* An option's value seen on the line: only the global --kb matters to completion. */
static void note_value(struct completion *cp, const struct opt *o, const char *value)
{
	if (!strcmp(o->name, "kb"))
		cp->kb_option = value;
}

/*
 * Read the option word w[*i] of command `c` (NULL: before the command) as parse_args does,
 * and step over its value when that is the next word. Returns 0 when the word is no option
 * `c` knows; else 1, with *value_of set to the option when its value is the word `cword`,
 * the one being completed.
 */
static int read_option(struct completion *cp, const struct cmd *c, char **w, int *i, int cword,
		       const struct opt **value_of)
{
	const char *s = w[*i];
	const struct opt *o = NULL;

	*value_of = NULL;
	if (s[1] == '-') {
		const char *eq = strchr(s + 2, '=');
		size_t len = eq ? (size_t)(eq - s - 2) : strlen(s + 2);

		if (c)
			o = find_long_option(c->opts, s + 2, len);
		if (!o)
			o = find_long_option(global_options, s + 2, len);
		if (!o)
			return 0;
		if (!o->arg)
			return 1;
		if (eq) {
			note_value(cp, o, eq + 1);
			return 1;
		}
	} else {
		const char *p;

		for (p = s + 1; *p; p++) {
			o = find_short_option(c ? c->opts : global_options, *p);
			if (!o)
				return p > s + 1 || (*p == 'h' && !p[1]);
			if (o->arg && p[1])
				return 1; /* -sVALUE */
			if (o->arg)
				break;
		}
		if (!o->arg)
			return 1;
	}
	if (*i + 1 == cword)
		*value_of = o;
	else if (*i + 1 < cword)
		note_value(cp, o, w[*i + 1]);
	++*i;
	return 1;
}

/* Whether operand number n (from 0) completes as the command says: the first, or any of a
 * list ("ID..."). */
static int operand_completes(const struct cmd *c, int n)
{
	if (!c->operands || !*c->operands)
		return 0;
	return n == 0 || (!strchr(c->operands, ' ') && strstr(c->operands, "..."));
}

/* The word being completed starts with '-': options, or an option's value after '='. */
static void complete_option_word(struct completion *cp, const struct cmd *c, const char *cur)
{
	const char *eq = strncmp(cur, "--", 2) ? NULL : strchr(cur, '=');
	const struct opt *o = NULL;

	if (!eq) {
		offer_options(cp, c ? c->opts : global_options);
		if (c)
			offer(cp, "--help");
		return;
	}
	if (c)
		o = find_long_option(c->opts, cur + 2, (size_t)(eq - cur - 2));
	if (!o)
		o = find_long_option(global_options, cur + 2, (size_t)(eq - cur - 2));
	if (!o || !o->arg)
		return;
	cp->lead = cur;
	cp->lead_len = (int)(eq + 1 - cur);
	cp->prefix = eq + 1;
	complete_kind(cp, o->complete);
}

static int run(struct ctx *ctx, struct args *a)
{
	struct completion cp = {0};
	const struct cmd *c = NULL;
	const struct opt *value_of = NULL;
	const char *cur;
	char **w, *end;
	long cword;
	int n, i, operand = 0, dashdash = 0;

	if (a->noperands < 2)
		return EXIT_USAGE;
	cword = strtol(a->operands[0], &end, 10);
	w = a->operands + 1;
	n = a->noperands - 1;
	if (end == a->operands[0] || *end || cword < 1 || cword > n)
		return EXIT_USAGE;
	cur = cword < n ? w[cword] : "";
	cp.ctx = ctx;
	cp.prefix = cur;

	/* Global options, then the command's name. */
	for (i = 1; i < cword && w[i][0] == '-' && w[i][1]; i++) {
		if (read_option(&cp, NULL, w, &i, (int)cword, &value_of) && value_of)
			goto value;
	}
	if (i == cword) {
		if (cur[0] == '-')
			complete_option_word(&cp, NULL, cur);
		else
			complete_kind(&cp, COMPLETE_COMMAND);
		goto out;
	}
	if (is_command_group(w[i])) {
		/* "peer add": the second word names the command. */
		char two[128];
		size_t k, glen = strlen(w[i]);

		if (i + 1 == cword) {
			for (k = 0; commands[k]; k++)
				if (!strncmp(commands[k]->name, w[i], glen) &&
				    commands[k]->name[glen] == ' ')
					offer(&cp, commands[k]->name + glen + 1);
			goto out;
		}
		snprintf(two, sizeof(two), "%s %s", w[i], w[i + 1]);
		c = find_command(two);
		i++;
	} else {
		c = find_command(w[i]);
	}
	if (!c || (c->flags & CMD_HIDDEN))
		goto out;

	/* The command's options and operands before the word being completed. */
	for (i++; i < cword; i++) {
		if (!dashdash && !strcmp(w[i], "--")) {
			dashdash = 1;
			continue;
		}
		if (!dashdash && w[i][0] == '-' && w[i][1] &&
		    (read_option(&cp, c, w, &i, (int)cword, &value_of) ||
		     !(c->flags & CMD_DASH_WORDS))) {
			if (value_of)
				goto value;
			continue;
		}
		operand++;
	}
	if (!dashdash && cur[0] == '-')
		complete_option_word(&cp, c, cur);
	else if (operand_completes(c, operand))
		complete_kind(&cp, c->complete);
	goto out;
value:
	complete_kind(&cp, value_of->complete);
out:
	free(cp.kb_expanded);
	return EXIT_OK;
}

const struct cmd cmd_complete = {
	.name = "__complete",
	.summary = "print the completion candidates of a command line (for the shell scripts)",
	.operands = "CWORD -- WORD...",
	.flags = CMD_HIDDEN,
	.run = run,
};
