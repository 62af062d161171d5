# tests/soak/soak.mk - `make soak`: guest-stub's soak mode (soak=N,
# guest-stub/soak.h) on Bochs: the multitasking APF workload until the
# guest has taken SOAK_EVENTS APF events, with seeded random latencies,
# evictions, transient fetch errors, the failing page touched on purpose,
# and APF re-enabled every 500 events switching between interrupt and #PF
# delivery. Included by the top Makefile.
#
# Prints the harness verdict (indented), the guest's soak lines, the wall
# time and events per second of the run, and checks the guest's counts
# against the hypervisor's STATS (apf.not_present, apf.ready_pf, apf.ready_int,
# apf.wakeall, apf.errors_async + apf.errors_sync); the last line is
# `PASS: soak ...` or `FAIL: soak: why`, and the exit status follows it.
# tests/boot/scenarios has the short run (bochs-soak-short) for make test.
#
# Variables: SOAK_EVENTS (100000), SOAK_MODEL (corei7_icelake_u),
# SOAK_ARGS (the hypervisor's line), SOAK_GUEST_ARGS, SOAK_TIMEOUT (900 s).
# Logs: build/test-logs/soak/ (com1.txt, emu.out, ...).

SOAK_EVENTS     ?= 100000
SOAK_MODEL      ?= corei7_icelake_u
SOAK_ARGS       ?= latency=2000 latency_max=60000 resident=32 max_fetches=16 \
                   seed=11 fail_pct=5 retries=20 fail_start=60M fail_end=61M
SOAK_GUEST_ARGS ?= soak=$(SOAK_EVENTS) fail_page=60M
SOAK_TIMEOUT    ?= 900

# Quote $(1) for the shell: 'it'\''s'
soak_shq = '$(subst ','\'',$(strip $(1)))'

.PHONY: soak
soak: $(B)/apfvisor.elf $(B)/guest-stub.elf
	@log=$${LOG_ROOT:-$(B)/test-logs}/soak/com1.txt; \
	t0=$$(date +%s.%N); \
	tests/boot/scenario --adhoc soak bochs $(call soak_shq,$(SOAK_MODEL)) - \
		$(call soak_shq,$(SOAK_ARGS)) $(call soak_shq,$(SOAK_GUEST_ARGS)) \
		$(SOAK_TIMEOUT) success | sed 's/^/    /'; \
	t1=$$(date +%s.%N); \
	[ -f "$$log" ] || { echo "FAIL: soak: no serial log $$log"; exit 1; }; \
	grep -a -e '^guest-stub: soak' -e '^STATS: ' "$$log" | sed 's/^/    /'; \
	awk -v t0="$$t0" -v t1="$$t1" -v want=$(SOAK_EVENTS) \
	    -v model=$(call soak_shq,$(SOAK_MODEL)) ' \
	function kv(line, arr,   n, i, f, p) { \
		n = split(line, f, " "); \
		for (i = 1; i <= n; i++) \
			if ((p = index(f[i], "=")) > 1) \
				arr[substr(f[i], 1, p - 1)] = substr(f[i], p + 1); \
	} \
	/^guest-stub: soak events=/ { kv($$0, g); got = 1 } \
	/^STATS: / { kv($$0, s); stats = 1 } \
	/^PASS: soak: no event lost or duplicated/ { pass1 = 1 } \
	/^PASS: soak: every page.s contents right/ { pass2 = 1 } \
	/^SUMMARY: .* 0 unexpected failures/ { summary = 1 } \
	END { \
		wall = t1 - t0; why = ""; \
		if (!got) why = "no soak line in the log"; \
		else if (!stats) why = "no STATS line in the log"; \
		else { \
			printf "soak: %d events in %.1f s of wall time (Bochs %s): %.0f events/s\n", \
				g["events"], wall, model, g["events"] / wall; \
			if (g["events"] < want) why = why "fewer events than " want "; "; \
			if (g["lost"] != 0 || g["duplicated"] != 0 || g["bad_contents"] != 0) \
				why = why "lost/duplicated/bad_contents not 0; "; \
			if (!pass1 || !pass2 || !summary) why = why "the guest reported a failure; "; \
			if (s["guest.exit_code"] != 0 || s["vmm.panic"] != 0) \
				why = why "guest.exit_code=" s["guest.exit_code"] " vmm.panic=" s["vmm.panic"] "; "; \
			n = split("not_present ready_pf ready_int wakeall", k, " "); \
			for (i = 1; i <= n; i++) \
				if (g[k[i]] != s["apf." k[i]]) \
					why = why "guest " k[i] "=" g[k[i]] " but STATS apf." k[i] "=" s["apf." k[i]] "; "; \
			if (g["errors"] != s["apf.errors_async"] + s["apf.errors_sync"]) \
				why = why "guest errors=" g["errors"] " but STATS apf.errors_async+errors_sync=" \
					s["apf.errors_async"] + s["apf.errors_sync"] "; "; \
		} \
		if (why == "") { \
			printf "PASS: soak (%d events, %.1f s, counts agree with the hypervisor STATS)\n", \
				g["events"], wall; \
			exit 0; \
		} \
		sub(/; $$/, "", why); \
		printf "FAIL: soak: %s (logs: %s)\n", why, FILENAME; \
		exit 1; \
	}' "$$log"
