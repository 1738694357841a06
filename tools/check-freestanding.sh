#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Check that the core (the files of src/core-sources.txt) builds freestanding
# and needs nothing but the platform contract:
#   x86_64: gcc -ffreestanding -nostdinc (only the compiler's own headers),
#           -mno-red-zone -mgeneral-regs-only -fno-builtin, kernel style;
#   arm64:  clang --target=aarch64-none-elf, the same, arm64 page tables.
# Each target's objects are linked with `ld -r` into one object whose
# undefined symbols must all be ukplat_*, uk_rcu_* or memcpy/memset/memmove;
# any other (a libc call, a libgcc helper such as __popcountdi2, a
# thread-local variable) fails the check and is listed. Every public header
# but the host-only uk/host.h must also compile on its own, freestanding.
# Usage: tools/check-freestanding.sh [x86_64|arm64 ...]  (default: both)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

mapfile -t SRCS < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' \
	src/core-sources.txt)
ALLOWED='^(ukplat_[A-Za-z0-9_]+|uk_rcu_[A-Za-z0-9_]+|memcpy|memset|memmove)$'
WARN=(-std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter
      -Wstrict-prototypes -Wmissing-prototypes -Wshadow)
FREE=(-ffreestanding -nostdlib -nostdinc -fno-builtin -fno-stack-protector
      -fno-pic -mgeneral-regs-only)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# check NAME ARM64(0|1) CC-ARGV... -- LD-ARGV... -- NM
check() {
	local name=$1 arm64=$2 out="$work/$1" cc=() ld=() nm i f bad
	shift 2
	while [ "$1" != -- ]; do cc+=("$1"); shift; done
	shift
	while [ "$1" != -- ]; do ld+=("$1"); shift; done
	nm=$2
	mkdir -p "$out/cfg"
	printf '#pragma once\n#define UKVMEM_PT_ARM64 %s\n#define UKVMEM_RCU_CK 0\n#define UKVMEM_VERSION "freestanding"\n' \
		"$arm64" >"$out/cfg/ukvmem_config.h"
	local objs=()
	for i in "${!SRCS[@]}"; do
		f=${SRCS[$i]}
		"${cc[@]}" "${WARN[@]}" "${FREE[@]}" -Iinclude -Isrc -Iarch \
			-I"$out/cfg" -c "$f" -o "$out/$i.o" || {
			echo "freestanding $name: FAILED to compile $f"
			return 1
		}
		objs+=("$out/$i.o")
	done
	for f in include/uk/*.h; do
		[ "$f" = include/uk/host.h ] && continue
		printf '#include <uk/%s>\n' "${f#include/uk/}" >"$out/hdr.c"
		"${cc[@]}" "${WARN[@]}" "${FREE[@]}" -Iinclude -Isrc -Iarch \
			-I"$out/cfg" -c "$out/hdr.c" -o "$out/hdr.o" || {
			echo "freestanding $name: FAILED: public header $f"
			return 1
		}
	done
	"${ld[@]}" -r -o "$out/core.o" "${objs[@]}" || {
		echo "freestanding $name: FAILED to link with ${ld[0]} -r"
		return 1
	}
	bad=$("$nm" -u "$out/core.o" | awk '{print $NF}' | sort -u |
		grep -Ev "$ALLOWED" || true)
	# Thread-locals need the kernel to set up TLS per CPU: the core keeps
	# per-context state through ukplat_ctx_* instead.
	if readelf -S -W "$out/core.o" | grep -Eq '\.t(bss|data)'; then
		bad+=$'\n'"(thread-local storage: .tbss/.tdata section)"
	fi
	if [ -n "$bad" ]; then
		echo "freestanding $name: FAILED, symbols outside the platform contract:"
		echo "$bad" | sed '/^$/d; s/^/  /'
		return 1
	fi
	echo "freestanding $name: ok (${#SRCS[@]} files; undefined:" \
		$("$nm" -u "$out/core.o" | awk '{print $NF}' | sort -u) ")"
}

targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(x86_64 arm64)
rc=0
for t in "${targets[@]}"; do
	case $t in
	x86_64)
		check x86_64 0 gcc -m64 -mno-red-zone \
			-isystem "$(gcc -print-file-name=include)" -- \
			ld -m elf_x86_64 -- nm || rc=1 ;;
	arm64)
		check arm64 1 clang --target=aarch64-none-elf \
			-isystem "$(clang -print-resource-dir)/include" -- \
			ld.lld -- llvm-nm || rc=1 ;;
	*)
		echo "unknown target $t (x86_64, arm64)" >&2
		exit 2 ;;
	esac
done
exit $rc
