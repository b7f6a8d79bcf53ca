/* Unit tests of bp_slugify: the file names that `add` makes from titles. */
#include <stdlib.h>
#include <unicode/uclean.h>

#include "harness.h"
#include "bp/article.h"
#include "util.h"

/* The slug of `title` (max 0), or the error message, for comparing in one CHECK_STR. */
static const char *slug(const char *title, size_t max)
{
	static char last[BP_ERROR_MAX + 16];
	struct bp_error err;
	char *s = NULL;

	if (bp_slugify(&s, title, max, &err)) {
		snprintf(last, sizeof(last), "error: %s", err.msg);
		return last;
	}
	snprintf(last, sizeof(last), "%s", s);
	bp_free(s);
	return last;
}

static void test_transliterates_to_ascii(void)
{
	CHECK_STR(slug("Café culture", 0), "cafe-culture");
	CHECK_STR(slug("Straße", 0), "strasse");
	CHECK_STR(slug("Zürich", 0), "zurich");
	CHECK_STR(slug("Ærø", 0), "aero");
	CHECK_STR(slug("Łódź", 0), "lodz");
	CHECK_STR(slug("Москва", 0), "moskva");
	CHECK_STR(slug("Ελληνικά", 0), "ellenika");
	CHECK_STR(slug("北京 tips", 0), "bei-jing-tips");
}

static void test_punctuation_and_case(void)
{
	CHECK_STR(slug("  --Hello, World!--  ", 0), "hello-world");
	CHECK_STR(slug("Triaging reference questions", 0), "triaging-reference-questions");
	CHECK_STR(slug("C++ & Z39.50: a primer", 0), "c-z39-50-a-primer");
	CHECK_STR(slug("2024 budget", 0), "2024-budget");
}

static void test_nothing_left_is_untitled(void)
{
	CHECK_STR(slug("!!!", 0), "untitled");
	CHECK_STR(slug("", 0), "untitled");
	CHECK_STR(slug("\xF0\x9F\x98\x80\xF0\x9F\x8E\x89", 0), "untitled"); /* two emoji */
}

static void test_cut_at_a_word_boundary(void)
{
	char title[256];
	const char *s;
	size_t len = 0, i;

	for (i = 0; len < 200; i++)
		len += (size_t)snprintf(title + len, sizeof(title) - len, "%s ",
					i % 2 ? "reference" : "questions");
	CHECK(len >= 200);
	s = slug(title, 0);
	CHECK(strlen(s) <= 60);
	CHECK(strlen(s) > 40);
	CHECK(s[strlen(s) - 1] != '-');
	/* The cut falls between words: what is left is whole words. */
	CHECK(!strncmp(s, "questions-reference-questions-reference-", 40));
	CHECK(!strcmp(s + strlen(s) - 9, "questions") || !strcmp(s + strlen(s) - 9, "reference"));
	CHECK_STR(slug("one two three", 7), "one-two");
	CHECK_STR(slug("one two three", 8), "one-two");
	/* One word longer than max is cut inside it. */
	CHECK_STR(slug("abcdefghij", 4), "abcd");
}

static void test_invalid_utf8_does_not_break_it(void)
{
	CHECK_STR(slug("caf\xC3 au lait", 0), "caf-au-lait");
}

static void test_out_of_memory(void)
{
	unsigned long n, i;
	char *s = NULL;
	int rc;

	bp_alloc_fail_at(0, 0);
	CHECK_INT(bp_slugify(&s, "Café culture", 0, NULL), 0);
	n = bp_alloc_fail_at(0, 0);
	bp_free(s);
	CHECK(n > 0);
	for (i = 1; i <= n; i++) {
		s = NULL;
		bp_alloc_fail_at(i, 0);
		rc = bp_slugify(&s, "Café culture", 0, NULL);
		bp_alloc_fail_at(0, 0);
		CHECK(rc == 0 || rc == BP_ENOMEM);
		CHECK(rc != 0 || !strcmp(s, "cafe-culture"));
		CHECK(rc == 0 || s == NULL);
		bp_free(s);
	}
}

int main(void)
{
	RUN(test_transliterates_to_ascii);
	RUN(test_punctuation_and_case);
	RUN(test_nothing_left_is_untitled);
	RUN(test_cut_at_a_word_boundary);
	RUN(test_invalid_utf8_does_not_break_it);
	RUN(test_out_of_memory);
	u_cleanup(); /* ICU's caches, so that valgrind shows only what is ours */
	return done_testing();
}
