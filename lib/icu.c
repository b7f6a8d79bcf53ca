/*
 * ICU on demand. Linking ICU's libraries (libicuuc, libicui18n, their data and the C++ runtime
 * they pull in) costs every run of the program about 3 ms of dynamic linking, as much as a
 * whole query: most runs (a search for plain words, a list) never call it. So ICU is opened
 * with dlopen(3) the first time one of its functions is needed, and its functions are looked
 * up by the versioned names its headers give them (u_charType is u_charType_72): the version
 * the program was built against. The common cases (ASCII) are answered without ICU at all.
 *
 * The table is process-wide on purpose: a shared library is loaded once per process.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include <unicode/uvernum.h>

#include "icu.h"

#define STR_(x) #x
#define STR(x) STR_(x)
/* The symbol ICU's headers make of `name`: "u_charType" becomes "u_charType_72". */
#define SYMBOL(name) STR(name)

static struct bp_icu table;
static int loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Look one symbol up into `slot`; 0 when found. */
static int find(void *slot, void *lib, const char *name)
{
	void *sym = dlsym(lib, name);

	if (!sym)
		return -1;
	/* POSIX's way from the object pointer dlsym returns to a function pointer. */
	memcpy(slot, &sym, sizeof(sym));
	return 0;
}

/* Once per process (the indexer's parser thread may be the first to need ICU). */
static void load(void)
{
	void *uc, *i18n;
	int bad = 0;

	uc = dlopen("libicuuc.so." STR(U_ICU_VERSION_MAJOR_NUM), RTLD_NOW | RTLD_LOCAL);
	i18n = dlopen("libicui18n.so." STR(U_ICU_VERSION_MAJOR_NUM), RTLD_NOW | RTLD_LOCAL);
	if (!uc || !i18n)
		return;
	bad |= find(&table.charType, uc, SYMBOL(u_charType));
	bad |= find(&table.getIntPropertyValue, uc, SYMBOL(u_getIntPropertyValue));
	bad |= find(&table.foldCase, uc, SYMBOL(u_foldCase));
	bad |= find(&table.toupper, uc, SYMBOL(u_toupper));
	bad |= find(&table.errorName, uc, SYMBOL(u_errorName));
	bad |= find(&table.uastrncpy, uc, SYMBOL(u_uastrncpy));
	bad |= find(&table.strFromUTF8WithSub, uc, SYMBOL(u_strFromUTF8WithSub));
	bad |= find(&table.strToUTF8WithSub, uc, SYMBOL(u_strToUTF8WithSub));
	bad |= find(&table.cleanup, uc, SYMBOL(u_cleanup));
	bad |= find(&table.norm_getNFDInstance, uc, SYMBOL(unorm2_getNFDInstance));
	bad |= find(&table.norm_normalize, uc, SYMBOL(unorm2_normalize));
	bad |= find(&table.strFoldCase, uc, SYMBOL(u_strFoldCase));
	bad |= find(&table.strFromUTF8, uc, SYMBOL(u_strFromUTF8));
	bad |= find(&table.strToUTF8, uc, SYMBOL(u_strToUTF8));
	bad |= find(&table.trans_openU, i18n, SYMBOL(utrans_openU));
	bad |= find(&table.trans_transUChars, i18n, SYMBOL(utrans_transUChars));
	bad |= find(&table.trans_close, i18n, SYMBOL(utrans_close));
	loaded = !bad;
}

const struct bp_icu *bp_icu(void)
{
	pthread_once(&once, load);
	return loaded ? &table : NULL;
}

int bp_icu_is_token_char(unsigned cp)
{
	const struct bp_icu *icu;

	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	icu = bp_icu();
	if (!icu)
		return 1; /* without ICU, any non-ASCII character may make a token */
	return (U_MASK(icu->charType((UChar32)cp)) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_CO_MASK)) != 0;
}

unsigned bp_icu_fold(unsigned cp)
{
	const struct bp_icu *icu;

	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	icu = bp_icu();
	return icu ? (unsigned)icu->foldCase((UChar32)cp, U_FOLD_CASE_DEFAULT) : cp;
}

unsigned bp_icu_upper(unsigned cp)
{
	const struct bp_icu *icu;

	if (cp < 0x80)
		return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
	icu = bp_icu();
	return icu ? (unsigned)icu->toupper((UChar32)cp) : cp;
}
