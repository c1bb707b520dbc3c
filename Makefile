# orchestrator: one binary, bin/orchestrator.
#   make          build (installs missing Debian packages first: make deps)
#   make test     build, then run every test; ends with "N passed, N failed"
#   make asan     the same tests on an AddressSanitizer + UBSan build
#   make docs     the embedded default: migrate sql/ on a local PostgreSQL, regenerate README.md
#   make bench    benchmarks (ratios against baselines, not timed tests)
#   make fuzz     libFuzzer harnesses of every parser, FUZZ_SECONDS (60) each
#   make man      build/orchestrator.1 and the bash/zsh completions, from the option tables
#   make install  binary, trigger_workflow link, man page, completions under
#                 $(DESTDIR)$(PREFIX) (PREFIX=/usr/local by default)

PKGS    := libcurl libcjson libpq libgit2 libssh2 openssl libxml-2.0 zlib libmicrohttpd
# Libraries without a pkg-config module (mk/deps.sh finds them by header). libpg_query
# (PostgreSQL's parser) links statically: its archive carries its own protobuf-c and
# xxhash and needs only libm besides libc, so the image needs no extra shared library.
LDLIBS  := -l:libpg_query.a -lm
BUILD   ?= build
BIN     ?= bin/orchestrator
CC      ?= cc
OPT     ?= -O2 -g
SAN     ?=
# Evaluated lazily, after `deps` has run.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) $(LDLIBS)
ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE $(OPT) $(SAN) -Wall -Wextra -Werror -Wshadow \
              -Wstrict-prototypes -Wno-missing-field-initializers -Iorchestrator \
              $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
# libgit2 and libxml2 are loaded on first use (orchestrator/core/dl.h): the two files that
# load them get the sonames of the libraries compiled against and the Debian packages
# that ship them (named in the error when one is missing), and the binary is linked
# --as-needed so that neither is mapped at start.
soname = $(shell objdump -p "$$(pkg-config --variable=libdir $(1))/$(2)" | awk '/SONAME/ {print $$2}')
package = $(shell dpkg -S "$$(pkg-config --variable=libdir $(1))/$(2)" 2>/dev/null | sed -n '1s/[:,].*//p')
DL_CFLAGS = -DORC_GIT2_SONAME='"$(call soname,libgit2,libgit2.so)"' \
            -DORC_GIT2_PACKAGE='"$(call package,libgit2,$(call soname,libgit2,libgit2.so))"' \
            -DORC_XML_SONAME='"$(call soname,libxml-2.0,libxml2.so)"' \
            -DORC_XML_PACKAGE='"$(call package,libxml-2.0,$(call soname,libxml-2.0,libxml2.so))"'

SRCS      := $(sort $(shell find orchestrator -name '*.c' ! -path orchestrator/main.c))
OBJS      := $(SRCS:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/liborchestrator.a
TEST_SRCS := $(sort $(shell find tests -name '*_test.c' -not -path '*/node_modules/*'))
TEST_BINS := $(TEST_SRCS:%.c=$(BUILD)/%)
DEPSTAMP  := $(BUILD)/.deps-ok
TESTSTAMP := $(BUILD)/.test-deps-ok

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
GENERATED := $(BUILD)/orchestrator.1 $(BUILD)/completion/orchestrator $(BUILD)/completion/_orchestrator

.PHONY: all deps test-deps test asan docs bench clean format man install fuzz fuzz-build FORCE
all: $(BIN)
FORCE:

deps:
	@sh mk/deps.sh

# Building needs only the libraries; the tests need the rest (test-deps).
$(DEPSTAMP): mk/deps.sh
	@sh mk/deps.sh build
	@mkdir -p $(@D) && touch $@

# The versions of the libraries built against: a new libgit2 (bookworm-backports) or any
# other upgrade rebuilds every object, since -MMD does not track system headers.
LIBVERSIONS := $(BUILD)/.lib-versions
$(LIBVERSIONS): $(DEPSTAMP) FORCE
	@v=$$(pkg-config --modversion $(PKGS) | tr '\n' ' '); \
	 [ "$$v" = "$$(cat $@ 2>/dev/null)" ] || echo "$$v" >$@

$(BUILD)/%.o: %.c $(LIBVERSIONS) | $(DEPSTAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/orchestrator/git/git2.o $(BUILD)/orchestrator/aws/libxml.o: ALL_CFLAGS += $(DL_CFLAGS)

$(BIN): $(BUILD)/orchestrator/main.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -Wl,--as-needed -o $@ $^ $(PKG_LIBS)

$(TESTSTAMP): mk/deps.sh
	@sh mk/deps.sh
	@mkdir -p $(@D) && touch $@

$(BUILD)/tests/%: tests/%.c $(LIB) tests/lib/tap.h | $(TESTSTAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/lib $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS) -lcmocka

test-deps: $(TESTSTAMP)
	@sh mk/test-deps.sh

test: $(BIN) $(TEST_BINS) test-deps
	@ORC_BIN=$(abspath $(BIN)) ORC_TEST_BIN_DIR=$(abspath $(BUILD))/tests tests/run

asan:
	@LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	 $(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin/orchestrator OPT="-O1 -g" \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" test

# Generated from the option tables by the binary itself, so they match what it parses.
man: $(GENERATED)

$(BUILD)/orchestrator.1: $(BIN)
	@mkdir -p $(@D)
	$(BIN) manpage >$@.tmp && mv $@.tmp $@

$(BUILD)/completion/orchestrator: $(BIN)
	@mkdir -p $(@D)
	$(BIN) completion bash >$@.tmp && mv $@.tmp $@

$(BUILD)/completion/_orchestrator: $(BIN)
	@mkdir -p $(@D)
	$(BIN) completion zsh >$@.tmp && mv $@.tmp $@

install: $(BIN) $(GENERATED)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/orchestrator
	ln -sf orchestrator $(DESTDIR)$(BINDIR)/trigger_workflow
	install -m 644 $(BUILD)/orchestrator.1 $(DESTDIR)$(MANDIR)/man1/orchestrator.1
	install -m 644 $(BUILD)/completion/orchestrator $(DESTDIR)$(BASHCOMPDIR)/orchestrator
	ln -sf orchestrator $(DESTDIR)$(BASHCOMPDIR)/trigger_workflow
	install -m 644 $(BUILD)/completion/_orchestrator $(DESTDIR)$(ZSHCOMPDIR)/_orchestrator

docs: $(BIN)
	@sh scripts/docs.sh

bench: $(BIN)
	@sh bench/run.sh

# Fuzzing: tests/fuzz/*_fuzz.c built with clang -fsanitize=fuzzer,address,undefined over
# the library built the same way; `make fuzz` runs each from its seeds in
# tests/fuzz/corpus/<name>/ for FUZZ_SECONDS (new inputs kept in $(BUILD)/fuzz/corpus);
# tests/fuzz/fuzz.t (make test) runs each for a few seconds.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SRCS    := $(sort $(wildcard tests/fuzz/*_fuzz.c))
FUZZ_BINS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_DIR)/bin/%)
FUZZ_LIB     := $(FUZZ_DIR)/liborchestrator.a
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra \
                -Wno-missing-field-initializers \
                -Iorchestrator $(PKG_CFLAGS)

$(FUZZ_DIR)/orchestrator/git/git2.o $(FUZZ_DIR)/orchestrator/aws/libxml.o: FUZZ_CFLAGS += $(DL_CFLAGS)

$(FUZZ_DIR)/%.o: %.c | $(DEPSTAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(SRCS:%.c=$(FUZZ_DIR)/%.o)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/bin/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< $(FUZZ_LIB) $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

format:
	clang-format -i $(shell git ls-files "orchestrator/*.[ch]" "tests/*.[ch]")

clean:
	rm -rf build bin

-include $(OBJS:.o=.d) $(BUILD)/orchestrator/main.d $(wildcard $(FUZZ_DIR)/orchestrator/*/*.d)
