/*
 * Validation of paths that came from elsewhere (see bp/path.h). The rules are those git
 * applies on checkout (verify_path, with core.protectNTFS and core.protectHFS on), applied
 * here to every name we read from a peer's tree, because libgit2's tree walks apply none.
 */
#include <string.h>
#include <strings.h>

#include "bp/path.h"
#include "util.h"

/* Code points HFS+ ignores when comparing names, so that ".g\u200cit" is ".git" there. */
static int hfs_ignorable(unsigned cp)
{
	return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF;
}

/*
 * Device names of Windows, as Microsoft's "Naming Files" lists them: COM and LPT take a digit
 * 0-9 or a superscript one, two or three (Windows reads ¹ ² ³ as digits there); CONIN$ and
 * CONOUT$ are the console, refused by Git for Windows too.
 */
static int reserved_windows(const char *s, size_t n)
{
	static const char *const names[] = {"con", "prn", "aux", "nul", "conin$", "conout$"};
	static const char *const numbered[] = {"com", "lpt"};
	static const char *const superscripts[] = {"\xc2\xb9", "\xc2\xb2", "\xc2\xb3"};
	size_t stem = 0, i, j;

	while (stem < n && s[stem] != '.')
		stem++;
	/* Windows also ignores trailing spaces before the extension: "con .txt". */
	while (stem > 0 && s[stem - 1] == ' ')
		stem--;
	for (i = 0; i < BP_ARRAY_SIZE(names); i++)
		if (stem == strlen(names[i]) && !strncasecmp(s, names[i], stem))
			return 1;
	for (i = 0; i < BP_ARRAY_SIZE(numbered); i++) {
		if (stem < 4 || strncasecmp(s, numbered[i], 3))
			continue;
		if (stem == 4 && s[3] >= '0' && s[3] <= '9')
			return 1;
		for (j = 0; j < BP_ARRAY_SIZE(superscripts); j++)
			if (stem == 5 && !memcmp(s + 3, superscripts[j], 2))
				return 1;
	}
	return 0;
}

const char bp_path_hidden[] = "a hidden name (starting with '.')";

/*
 * A name of lowercase letters, digits, '-' and '_', with at most dots inside, such as a slug
 * with its ".md": nothing below can refuse it but a Windows device name.
 */
static int plain_name(const char *name, size_t len)
{
	size_t i;

	if (len < 1 || len > 255 || name[0] == '.' || name[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return 0;
	}
	return !reserved_windows(name, len);
}

int bp_path_component_ok(const char *name, size_t len, const char **why)
{
	const char *reason = NULL;
	char folded[16];
	size_t i, k = 0, end;
	unsigned cp;

	if (plain_name(name, len))
		return 1;
	if (!len)
		reason = "an empty name";
	else if (len > 255)
		reason = "a name longer than 255 bytes";
	else if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		reason = "a '.' or '..' component";
	if (reason)
		goto bad;
	for (i = 0; i < len;) {
		unsigned char c = (unsigned char)name[i];
		size_t n;

		if (c < 0x20 || c == 0x7f) {
			reason = "a control character";
			goto bad;
		}
		if (c == '\\' || c == ':' || c == '<' || c == '>' || c == '"' || c == '|' ||
		    c == '?' || c == '*' || c == '/') {
			reason = "a character Windows does not allow in names";
			goto bad;
		}
		n = bp_utf8_decode(name + i, len - i, &cp);
		if (!n) {
			reason = "bytes that are not UTF-8";
			goto bad;
		}
		if (cp >= 0x80 && cp <= 0x9f) {
			reason = "a control character";
			goto bad;
		}
		/* Fold the name as HFS+ would (drop ignorable code points, lower ASCII) to see
		 * whether it is ".git" in disguise. */
		if (!hfs_ignorable(cp) && k < sizeof(folded) - 1)
			folded[k++] = cp < 0x80 ? (char)((c >= 'A' && c <= 'Z') ? c + 32 : c) : '?';
		i += n;
	}
	/* Windows drops trailing dots and spaces: ".git. " is ".git" there. */
	for (end = k; end > 0 && (folded[end - 1] == '.' || folded[end - 1] == ' '); end--)
		;
	folded[end] = '\0';
	if (!strcmp(folded, ".git") || !strncmp(folded, "git~", 4)) {
		reason = "a name that some systems read as .git";
		goto bad;
	}
	if (name[0] == '.') {
		reason = bp_path_hidden;
		goto bad;
	}
	if (name[len - 1] == '.' || name[len - 1] == ' ') {
		reason = "a name ending in a dot or a space";
		goto bad;
	}
	if (reserved_windows(name, len)) {
		reason = "a name reserved by Windows";
		goto bad;
	}
	return 1;
bad:
	if (why)
		*why = reason;
	return 0;
}

int bp_path_ok(const char *path, const char **why)
{
	const char *p = path, *slash;
	size_t n = strlen(path), depth = 0;

	if (!n || path[0] == '/') {
		if (why)
			*why = n ? "an absolute path" : "an empty path";
		return 0;
	}
	if (n > 1024) {
		if (why)
			*why = "a path longer than 1024 bytes";
		return 0;
	}
	for (;;) {
		slash = strchr(p, '/');
		if (!bp_path_component_ok(p, slash ? (size_t)(slash - p) : strlen(p), why))
			return 0;
		if (++depth > 32) {
			if (why)
				*why = "a path more than 32 folders deep";
			return 0;
		}
		if (!slash)
			return 1;
		p = slash + 1;
	}
}
