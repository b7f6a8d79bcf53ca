/*
 * Paths that came from anyone else — a peer's tree, an archive, a user — checked before
 * anything is read or written under them. libgit2 walks trees without validating names, so
 * this is where `..`, `.git` in any disguise, control characters and the like are stopped.
 */
#ifndef BP_PATH_H
#define BP_PATH_H

#include <stddef.h>

/*
 * Whether one path component (no '/') is safe to use as a file or folder name of a KB on any
 * system a librarian might clone it to. Refused, with a reason in *why (a static string):
 * empty, "." and "..", any name starting with '.' (".git", ".gitmodules", ".gitattributes"
 * and other hidden files are never content), names that Windows or macOS would read as .git
 * (trailing dots or spaces, "git~1" short names, NTFS streams "x::$DATA", HFS+ ignorable code
 * points), Windows reserved names (CON, PRN, AUX, NUL, CONIN$, CONOUT$, COM0-9 and LPT0-9,
 * also with a superscript 1, 2 or 3 for the digit, with any extension), backslashes, colons
 * and other characters Windows forbids (< > " | ? *), control characters and invalid UTF-8,
 * and names longer than 255 bytes.
 */
int bp_path_component_ok(const char *name, size_t len, const char **why);

/*
 * The reason bp_path_component_ok gives for an ordinary hidden name (".gitignore", ".github"):
 * callers compare the pointer to skip such names quietly, while ".", "..", ".git" and its
 * disguises get reasons of their own.
 */
extern const char bp_path_hidden[];

/*
 * Whether a relative path is safe: not absolute, at most 1024 bytes and 32 levels deep, every
 * component safe as above. *why (may be NULL) gets the reason when not.
 */
int bp_path_ok(const char *path, const char **why);

#endif
