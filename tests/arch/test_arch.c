/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Both PTE formats and both fault decoders, whatever format the build uses:
 * exact bits of every attribute combination at every level, round trips,
 * and table-driven fault decoding.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pte.h"
#include "fault.h"

static const unsigned long types[] = {
	PAGE_ATTR_TYPE_NORMAL_WB, PAGE_ATTR_TYPE_NORMAL_WT,
	PAGE_ATTR_TYPE_NORMAL_NC, PAGE_ATTR_TYPE_DEVICE,
};

static const unsigned long prots[] = {
	PAGE_ATTR_PROT_READ, PAGE_ATTR_PROT_RW,
	PAGE_ATTR_PROT_READ | PAGE_ATTR_PROT_EXEC, PAGE_ATTR_PROT_RWX,
};

/* Frames at each level (aligned to it). */
static const __paddr_t frames[] = {
	0x0000123456789000UL, 0x0000123456600000UL, 0x0000123440000000UL,
};

/* ---- x86_64 ------------------------------------------------------------ */

/* Expected flag bits of a 4 KiB leaf, by prots[] row: P|US|A, RW|D when
 * writable, NX unless executable. */
static const __pte_t x86_prot_bits[] = {
	0x8000000000000025ULL, /* R */
	0x8000000000000067ULL, /* RW */
	0x0000000000000025ULL, /* RX */
	0x0000000000000067ULL, /* RWX */
};
/* PWT/PCD by types[] row (PAT indices 0..3 of the reset PAT). */
static const __pte_t x86_type_bits[] = { 0x00, 0x08, 0x10, 0x18 };

static void test_x86_leaf_bits(void **state)
{
	(void)state;
	for (unsigned int l = 0; l <= PAGE_MAX_LEVEL; l++)
		for (unsigned int p = 0; p < 4; p++)
			for (unsigned int t = 0; t < 4; t++) {
				unsigned long attr = prots[p] | types[t];
				__pte_t want = frames[l] | x86_prot_bits[p] |
					       x86_type_bits[t] |
					       (l ? 0x80ULL : 0);
				__pte_t pte = x86_pte_make_leaf(frames[l], l,
								attr);

				assert_int_equal(pte, want);
				assert_true(x86_pte_present(pte));
				assert_true(x86_pte_is_leaf(pte, l));
				assert_int_equal(x86_pte_paddr(pte, l),
						 frames[l]);
				assert_int_equal(x86_pte_attr(pte), attr);
				assert_int_equal(
					x86_pte_with_attr(
						x86_pte_make_leaf(
							frames[l], l,
							PAGE_ATTR_PROT_READ),
						l, attr),
					pte);
			}
}

static void test_x86_table_and_misc(void **state)
{
	__pte_t t = x86_pte_make_table(0x000fffffffffe000UL);

	(void)state;
	assert_int_equal(t, 0x000fffffffffe027ULL); /* P|RW|US|A */
	assert_int_equal(x86_pte_table_paddr(t), 0x000fffffffffe000UL);
	for (unsigned int l = 1; l <= 3; l++)
		assert_false(x86_pte_is_leaf(t, l));
	assert_false(x86_pte_present(0));
	/* 52-bit physical addresses */
	assert_int_equal(x86_pte_paddr(x86_pte_make_leaf(0x000ffffffffff000UL,
							 0, PAGE_ATTR_PROT_RW),
				       0),
			 0x000ffffffffff000UL);
	/* PROT_NONE: P clear, software bit 9, frame kept */
	for (unsigned int l = 0; l <= PAGE_MAX_LEVEL; l++) {
		__pte_t n = x86_pte_make_leaf(frames[l], l,
					      PAGE_ATTR_PROT_NONE |
						      PAGE_ATTR_TYPE_NORMAL_WT);

		assert_int_equal(n, frames[l] | 0x8000000000000000ULL |
					    0x200 | 0x24 | 0x08 |
					    (l ? 0x80ULL : 0));
		assert_true(x86_pte_present(n));
		assert_true(x86_pte_is_leaf(n, l));
		assert_int_equal(x86_pte_attr(n), PAGE_ATTR_PROT_NONE |
					PAGE_ATTR_TYPE_NORMAL_WT);
		assert_int_equal(x86_pte_paddr(n, l), frames[l]);
	}
	/* WRITE and EXEC imply READ */
	assert_int_equal(x86_pte_attr(x86_pte_make_leaf(frames[0], 0,
						PAGE_ATTR_PROT_WRITE)),
			 PAGE_ATTR_PROT_RW);
	assert_int_equal(x86_pte_attr(x86_pte_make_leaf(frames[0], 0,
						PAGE_ATTR_PROT_EXEC)),
			 PAGE_ATTR_PROT_READ | PAGE_ATTR_PROT_EXEC);
	/* a large leaf's address drops the low (PAT) bits */
	assert_int_equal(x86_pte_paddr(frames[1] | 0x1000 | 0xe7, 1),
			 frames[1]);
}

/* ---- arm64 ------------------------------------------------------------- */

/* Expected bits of a 4 KiB page by prots[] row: page (11), AP[1] EL0,
 * SH inner (0x300), AF, nG; AP[2] read-only unless writable; PXN|UXN
 * unless executable. Blocks have bits[1:0] = 01 instead. */
static const __pte_t a64_prot_bits[] = {
	0x0060000000000fc3ULL, /* R */
	0x0060000000000f43ULL, /* RW */
	0x0000000000000fc3ULL, /* RX */
	0x0000000000000f43ULL, /* RWX */
};
/* AttrIndx[4:2] by types[] row (MAIR 0x000000000444bbff). */
static const __pte_t a64_type_bits[] = { 0x0, 0x4, 0x8, 0xc };

static void test_a64_leaf_bits(void **state)
{
	(void)state;
	for (unsigned int l = 0; l <= PAGE_MAX_LEVEL; l++)
		for (unsigned int p = 0; p < 4; p++)
			for (unsigned int t = 0; t < 4; t++) {
				unsigned long attr = prots[p] | types[t];
				__pte_t want = frames[l] | a64_prot_bits[p] |
					       a64_type_bits[t];
				__pte_t pte = a64_pte_make_leaf(frames[l], l,
								attr);

				if (l)
					want &= ~0x2ULL; /* block */
				assert_int_equal(pte, want);
				assert_true(a64_pte_present(pte));
				assert_true(a64_pte_is_leaf(pte, l));
				assert_int_equal(a64_pte_paddr(pte, l),
						 frames[l]);
				assert_int_equal(a64_pte_attr(pte), attr);
				assert_int_equal(
					a64_pte_with_attr(
						a64_pte_make_leaf(
							frames[l], l,
							PAGE_ATTR_PROT_RWX),
						l, attr),
					pte);
			}
}

static void test_a64_table_and_misc(void **state)
{
	__pte_t t = a64_pte_make_table(0x0000fffffffff000UL);

	(void)state;
	assert_int_equal(t, 0x0000fffffffff003ULL);
	assert_int_equal(a64_pte_table_paddr(t), 0x0000fffffffff000UL);
	for (unsigned int l = 1; l <= 3; l++)
		assert_false(a64_pte_is_leaf(t, l));
	assert_false(a64_pte_present(0));
	assert_int_equal(A64_MAIR_VALUE, 0x000000000444bbffULL);
	/* PROT_NONE: invalid descriptor, software bit 58, frame kept */
	for (unsigned int l = 0; l <= PAGE_MAX_LEVEL; l++) {
		__pte_t n = a64_pte_make_leaf(frames[l], l,
					      PAGE_ATTR_PROT_NONE |
						      PAGE_ATTR_TYPE_DEVICE);
		__pte_t want = frames[l] | 0x0460000000000fc2ULL | 0xc;

		if (l)
			want &= ~0x2ULL;
		assert_int_equal(n, want);
		assert_int_equal(n & 1, 0);
		assert_true(a64_pte_present(n));
		assert_true(a64_pte_is_leaf(n, l));
		assert_int_equal(a64_pte_attr(n), PAGE_ATTR_PROT_NONE |
					PAGE_ATTR_TYPE_DEVICE);
		assert_int_equal(a64_pte_paddr(n, l), frames[l]);
	}
	assert_int_equal(a64_pte_attr(a64_pte_make_leaf(frames[0], 0,
						PAGE_ATTR_PROT_WRITE)),
			 PAGE_ATTR_PROT_RW);
}

/* ---- the build's format through arch/pte.h ----------------------------- */

static void test_build_format(void **state)
{
	(void)state;
	for (unsigned int l = 0; l <= PAGE_MAX_LEVEL; l++) {
		__pte_t a = pte_make_leaf(frames[l], l, PAGE_ATTR_PROT_RW);
		__pte_t b = UKVMEM_PT_ARM64
				    ? a64_pte_make_leaf(frames[l], l,
							PAGE_ATTR_PROT_RW)
				    : x86_pte_make_leaf(frames[l], l,
							PAGE_ATTR_PROT_RW);

		assert_int_equal(a, b);
		assert_true(pte_is_leaf(a, l));
		assert_int_equal(pte_paddr(a, l), frames[l]);
		assert_int_equal(pte_attr(pte_with_attr(a, l, PAGE_ATTR_PROT_READ)),
				 PAGE_ATTR_PROT_READ);
	}
	assert_false(pte_is_leaf(pte_make_table(frames[0]), 1));
	assert_int_equal(pte_table_paddr(pte_make_table(frames[0])), frames[0]);
}

/* ---- fault decoding ---------------------------------------------------- */

struct fault_case {
	unsigned long report;
	int want;
};

#define NP UK_VMA_FAULT_NONPRESENT
#define MC UK_VMA_FAULT_MISCONFIG
#define RD UK_VMA_FAULT_READ
#define WR UK_VMA_FAULT_WRITE
#define EX UK_VMA_FAULT_EXEC

static const struct fault_case x86_cases[] = {
	{ 0x00, RD | NP },         /* kernel read, not present */
	{ 0x01, RD },              /* read, protection */
	{ 0x02, WR | NP },         /* write, not present */
	{ 0x03, WR },              /* write to read-only */
	{ 0x04, RD | NP },         /* user read, not present */
	{ 0x07, WR },              /* user write to read-only */
	{ 0x10, EX | NP },         /* fetch, not present */
	{ 0x11, EX },              /* fetch from NX page */
	{ 0x15, EX },              /* user fetch from NX page */
	{ 0x09, RD | MC },         /* reserved bit on read */
	{ 0x0b, WR | MC },         /* reserved bit on write */
	{ 0x19, EX | MC },         /* reserved bit on fetch */
	{ 0x21, RD },              /* protection key */
	{ 0x8003, WR },            /* SGX bit ignored */
	{ 0x12, -EINVAL },         /* write and fetch at once */
};

#define ESR(ec, iss) (((unsigned long)(ec) << 26) | (1UL << 25) | (iss))
#define WNR (1UL << 6)

static const struct fault_case a64_cases[] = {
	{ ESR(0x20, 0x04), EX | NP },       /* IABT lower EL, transl. L0 */
	{ ESR(0x20, 0x07), EX | NP },       /* transl. L3 */
	{ ESR(0x21, 0x05), EX | NP },       /* IABT current EL, transl. L1 */
	{ ESR(0x20, 0x0b), EX },            /* access flag L3 */
	{ ESR(0x21, 0x0f), EX },            /* permission L3 */
	{ ESR(0x24, 0x06), RD | NP },       /* DABT read, transl. L2 */
	{ ESR(0x24, WNR | 0x07), WR | NP }, /* DABT write, transl. L3 */
	{ ESR(0x25, WNR | 0x04), WR | NP }, /* current EL, transl. L0 */
	{ ESR(0x24, 0x09), RD },            /* access flag L1 */
	{ ESR(0x25, WNR | 0x0a), WR },      /* access flag L2 */
	{ ESR(0x24, WNR | 0x0d), WR },      /* permission L1 */
	{ ESR(0x25, 0x0e), RD },            /* permission L2 */
	{ ESR(0x24, (1UL << 24) | WNR | 0x0f), WR }, /* ISV set */
	{ ESR(0x15, 0x00), -EINVAL },       /* SVC */
	{ ESR(0x22, 0x00), -EINVAL },       /* PC alignment */
	{ ESR(0x00, 0x07), -EINVAL },       /* unknown EC */
	{ ESR(0x24, 0x00), -EINVAL },       /* address size fault L0 */
	{ ESR(0x24, 0x10), -EINVAL },       /* synchronous external abort */
	{ ESR(0x24, 0x21), -EINVAL },       /* alignment fault */
	{ ESR(0x20, 0x30), -EINVAL },       /* TLB conflict */
};

static void test_x86_faults(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(x86_cases) / sizeof(x86_cases[0]); i++) {
		print_message("x86 error code %#lx\n", x86_cases[i].report);
		assert_int_equal(x86_64_fault_type(x86_cases[i].report),
				 x86_cases[i].want);
	}
}

static void test_a64_faults(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(a64_cases) / sizeof(a64_cases[0]); i++) {
		print_message("arm64 ESR %#lx\n", a64_cases[i].report);
		assert_int_equal(arm64_fault_type(a64_cases[i].report),
				 a64_cases[i].want);
	}
}

static void test_build_fault(void **state)
{
	(void)state;
	if (UKVMEM_PT_ARM64)
		assert_int_equal(uk_arch_fault_type(ESR(0x24, WNR | 0x07)),
				 WR | NP);
	else
		assert_int_equal(uk_arch_fault_type(0x02), WR | NP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_leaf_bits),
		cmocka_unit_test(test_x86_table_and_misc),
		cmocka_unit_test(test_a64_leaf_bits),
		cmocka_unit_test(test_a64_table_and_misc),
		cmocka_unit_test(test_build_format),
		cmocka_unit_test(test_x86_faults),
		cmocka_unit_test(test_a64_faults),
		cmocka_unit_test(test_build_fault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
