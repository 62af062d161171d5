#!/usr/bin/env bash
# scripts/deps.sh - install the Debian packages apfvisor's build and tests
# need, and only those that are missing. A fast no-op when all are there.
#
# Usage: scripts/deps.sh          (installs what is missing; sudo if not root)
#        scripts/deps.sh --check  (lists what is missing, exit 1 if any)
#
# The one list of packages. Why each is here:
PACKAGES=(
	make gcc binutils libc6-dev	# build (host unit tests use gcc too)
	libcmocka-dev			# host unit tests
	bochs bochs-sdl bochsbios vgabios  # the VMX CPU: bochs-bin, headless SDL2
	qemu-system-x86 seabios ipxe-qemu  # boot paths; ipxe-qemu: PXE option ROMs
	ovmf				# UEFI firmware for the UEFI ISO / PXE runs
	grub-common grub-pc-bin grub-efi-amd64-bin  # grub-mkrescue/-mknetdir, BIOS+UEFI
	xorriso mtools			# grub-mkrescue needs both (mtools for the EFI image)
	spin gnuplot			# model checking and bench plots
	clang libclang-rt-dev		# fuzzing: libFuzzer, ASan+UBSan (make fuzz); the
					# runtimes are only a Recommends of clang
	python3				# tests/bench/bench.py, tests/fuzz/mkseeds.py
)
set -euo pipefail

missing=()
if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: no dpkg-query: not Debian; install the equivalents of:" >&2
	echo "deps:   ${PACKAGES[*]}" >&2
	exit 0
fi
# One dpkg-query for all; unknown packages print nothing (and count as missing).
installed=" $(dpkg-query -W -f='${Package}:${db:Status-Status} ' "${PACKAGES[@]}" \
	2>/dev/null || true) "
for p in "${PACKAGES[@]}"; do
	[[ $installed == *" $p:installed "* ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: missing: ${missing[*]}" >&2
[ "${1:-}" = --check ] && exit 1

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "deps: not root and no sudo; install them by hand" >&2; exit 1; }
	sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}"
