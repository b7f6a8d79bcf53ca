/*
 * Fuzz target: the path validator (bp_path_ok, bp_path_component_ok), which stands between a
 * peer's tree and our file system. Whatever it accepts is checked again here, plainly and
 * without lib/'s code: no "." or ".." or hidden component, no backslash or other character
 * Windows refuses, no control character, valid UTF-8, no ".git" in any disguise (case, HFS+
 * ignorable code points, NTFS short names), not absolute, no Windows device name, within the
 * length and depth bounds of bp/path.h.
 */
#include <string.h>

#include <unicode/uchar.h>

#include "bp/path.h"
#include "fuzz.h"

/* Code points HFS+ ignores when it compares names. */
static int ignorable(unsigned cp)
{
	return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF;
}

/* ASCII lowercase of c, other bytes as they are. */
static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * Whether the stem of a name (up to its first dot, trailing spaces dropped) is a device name
 * of Windows: CON, PRN, AUX, NUL, COM0-9, LPT0-9, COM and LPT with a superscript digit
 * (Windows reads ¹ ² ³ as digits there), CONIN$ and CONOUT$, in any case.
 */
static int windows_device(const char *s, size_t len)
{
	static const char *const plain[] = {"con", "prn", "aux", "nul", "conin$", "conout$"};
	static const char *const supers[] = {"\xc2\xb9", "\xc2\xb2", "\xc2\xb3"};
	char stem[16];
	size_t n = 0, i;

	while (n < len && s[n] != '.')
		n++;
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n >= sizeof(stem))
		return 0;
	for (i = 0; i < n; i++)
		stem[i] = lower(s[i]);
	stem[n] = '\0';
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (!strcmp(stem, plain[i]))
			return 1;
	if (n < 4 || (memcmp(stem, "com", 3) && memcmp(stem, "lpt", 3)))
		return 0;
	if (n == 4 && stem[3] >= '0' && stem[3] <= '9')
		return 1;
	for (i = 0; i < sizeof(supers) / sizeof(supers[0]); i++)
		if (n == 5 && !memcmp(stem + 3, supers[i], 2))
			return 1;
	return 0;
}

/* The checks on one accepted component (len bytes, not NUL-terminated). */
static void check_component(const char *c, size_t len, const char *whole)
{
	char folded[1024];
	size_t i = 0, n, k = 0, bad = 0;
	unsigned cp = 0;

	FUZZ_CHECK(len > 0 && len <= 255, "'%s': component of %zu bytes accepted", whole, len);
	FUZZ_CHECK(c[0] != '.', "'%s': a component starting with '.' accepted", whole);
	FUZZ_CHECK(fuzz_utf8_valid(c, len, &bad), "'%s': invalid UTF-8 at byte %zu accepted",
		   whole, bad);
	FUZZ_CHECK(c[len - 1] != '.' && c[len - 1] != ' ',
		   "'%s': a component ending in a dot or a space accepted", whole);
	while (i < len) {
		n = fuzz_utf8_decode(c + i, len - i, &cp);
		FUZZ_CHECK(cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F),
			   "'%s': control character U+%04X accepted", whole, cp);
		FUZZ_CHECK(!strchr("\\/:<>\"|?*", (int)cp) || cp >= 0x80,
			   "'%s': '%c' accepted", whole, (int)cp);
		/* Fold as HFS+ compares: ignorables dropped, case folded (fully, by ICU). */
		if (!ignorable(cp)) {
			UChar32 f = u_foldCase((UChar32)cp, U_FOLD_CASE_DEFAULT);

			if (k < sizeof(folded) - 1)
				folded[k++] = f < 0x80 ? (char)f : '?';
		}
		i += n;
	}
	folded[k] = '\0';
	FUZZ_CHECK(strcmp(folded, ".git"), "'%s': a name HFS+ reads as .git accepted", whole);
	/* NTFS: ".git" has the 8.3 short name GIT~1 (or ~2, ... when taken). */
	if (!strncmp(folded, "git~", 4))
		FUZZ_CHECK(strspn(folded + 4, "0123456789") != strlen(folded + 4),
			   "'%s': an NTFS short name of .git accepted", whole);
	FUZZ_CHECK(!windows_device(c, len), "'%s': a Windows device name accepted", whole);
}

static void check_path(const char *path)
{
	const char *p = path, *slash;
	size_t len = strlen(path), depth = 0;

	FUZZ_CHECK(len > 0, "an empty path accepted");
	FUZZ_CHECK(len <= 1024, "a path of %zu bytes accepted", len);
	FUZZ_CHECK(path[0] != '/', "'%s': an absolute path accepted", path);
	for (;;) {
		slash = strchr(p, '/');
		check_component(p, slash ? (size_t)(slash - p) : strlen(p), path);
		FUZZ_CHECK(bp_path_component_ok(p, slash ? (size_t)(slash - p) : strlen(p), NULL),
			   "'%s': accepted as a path, one component refused alone", path);
		depth++;
		if (!slash)
			break;
		p = slash + 1;
	}
	FUZZ_CHECK(depth <= 32, "'%s': a path %zu levels deep accepted", path, depth);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_strndup(data, size);
	const char *why = NULL;
	int ok;

	/* The whole input as a path (up to a NUL, as the C string it would be). */
	ok = bp_path_ok(path, &why);
	FUZZ_CHECK(ok == bp_path_ok(path, NULL), "'%s': the answer depends on 'why'", path);
	if (ok)
		check_path(path);
	else
		FUZZ_CHECK(why && *why, "'%s': refused without a reason", path);

	/* The whole input, NUL bytes included, as one component. */
	why = NULL;
	if (bp_path_component_ok((const char *)data, size, &why)) {
		check_component((const char *)data, size, path);
		FUZZ_CHECK(!memchr(data, 0, size), "a component with a NUL byte accepted");
		FUZZ_CHECK(bp_path_ok(path, NULL), "'%s': a valid component refused as a path",
			   path);
	} else {
		FUZZ_CHECK(why && *why, "a component refused without a reason");
	}
	free(path);
	return 0;
}
