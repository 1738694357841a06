# SPDX-License-Identifier: BSD-3-Clause
# Thin front end over meson. Every target first installs missing Debian
# packages (tools/deps.sh), then configures and builds.
BUILD ?= build/release
STRESS_ARGS ?=
BENCH_ARGS ?=
FUZZ_ARGS ?=

.PHONY: all deps build run test stress bench fuzz clean kernel kernel-test

all: build

deps:
	@tools/deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=release -Db_ndebug=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The main demo: the seven examples, each printing the layout per step,
# then one boot of the test kernel on 4 CPUs (per-CPU faults, shootdowns).
run: build kernel
	tools/run-examples.sh $(BUILD)
	tools/kernel-run.sh

# Every suite: both page-table formats, both RCU backends, ASan+UBSan, TSan;
# then the kernel suites under QEMU.
test: deps
	tools/test-all.sh

# The SMP test kernel (kernel/): build it, and boot it on 1, 2, 4 and 8
# CPUs plus the negative control (docs/kernel.md).
kernel: deps
	$(MAKE) -C kernel

kernel-test: deps
	tools/kernel-test.sh

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
