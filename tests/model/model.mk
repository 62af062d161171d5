# tests/model/model.mk - model check of the APF shared-slot protocol
# (apf/apf.pml) with spin (included by the top-level Makefile);
# docs/reliability.md ("Model check") says what is modelled and checked.
#
#   make model        exhaustive safety searches: PASS: model/<config>/
#                     <property> per property, and PASS: model/detects-<bug>
#                     for each deliberately broken variant spin must catch
#                     (part of `make test`); SKIP: without spin or cc
#   make model-deep   the largest configuration (error extension, 2
#                     accesses per task, 2 EN writes) with bitstate
#                     hashing: ~56M states, ~1.5 minutes
# Work (pan, outputs, trails) goes to build/model/<check>/; a failure line
# says how to replay its counterexample.

MODEL_OUT := $(B)/model

.PHONY: model model-deep
model model-deep: apf/apf.pml tests/model/run.sh
	@if ! command -v spin >/dev/null 2>&1 || ! command -v $(CC) >/dev/null 2>&1; then \
		echo "SKIP: model (spin or $(CC) not installed)"; exit 0; fi; \
	CC=$(CC) sh tests/model/run.sh $(MODEL_OUT) $(if $(filter model-deep,$@),deep)
