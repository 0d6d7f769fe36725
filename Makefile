# SPDX-License-Identifier: GPL-2.0-only
#
# poolbench - one entry point.
#
#   make            build build/poolbench (warnings are errors)
#   make CC=clang   the same with clang, into build/clang (.ci/run builds both)
#   make check      the fast part of make test: build, then the release
#                   build's unit and conformance tests (under a minute)
#   make test       install missing packages, build, run every test: unit,
#                   conformance (every backend), stress, ASan+UBSan and TSan,
#                   and a short deterministic run of the fuzz target
#   make fuzz [FUZZ_TIME=60]  fuzz the percpu allocators against the model
#                   (tests/fuzz/): new inputs to build/fuzz/corpus, crashes
#                   to build/fuzz/
#   make run-all    install missing packages, build, run the whole suite and
#                   write a new results/<host>/<UTC time>/ folder, with the
#                   latency run in its latency/ folder
#   make run-quick  a smoke run of the same matrix in under a minute
#   make run-qmempool  seed 000: the qmempool table, N sweep, alf_queue table
#   make run-objpool   seed 001: objpool freelist vs ring, scaling, remote free, overrun
#   make run-percpu    seeds 003/004: million objects, area map vs bitmap; percpu mempool
#   make run-mempool-perf  DPDK's mempool_perf_autotest matrix on every backend
#   make plots [RESULTS=<folder>] [MACHINE=<name>]  figures from a stored run,
#                   nothing re-run (a machine comparison: each machine's)
#   make paper [RESULTS=<folder>] [MACHINE=<name>]  paper/paper.pdf from a stored
#                   run, nothing re-run (a machine comparison: MACHINE picks one)
#   make run-all EXECUTOR=slurm [PARTITIONS=a,b]  the groups as Slurm job arrays;
#                   several partitions: the plan on each (docs/cluster.md)
#   make compare A=<folder> B=<folder> [COMPARE_ARGS=...]  A/B comparison of two
#                   stored runs (docs/compare.md), nothing re-run
#   make run-all RESUME=<folder>   finish an interrupted run-all
#   make clean
#
# poolbench exits 1 when some benchmarks failed (each is recorded in the
# results with its reason, the others kept) and 2 on bad input: the run
# targets go on to their tables and figures after a 1, never after a 2.
#
# A backend is picked up from its folder (allocators/<name>/, any depth) and a
# workload from its file (workloads/*.c): no edit here to add either.
# Registration runs from constructors, so objects are linked directly
# (an archive would let the linker drop them).

PLOTS := scripts/figures/plots.sh

VARIANT ?= release
CC ?= gcc
CXX ?= g++
ifeq ($(CC),cc)
CC := gcc
endif

# make CC=clang builds into build/clang (build/clang/asan, ...), with the
# same warnings as errors, so gcc and clang objects never mix; the C++
# shim then takes clang++ unless CXX is given.
ifneq ($(findstring clang,$(notdir $(firstword $(CC)))),)
TOP := build/clang
ifeq ($(origin CXX),default)
CXX := clang++
endif
else
TOP := build
endif

WARN := -Wall -Wextra -Wshadow -Wcast-align -Wpointer-arith -Werror
CWARN := $(WARN) -Wmissing-prototypes -Wstrict-prototypes

ifeq ($(VARIANT),release)
BUILD := $(TOP)
OPT ?= -O2
SAN :=
else ifeq ($(VARIANT),asan)
BUILD := $(TOP)/asan
OPT ?= -O1
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else ifeq ($(VARIANT),tsan)
BUILD := $(TOP)/tsan
OPT ?= -O1
SAN := -fsanitize=thread
else
$(error VARIANT must be release, asan or tsan)
endif

# Every function starts on a 64-byte line and every loop on a 32-byte fetch
# block, so that a timed loop's speed does not depend on where the linker
# happens to place it (docs/method.md, How the time is taken): with gcc's
# default 16-byte alignment the same machine code of the null and qmempool
# fastpath loops ran at twice the cycles per pair once other code moved it
# across a 32-byte boundary.
ALIGN := -falign-functions=64 -falign-loops=32
CPPFLAGS := -D_GNU_SOURCE -I. -I$(BUILD)/gen -MMD -MP
CFLAGS := -std=gnu11 $(OPT) $(ALIGN) -g -pthread $(SAN) $(CWARN)
CXXFLAGS := -std=gnu++17 $(OPT) -g -pthread $(SAN) $(WARN)
LDFLAGS := -pthread $(SAN)

# Every .c under allocators/, at any depth: a backend's folder (or a
# design's, such as percpu/) is picked up by itself.
ALLOC_SRC := $(sort $(shell find allocators -name '*.c'))
CORE_SRC := $(ALLOC_SRC) $(wildcard workloads/*.c) \
	harness/cli.c harness/jsonw.c harness/perfev.c harness/topo.c \
	harness/hist.c harness/latclock.c
TOOL_SRC := harness/main.c harness/plan.c harness/local.c harness/bench.c \
	harness/progress.c harness/results.c harness/rows.c harness/isolate.c \
	harness/merge.c harness/reps.c harness/gbjson.c harness/peers.c harness/child.c \
	harness/noise.c harness/probes.c harness/latmerge.c harness/probemeta.c \
	harness/slurm.c harness/slurmjob.c harness/sbatch.c harness/placement.c
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/harness/gbshim.o

TEST_SRC := $(wildcard tests/unit/test_*.c) $(wildcard tests/conformance/test_*.c) \
	$(wildcard tests/stress/test_*.c)
TEST_BIN := $(foreach t,$(TEST_SRC),$(BUILD)/tests/$(basename $(notdir $(t))))
CHECK_SRC := $(wildcard tests/unit/test_*.c) $(wildcard tests/conformance/test_*.c)
CHECK_BIN := $(foreach t,$(CHECK_SRC),$(BUILD)/tests/$(basename $(notdir $(t))))
TEST_COMMON := tests/common/backends.c tests/common/pcpu_model.c
# Backends that exist only to test the harness (build/poolbench-test).
TEST_BACKEND_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/backends/*.c))

# pkg-config is asked when a recipe first needs the answer, not when make
# reads this file: `make run-all` and `make test` install the missing
# packages (deps) first, in the same make, and must then see them
# (pb_lazy: a recursive variable that replaces itself by its value).
pb_lazy = $(eval $(1) := $$(shell $(2)))$($(1))
HWLOC_LIBS = $(call pb_lazy,HWLOC_LIBS,pkg-config --libs hwloc 2>/dev/null || echo -lhwloc)
GB_LIBS = $(call pb_lazy,GB_LIBS,pkg-config --libs benchmark 2>/dev/null || echo -lbenchmark)

# The peers (allocators/peers/, PB_BACKEND_PEER): the libraries as Debian 12
# ships them, their flags given to their own folders only. DPDK: its include
# folders and config header from pkg-config, without its -march (the ports
# are built for the baseline x86-64; DPDK's inline ring and stack code needs
# no more); only the libraries used are linked, not pkg-config's list of
# every driver, and the ring mempool driver is linked by name
# (--no-as-needed) so its ops register at load: EAL never scans a plugin
# folder. Concurrency Kit is header-only (libck-dev); GLib for gslice.
DPDK_CFLAGS_ALL = $(call pb_lazy,DPDK_CFLAGS_ALL,pkg-config --cflags libdpdk 2>/dev/null)
DPDK_CPPFLAGS = $(filter -I%dpdk -include rte_config.h,$(DPDK_CFLAGS_ALL))
DPDK_LIBS := -lrte_eal -lrte_mempool -lrte_ring -lrte_stack \
	-Wl,--push-state,--no-as-needed -lrte_mempool_ring -Wl,--pop-state
GLIB_CPPFLAGS = $(call pb_lazy,GLIB_CPPFLAGS,pkg-config --cflags glib-2.0 2>/dev/null)
GLIB_LIBS = $(call pb_lazy,GLIB_LIBS,pkg-config --libs glib-2.0 2>/dev/null || echo -lglib-2.0)
PEER_LIBS = $(DPDK_LIBS) $(GLIB_LIBS)
# Recursive (=), so expanded in the recipe, after deps.
PEER_CPPFLAGS =
$(BUILD)/obj/allocators/peers/dpdk/%.o: PEER_CPPFLAGS = $(DPDK_CPPFLAGS)
$(BUILD)/obj/allocators/peers/gslice/%.o: PEER_CPPFLAGS = $(GLIB_CPPFLAGS)

.PHONY: all tests check check-build test fuzz fuzz-build fuzz-cc deps run-all run-quick run-mempool-perf run-qmempool run-objpool run-oversub run-percpu plots paper compare clean FORCE
.DEFAULT_GOAL := all

all: $(BUILD)/poolbench

deps:
	@scripts/setup/install-deps.sh

$(BUILD)/gen/buildinfo.h: FORCE
	@scripts/setup/buildinfo.sh $@ "$(CC)" "$(CFLAGS)" "$(CXX)" "$(CXXFLAGS)"

$(BUILD)/obj/harness/results.o: $(BUILD)/gen/buildinfo.h

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(PEER_CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(BUILD)/poolbench: $(CORE_OBJ) $(TOOL_OBJ)
	$(CXX) $(LDFLAGS) $^ -o $@ $(GB_LIBS) $(HWLOC_LIBS) $(PEER_LIBS)

# One link rule per test program (their sources sit in different folders).
define test_rule
$(BUILD)/tests/$(basename $(notdir $(1))): $(BUILD)/obj/$(1:.c=.o) $(TEST_COMMON:%.c=$(BUILD)/obj/%.o) $(CORE_OBJ)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) $$^ -o $$@ -lcmocka $$(HWLOC_LIBS) $$(PEER_LIBS)
endef
$(foreach t,$(TEST_SRC),$(eval $(call test_rule,$(t))))

$(BUILD)/poolbench-test: $(CORE_OBJ) $(TOOL_OBJ) $(TEST_BACKEND_OBJ)
	$(CXX) $(LDFLAGS) $^ -o $@ $(GB_LIBS) $(HWLOC_LIBS) $(PEER_LIBS)

# The suites that run every registered backend, linked again with extra
# backends: the README's template as the README gives it (build/readme/,
# tests/harness/test_readme_backend.sh) and the planted-bug backends of
# tests/broken/ (build/broken/, tests/harness/test_broken.sh). Neither is
# ever linked into poolbench or the suites run on the real backends.
SUITE_SRC := tests/conformance/test_conformance.c tests/conformance/test_geometry.c \
	tests/conformance/test_model.c tests/stress/test_stress.c
README_OBJ := $(BUILD)/obj/readme/mypool.o
BROKEN_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/broken/*.c))
README_BIN := $(foreach t,$(SUITE_SRC),$(BUILD)/readme/$(basename $(notdir $(t)))) \
	$(BUILD)/readme/poolbench
BROKEN_BIN := $(foreach t,$(SUITE_SRC),$(BUILD)/broken/$(basename $(notdir $(t))))

$(BUILD)/gen/readme/mypool.c: README.md tests/readme-template.sh
	@tests/readme-template.sh README.md $@

$(BUILD)/obj/readme/mypool.o: $(BUILD)/gen/readme/mypool.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

define extra_suite
$(BUILD)/$(1)/$(basename $(notdir $(3))): $(BUILD)/obj/$(3:.c=.o) $(TEST_COMMON:%.c=$(BUILD)/obj/%.o) $(CORE_OBJ) $(2)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) $$^ -o $$@ -lcmocka $$(HWLOC_LIBS) $$(PEER_LIBS)
endef
$(foreach t,$(SUITE_SRC),$(eval $(call extra_suite,readme,$(README_OBJ),$(t))))
$(foreach t,$(SUITE_SRC),$(eval $(call extra_suite,broken,$(BROKEN_OBJ),$(t))))

$(BUILD)/readme/poolbench: $(CORE_OBJ) $(TOOL_OBJ) $(README_OBJ)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) $^ -o $@ $(GB_LIBS) $(HWLOC_LIBS) $(PEER_LIBS)

tests: $(TEST_BIN) $(BUILD)/poolbench $(if $(filter release,$(VARIANT)),$(BUILD)/poolbench-test) \
	$(README_BIN) $(BROKEN_BIN)

# Built on every CPU unless the caller gave -j.
check: deps
	$(MAKE) $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc)) check-build
	tests/run.sh --quick $(BUILD)

check-build: all $(CHECK_BIN)

test: deps
	$(MAKE) all tests
	$(MAKE) VARIANT=asan tests
	$(MAKE) VARIANT=tsan tests
	$(MAKE) fuzz-build
	tests/run.sh

# The fuzz target: clang with libFuzzer, ASan and UBSan, whatever VARIANT
# says, from the allocators, the workloads (every backend instantiates the
# kernels, and the million kernel calls its slow paths there) and the
# model; nothing from the harness. It is part of make test, so a missing clang
# is an error, never a skip.
FUZZ_CC ?= clang
FUZZ_TIME ?= 60
FUZZ_DIR := build/fuzz
FUZZ_CFLAGS := -std=gnu11 -O1 -g -pthread -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined $(CWARN)
FUZZ_SAN := -fsanitize=fuzzer,address,undefined
# The peers (allocators/peers/) are left out: the target drives the percpu
# allocators only, and needs neither DPDK nor GLib.
FUZZ_SRC := $(filter-out allocators/peers/%,$(ALLOC_SRC)) $(wildcard workloads/*.c) \
	harness/hist.c harness/latclock.c tests/common/pcpu_model.c tests/fuzz/fuzz_pcpu.c
FUZZ_OBJ := $(FUZZ_SRC:%.c=$(FUZZ_DIR)/obj/%.o)

fuzz-cc:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "make: $(FUZZ_CC) not found: the fuzz target needs clang and libFuzzer; run scripts/setup/install-deps.sh (Debian: clang libclang-rt-14-dev)" >&2; exit 1; }
	@echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n ? 0 : 0; }' | \
		$(FUZZ_CC) -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null || { echo "make: $(FUZZ_CC) -fsanitize=fuzzer does not link: libFuzzer missing; run scripts/setup/install-deps.sh (Debian: libclang-rt-14-dev)" >&2; exit 1; }

$(FUZZ_DIR)/obj/%.o: %.c | fuzz-cc
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -D_GNU_SOURCE -I. -MMD -MP $(FUZZ_CFLAGS) $(FUZZ_SAN) -c $< -o $@

# The model is the oracle, not the code under test: no coverage feedback
# from it, which makes each run cheaper.
$(FUZZ_DIR)/obj/tests/%.o: FUZZ_SAN := -fsanitize=address,undefined

$(FUZZ_DIR)/fuzz_pcpu: $(FUZZ_OBJ) | fuzz-cc
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined $^ -o $@

fuzz-build: $(FUZZ_DIR)/fuzz_pcpu

fuzz: fuzz-build
	tests/fuzz/run-pcpu.sh --time $(FUZZ_TIME)

# The whole matrix: every backend x workload x the three context modes
# (exclusive, shared, rseq) x thread counts 1, 2, 4, ... all, both
# allocation modes of the mempools, both scaling patterns, the ring
# clean-up N sweep (figure 2), and million with 2^16 objects (make
# run-percpu runs the seed's 2^20). Each backend x
# workload runs in its own process (--isolate), malloc also under every
# general allocator installed (jemalloc, tcmalloc, mimalloc). The peers
# (allocators/peers/) run in every variant the design-beside-peer figure
# compares (scripts/lib/pbresults.py, PEER_PAIRS): qmempool with its
# localq of 32 (Brouer's) and 256, dpdk-mempool with its cache of 256
# (DPDK's default) and 171 (flushed at 1.5 x 171 = 256: the same capacity
# as localq=256), dpdk-ring in its four sync modes, dpdk-stack lock-free
# and locked.
RUN_VARIANTS := --isolate --threads pow2 --mode exclusive,shared,rseq \
	--param mutex-mempool.alloc=may-block,atomic \
	--param percpu-mempool.alloc=atomic,may-block \
	--param qmempool.localq=32,256 --param dpdk-mempool.cache=171,256 \
	--param dpdk-ring.sync=mpmc,spsc,rts,hts --param dpdk-stack.lf=1,0
RUN_MATRIX := $(RUN_VARIANTS) --param scaling.pattern=reuse,ring \
	--param ring-cleanup.n=16,64,256,1024,4096 --param million.count=65536
# 6 repetitions: the fewest pairs whose exact interval for the median of
# paired ratios reaches 95% ([min, max] covers 96.9%; 5 reach 93.75% at
# most, docs/statistics.md).
RUN_TIME := --reps 6 --min-time 0.1
RUN_DIR := results/$(shell hostname)/$(shell date -u +%Y%m%dT%H%M%SZ)
# make run-all EXECUTOR=slurm [PARTITIONS=p[,q..]]: the groups run as a Slurm
# job array, a task per group on a node of its own (harness/slurm.c,
# docs/cluster.md); RUN_ARGS='--account=... --sbatch-args=...' for more.
EXECUTOR ?= local
ifeq ($(filter $(EXECUTOR),local slurm),)
$(error EXECUTOR=$(EXECUTOR): valid: local, slurm)
endif
EXEC_ARGS := $(if $(filter slurm,$(EXECUTOR)),--executor slurm $(if $(PARTITIONS),--partitions $(PARTITIONS)))
# PARTITIONS=a,b: the plan once per partition (a machine comparison): the
# figures and tables once per machine, under <run>/machines/<name>/, and
# tables/machines.md sets the machines side by side.
EACH_MACHINE := scripts/lib/each-machine.sh
# make plots|paper MACHINE=a: that machine's rows of a machine comparison.
export PB_MACHINE := $(or $(MACHINE),$(PB_MACHINE))
# make run-all RESUME=<folder>: finish that interrupted run instead.
RUN_OUT = $(if $(RESUME),$(RESUME),$(RUN_DIR))
RUN_CMD = $(if $(RESUME),$(BUILD)/poolbench run --resume $(RESUME),$(BUILD)/poolbench run $(RUN_MATRIX) $(1) --out $(RUN_DIR) $(EXEC_ARGS) $(RUN_ARGS))
# The latency run (docs/method.md, Latency), into <run>/latency/ once the
# timed matrix is done: the workloads with a latency kernel, the same
# variants, modes and threads, ring-cleanup at the seeds' N = 256, 3
# repetitions (their histograms are summed; the percentiles' median is
# the row's). RUN_ARGS apply, but for --workloads.
LAT_MATRIX := $(RUN_VARIANTS) --latency --param ring-cleanup.n=256
LAT_TIME := --reps 3 --min-time 0.1
LAT_CMD = if [ -n "$(RESUME)" ] && [ -s $(RUN_OUT)/latency/run-args ]; then \
		$(BUILD)/poolbench run --resume $(RUN_OUT)/latency; \
	else $(BUILD)/poolbench run $(LAT_MATRIX) $(1) $(EXEC_ARGS) $(RUN_ARGS) \
		--workloads fastpath-reuse,ring-cleanup,remote-free \
		--out $(RUN_OUT)/latency; fi

run-all: deps all
	$(call RUN_CMD,$(RUN_TIME)) || [ $$? -eq 1 ]
	$(call LAT_CMD,$(LAT_TIME)) || [ $$? -eq 1 ]
	$(PLOTS) $(RUN_OUT)
	$(EACH_MACHINE) $(RUN_OUT) scripts/tables/peers.py $(RUN_OUT) >/dev/null
	$(EACH_MACHINE) $(RUN_OUT) scripts/tables/ratios.py $(RUN_OUT) >/dev/null
	$(EACH_MACHINE) $(RUN_OUT) scripts/tables/drift.py $(RUN_OUT) >/dev/null
	$(EACH_MACHINE) $(RUN_OUT) scripts/tables/modes.py $(RUN_OUT) >/dev/null
	scripts/tables/machines.py $(RUN_OUT) >/dev/null

run-quick: deps all
	$(call RUN_CMD,--quick --param million.count=4096) || [ $$? -eq 1 ]
	$(call LAT_CMD,--quick) || [ $$? -eq 1 ]
	$(PLOTS) $(RUN_OUT)
	$(EACH_MACHINE) $(RUN_OUT) scripts/tables/peers.py $(RUN_OUT) >/dev/null
	$(EACH_MACHINE) $(RUN_OUT) scripts/tables/ratios.py $(RUN_OUT) >/dev/null
	$(EACH_MACHINE) $(RUN_OUT) scripts/tables/drift.py $(RUN_OUT) >/dev/null
	$(EACH_MACHINE) $(RUN_OUT) scripts/tables/modes.py $(RUN_OUT) >/dev/null
	scripts/tables/machines.py $(RUN_OUT) >/dev/null

# Seed 000 (qmempool RFC): its table, the N sweep, and Brouer's alf_queue
# table, each in its own results folder next to RUN_DIR.
QM_RUN := --threads 1 --reps 5 --min-time 0.3 $(RUN_ARGS)
run-qmempool: deps all
	$(BUILD)/poolbench run --backends malloc,qmempool \
		--workloads fastpath-reuse,ring-cleanup --mode exclusive,shared \
		--param qmempool.localq=32,256 --param qmempool.sharedq=128,256 \
		--param qmempool.prealloc=0,16 --out $(RUN_DIR)-qmempool-table $(QM_RUN) || [ $$? -eq 1 ]
	scripts/tables/qmempool.py $(RUN_DIR)-qmempool-table
	$(BUILD)/poolbench run --backends malloc,qmempool --workloads ring-cleanup \
		--param ring-cleanup.n=1,2,4,8,16,32,64,128,256,512,1024,2048,4096 \
		--param qmempool.localq=32 --param qmempool.sharedq=256 \
		--out $(RUN_DIR)-qmempool-nsweep $(QM_RUN) || [ $$? -eq 1 ]
	scripts/figures/fig-nsweep.sh $(RUN_DIR)-qmempool-nsweep
	$(BUILD)/poolbench run --backends alf-mpmc,alf-spsc \
		--workloads fastpath-reuse,ring-cleanup,bulk --param ring-cleanup.n=128 \
		--param bulk.n=2,4,8,16 --out $(RUN_DIR)-queue $(QM_RUN) || [ $$? -eq 1 ]
	scripts/tables/queue.py $(RUN_DIR)-queue

# DPDK's mempool_perf_autotest matrix on every backend (workloads/
# mempool_perf.c): bulks of 1, 4, 8 and 32, 32, 128 and 512 objects kept
# per thread, at 1, 2 and all threads, exclusive mode; dpdk-mempool with
# its cache off, on (256, per lcore) and as a user cache (the last in a
# folder of its own, so that cache=0 is never run as a user cache). The
# table gives ops_per_sec under DPDK's name, rate_persec.
MP_RUN := --workloads mempool-perf --threads 1,2,all --mode exclusive \
	--param mempool-perf.n=1,4,8,32 --param mempool-perf.keep=32,128,512 \
	--reps 3 --min-time 0.1 $(RUN_ARGS)
run-mempool-perf: deps all
	$(BUILD)/poolbench run $(MP_RUN) --param dpdk-mempool.cache=0,256 \
		--out $(RUN_DIR)-mempool-perf || [ $$? -eq 1 ]
	scripts/tables/mempool_perf.py $(RUN_DIR)-mempool-perf
	$(BUILD)/poolbench run $(MP_RUN) --backends dpdk-mempool \
		--param dpdk-mempool.cache_kind=user --out $(RUN_DIR)-mempool-perf-usercache || [ $$? -eq 1 ]
	scripts/tables/mempool_perf.py $(RUN_DIR)-mempool-perf-usercache

# The protection cost against oversubscription: qmempool (Brouer's localq
# of 32) and objpool-ring, the two designs whose per-CPU state needs
# protecting, on scaling (pattern=reuse) at 1 to 8 threads per allowed PU
# (nproc counts them as poolbench does: the process's affinity), in the
# three modes (exclusive at 1 per PU only: one pinned worker per PU),
# into its own folder, and its figure (fig-oversub.sh).
OS_THREADS := $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$n,$$((2*n)),$$((3*n)),$$((4*n)),$$((5*n)),$$((6*n)),$$((7*n)),$$((8*n)))
run-oversub: deps all
	$(BUILD)/poolbench run --backends qmempool,objpool-ring --workloads scaling \
		--param scaling.pattern=reuse --param qmempool.localq=32 \
		--mode exclusive,shared,rseq --threads $(OS_THREADS) --oversubscribe \
		--reps 5 --min-time 0.1 --out $(RUN_DIR)-oversub $(RUN_ARGS) || [ $$? -eq 1 ]
	scripts/figures/fig-oversub.sh $(RUN_DIR)-oversub

# Seed 001 (objpool): the freelist against the ring design and the other
# backends on scaling, remote free and overrun, into its own folder.
OP_RUN := --threads pow2 --mode exclusive,shared --reps 5 --min-time 0.3 $(RUN_ARGS)
run-objpool: deps all
	$(BUILD)/poolbench run \
		--backends objpool-freelist,objpool-ring,qmempool,malloc,mutex-mempool \
		--workloads scaling,remote-free,overrun \
		--param scaling.pattern=reuse,ring --out $(RUN_DIR)-objpool $(OP_RUN) || [ $$? -eq 1 ]
	scripts/tables/objpool.py $(RUN_DIR)-objpool

# Seed 003 and 004 (percpu): the million workload on the area map, the
# bitmap and malloc (three free orders, with and without the second-half
# pre-fill), the aligned case, and the percpu mempool against direct
# percpu allocation; each in its own folder next to RUN_DIR.
PC_RUN := --reps 3 --min-time 0.01 $(RUN_ARGS)
run-percpu: deps all
	$(BUILD)/poolbench run --backends percpu-areamap,percpu-bitmap,malloc \
		--workloads million --param million.fill=none,second-half \
		--out $(RUN_DIR)-percpu $(PC_RUN) || [ $$? -eq 1 ]
	$(BUILD)/poolbench run --backends percpu-areamap,percpu-bitmap,malloc \
		--workloads million --size 4 --align 8 --param million.order=in-order \
		--out $(RUN_DIR)-percpu-aligned $(PC_RUN) || [ $$? -eq 1 ]
	$(BUILD)/poolbench run \
		--backends percpu-mempool,percpu-bitmap,percpu-areamap,mutex-mempool \
		--workloads fastpath-reuse,ring-cleanup --size 8 \
		--param percpu-mempool.alloc=atomic,may-block \
		--param percpu-mempool.refill=async,sync \
		--param mutex-mempool.alloc=may-block,atomic \
		--reps 5 --min-time 0.2 --out $(RUN_DIR)-percpu-mempool $(RUN_ARGS) || [ $$? -eq 1 ]
	scripts/tables/percpu.py $(RUN_DIR)-percpu $(RUN_DIR)-percpu-aligned \
		$(RUN_DIR)-percpu-mempool

# Figures and paper from a stored run: by default the newest run of this
# checkout, else the committed reference run.
REFERENCE_RUN := results/reference/run-all
RESULTS ?= $(or $(shell ls -td results/*/*/ 2>/dev/null | grep -Ev '^results/(reference|compare)/' | head -n1),$(REFERENCE_RUN))
plots: deps
	@test -n "$(RESULTS)" || { echo "make plots: no results folder; run make run-all or pass RESULTS=<folder>" >&2; exit 2; }
	$(PLOTS) $(RESULTS)

paper: deps
	@test -n "$(RESULTS)" || { echo "make paper: no results folder; run make run-all or pass RESULTS=<folder>" >&2; exit 2; }
	scripts/paper/paper.sh "$(RESULTS)"

# A/B comparison of two stored runs (scripts/compare/compare.py; nothing is
# run): COMPARE_ARGS passes --alpha, --metric, --basis, --machine-a,
# --machine-b, --top or --out on.
compare:
	@test -n "$(A)" -a -n "$(B)" || { echo "usage: make compare A=<results folder> B=<results folder> [COMPARE_ARGS='--alpha 0.05 --metric ns_per_op --basis auto|absolute|null|malloc --machine-a M --machine-b M --out DIR']" >&2; exit 2; }
	@scripts/setup/install-deps.sh
	scripts/compare/compare.py "$(A)" "$(B)" $(COMPARE_ARGS)

clean:
	rm -rf build paper/paper.pdf

-include $(shell find $(BUILD)/obj $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)
