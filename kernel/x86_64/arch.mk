# x86_64: -mcmodel=kernel (linked at -2 GiB), no SSE/x87 (interrupts do
# not save them), no red zone (interrupts push on the current stack).
# QEMU's multiboot loader refuses ELF64, so the bootable image is the same
# ELF converted to elf32-i386 (the entry and load addresses are physical).
ARCH_CFLAGS := -m64 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only
KERNEL_IMAGE_EXTRA := $(OUT)/ukvmem.img

$(OUT)/ukvmem.img: $(OUT)/ukvmem.elf
	objcopy -O elf32-i386 $< $@
