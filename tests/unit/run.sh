#!/bin/sh
# tests/unit/run.sh MODULE BINARY [LOG] - run one cmocka test program with
# TAP output and turn it into the project's protocol: one
# `PASS: unit/MODULE/test` or `FAIL: unit/MODULE/test` line per test. A
# program that crashes, or exits non-zero, or reports fewer tests than it
# planned, adds a FAIL line of its own. Failure details and the tests' own
# output are shown indented. PASS/FAIL lines are appended to LOG too.
# Exit status: 0 when everything passed.
mod=$1
bin=$2
log=${3:-/dev/null}

{ CMOCKA_MESSAGE_OUTPUT=TAP "$bin"; echo "#unit-exit $?"; } |
awk -v mod="$mod" -v bin="$bin" -v logfile="$log" '
function report(word, name) {
	line = word ": unit/" mod "/" name
	print line
	print line >> logfile
}
/^1\.\.[0-9]+$/		{ plan = substr($0, 4) + 0; next }
/^ok [0-9]+ - /		{ sub(/^ok [0-9]+ - /, ""); report("PASS", $0); n++; next }
/^not ok [0-9]+ - /	{ sub(/^not ok [0-9]+ - /, ""); report("FAIL", $0); n++; bad++; next }
/^# (not )?ok - /	{ next }	# the group summary
/^#unit-exit /		{ rc = $2 + 0; next }
			{ print "    " $0 }
END {
	if (n != plan || n == 0 || (rc != 0 && bad == 0)) {
		report("FAIL", "program " bin " (exit status " rc + 0 ", " n + 0 " of " plan + 0 " tests reported)")
		bad++
	}
	exit bad ? 1 : 0
}'
