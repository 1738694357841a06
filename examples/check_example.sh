#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run an example and compare its output (the layouts) with the expected one.
set -e
out=$("$1")
printf '%s\n' "$out" | diff -u "$2" - && echo "1 passed, 0 failed"
