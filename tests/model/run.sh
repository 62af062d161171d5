#!/bin/sh
# tests/model/run.sh OUTDIR [deep] - model-check apf/apf.pml with spin.
#
# Each check is one exhaustive safety search (pan -DSAFETY: assertions and
# invalid end states) of one configuration, in OUTDIR/<check>/ (model,
# pan, output, and the trail of any counterexample), MODEL_JOBS at once
# (default: the CPU count). Prints one line per property of a verified
# configuration, and one per deliberately broken variant, which passes
# only when spin finds its bug:
#     PASS: model/<config>/<property> (N states, depth D, T s)
#     PASS: model/detects-<bug> (spin: <what it found>, N states)
#     FAIL: ... (what went wrong; the trail to replay)
# "deep" runs the largest configuration instead (bitstate, ~1.5 min).
# Exit status: 0 when every line is PASS.
out=$1
deep=${2:-}
model=apf/apf.pml
jobs=${MODEL_JOBS:-$(nproc 2>/dev/null || echo 2)}

# name | spin -D flags | pan build flags | pan run flags | expected error
checks() {
	if [ "$deep" = deep ]; then
		echo "deep|-DERRORS|-O2 -DSAFETY -DBITSTATE|-m300000 -w31 -k3|none"
		return
	fi
	echo "modes|-DACC=2 -DTOGGLES=2|-O2 -DSAFETY|-m100000|none"
	echo "errors|-DERRORS -DACC=1 -DTOGGLES=1|-O2 -DSAFETY|-m100000|none"
	echo "detects-overwrite-bug|-DBUG_OVERWRITE|-O0 -DSAFETY|-m100000|overwrite"
	echo "detects-missing-wakeall|-DBUG_NO_WAKEALL|-O0 -DSAFETY|-m100000|lost-wakeup"
	echo "detects-late-ready-flags|-DERRORS -DBUG_LATE_RFLAGS|-O0 -DSAFETY|-m100000|overwrite"
	echo "detects-ungated-ready-flags|-DERRORS -DBUG_RFLAGS_UNGATED|-O0 -DSAFETY|-m100000|overwrite"
	echo "detects-zero-token-clear|-DSTUB_CLEARS_ZERO_TOKEN|-O0 -DSAFETY|-m100000|lost-wakeup"
}

# One check: generate, compile and run pan in its own directory.
one() {
	line=$1
	name=${line%%|*}; rest=${line#*|}
	dflags=${rest%%|*}; rest=${rest#*|}
	cflags=${rest%%|*}; rest=${rest#*|}
	rflags=${rest%%|*}
	dir=$out/$name
	rm -rf "$dir"; mkdir -p "$dir"
	cp "$model" "$dir/apf.pml"
	echo "$dflags" >"$dir/flags"
	(
		cd "$dir" || exit 2
		spin -a $dflags apf.pml >spin.log 2>&1 || { echo "spin -a failed" >>pan.out; exit 2; }
		${CC:-cc} -w $cflags -o pan pan.c >cc.log 2>&1 || { echo "cc failed" >>pan.out; exit 2; }
		start=$(date +%s.%N)
		./pan $rflags >pan.out 2>&1
		end=$(date +%s.%N)
		awk -v a="$start" -v b="$end" 'BEGIN { printf "wall %.1f\n", b - a }' >>pan.out
		# a counterexample: the final state, to tell a lost wake-up
		if [ -f apf.pml.trail ]; then
			spin -t -g $dflags apf.pml >final.txt 2>&1
		fi
	)
}

# What pan found: none, overwrite, duplicate, lost-wakeup, deadlock,
# model (a sanity assertion of the model itself), or broken (no result).
verdict() {
	dir=$1
	if ! grep -q '^State-vector' "$dir/pan.out"; then
		echo broken; return
	fi
	if grep -q 'errors: 0' "$dir/pan.out"; then
		echo none; return
	fi
	msg=$(grep -m1 -e 'assertion violated' -e 'invalid end state' "$dir/pan.out")
	case $msg in
	*un_flags*|*un_token*|*un_rflags*) echo overwrite ;;
	*issued*|*tpage*) echo duplicate ;;
	*"invalid end state"*)
		if grep -Eq 'tstate\[[01]\] = 1$' "$dir/final.txt" 2>/dev/null; then
			echo lost-wakeup
		else
			echo deadlock
		fi ;;
	*) echo model ;;
	esac
}

# pan's numbers: states stored, depth reached, seconds.
numbers() {
	awk '/states, stored/ { s = $1 }
	     /depth reached/ { for (i = 1; i < NF; i++) if ($i == "reached") d = $(i + 1) + 0 }
	     /^wall / { w = $2 }
	     END { printf "%d states, depth %d, %.1f s", s, d, w }' "$1/pan.out"
}

report() {
	line=$1
	name=${line%%|*}
	expect=${line##*|}
	dir=$out/$name
	v=$(verdict "$dir")
	nums=$(numbers "$dir")
	case $line in *BITSTATE*) nums="$nums, bitstate: not exhaustive" ;; esac
	what=$(grep -m1 -e 'assertion violated' -e 'invalid end state' "$dir/pan.out" |
	       sed -e 's/^pan:[0-9]*: *//' -e 's/ (at depth [0-9]*)//' -e 's/  */ /g')
	replay="replay: cd $dir && spin -t -p $(cat "$dir/flags") apf.pml"
	if [ "$expect" != none ]; then
		if [ "$v" = "$expect" ]; then
			echo "PASS: model/$name (spin: $what; $nums)"
			return 0
		fi
		echo "FAIL: model/$name (expected spin to find a $expect error, got: ${what:-$v}; $nums)"
		return 1
	fi
	case $v in
	none)
		for p in no-overwrite no-duplicate-wakeup no-lost-wakeup no-deadlock; do
			echo "PASS: model/$name/$p ($nums)"
		done
		return 0 ;;
	overwrite) p=no-overwrite ;;
	duplicate) p=no-duplicate-wakeup ;;
	lost-wakeup) p=no-lost-wakeup ;;
	deadlock) p=no-deadlock ;;
	broken)
		echo "FAIL: model/$name (no result: $(tail -n 3 "$dir"/*.log "$dir/pan.out" 2>/dev/null | tr '\n' ' '))"
		return 1 ;;
	*) p=model-sanity ;;
	esac
	echo "FAIL: model/$name/$p ($what; $nums; $replay)"
	return 1
}

if [ "${1:-}" = --one ]; then	# internal: one check, for xargs
	out=$2; deep=$3; line=$4
	one "$line"
	exit 0
fi
mkdir -p "$out"
checks | xargs -P "$jobs" -I{} sh "$0" --one "$out" "${deep:-none}" {}
fail=0
for line in $(checks | tr ' ' '~'); do
	report "$(echo "$line" | tr '~' ' ')" || fail=1
done
exit $fail
