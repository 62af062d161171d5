# tests/bench/bench.mk - benchmarks and the timeline picture. Included by
# the top Makefile. Deterministic Bochs runs; nothing here asserts timings
# in `make test` (bench-smoke only checks that the pipeline works).
#
#   make bench        the benchmark matrix (tests/bench/run-bench), 2 runs
#                     at a time: build/bench/results.csv and BENCHMARKS.md
#   make bench-report BENCHMARKS.md again from the last run's logs
#   make bench-smoke  one tiny pass through the whole pipeline; prints
#                     PASS: bench/smoke or FAIL: bench/smoke: why
#   make trace        one traced run rendered as docs/trace.svg and
#                     docs/trace.png (gnuplot); docs/trace.md reads them
#
# Variables: BENCH_JOBS (parallel runs, 2), PYTHON (python3),
# TRACE_ARGS / TRACE_GUEST_ARGS (the traced run of `make trace`).

PYTHON           ?= python3
BENCH_JOBS       ?= 2
TRACE_ARGS       ?= latency=600000 trace=65536
TRACE_GUEST_ARGS ?= apf=pf send_always=on tasks=4 pages=6 work=16000 tick=0

BENCH_DEPS := $(B)/apfvisor.elf $(B)/guest-stub.elf $(B)/bench/nullexit.elf

.PHONY: bench bench-report bench-smoke trace

# The null-exit guest: 32-bit Multiboot v1, no C, no libraries.
$(B)/bench/nullexit.elf: tests/bench/guests/nullexit.S
	@mkdir -p $(dir $@)
	$(CC) -m32 -c -o $(B)/bench/nullexit.o $<
	$(LD) -m elf_i386 -n --no-warn-rwx-segments -e _start -Ttext=0x100000 \
		-o $@ $(B)/bench/nullexit.o

bench: $(BENCH_DEPS)
	@BENCH_JOBS=$(BENCH_JOBS) PYTHON=$(PYTHON) tests/bench/run-bench

bench-report:
	@PYTHON=$(PYTHON) tests/bench/run-bench --report

bench-smoke: $(BENCH_DEPS)
	@BENCH_JOBS=$(BENCH_JOBS) PYTHON=$(PYTHON) tests/bench/run-bench --smoke

trace: $(B)/apfvisor.elf $(B)/guest-stub.elf
	@mkdir -p $(B)/bench/trace
	@LOG_ROOT=$(B)/bench/trace tests/boot/scenario --adhoc timeline bochs - - \
		$(call boot_shq,$(TRACE_ARGS)) $(call boot_shq,$(TRACE_GUEST_ARGS)) \
		300 '^STATS: ' | sed 's/^/    /'
	@$(PYTHON) tests/bench/bench.py timeline $(B)/bench/trace/timeline docs/trace \
		$(B)/bench/trace/plot
