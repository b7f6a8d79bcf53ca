/*
 * ICU, loaded the first time a function of it is needed (see icu.c). Only the functions the
 * library uses are here, each with the type ICU's own headers give it.
 */
#ifndef BP_ICU_H
#define BP_ICU_H

#include <unicode/uchar.h>
#include <unicode/uclean.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

struct bp_icu {
	__typeof__(&u_charType) charType;
	__typeof__(&u_getIntPropertyValue) getIntPropertyValue;
	__typeof__(&u_foldCase) foldCase;
	__typeof__(&u_toupper) toupper;
	__typeof__(&u_errorName) errorName;
	__typeof__(&u_uastrncpy) uastrncpy;
	__typeof__(&u_strFromUTF8WithSub) strFromUTF8WithSub;
	__typeof__(&u_strToUTF8WithSub) strToUTF8WithSub;
	__typeof__(&utrans_openU) trans_openU;
	__typeof__(&utrans_transUChars) trans_transUChars;
	__typeof__(&utrans_close) trans_close;
	__typeof__(&u_cleanup) cleanup;
	__typeof__(&unorm2_getNFDInstance) norm_getNFDInstance;
	__typeof__(&unorm2_normalize) norm_normalize;
	__typeof__(&u_strFoldCase) strFoldCase;
	__typeof__(&u_strFromUTF8) strFromUTF8;
	__typeof__(&u_strToUTF8) strToUTF8;
};

/*
 * ICU's functions, loading the libraries on first use; NULL when they cannot be loaded (the
 * caller then does without, or says so). The table lives as long as the process.
 */
const struct bp_icu *bp_icu(void);

/* Whether a code point is a letter, a digit or private-use: what FTS5's unicode61 tokenizer
 * keeps in a token. ASCII without ICU. */
int bp_icu_is_token_char(unsigned cp);

/* Simple case folding of one code point (ASCII without ICU; unchanged without ICU). */
unsigned bp_icu_fold(unsigned cp);

/* Upper case of one code point (ASCII without ICU; unchanged without ICU). */
unsigned bp_icu_upper(unsigned cp);

#endif
