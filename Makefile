# bestpractice: the only build entry.
#
#   make                      build build/bestpractice
#   make check                install missing dependencies, build, run every test
#   make demo                 install missing dependencies, build, tour a throwaway KB
#   make install PREFIX=DIR   program, man pages, shell completion (DESTDIR honoured)
#   make bench [N=100000]     the benchmark suite (not part of check)
#   make fuzz [FUZZ_SECONDS=60]  libFuzzer targets (clang), each run that long; FUZZ_SEED=N
#   make SANITIZE=address,undefined check   the same under sanitizers (in build/san)
#   make clean

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
BUILD ?= build$(if $(SANITIZE),/san)

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = sqlite3 libcmark yaml-0.1
# The headers of libgit2 and ICU are used at build time, their libraries opened at run time
# when first needed (lib/libgit2.c, lib/icu.c): linking them would cost every run of the
# program their dynamic linking, whether it needs them or not.
LAZY_PKGS = libgit2 icu-uc icu-i18n

# Recursively expanded, so that a sub-make run after `deps` sees the new packages.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) $(LAZY_PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS))
# The functions of libgit2's libraries that lib/tls.c and lib/deflate.c replace: exported,
# so that libgit2, opened later, finds them before its own.
EXPORTS = mbedtls_x509_crt_parse_file mbedtls_x509_crt_parse_path deflateInit_

# The warnings git's config.mak.dev turns on; -Werror unless WERROR=0.
WARNINGS = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wold-style-definition -Wvla -Wwrite-strings -Wformat=2 -Wformat-security \
	-Wdeclaration-after-statement -Wpointer-arith -Wno-unused-parameter \
	-Wno-missing-field-initializers -Wno-sign-compare
WERROR ?= 1
OPT ?= -O2 -g
CFLAGS ?= $(OPT)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARNINGS) $(if $(filter 1,$(WERROR)),-Werror) \
	-Iinclude -Ilib -I$(BUILD)/gen $(PKG_CFLAGS) $(CFLAGS) -MMD -MP \
	-DBP_MANDIR='"$(MANDIR)"'
ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif
ALL_LDFLAGS = $(LDFLAGS) $(EXPORTS:%=-Wl,--export-dynamic-symbol=%)

# Quiet by default; V=1 shows the commands.
ifneq ($(V),1)
QUIET_CC = @echo '   CC $@';
QUIET_LINK = @echo ' LINK $@';
QUIET_AR = @echo '   AR $@';
QUIET_GEN = @echo '  GEN $@';
endif
LIBS = $(PKG_LIBS) -ldl -lm -pthread
# Tests also call ICU directly (u_cleanup, to leave valgrind only our own memory).
TEST_LIBS = $(LIBS) $(shell $(PKG_CONFIG) --libs icu-uc icu-i18n zlib)

LIB_SRC = $(wildcard lib/*.c)
CMD_SRC = $(wildcard cmd/*.c)
UNIT_SRC = $(wildcard tests/unit/t-*.c)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJ = $(CMD_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
# The fuzz targets (tests/fuzz/fuzz-*.c), also built with tests/fuzz/replay.c as unit tests
# that replay their regressions and seeds.
FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_REPLAY = $(FUZZ_TARGETS:%=$(BUILD)/tests/unit/t-fuzz-%)
HEADERS = $(wildcard include/bp/*.h) include/bestpractice.h
HEADERTEST = $(HEADERS:%.h=$(BUILD)/headertest/%.o)
MAN_PAGES = $(wildcard man/*.[157])
# The benchmark's corpus generator (libc only) and the corpus size of `make bench`.
BENCH_GEN = $(BUILD)/bench/gen
N ?= 10000

.PHONY: all check test unit lint headertest deps demo install uninstall clean bench fuzz valgrind fuzz-run
.DELETE_ON_ERROR:

all: $(BUILD)/bestpractice

$(BUILD)/libbestpractice.a: $(LIB_OBJ)
	@rm -f $@
	$(QUIET_AR)$(AR) rcs $@ $^

$(BUILD)/bestpractice: $(CMD_OBJ) $(BUILD)/libbestpractice.a
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libbestpractice.a $(ALL_LDFLAGS) $(LIBS)

# The libgit2 function names as macros over libgit2.h's table.
GEN = $(BUILD)/gen/libgit2-names.h
$(GEN): lib/libgit2.def
	@mkdir -p $(dir $@)
	$(QUIET_GEN)sed -n 's/^X(\(git_[a-z0-9_]*\))$$/#define \1 (bp_libgit2()->\1)/p' $< >$@

$(BUILD)/%.o: %.c | $(GEN)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/harness.h $(BUILD)/libbestpractice.a
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libbestpractice.a $(ALL_LDFLAGS) $(TEST_LIBS)

# A fuzz target with a main() that replays saved inputs, picked up by tests/run.
$(BUILD)/tests/unit/t-fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c tests/fuzz/fuzz.h \
		$(BUILD)/libbestpractice.a
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -Itests/fuzz -DBP_FUZZ_TARGET='"$*"' \
		-DBP_FUZZ_DIR='"$(CURDIR)/tests/fuzz"' -o $@ tests/fuzz/fuzz-$*.c \
		tests/fuzz/replay.c $(BUILD)/libbestpractice.a $(ALL_LDFLAGS) $(TEST_LIBS)

# Each public header compiles on its own.
$(BUILD)/headertest/%.o: %.h
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -Wno-pedantic -x c -c -o $@ $<

$(BENCH_GEN): bench/gen.c
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

headertest: $(HEADERTEST)
unit: $(UNIT_BIN) $(FUZZ_REPLAY)

lint:
	@command -v mandoc >/dev/null || { echo "mandoc is needed: run 'make deps'"; exit 3; }
	$(if $(MAN_PAGES),mandoc -T lint -W warning $(MAN_PAGES))

# Install what the build and the tests need (prints what it runs), then build and test.
deps:
	@sh scripts/install-deps

test: all unit headertest lint $(BENCH_GEN)
	@BUILD=$(BUILD) bash tests/run

check: deps
	@$(MAKE) --no-print-directory test

# The end-to-end tests with every run of the program under valgrind's memcheck (slow: tens
# of minutes; not part of check). TESTS names some: make valgrind TESTS="t0020 t0100".
valgrind: all
	@command -v valgrind >/dev/null || { echo "valgrind is needed: scripts/install-deps bench"; exit 3; }
	@VALGRIND=1 BUILD=$(BUILD) bash tests/run $(TESTS)

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh scripts/demo

# Not part of check: minutes of work, and figures to read rather than assert.
bench:
	@sh scripts/install-deps bench
	@$(MAKE) --no-print-directory all $(BENCH_GEN)
	@BUILD=$(BUILD) N=$(N) bash bench/run.sh

# Fuzzing: the library and the targets built by clang with libFuzzer, ASan and UBSan in
# build/fuzz (a make of its own with that BUILD), then each target run for FUZZ_SECONDS on a
# working corpus in build/fuzz/corpus/TARGET that starts from the seeds and the regressions.
# A finding lands in build/fuzz/artifacts/TARGET/; once fixed it goes to
# tests/fuzz/regressions/TARGET/, which `make check` replays.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
# libFuzzer's random seed, or a fixed one (FUZZ_SEED=1) for a run that can be repeated.
FUZZ_SEED ?=
# Per input: seconds before a hang is a finding; the memory a run may use.
FUZZ_TIMEOUT ?= 10
FUZZ_RSS_MB ?= 2048
# The largest input each target is given: beyond the bounds the code enforces, more bytes
# only slow the search down.
FUZZ_MAX_LEN_article = 16384
FUZZ_MAX_LEN_render = 16384
FUZZ_MAX_LEN_vocab = 8192
FUZZ_MAX_LEN_query = 4096
FUZZ_MAX_LEN_path = 2048

fuzz:
	@sh scripts/install-deps fuzz
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=$(FUZZ_CC) \
		SANITIZE=fuzzer-no-link,address,undefined fuzz-run

# The rest runs in the make that `fuzz` starts, where BUILD is build/fuzz.
fuzz-run: $(FUZZ_TARGETS:%=fuzz-run-%)
	@echo 'fuzz: $(words $(FUZZ_TARGETS)) passed, 0 failed'

# Kept after a run, for reproducing a finding: `build/fuzz/fuzz-TARGET FILE`.
.SECONDARY: $(FUZZ_TARGETS:%=$(BUILD)/fuzz-%)
$(BUILD)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(BUILD)/libbestpractice.a
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libbestpractice.a \
		$(ALL_LDFLAGS) -fsanitize=fuzzer $(TEST_LIBS)

fuzz-run-%: $(BUILD)/fuzz-%
	@mkdir -p $(BUILD)/corpus/$* $(BUILD)/artifacts/$*
	@echo ' FUZZ $* for $(FUZZ_SECONDS)s'
	@$(BUILD)/fuzz-$* -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
		-rss_limit_mb=$(FUZZ_RSS_MB) -max_len=$(or $(FUZZ_MAX_LEN_$*),4096) \
		-print_final_stats=1 -artifact_prefix=$(BUILD)/artifacts/$*/ \
		$(if $(FUZZ_SEED),-seed=$(FUZZ_SEED)) \
		$(if $(wildcard tests/fuzz/$*.dict),-dict=tests/fuzz/$*.dict) \
		$(BUILD)/corpus/$* $(wildcard tests/fuzz/corpus-$* tests/fuzz/regressions/$*) \
		>$(BUILD)/fuzz-$*.log 2>&1 || \
		{ tail -n 60 $(BUILD)/fuzz-$*.log; \
		  echo 'fuzz: $* failed: see $(BUILD)/fuzz-$*.log'; exit 1; }
	@grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
		$(BUILD)/fuzz-$*.log | sed 's/^/      /'

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/site-functions
	install -m 755 $(BUILD)/bestpractice $(DESTDIR)$(BINDIR)/bestpractice
	$(foreach s,1 5 7,$(if $(wildcard man/*.$(s)),install -m 644 $(wildcard man/*.$(s)) \
		$(DESTDIR)$(MANDIR)/man$(s);))
	if [ -f completion/bestpractice.bash ]; then install -m 644 completion/bestpractice.bash \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/bestpractice; fi
	if [ -f completion/_bestpractice ]; then install -m 644 completion/_bestpractice \
		$(DESTDIR)$(DATADIR)/zsh/site-functions/_bestpractice; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/bestpractice
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard man/*.1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(wildcard man/*.5)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(wildcard man/*.7)))
	rm -f $(DESTDIR)$(DATADIR)/bash-completion/completions/bestpractice
	rm -f $(DESTDIR)$(DATADIR)/zsh/site-functions/_bestpractice

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d) $(BENCH_GEN).d
