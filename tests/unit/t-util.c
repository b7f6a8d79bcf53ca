/* Unit tests of the shared helpers: buffers, UTF-8, errors, the allocation hook. */
#include <stdlib.h>
#include <zlib.h>

#include "bp/sync.h"
#include "deflate.h"
#include "harness.h"
#include "libgit2.h"
#include "tls.h"
#include "util.h"

static void test_buf_grows_and_formats(void)
{
	struct bp_buf b = BP_BUF_INIT;
	char *s;
	size_t len;
	int i;

	for (i = 0; i < 1000; i++)
		bp_buf_addf(&b, "%d,", i);
	CHECK(!bp_buf_oom(&b));
	CHECK(!strncmp(bp_buf_cstr(&b), "0,1,2,", 6));
	CHECK_INT(b.len, strlen(b.ptr));
	s = bp_buf_detach(&b, &len);
	CHECK(s && len == strlen(s));
	CHECK(b.ptr == NULL);
	bp_free(s);
}

static void test_buf_oom_is_sticky(void)
{
	struct bp_buf b = BP_BUF_INIT;

	bp_alloc_fail_at(1, 0);
	CHECK_INT(bp_buf_addstr(&b, "x"), BP_ENOMEM);
	bp_alloc_fail_at(0, 0);
	CHECK_INT(bp_buf_addstr(&b, "y"), BP_ENOMEM);
	CHECK(bp_buf_oom(&b));
	CHECK(bp_buf_detach(&b, NULL) == NULL);
	CHECK_INT(bp_buf_addstr(&b, "z"), 0);
	CHECK_STR(bp_buf_cstr(&b), "z");
	bp_buf_release(&b);
}

/* The secret of a URL is never shown: a password, or an http(s) user name (a token). */
static void test_url_redacted(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"https://user:s3cret@host.example/x.git", "https://user:***@host.example/x.git"},
		{"https://ghp_T0KEN@host.example/x.git", "https://***@host.example/x.git"},
		{"http://a:b@c@host/x", "http://a:***@host/x"},
		{"ssh://git@host.example/x.git", "ssh://git@host.example/x.git"},
		{"ssh://git:pw@host.example/x.git", "ssh://git:***@host.example/x.git"},
		{"ext::https://user:s3cret@host/x", "ext::https://user:***@host/x"},
		{"https://host.example/a@b", "https://host.example/a@b"},
		{"git@host.example:tips.git", "git@host.example:tips.git"},
		{"/srv/git/tips.git", "/srv/git/tips.git"},
	};
	size_t i;
	char *out;

	for (i = 0; i < BP_ARRAY_SIZE(cases); i++) {
		out = bp_peer_url_redacted(cases[i].in);
		CHECK_STR(out, cases[i].out);
		bp_free(out);
	}
}

static void test_utf8(void)
{
	unsigned cp = 0;
	size_t bad = 0;

	CHECK_INT(bp_utf8_decode("\xc3\xa9", 2, &cp), 2);
	CHECK_INT(cp, 0xE9);
	CHECK_INT(bp_utf8_decode("\xc0\xaf", 2, &cp), 0);         /* overlong '/' */
	CHECK_INT(bp_utf8_decode("\xed\xa0\x80", 3, &cp), 0);     /* surrogate */
	CHECK_INT(bp_utf8_decode("\xf4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
	CHECK_INT(bp_utf8_decode("\xe2\x82", 2, &cp), 0);         /* truncated */
	CHECK(bp_utf8_valid("caf\xc3\xa9", 5, NULL));
	CHECK(!bp_utf8_valid("ab\xff", 3, &bad));
	CHECK_INT(bad, 2);
}

static void test_error_messages(void)
{
	struct bp_error err;
	char longer[3000];

	CHECK_INT(bp_error_set(&err, BP_EINVALID, "'%s' must be a list", "tags"), BP_EINVALID);
	CHECK_STR(err.msg, "'tags' must be a list");
	bp_error_prefix(&err, "%s:%d", "law/x.md", 3);
	CHECK_STR(err.msg, "law/x.md:3: 'tags' must be a list");
	CHECK_INT(bp_error_set(NULL, BP_EIO, "ignored"), BP_EIO);
	/* A cut message stays valid UTF-8. */
	memset(longer, 0, sizeof(longer));
	for (size_t i = 0; i + 2 < sizeof(longer); i += 2)
		memcpy(longer + i, "\xc3\xa9", 2);
	bp_error_set(&err, BP_EIO, "x%s", longer);
	CHECK(bp_utf8_valid(err.msg, strlen(err.msg), NULL));
}

static void test_alloc_hook_counts(void)
{
	void *p;

	bp_alloc_fail_at(0, 0);
	p = bp_malloc(8);
	bp_free(p);
	p = bp_strdup("abc");
	CHECK_INT(bp_alloc_fail_at(0, 0), 2);
	bp_free(p);
	bp_alloc_fail_at(2, 1);
	p = bp_malloc(1);
	CHECK(p != NULL);
	CHECK(bp_malloc(1) == NULL);
	CHECK(bp_malloc(1) == NULL); /* sticky */
	bp_alloc_fail_at(0, 0);
	bp_free(p);
}

/* The size of `text` deflated by a stream started at `level`. */
static size_t deflated_size(const char *text, size_t len, int level)
{
	static unsigned char out[1 << 17];
	z_stream z;
	size_t n;

	memset(&z, 0, sizeof(z));
	if (deflateInit(&z, level) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)text;
	z.avail_in = (unsigned)len;
	z.next_out = out;
	z.avail_out = sizeof(out);
	n = deflate(&z, Z_FINISH) == Z_STREAM_END ? sizeof(out) - z.avail_out : 0;
	deflateEnd(&z);
	return n;
}

static void test_deflate_fastest(void)
{
	struct bp_buf b = BP_BUF_INIT;
	size_t best, fast, forced;
	int i;

	for (i = 0; i < 3000; i++)
		bp_buf_addf(&b, "tip %d: weeding by usage, %d loans, shelf %x\n", i, i * 7 % 31, i * i);
	CHECK(!bp_buf_oom(&b));
	best = deflated_size(b.ptr, b.len, Z_BEST_COMPRESSION);
	fast = deflated_size(b.ptr, b.len, Z_BEST_SPEED);
	CHECK(best > 0 && fast > best);
	/* While on, a stream asked for the best compression gets the fastest. */
	CHECK_INT(bp_deflate_fastest(1), 0);
	forced = deflated_size(b.ptr, b.len, Z_BEST_COMPRESSION);
	CHECK_INT(bp_deflate_fastest(0), 1);
	CHECK_INT(forced, fast);
	CHECK_INT(deflated_size(b.ptr, b.len, Z_BEST_COMPRESSION), best);
	bp_buf_release(&b);
}

/*
 * libgit2 is loaded by the first git call, and the functions tls.c defines in its place are
 * the ones it calls: its initialisation asked for the system's CA certificates, and the
 * request was deferred (Debian's libgit2 uses mbedTLS).
 */
static void test_libgit2_on_demand(void)
{
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];

	CHECK(!bp_libgit2_is_loaded());
	CHECK_INT(bp_tls_pending(), 0);
	CHECK_INT(git_oid_fromstr(&id, "0123456789abcdef0123456789abcdef01234567"), 0);
	CHECK(bp_libgit2_is_loaded());
	CHECK_STR(git_oid_tostr(hex, sizeof(hex), &id), "0123456789abcdef0123456789abcdef01234567");
	CHECK(bp_tls_pending() > 0);
	bp_libgit2_release();
}

int main(void)
{
	RUN(test_buf_grows_and_formats);
	RUN(test_buf_oom_is_sticky);
	RUN(test_url_redacted);
	RUN(test_utf8);
	RUN(test_error_messages);
	RUN(test_alloc_hook_counts);
	RUN(test_deflate_fastest);
	RUN(test_libgit2_on_demand);
	return done_testing();
}
