/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal flattened-device-tree reader for QEMU's virt DTB: the first
 * memory node's reg, the reg (MPIDR) of every cpu node and the PSCI
 * conduit. It relies on what QEMU's virt tree has: #address-cells and
 * #size-cells 2 at the root and 1 or 2 in /cpus (a cell count is taken
 * from the property length, which is what makes both work).
 */
#include "arm64.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define FDT_MAX_DEPTH 16 /* deeper nodes are walked but not named */

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static uint64_t be_cells(const void *p, uint32_t len)
{
	return len >= 8 ? (uint64_t)be32(p) << 32 | be32((const char *)p + 4)
			: be32(p);
}

static bool starts_with(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static unsigned long str_len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

struct fdt_walk {
	const char *strings;
	const char *node; /* name of the innermost node */
	const char *parent;
	struct karm_boot_info *info;
};

static void fdt_prop(struct fdt_walk *w, const char *name, const void *val,
		     uint32_t len)
{
	struct karm_boot_info *info = w->info;

	if (starts_with(w->node, "memory") && str_eq(name, "reg") &&
	    len >= 16 && info->ram_size == 0) {
		info->ram_base = be_cells(val, 8);
		info->ram_size = be_cells((const char *)val + 8, 8);
	} else if (starts_with(w->node, "cpu@") && str_eq(w->parent, "cpus") &&
		   str_eq(name, "reg") && info->ncpus < KARM_MAX_CPUS) {
		info->mpidr[info->ncpus++] = be_cells(val, len);
	} else if (str_eq(w->node, "psci") && str_eq(name, "method")) {
		info->psci_smc = str_eq(val, "smc");
	}
}

int karm_fdt_parse(const void *fdt, struct karm_boot_info *info)
{
	const char *base = fdt;
	const char *p = base + be32(base + 8); /* off_dt_struct */
	const char *stack[FDT_MAX_DEPTH] = { "", "" };
	struct fdt_walk w = { .strings = base + be32(base + 12), .info = info };
	int depth = 0;

	if (be32(base) != FDT_MAGIC)
		return -1;
	*info = (struct karm_boot_info){ 0 };
	for (;;) {
		uint32_t tok = be32(p);

		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			if (++depth < FDT_MAX_DEPTH)
				stack[depth] = p;
			p += (str_len(p) + 4) & ~3UL;
		} else if (tok == FDT_END_NODE) {
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(p);

			w.node = depth < FDT_MAX_DEPTH ? stack[depth] : "";
			w.parent = depth > 0 && depth <= FDT_MAX_DEPTH ?
					   stack[depth - 1] : "";
			fdt_prop(&w, w.strings + be32(p + 4), p + 8, len);
			p += 8 + ((len + 3) & ~3U);
		} else if (tok == FDT_END || depth < 0) {
			break;
		} else if (tok != FDT_NOP) {
			return -1;
		}
	}
	return info->ram_size && info->ncpus ? 0 : -1;
}
