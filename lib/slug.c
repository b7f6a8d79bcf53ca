/*
 * Slugs: the file names of articles, made from their titles. ICU transliterates any script to
 * ASCII ("Any-Latin; Latin-ASCII": Москва -> Moskva, Straße -> Strasse), then everything but
 * letters and digits becomes a hyphen.
 */
#include <string.h>

#include "bp/article.h"
#include "icu.h"
#include "slug.h"
#include "util.h"

#define SLUG_DEFAULT_MAX 60
/* Only this much of a title counts: a slug keeps at most a few dozen bytes of it anyway. */
#define SLUG_MAX_INPUT 4096

static int icu_error(struct bp_error *err, const struct bp_icu *icu, UErrorCode st)
{
	if (st == U_MEMORY_ALLOCATION_ERROR)
		return bp_error_nomem(err);
	return bp_error_set(err, BP_ECONFIG, "cannot transliterate to ASCII with ICU: %s",
			    icu->errorName(st));
}

/*
 * Transliterate `len` bytes of UTF-8 to ASCII where ICU knows how (what it cannot map, such as
 * emoji, stays as it is). The transliterator is opened for this call only: slugs are made when
 * an article is added, not in bulk.
 */
static int to_ascii(char **out, const char *s, size_t len, struct bp_error *err)
{
	static const char id[] = "Any-Latin; Latin-ASCII";
	UChar uid[sizeof(id)];
	UErrorCode st = U_ZERO_ERROR;
	UTransliterator *tr = NULL;
	UChar *u = NULL;
	char *r = NULL;
	int32_t ulen = 0, cap, n, limit, rlen = 0;
	int rc = 0, tries;
	const struct bp_icu *icu = bp_icu();

	*out = NULL;
	if (!icu)
		return bp_error_set(err, BP_ECONFIG, "cannot load ICU to transliterate a title "
				    "(is libicu installed?)");
	icu->uastrncpy(uid, id, (int32_t)sizeof(id));
	tr = icu->trans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st)) {
		rc = icu_error(err, icu, st);
		goto out;
	}
	icu->strFromUTF8WithSub(NULL, 0, &ulen, s, (int32_t)len, 0xFFFD, NULL, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st)) {
		rc = icu_error(err, icu, st);
		goto out;
	}
	/* Transliteration grows the text (ß -> ss, 北京 -> běi jīng): retry with more room. */
	cap = 2 * ulen + 16;
	for (tries = 0;; tries++) {
		st = U_ZERO_ERROR;
		bp_free(u);
		u = bp_malloc((size_t)cap * sizeof(*u));
		if (!u) {
			rc = bp_error_nomem(err);
			goto out;
		}
		icu->strFromUTF8WithSub(u, cap, &n, s, (int32_t)len, 0xFFFD, NULL, &st);
		limit = n;
		if (U_SUCCESS(st))
			icu->trans_transUChars(tr, u, &n, cap, 0, &limit, &st);
		if (st != U_BUFFER_OVERFLOW_ERROR || tries == 4)
			break;
		cap *= 4;
	}
	if (U_FAILURE(st)) {
		rc = icu_error(err, icu, st);
		goto out;
	}
	icu->strToUTF8WithSub(NULL, 0, &rlen, u, n, 0xFFFD, NULL, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st)) {
		rc = icu_error(err, icu, st);
		goto out;
	}
	st = U_ZERO_ERROR;
	r = bp_malloc((size_t)rlen + 1);
	if (!r) {
		rc = bp_error_nomem(err);
		goto out;
	}
	icu->strToUTF8WithSub(r, rlen + 1, NULL, u, n, 0xFFFD, NULL, &st);
	if (U_FAILURE(st)) {
		rc = icu_error(err, icu, st);
		goto out;
	}
	*out = r;
	r = NULL;
out:
	bp_free(r);
	bp_free(u);
	if (tr)
		icu->trans_close(tr);
	return rc;
}

static int is_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

int bp_slug_make(char **out, const char *s, size_t len, size_t max, struct bp_error *err)
{
	struct bp_buf b = BP_BUF_INIT;
	char *latin = NULL;
	const char *p;
	size_t i, cut;
	int rc = 0, hyphen = 0;

	*out = NULL;
	if (len > SLUG_MAX_INPUT) {
		len = SLUG_MAX_INPUT;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	/* Plain ASCII (most folder names, many titles) needs no transliterator. */
	p = s;
	if (!is_ascii(s, len)) {
		rc = to_ascii(&latin, s, len, err);
		if (rc)
			goto out;
		p = latin;
		len = strlen(latin);
	}
	bp_buf_add(&b, "", 0);
	for (i = 0; i < len; i++) {
		char c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			hyphen = 1;
			continue;
		}
		if (hyphen && b.len)
			bp_buf_addch(&b, '-');
		hyphen = 0;
		bp_buf_addch(&b, c);
	}
	if (bp_buf_oom(&b)) {
		rc = bp_error_nomem(err);
		goto out;
	}
	/* Cut between words when there is a hyphen to cut at, else in the word. */
	if (b.len > max) {
		cut = max;
		if (b.ptr[cut] != '-') {
			while (cut > 0 && b.ptr[cut - 1] != '-')
				cut--;
			cut = cut ? cut - 1 : max;
		}
		while (cut > 0 && b.ptr[cut - 1] == '-')
			cut--;
		bp_buf_truncate(&b, cut);
	}
	*out = bp_buf_detach(&b, NULL);
out:
	bp_buf_release(&b);
	bp_free(latin);
	return rc;
}

int bp_slugify(char **out, const char *title, size_t max, struct bp_error *err)
{
	char *slug = NULL;
	int rc;

	*out = NULL;
	rc = bp_slug_make(&slug, title, strlen(title), max ? max : SLUG_DEFAULT_MAX, err);
	if (rc)
		return rc;
	if (!*slug) {
		bp_free(slug);
		slug = bp_strdup("untitled");
		if (!slug)
			return bp_error_nomem(err);
	}
	*out = slug;
	return 0;
}
