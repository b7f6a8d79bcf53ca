/*
 * gen: the benchmark's synthetic corpus. Writes N articles as a KB lays them out
 * (<sector>/<slug>.md, front matter and a CommonMark body), deterministically from a seed, so
 * that every run of `make bench` measures the same bytes; applies a change set (modify, add,
 * delete a share of the articles, chosen from a second seed); and writes the plain text of the
 * corpus as CSV for the baseline, a bare FTS5 load with the sqlite3 CLI.
 *
 *   gen [-n N] [-s SEED] [-c PERCENT [-C SEED]] [--csv FILE] [DIR]
 *   gen --words
 *
 * Without -c, DIR gets the whole corpus. With -c, DIR must hold the corpus of the same -n and
 * -s, and only the files the change set touches are rewritten or removed; a summary goes to
 * stdout. --csv writes (title, tags, body, sector, author) per article of the corpus as it
 * stands after the change set, the body as the plain text an indexer extracts from the
 * Markdown. --words lists the vocabulary, "kind<TAB>rank<TAB>word" (kind: word, phrase or
 * name), for the benchmark to pick its query words from.
 *
 * Words follow Zipf's law: the weight of rank r is 10^9 / (r + 3), integers only, so that the
 * output does not depend on the C library's floating point. Article i draws from its own
 * pseudo-random stream, a function of (seed, i, variant), so a change set can regenerate one
 * article without the others. No code from outside: libc only.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- vocabulary ------------------------------------------------------------------------ */

/* English, most frequent first (function words, then common words of practice writing). */
static const char *const english[] = {
	"the of and to a in is that for it as with be on this are or by you at from your ",
	"an they not have can if but their all one will more when which so there about what ",
	"who them out up time also than only some into how other do it's each any these ",
	"most people first new need what's then should may just because before after over ",
	"where much even make many well work use used way same day both week month year ",
	"ask asked answer keep kept give given take find found show list note notes short ",
	"long small large simple clear quick quickly often always never usually once twice ",
	"three two four five ten twenty minutes hours days weeks months years morning ",
	"afternoon evening desk room office team colleague colleagues manager managers ",
	"staff budget cost costs money time-saving plan plans planning problem problems ",
	"question questions answer answers request requests email emails phone call calls ",
	"meeting meetings report reports form forms sheet spreadsheet template templates ",
	"file files folder folders record records document documents page pages copy ",
	"copies print printed online digital paper electronic system systems tool tools ",
	"software website web link links search searches searching result results source ",
	"sources data number numbers count counts figure figures table tables chart review ",
	"reviews check checks checking checked decide decision decisions choose chosen ",
	"choice rule rules policy policies practice practices process processes step steps ",
	"stage stages start starting started finish finished end ending begin beginning ",
	"build building built change changes changed changing move moved moving open ",
	"opening closed close closing read reading write writing written wrote send sent ",
	"sending receive received share shared sharing store stored storage space shelf ",
	"shelves box boxes label labels name names title titles date dates order ordering ",
	"ordered group groups set sets level levels part parts whole half full empty ",
	"important useful helpful easy easier hard harder difficult common rare typical ",
	"good better best bad worse worst right wrong true false real actual local ",
	"national public private internal external general special specific particular ",
	"main key basic standard formal informal regular weekly monthly yearly annual daily ",
	"early late later last next previous current recent future past present ",
	"person persons people's everyone someone nobody anyone each other another ",
	"help helps helped helping support supports supported learn learned learning ",
	"teach teaching taught train training trained explain explained show showing ",
	"showed agree agreed ask asking tell told say said mention mentioned suggest ",
	"suggested offer offered expect expected need needs needed want wanted try tried ",
	"trying test tested testing measure measured measuring track tracked tracking log ",
	"logged logging follow followed following lead leads led manage managed managing ",
	"run running ran handle handled handling deal dealing dealt solve solved fix fixed ",
	"avoid avoided prevent prevented reduce reduced save saved saving spend spent ",
	"spending pay paid paying buy bought renew renewed renewing cancel cancelled ",
	"return returned returning borrow borrowed lend lent lending visit visited visitors ",
	"member members user users reader readers client clients patient patients student ",
	"students pupil pupils teacher teachers researcher researchers lawyer lawyers ",
	"partner partners clinician clinicians curator curators volunteer volunteers ",
	"director board committee trustees governors faculty department departments ",
	"school hospital firm company museum archive archives library libraries branch ",
	"campus ward court council city town village community region country ",
	"service services resource resources collection collections item items object ",
	"objects book books journal journals article articles paper papers report chapter ",
	"volume issue issues edition editions series map maps photograph photographs ",
	"image images letter letters diary diaries film recording recordings box ",
	"idea ideas reason reasons example examples case cases kind kinds type types ",
	"detail details point points fact facts answer context purpose goal goals aim ",
	"value values benefit benefits risk risks impact outcome outcomes evidence ",
	"quality accuracy speed trust confidence habit habits routine routines workload ",
	"backlog deadline deadlines priority priorities schedule schedules calendar ",
	"summer winter spring autumn term terms holiday holidays season quiet busy ",
	"alone together small-scale large-scale hand hands eye eyes head voice word words ",
	"line lines sentence paragraph heading headings summary summaries version versions ",
	"draft drafts final approval approve approved sign signed signature permission ",
	"access accessible available unavailable missing lost damaged safe secure security ",
	"privacy personal sensitive confidential legal law laws rights right-hand left ",
	"account accounts password passwords login logins screen screens computer computers ",
	"printer scanner camera device devices network wireless cable server cloud backup ",
	"backups restore restored install installed update updated upgrade upgraded ",
	"minute hour second moment period while during within without against among ",
	"through across around behind below above under between toward towards",
};

/* The vocabulary of library practice; entries with a space are phrases. */
static const char *const jargon[] = {
	"catalogue catalogued cataloguing cataloguer metadata classification shelfmark ",
	"call-number accession accessions accessioning deaccession deaccessioning ",
	"acquisition acquisitions procurement vendor vendors supplier subscription ",
	"subscriptions licence licences licensing embargo embargoes renewal renewals ",
	"circulation loan loans overdue overdues reservation reservations hold holds ",
	"interlibrary document-delivery reference enquiry enquiries inquiry triage ",
	"literature bibliography bibliographic citation citations citing precedent ",
	"precedents statute statutes legislation regulation regulations case-law ",
	"clinical guideline guidelines evidence-based systematic pubmed medline ",
	"database databases discovery federated repository repositories preprint ",
	"preprints open-access embargoed peer-reviewed journal-title serials periodical ",
	"periodicals holdings e-book e-books e-journal e-resources ebook platform ",
	"platforms authentication proxy ip-range single-sign-on usage statistics counter ",
	"cost-per-use deselection weeding withdrawal discard disposal donation donations ",
	"bequest gift gifts provenance appraisal reappraisal retention destruction ",
	"records-management fonds series-level file-level item-level finding-aid ",
	"finding-aids arrangement description container strongroom humidity ",
	"temperature conservation preservation digitisation digitising scanning ocr ",
	"transcription transcribing born-digital migration format formats checksum ",
	"checksums fixity emulation archival microfilm microfiche reading-room ",
	"invigilation handling gloves cradle supports pest pests mould flood salvage ",
	"disaster emergency grab-box insurance valuation loan-agreement exhibition ",
	"exhibitions display displays label labelling object-file docent docents ",
	"outreach programming storytime storytimes literacy reading-list reading-lists ",
	"curriculum curricula coursework assignment assignments plagiarism information-literacy ",
	" induction orientation onboarding briefing current-awareness alert ",
	"alerts digest bulletin newsletter intranet knowledge-base know-how taxonomy ",
	"thesaurus vocabulary controlled-vocabulary authority subject-heading ",
	"subject-headings keyword keywords boolean truncation wildcard filter filters ",
	"relevance ranking recall precision benchmark benchmarking kpi kpis survey ",
	"surveys feedback focus-group stakeholder stakeholders advocacy business-case ",
	"return-on-investment roi sponsor sponsorship grant grants funding fundraising ",
	"friends consortium consortia negotiation negotiate contract contracts clause ",
	"clauses copyright fair-dealing fair-use permissions rights-holder attribution ",
	"creative-commons data-protection gdpr consent anonymise anonymised redaction ",
	"redact foi freedom-of-information compliance audit audits governance ",
	"continuity succession handover procedure procedures workflow workflows ",
	"checklist checklists rota rotas cover helper helpers pupil-librarian ",
	"self-service kiosk rfid barcode barcodes stocktake inventory shelving ",
	"shelf-reading signage wayfinding layout furniture study-space quiet-zone ",
	"makerspace programme programmes event events talk talks workshop workshops ",
	"tour tours visit visits school-visit class-visit homework textbook textbooks ",
	"fee-earner fee-earners matter matters practice-group trainee trainees ",
	"associate associates partner-track billing billable time-recording ",
	"ward-round clinician-led patient-information consultant registrar nurse ",
	"nurses midwife pharmacist allied-health mandatory-training appraisal-portfolio",
};

static const char *const phrases[] = {
	"interlibrary loan",     "reference interview",   "retention schedule",
	"finding aid",           "current awareness",     "cost per use",
	"document delivery",     "literature search",     "collection development",
	"reading room",          "disaster plan",         "subject guide",
	"open access",           "authority control",     "information literacy",
	"records management",    "research request",      "clinical question",
	"reading list",          "legal research",        "know how",
	"business case",         "service level",         "usage statistics",
};

/* Tags, as articles carry them (lowercase, hyphenated). */
static const char *const tags[] = {
	"reference",      "cataloguing",     "weeding",         "budget",
	"copyright",      "licensing",       "training",        "onboarding",
	"outreach",       "preservation",    "digitisation",    "records",
	"retention",      "privacy",         "volunteers",      "advocacy",
	"current-awareness", "interlibrary-loan", "e-resources", "statistics",
	"time-management", "procurement",    "disaster-planning", "exhibitions",
	"literacy",       "research-support", "knowledge-management", "space",
	"technology",     "policy",          "communication",   "evaluation",
	"collection-development", "access", "metadata",       "legal-research",
	"clinical-support", "teaching",      "workflow",        "governance",
};

static const char *const sectors[] = {"law",      "medical", "corporate", "archives",
				      "academic", "public",  "school",    "museum"};

static const char *const first_names[] = {
	"Ada",   "Amir",  "Anna",   "Beatriz", "Ben",    "Chen",   "Chloe", "Dara",
	"David", "Elena", "Emeka",  "Fatima",  "Grace",  "Hannah", "Hiro",  "Ines",
	"Ivan",  "James", "Jun",    "Kofi",    "Lars",   "Leila",  "Lucia", "Maria",
	"Mei",   "Nadia", "Niamh",  "Omar",    "Owen",   "Priya",  "Rafael", "Rosa",
	"Sam",   "Sara",  "Tomas",  "Uma",     "Vera",   "Wei",    "Yusuf", "Zoe",
};

static const char *const last_names[] = {
	"Abbott", "Adeyemi", "Baker",   "Brennan", "Castro",  "Chowdhury", "Cohen",
	"Dubois", "Eriksen", "Evans",   "Fischer", "Garcia",  "Haddad",    "Hughes",
	"Ito",    "Jensen",  "Kaur",    "Kowalski", "Larsen", "Lopez",     "Mensah",
	"Moreau", "Murphy",  "Nakamura", "Novak",  "Okafor",  "Patel",     "Quinn",
	"Rossi",  "Santos",  "Schmidt", "Smith",   "Tanaka",  "Thomas",    "Ueda",
	"Varga",  "Walsh",   "Wong",    "Yilmaz",  "Zhang",
};

/* Generated words: a tail of the vocabulary, and names (people, places, products). */
#define TAIL_WORDS 2500
#define NAMES 20000

/* --- random numbers: splitmix64, one stream per article -------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? next(r) % n : 0;
}

/* A percentage chance. */
static int chance(struct rng *r, unsigned pct)
{
	return below(r, 100) < pct;
}

static struct rng stream(uint64_t seed, uint64_t i, uint64_t variant)
{
	struct rng r = {seed * 0x2545f4914f6cdd1dULL ^ (i + 1) * 0x9e3779b97f4a7c15ULL ^
			(variant + 1) * 0xd1b54a32d192ed03ULL};

	next(&r);
	return r;
}

/* --- buffers --------------------------------------------------------------------------- */

struct buf {
	char *p;
	size_t n, cap;
};

static void die(const char *msg)
{
	fprintf(stderr, "gen: %s\n", msg);
	exit(3);
}

static void add(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;

		while (cap < b->n + n + 1)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			die("out of memory");
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void adds(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

/* Add to both the Markdown and the plain text. */
static void both(struct buf *md, struct buf *txt, const char *s)
{
	adds(md, s);
	adds(txt, s);
}

/* --- the vocabulary, built once -------------------------------------------------------- */

struct zipf {
	char **word;
	uint64_t *cum; /* cumulative integer weights */
	size_t n;
};

static struct zipf vocab, names;
static size_t first_content; /* the ranks below are function words, not for titles */
static size_t listed;        /* the ranks below are words of the lists in this file */

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

/*
 * A rarer word made from a listed one: a prefix, a suffix or both ("recatalogued",
 * "overbudgets", "shelvingless"), so that the long tail reads like English.
 */
static char *derived(struct rng *r)
{
	static const char *const pre[] = {"re", "un", "pre", "co", "sub", "over", "under",
					  "non", "mis", "out", "cross", "multi"};
	static const char *const suf[] = {"s",    "ed",   "ing",  "er",  "ers", "ness",
					  "able", "ly",   "ment", "ments", "ful", "less",
					  "ist",  "ism",  "ity",  "al",  "ship", "wise"};
	struct buf b = {0};
	const char *base;

	do
		base = vocab.word[first_content + below(r, listed - first_content)];
	while (strpbrk(base, " -'") || strlen(base) < 4);
	if (chance(r, 50))
		adds(&b, pre[below(r, sizeof(pre) / sizeof(*pre))]);
	adds(&b, base);
	if (b.n == strlen(base) || chance(r, 70))
		adds(&b, suf[below(r, sizeof(suf) / sizeof(*suf))]);
	return b.p;
}

/* A pronounceable made-up word from a fixed stream (the same for every seed). */
static char *made_up(struct rng *r, int capital)
{
	static const char *const onset[] = {"b",  "c",  "d",  "f",  "g",  "h",  "l",  "m",
					    "n",  "p",  "r",  "s",  "t",  "v",  "w",  "br",
					    "cl", "dr", "gr", "pl", "st", "tr", "sh", "ch"};
	static const char *const vowel[] = {"a", "e", "i", "o", "u", "ai", "ea", "ou", "y"};
	static const char *const coda[] = {"", "", "", "n", "r", "s", "l", "m", "nd",
					   "st", "rt", "ck", "x"};
	struct buf b = {0};
	int k, syl = 2 + (int)below(r, 2);

	for (k = 0; k < syl; k++) {
		adds(&b, onset[below(r, sizeof(onset) / sizeof(*onset))]);
		adds(&b, vowel[below(r, sizeof(vowel) / sizeof(*vowel))]);
		adds(&b, coda[below(r, sizeof(coda) / sizeof(*coda))]);
	}
	if (capital)
		b.p[0] = (char)(b.p[0] - 'a' + 'A');
	return b.p;
}

/* Every word of the vocabulary and the names, lowercased, in an open-addressing hash set. */
#define SEEN_SIZE 65536
static char *seen[SEEN_SIZE];

static uint64_t hash(const char *w)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *w; w++)
		h = (h ^ (unsigned char)(*w | 0x20)) * 0x100000001b3ULL;
	return h;
}

/* Whether `w` (compared case-insensitively) was seen; it is remembered if not. */
static int known(char *w)
{
	size_t k = (size_t)(hash(w) & (SEEN_SIZE - 1));

	while (seen[k]) {
		if (!strcasecmp(seen[k], w))
			return 1;
		k = (k + 1) & (SEEN_SIZE - 1);
	}
	seen[k] = w;
	return 0;
}

static void push(struct zipf *z, size_t cap, char *w)
{
	if (z->n >= cap || known(w)) {
		free(w);
		return;
	}
	z->word[z->n++] = w;
}

/* Append the words of a space-separated list to the table, duplicates and all. */
static void split(struct zipf *z, size_t cap, const char *list)
{
	const char *p = list, *e;

	while (*p) {
		while (*p == ' ')
			p++;
		e = p;
		while (*e && *e != ' ')
			e++;
		if (e > p) {
			char *w = strndup(p, (size_t)(e - p));

			if (!w || z->n >= cap)
				die("out of memory");
			z->word[z->n++] = w;
		}
		p = e;
	}
}

static void weigh(struct zipf *z)
{
	uint64_t total = 0;
	size_t r;

	z->cum = calloc(z->n, sizeof(*z->cum));
	if (!z->cum)
		die("out of memory");
	for (r = 0; r < z->n; r++) {
		total += 1000000000ULL / (r + 1 + 3);
		z->cum[r] = total;
	}
}

static size_t draw_rank(const struct zipf *z, struct rng *r)
{
	uint64_t x = below(r, z->cum[z->n - 1]);
	size_t lo = 0, hi = z->n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (z->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static const char *draw(const struct zipf *z, struct rng *r)
{
	return z->word[draw_rank(z, r)];
}

/* A content word (not one of the function words at the top), for titles and headings. */
static const char *content_word(struct rng *r)
{
	size_t k;

	do
		k = draw_rank(&vocab, r);
	while (k < first_content);
	return vocab.word[k];
}

static void build_vocabulary(void)
{
	struct rng fixed = {20240601};
	struct zipf eng = {0}, jar = {0};
	size_t cap = 8192, i, e = 0, k = 0, p = 0, nph = sizeof(phrases) / sizeof(*phrases);

	vocab.word = calloc(cap, sizeof(char *));
	eng.word = calloc(cap, sizeof(char *));
	jar.word = calloc(cap, sizeof(char *));
	names.word = calloc(NAMES, sizeof(char *));
	if (!vocab.word || !eng.word || !jar.word || !names.word)
		die("out of memory");
	for (i = 0; i < sizeof(english) / sizeof(*english); i++)
		split(&eng, cap, english[i]);
	for (i = 0; i < sizeof(jargon) / sizeof(*jargon); i++)
		split(&jar, cap, jargon[i]);
	/* The first 40 English words are function words; from rank 60 on, jargon takes every
	 * third rank and a phrase every thirtieth, so that practice words are common. */
	first_content = 40;
	while (e < eng.n || k < jar.n || p < nph) {
		int pick = vocab.n < 60 ? 0 : (int)(vocab.n % 3);

		if (pick == 2 && p < nph && vocab.n % 30 == 2)
			push(&vocab, cap, xstrdup(phrases[p++]));
		else if (pick && k < jar.n)
			push(&vocab, cap, jar.word[k++]);
		else if (e < eng.n)
			push(&vocab, cap, eng.word[e++]);
		else if (k < jar.n)
			push(&vocab, cap, jar.word[k++]);
		else
			push(&vocab, cap, xstrdup(phrases[p++]));
	}
	free(eng.word);
	free(jar.word);
	listed = vocab.n;
	for (i = vocab.n + TAIL_WORDS; vocab.n < i;)
		push(&vocab, cap, derived(&fixed));
	while (names.n < NAMES)
		push(&names, NAMES, made_up(&fixed, 1));
	weigh(&vocab);
	weigh(&names);
}

/* --- articles -------------------------------------------------------------------------- */

struct meta {
	char title[256];
	char path[320];
	const char *sector;
	const char *tag[4];
	int ntags;
	char author[128];
	char created[16];
	const char *topic[3]; /* words this article dwells on */
};

static void date(char *out, size_t n, struct rng *r, int from_year)
{
	int y = from_year + (int)below(r, (uint64_t)(2025 - from_year));

	snprintf(out, n, "%04d-%02d-%02d", y, 1 + (int)below(r, 12), 1 + (int)below(r, 28));
}

/* The metadata of article i: from its own stream, whatever variant its body has. */
static void make_meta(struct meta *m, uint64_t seed, uint64_t i)
{
	struct rng r = stream(seed, i, UINT64_MAX);
	struct buf t = {0};
	size_t k, nwords = 4 + (size_t)below(&r, 5), slen = 0;
	char slug[128];
	int j;

	memset(m, 0, sizeof(*m));
	m->sector = sectors[below(&r, 8)];
	for (k = 0; k < nwords; k++) {
		if (k)
			adds(&t, " ");
		adds(&t, content_word(&r));
	}
	t.p[0] = (char)(t.p[0] >= 'a' && t.p[0] <= 'z' ? t.p[0] - 'a' + 'A' : t.p[0]);
	snprintf(m->title, sizeof(m->title), "%s", t.p);
	free(t.p);
	/* The slug: lowercase words joined by hyphens, cut at a word boundary, then the index,
	 * which keeps paths unique. */
	for (k = 0; m->title[k] && slen < 60; k++) {
		char c = m->title[k];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && (slen == 0 || slug[slen - 1] == '-'))
			continue;
		slug[slen++] = c;
	}
	while (slen && slug[slen - 1] == '-')
		slen--;
	slug[slen] = 0;
	snprintf(m->path, sizeof(m->path), "%s/%s-%llu.md", m->sector, slug,
		 (unsigned long long)i);
	m->ntags = 1 + (int)below(&r, 4);
	for (j = 0; j < m->ntags; j++) {
		const char *tg;
		int dup, q;

		do {
			tg = tags[below(&r, sizeof(tags) / sizeof(*tags))];
			for (dup = 0, q = 0; q < j; q++)
				dup |= m->tag[q] == tg;
		} while (dup);
		m->tag[j] = tg;
	}
	{
		const char *f = first_names[below(&r, sizeof(first_names) / sizeof(*first_names))];
		const char *l = last_names[below(&r, sizeof(last_names) / sizeof(*last_names))];
		char lf[32], ll[32];

		snprintf(lf, sizeof(lf), "%s", f);
		snprintf(ll, sizeof(ll), "%s", l);
		lf[0] = (char)(lf[0] - 'A' + 'a');
		ll[0] = (char)(ll[0] - 'A' + 'a');
		snprintf(m->author, sizeof(m->author), "%s %s <%s.%s@example.org>", f, l, lf, ll);
	}
	date(m->created, sizeof(m->created), &r, 2012);
	for (j = 0; j < 3; j++)
		m->topic[j] = vocab.word[first_content + below(&r, 600)];
}

/* Writing one body: the Markdown and, beside it, the plain text an indexer extracts. */
struct body {
	struct rng *r;
	const struct meta *m;
	struct buf *md, *txt;
	size_t words, target;
};

/* A word of the body (or a phrase: the words it adds beyond one are counted). */
static const char *body_word(struct body *b)
{
	uint64_t x = below(b->r, 1000);
	const char *w, *p;

	if (x < 10)
		return draw(&names, b->r);
	w = x < 70 ? b->m->topic[below(b->r, 3)] : draw(&vocab, b->r);
	for (p = w; (p = strchr(p, ' ')); p++)
		b->words++;
	return w;
}

static size_t left(const struct body *b)
{
	return b->words < b->target ? b->target - b->words : 0;
}

/* Words (capitalised first when `cap`), with links, emphasis and code spans now and then. */
static void words(struct body *b, size_t n, int cap)
{
	size_t k = 0;
	char tmp[256];

	while (k < n) {
		uint64_t x = below(b->r, 100);
		size_t span = 1;
		const char *w = body_word(b);

		if (k)
			both(b->md, b->txt, " ");
		snprintf(tmp, sizeof(tmp), "%s", w);
		if (cap && k == 0 && tmp[0] >= 'a' && tmp[0] <= 'z')
			tmp[0] = (char)(tmp[0] - 'a' + 'A');
		if (x < 3 && n - k >= 3) {
			/* A link over a few words; its URL is not text. */
			size_t j;

			span = 1 + (size_t)below(b->r, 3);
			adds(b->md, "[");
			both(b->md, b->txt, tmp);
			for (j = 1; j < span; j++) {
				both(b->md, b->txt, " ");
				both(b->md, b->txt, body_word(b));
			}
			snprintf(tmp, sizeof(tmp), "](https://example.org/%s/%llu)", b->m->sector,
				 (unsigned long long)below(b->r, 100000));
			adds(b->md, tmp);
		} else if (x < 6) {
			adds(b->md, x == 3 ? "**" : "*");
			both(b->md, b->txt, tmp);
			adds(b->md, x == 3 ? "**" : "*");
		} else if (x < 7) {
			adds(b->md, "`");
			both(b->md, b->txt, tmp);
			adds(b->md, "`");
		} else {
			both(b->md, b->txt, tmp);
			if (x < 12 && k + 1 < n)
				both(b->md, b->txt, ",");
		}
		k += span;
	}
	b->words += k;
}

/* A sentence of 6 to 20 words, or fewer when the budget is nearly spent. */
static void sentence(struct body *b)
{
	size_t n = 6 + (size_t)below(b->r, 15);

	if (n > left(b))
		n = left(b) < 3 ? 3 : left(b);
	words(b, n, 1);
	both(b->md, b->txt, ".");
}

static void paragraph(struct body *b)
{
	size_t k, n = 1 + (size_t)below(b->r, 5);

	for (k = 0; k < n && (k == 0 || left(b)); k++) {
		if (k)
			both(b->md, b->txt, " ");
		sentence(b);
	}
	adds(b->md, "\n\n");
	adds(b->txt, "\n");
}

static void heading(struct body *b)
{
	size_t k, n = 2 + (size_t)below(b->r, 4);
	char tmp[256];

	adds(b->md, "## ");
	for (k = 0; k < n; k++) {
		snprintf(tmp, sizeof(tmp), "%s", content_word(b->r));
		if (k == 0 && tmp[0] >= 'a' && tmp[0] <= 'z')
			tmp[0] = (char)(tmp[0] - 'a' + 'A');
		if (k)
			both(b->md, b->txt, " ");
		both(b->md, b->txt, tmp);
	}
	b->words += n;
	adds(b->md, "\n\n");
	adds(b->txt, "\n");
}

static void list(struct body *b)
{
	size_t k, n = 2 + (size_t)below(b->r, 4);
	int ordered = chance(b->r, 30);
	char mark[16];

	for (k = 0; k < n && (k == 0 || left(b)); k++) {
		size_t len = 3 + (size_t)below(b->r, 10);

		if (len > left(b))
			len = left(b) < 2 ? 2 : left(b);
		if (ordered)
			snprintf(mark, sizeof(mark), "%zu. ", k + 1);
		else
			snprintf(mark, sizeof(mark), "- ");
		adds(b->md, mark);
		words(b, len, 1);
		if (chance(b->r, 40))
			both(b->md, b->txt, ".");
		adds(b->md, "\n");
		adds(b->txt, "\n");
	}
	adds(b->md, "\n");
}

/* Article i of the corpus, its body drawn from `variant` (0: as first written). */
static void article(struct buf *md, struct buf *txt, struct meta *m, uint64_t seed, uint64_t i,
		    uint64_t variant)
{
	struct rng r = stream(seed, i, variant);
	struct body b = {&r, m, md, txt, 0, 0};
	char tmp[512];
	int j;

	make_meta(m, seed, i);
	md->n = txt->n = 0;
	adds(md, "---\ntitle: ");
	adds(md, m->title);
	adds(md, "\nsector: ");
	adds(md, m->sector);
	adds(md, "\ntags: [");
	for (j = 0; j < m->ntags; j++) {
		if (j)
			adds(md, ", ");
		adds(md, m->tag[j]);
	}
	snprintf(tmp, sizeof(tmp), "]\nauthor: %s\ncreated: %s\n", m->author, m->created);
	adds(md, tmp);
	if (variant) {
		char d[16];

		date(d, sizeof(d), &r, 2024);
		snprintf(tmp, sizeof(tmp), "updated: %s\n", d);
		adds(md, tmp);
	}
	adds(md, "---\n");
	adds(txt, "");
	b.target = 150 + (size_t)below(&r, 441); /* at most 590: the last block may overshoot */
	paragraph(&b);
	if (chance(&r, 50))
		paragraph(&b);
	while (left(&b)) {
		heading(&b);
		if (!left(&b))
			break;
		if (chance(&r, 30))
			list(&b);
		else
			paragraph(&b);
		if (left(&b) && chance(&r, 40))
			paragraph(&b);
	}
	/* No blank line at the end of the file. */
	while (md->n && md->p[md->n - 1] == '\n')
		md->n--;
	adds(md, "\n");
}

/* --- output ---------------------------------------------------------------------------- */

static void mkdirs(const char *dir, const char *sub)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(dir, 0777) && errno != EEXIST)
		die("cannot create the output folder");
	if (mkdir(path, 0777) && errno != EEXIST)
		die("cannot create a sector folder");
}

static void write_file(const char *dir, const struct meta *m, const struct buf *md)
{
	char path[4096];
	FILE *f;

	mkdirs(dir, m->sector);
	snprintf(path, sizeof(path), "%s/%s", dir, m->path);
	f = fopen(path, "w");
	if (!f || fwrite(md->p, 1, md->n, f) != md->n || fclose(f))
		die("cannot write an article");
}

static void remove_file(const char *dir, const struct meta *m)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, m->path);
	if (unlink(path) && errno != ENOENT)
		die("cannot remove an article");
}

static void csv_field(FILE *f, const char *s, size_t n, int last)
{
	size_t k;

	putc('"', f);
	for (k = 0; k < n; k++) {
		if (s[k] == '"')
			putc('"', f);
		putc(s[k], f);
	}
	putc('"', f);
	putc(last ? '\n' : ',', f);
}

static void csv_row(FILE *f, const struct meta *m, const struct buf *txt)
{
	char tg[256] = "";
	size_t n = 0;
	int j;

	for (j = 0; j < m->ntags; j++)
		n += (size_t)snprintf(tg + n, sizeof(tg) - n, "%s%s", j ? " " : "", m->tag[j]);
	csv_field(f, m->title, strlen(m->title), 0);
	csv_field(f, tg, strlen(tg), 0);
	csv_field(f, txt->p, txt->n, 0);
	csv_field(f, m->sector, strlen(m->sector), 0);
	csv_field(f, m->author, strlen(m->author), 1);
}

static void usage(void)
{
	fputs("usage: gen [-n N] [-s SEED] [-c PERCENT [-C SEED]] [--csv FILE] [DIR]\n"
	      "       gen --words\n",
	      stderr);
	exit(2);
}

static uint64_t number(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *end || errno)
		usage();
	return (uint64_t)v;
}

enum { KEPT, MODIFIED, DELETED };

int main(int argc, char **argv)
{
	uint64_t n = 10000, seed = 1, cseed = 1, i, k = 0, nmod = 0, ndel = 0, nadd = 0;
	double pct = -1;
	const char *dir = NULL, *csv = NULL;
	unsigned char *state = NULL;
	struct buf md = {0}, txt = {0};
	struct meta m;
	FILE *out = NULL;
	int a, list_words = 0;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-n") && a + 1 < argc)
			n = number(argv[++a]);
		else if (!strcmp(argv[a], "-s") && a + 1 < argc)
			seed = number(argv[++a]);
		else if (!strcmp(argv[a], "-C") && a + 1 < argc)
			cseed = number(argv[++a]);
		else if (!strcmp(argv[a], "-c") && a + 1 < argc) {
			char *end;

			pct = strtod(argv[++a], &end);
			if (*end || pct < 0 || pct > 100)
				usage();
		} else if (!strcmp(argv[a], "--csv") && a + 1 < argc)
			csv = argv[++a];
		else if (!strcmp(argv[a], "--words"))
			list_words = 1;
		else if (argv[a][0] == '-' || dir)
			usage();
		else
			dir = argv[a];
	}
	if (!list_words && !dir && !csv)
		usage();
	build_vocabulary();
	if (list_words) {
		for (i = 0; i < vocab.n; i++)
			printf("%s\t%llu\t%s\n", strchr(vocab.word[i], ' ') ? "phrase" : "word",
			       (unsigned long long)i, vocab.word[i]);
		for (i = 0; i < names.n; i++)
			printf("name\t%llu\t%s\n", (unsigned long long)i, names.word[i]);
		return 0;
	}
	state = calloc(n ? n : 1, 1);
	if (!state)
		die("out of memory");
	if (pct >= 0) {
		/* The change set: a fifth of it new articles, a fifth removed, the rest edited. */
		struct rng r = stream(seed ^ 0x5bd1e995, n, cseed);
		uint64_t *idx = malloc((n ? n : 1) * sizeof(*idx));

		if (!idx)
			die("out of memory");
		k = (uint64_t)((double)n * pct / 100.0 + 0.5);
		nadd = k / 5;
		ndel = k / 5;
		nmod = k - nadd - ndel;
		if (nmod + ndel > n)
			die("the change set is larger than the corpus");
		for (i = 0; i < n; i++)
			idx[i] = i;
		for (i = 0; i < nmod + ndel; i++) {
			uint64_t j = i + below(&r, n - i), t = idx[i];

			idx[i] = idx[j];
			idx[j] = t;
			state[idx[i]] = i < nmod ? MODIFIED : DELETED;
		}
		free(idx);
	}
	if (csv && !(out = fopen(csv, "w")))
		die("cannot write the CSV file");
	for (i = 0; i < n + nadd; i++) {
		int st = i < n ? state[i] : MODIFIED;
		uint64_t variant = i < n && st == MODIFIED ? 1 + cseed : 0;

		if (st == DELETED) {
			if (dir) {
				make_meta(&m, seed, i);
				remove_file(dir, &m);
			}
			continue;
		}
		/* A change set rewrites only what it touches; the CSV has every article. */
		if (!out && pct >= 0 && st == KEPT)
			continue;
		article(&md, &txt, &m, seed, i, variant);
		if (dir && (pct < 0 || st != KEPT))
			write_file(dir, &m, &md);
		if (out)
			csv_row(out, &m, &txt);
	}
	if (out && fclose(out))
		die("cannot write the CSV file");
	if (pct >= 0)
		printf("modified %llu, added %llu, deleted %llu\n", (unsigned long long)nmod,
		       (unsigned long long)nadd, (unsigned long long)ndel);
	free(state);
	free(md.p);
	free(txt.p);
	return 0;
}
