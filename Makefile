# krafty CNI suite. `make` builds every plugin into $(BUILD)/bin.
# The plugins and kractl are static (STATIC=1, the default): a node needs
# nothing of ours but the binaries, and an exec of one costs less than an exec
# of /bin/true (no loader, no libraries to map and relocate; bench/analysis.md).
# libc.a and libyaml.a come with Debian's -dev packages; cJSON's archive is
# built from Debian's source package of the installed libcjson-dev
# (mk/cjson-static.sh, into $(DEPS_DIR)). STATIC=0 links them dynamically,
# with an $$ORIGIN-relative runpath to the bundle that `make install` then
# carries in $(CNI_BIN_DIR)/krafty-libs. Sanitizer and fuzz builds are
# dynamic (ASan does not link statically); tests, tools and benchmarks too.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /opt/cni
CNI_BIN_DIR ?= $(PREFIX)/bin
# kractl, the operator's tool, goes outside the plugin directory (next to it, so
# that it finds the bundle of libraries as the plugins do).
SBIN_DIR ?= $(PREFIX)/sbin
SAN      ?=
STATIC   ?= 1
DEPS_DIR ?= .deps

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
            -D_GNU_SOURCE -Ilib
LDFLAGS  += -Wl,--as-needed -Wl,--build-id=sha1
LDLIBS   := -lcjson

# libFuzzer build: make BUILD=build-fuzz CC=clang FUZZ=1 fuzzers
ifeq ($(FUZZ),1)
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# How the plugins and kractl link (RELEASE_LDFLAGS), and what they wait for.
ifneq ($(SAN)$(FUZZ),)
STATIC := 0
endif
# A static PIE must name no runpath (glibc's self-relocation asserts it).
ifeq ($(STATIC),1)
CJSON_A         := $(DEPS_DIR)/libcjson.a
RELEASE_LDFLAGS := -static-pie -L$(DEPS_DIR)
KRACTL_LDFLAGS  := $(RELEASE_LDFLAGS)
else
CJSON_A         :=
RELEASE_LDFLAGS := -Wl,-rpath,'$$ORIGIN/krafty-libs' -Wl,--enable-new-dtags
KRACTL_LDFLAGS  := -Wl,-rpath,'$$ORIGIN/../bin/krafty-libs' -Wl,-rpath,$(CNI_BIN_DIR)/krafty-libs \
		   -Wl,--enable-new-dtags
endif
# A change of STATIC relinks them: the mode is a file that changes with it.
LINK_MODE := $(BUILD)/link-mode
$(shell mkdir -p $(BUILD) && { echo "$(STATIC)" | cmp -s - $(LINK_MODE) || echo "$(STATIC)" >$(LINK_MODE); })

LIB_SRCS  := $(wildcard lib/cni/*.c lib/netlink/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB_A     := $(BUILD)/libkrafty.a

# Every directory under plugins/ and ipam/ with C sources is one binary named after it.
PLUGIN_DIRS := $(patsubst %/,%,$(sort $(dir $(wildcard plugins/*/*.c ipam/*/*.c))))
PLUGINS     := $(notdir $(PLUGIN_DIRS))
PLUGIN_BINS := $(addprefix $(BUILD)/bin/,$(PLUGINS))

# kractl (kractl/*.c): runs conflists as libcni does, mutates pods, shows history.
# It finds cJSON in the plugins' bundle: $$ORIGIN/../bin/krafty-libs (installed
# in $(PREFIX)/sbin), else $(CNI_BIN_DIR)/krafty-libs.
KRACTL_SRCS := $(wildcard kractl/*.c)
KRACTL_BIN  := $(BUILD)/sbin/kractl
# ls, gc and validate use the plugins' own rules: their objects (not main.o)
# are linked in, never copied. libyaml reads NetworkAttachmentDefinitions.
KRACTL_PLUGIN_DIRS := plugins/krafty ipam/host-local plugins/tuning-lite
KRACTL_LIBS := -lyaml

# Test tools (tests/tools/*.c), one binary each, linked against the library.
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tools/%)

# cmocka unit tests (tests/unit/test_*.c), one binary each. A test named
# test_<plugin>*.c (plugin without dashes: hostlocal, krafty, tuninglite) also
# links that plugin's objects except its main.o, to test its pure logic.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)

# libFuzzer targets (tests/fuzz/fuzz_*.c), one binary each. A target named
# fuzz_<plugin>_*.c also links that plugin's objects except its main.o.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
plugin_objs_nomain = $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out %/main.c,$(wildcard $(1)/*.c)))

.PHONY: all deps distclean install test check unit clean format tidy demo demo-vm fuzzers fuzz bench up deployment validate down
all: $(PLUGIN_BINS) $(TOOL_BINS) $(KRACTL_BIN)

# Header dependencies come from -MMD (the .d files included at the end).
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# Objects a plugin links besides its own (<name>_EXTRA_OBJS), before the library.
krafty_EXTRA_OBJS = $(call plugin_objs_nomain,ipam/host-local) $(BUILD)/obj/gen/hostlocal-id.o

define plugin_rule
$(BUILD)/bin/$(notdir $(1)): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(1)/*.c)) $$($(notdir $(1))_EXTRA_OBJS) $(LIB_A) $(LINK_MODE) | $(CJSON_A)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) $$(RELEASE_LDFLAGS) -o $$@ $$(filter-out $(LINK_MODE),$$^) $$(LDLIBS)
endef
$(foreach d,$(PLUGIN_DIRS),$(eval $(call plugin_rule,$(d))))

# krafty carries our host-local and runs it in-process when CNI_PATH's
# host-local is the binary built here: its build ID goes into a generated source
# (lib/cni/plugin.h, struct cni_builtin). Any other host-local is exec'd.
$(BUILD)/gen/hostlocal-id.c: $(BUILD)/bin/host-local
	@mkdir -p $(dir $@)
	id=$$(readelf -n $< | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p'); test -n "$$id" && \
		printf 'const char kr_hostlocal_build_id[] = "%s";\n' "$$id" >$@
$(BUILD)/obj/gen/hostlocal-id.o: $(BUILD)/gen/hostlocal-id.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(KRACTL_BIN): $(KRACTL_SRCS:%.c=$(BUILD)/obj/%.o) \
		$(foreach d,$(KRACTL_PLUGIN_DIRS),$(call plugin_objs_nomain,$(d))) $(LIB_A) $(LINK_MODE) | $(CJSON_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(KRACTL_LDFLAGS) -o $@ $(filter-out $(LINK_MODE),$^) $(KRACTL_LIBS) $(LDLIBS)

# cJSON's static archive (STATIC=1), once per checkout.
$(DEPS_DIR)/libcjson.a:
	CC=$(CC) bash mk/cjson-static.sh $(DEPS_DIR)

$(BUILD)/tools/%: $(BUILD)/obj/tests/tools/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

plugin_dir_of = $(firstword $(foreach d,$(PLUGIN_DIRS),$(if $(filter test_$(subst -,,$(notdir $(d)))%,$(1)),$(d))))
unit_objs = $(if $(call plugin_dir_of,$(1)),$(call plugin_objs_nomain,$(call plugin_dir_of,$(1))))

.SECONDEXPANSION:
$(BUILD)/unit/%: $(BUILD)/obj/tests/unit/%.o $$(call unit_objs,$$*) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(LDLIBS)

unit: $(UNIT_BINS)

# fuzz_<plugin>_*: that plugin's objects too (plugin without dashes, as for unit tests).
fuzz_plugin_dir_of = $(firstword $(foreach d,$(PLUGIN_DIRS),$(if $(filter fuzz_$(subst -,,$(notdir $(d)))_%,$(1)),$(d))))
fuzz_objs = $(if $(call fuzz_plugin_dir_of,$(1)),$(call plugin_objs_nomain,$(call fuzz_plugin_dir_of,$(1))))

$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $$(call fuzz_objs,$$*) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LDLIBS)

fuzzers: $(FUZZ_BINS)

# Benchmark driver (bench/cnibench.c): execs plugins as a runtime does.
$(BUILD)/bench/cnibench: $(BUILD)/obj/bench/cnibench.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcjson

# Benchmarks, never part of `make test` (root; 10-15 minutes on 2 CPUs): ours against
# the reference plugins, see bench/run.sh. Results in bench/results/.
bench: $(PLUGIN_BINS) $(BUILD)/bench/cnibench $(LIB_A)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $(BUILD)/bench/floor bench/floor.c $(LIB_A) $(LDLIBS)
	BUILD=$(BUILD) bash bench/run.sh

# A long fuzzing run (the test suite runs a short one).
FUZZ_SECONDS ?= 600
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang FUZZ=1 fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh

deps:
	bash tests/deps.sh

install: $(PLUGIN_BINS) $(KRACTL_BIN)
	install -d $(DESTDIR)$(CNI_BIN_DIR) $(DESTDIR)$(SBIN_DIR)
	install -m 0755 $(PLUGIN_BINS) $(DESTDIR)$(CNI_BIN_DIR)/
	install -m 0755 $(KRACTL_BIN) $(DESTDIR)$(SBIN_DIR)/
	# The bundle (STATIC=0): exactly the shared libraries the binaries name,
	# besides libc and the loader. Static binaries name none.
	for lib in $$(readelf -d $(PLUGIN_BINS) $(KRACTL_BIN) | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u); do \
		case $$lib in libc.so.*|ld-linux*) continue;; esac; \
		src=$$(ldconfig -p | awk -v l=$$lib '$$1 == l && /x86-64/ {print $$NF; exit}'); \
		install -d $(DESTDIR)$(CNI_BIN_DIR)/krafty-libs; \
		install -m 0644 "$$(readlink -f $$src)" $(DESTDIR)$(CNI_BIN_DIR)/krafty-libs/$$lib; \
	done

test:
	bash tests/run.sh

# The unit suite alone, as any user (no root, no netns): builds and runs every
# tests/unit/test_* binary and ends with "N passed, N failed" like `make test`.
check:
	SUITES=unit bash tests/run.sh

demo:
	bash tests/demo.sh

# Only the demo's VM part (make demo runs it when the host kernel has no VRF).
demo-vm:
	bash tests/demo.sh --vm

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

tidy:
	clang-tidy $$(git ls-files 'lib/*.c' 'plugins/*.c' 'ipam/*.c') -- $(CFLAGS)

clean:
	rm -rf build build-*

# The static cJSON archive too (make clean keeps it: it is fetched).
distclean: clean
	rm -rf $(DEPS_DIR)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# The kind + Multus lab (needs docker, kind, kubectl): see kind/lab.sh.
up deployment validate down:
	bash kind/lab.sh $@
