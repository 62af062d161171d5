#!/bin/sh
# tests/fuzz/run.sh SECONDS OUTDIR TARGET... - run each libFuzzer target
# (OUTDIR/fuzz_TARGET) for SECONDS on its committed seeds
# (tests/fuzz/corpus/TARGET, read-only) plus a working corpus
# (OUTDIR/corpus/TARGET, where new inputs go), FUZZ_JOBS of them at once
# (default: the CPU count). Prints, in target order, one line each:
#     PASS: fuzz/TARGET (N execs, cov C, ft F, corpus K, S s)
#     FAIL: fuzz/TARGET (why; the input is saved as OUTDIR/crash-TARGET-*)
# The full log of each is OUTDIR/TARGET.log (a failure shows its tail,
# indented). Exit status: 0 when every target passed.
if [ "$1" = --one ]; then	# internal: fuzz one target (see below)
	mode=one
	shift
fi
secs=$1
out=$2
shift 2
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

# One target: fuzz it, then turn libFuzzer's output into a result line.
one() {
	t=$1
	bin=$out/fuzz_$t
	log=$out/$t.log
	mkdir -p "$out/corpus/$t"
	rm -f "$out/crash-$t-"*
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$out/crash-$t-" \
		"$out/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	echo "exit $?" >>"$log"
}

# The result line of target $1 from its log.
report() {
	t=$1
	log=$out/$t.log
	awk -v t="$t" -v secs="$secs" '
	/^stat::number_of_executed_units:/ { execs = $2 }
	/ cov: / {
		for (i = 1; i < NF; i++) {
			if ($i == "cov:") cov = $(i + 1)
			if ($i == "ft:") ft = $(i + 1)
			if ($i == "corp:") { corp = $(i + 1); sub(/\/.*/, "", corp) }
		}
	}
	/^fuzz: invariant broken/ && !why { why = $0 }
	/^==[0-9]+==ERROR: / && !why { why = $0; sub(/^==[0-9]+==/, "", why) }
	/^SUMMARY: / && !summary { summary = $0 }
	/^exit / { rc = $2 }
	END {
		if (rc == 0 && execs > 0) {
			printf "PASS: fuzz/%s (%d execs, cov %d, ft %d, corpus %d, %d s)\n",
			       t, execs, cov, ft, corp, secs
			exit 0
		}
		if (!why) why = summary ? summary : "exit status " rc
		printf "FAIL: fuzz/%s (%s; after %d execs)\n", t, why, execs
		exit 1
	}' "$log"
}

if [ "${mode:-}" = one ]; then
	one "$1"
	exit 0
fi
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh "$0" --one "$secs" "$out" {}
fail=0
for t in "$@"; do
	if ! report "$t"; then
		fail=1
		ls "$out/crash-$t-"* 2>/dev/null | sed 's/^/    input: /'
		tail -n 25 "$out/$t.log" | sed 's/^/    /'
	fi
done
exit $fail
