/* The compression level of the packs a local fetch writes: see deflate.c. */
#ifndef BP_DEFLATE_H
#define BP_DEFLATE_H

/*
 * While `on`, every zlib deflate stream libgit2 starts compresses at zlib's fastest level
 * instead of the level libgit2 asks for. Returns the previous setting.
 */
int bp_deflate_fastest(int on);

#endif
