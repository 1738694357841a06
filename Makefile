# SPDX-License-Identifier: BSD-3-Clause
# Thin front end over meson. Every target first installs missing Debian
# packages (tools/deps.sh), then configures and builds.
BUILD ?= build/release
STRESS_ARGS ?=
BENCH_ARGS ?=
FUZZ_ARGS ?=

.PHONY: all deps build run test stress bench fuzz clean

all: build

deps:
	@tools/deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=release -Db_ndebug=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The main demo: the seven examples, each printing the layout per step.
run: build
	tools/run-examples.sh $(BUILD)

# Every suite: both page-table formats, both RCU backends, ASan+UBSan, TSan.
test: deps
	tools/test-matrix.sh

stress: build
	tools/run-stress.sh $(BUILD) $(STRESS_ARGS)

# libFuzzer on the reference model (clang + ASan), 60 s unless
# FUZZ_ARGS="-t SECONDS".
fuzz: deps
	tools/run-fuzz.sh $(FUZZ_ARGS)

bench: deps
	tools/run-bench.sh $(BENCH_ARGS)

clean:
	rm -rf build
