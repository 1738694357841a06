/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection: every allocation an operation makes can fail, and each
 * failure must leave the VAS exactly as it was (all or nothing).
 *
 * Method (one cmocka test per scenario):
 *   for site in ANY, META, FRAME, PTPAGE, FILE:
 *     build the scenario's starting state on a fresh fixture; snapshot it
 *     (vas_snap.h: layout, every leaf with the hash of its frame's bytes,
 *     table pages, frames used, open descriptors);
 *     for k = 1, 2, ...:
 *       arm the site at k; run the operation; disarm;
 *       failed  -> the errno is -ENOMEM (-EIO for a file read), the k-th
 *                  call really happened, and the snapshot taken now equals
 *                  the first one exactly; next k on the same state;
 *       success with >= k calls seen -> the k-th allocation failed but the
 *                  operation recovered (an "absorbed" failure, e.g. the
 *                  deferred-free batch falling back to a synchronous grace
 *                  period): check the result, rebuild the start, next k;
 *       success with < k calls -> the walk is complete.
 *   The failures seen arming ANY must equal the sum over the single sites
 *   (each allocation of the operation is hit exactly once either way).
 * LeakSanitizer (the ASan build) checks that no metadata leaked.
 *
 * Scenarios that install pages after the tree commit (populate, WILLNEED,
 * a stack's premapped part into a range with no table yet) check that the
 * table pages are reserved before it (ukplat_pt_reserve).
 */
#include <uk/host.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "vas_snap.h"

#define B UK_VAS_VMA_BASE
#define P PAGE_SIZE
#define MB (1UL << 20)
#define GB (1UL << 30)
#define RW PAGE_ATTR_PROT_RW
#define RO PAGE_ATTR_PROT_READ

/* Far more allocations than any scenario makes: a walk that gets here
 * never completes. */
#define KMAX 4000UL

static const char *const site_names[UK_INJECT_NSITES] = {
	"ANY", "META", "FRAME", "PTPAGE", "FILE",
};

/* The file the file scenarios map: 2.5 pages of known bytes. */
#define FILE_LEN (2 * P + P / 2)
static char file_path[64];
static int file_fd = -1;

static unsigned char file_byte(__sz off)
{
	return (unsigned char)(off * 7 + (off >> 12) + 1);
}

struct scenario {
	const char *name;
	/* Build the starting state (nothing armed). */
	void (*setup)(struct vas_fixture *fx);
	/* The operation under test: 0 or a negative errno. */
	int (*op)(struct vas_fixture *fx);
	/* After a successful op: the result is what it should be. */
	void (*check_ok)(struct vas_fixture *fx);
};

struct walk_result {
	unsigned long failed;   /* injected failures that returned an errno */
	unsigned long absorbed; /* injected failures the op recovered from */
	unsigned long broken;   /* failures that changed the VAS */
};

/* ---- Fixture ------------------------------------------------------------ */

static struct vas_fixture *fx_new(const struct scenario *sc)
{
	struct vas_fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	assert_int_equal(vas_fixture_init(fx, 64 * MB), 0);
	sc->setup(fx);
	assert_int_equal(vas_fixture_check(fx), 0);
	return fx;
}

/* Tear down a fixture whose frame accounting may be off (after a failure
 * that changed the VAS, already reported). */
static void fx_del_quiet(struct vas_fixture *fx)
{
	uk_vas_destroy(&fx->vas);
	uk_rcu_barrier();
	ukplat_pt_destroy(&fx->pt);
	uk_falloc_destroy(fx->fa);
	uk_physmem_destroy(&fx->pm);
	free(fx);
}

static void fx_del(struct vas_fixture *fx)
{
	/* With every VMA gone only table pages may remain allocated. */
	assert_int_equal(vas_fixture_fini(fx), 0);
	free(fx);
}

static int errno_ok(enum uk_inject_site site, int rc)
{
	switch (site) {
	case UK_INJECT_FILE:
		return rc == -EIO;
	case UK_INJECT_ANY:
		return rc == -ENOMEM || rc == -EIO;
	default:
		return rc == -ENOMEM;
	}
}

/* ---- The walk ------------------------------------------------------------ */

static struct walk_result walk(const struct scenario *sc,
			       enum uk_inject_site site)
{
	struct walk_result res = {0, 0, 0};
	struct vas_fixture *fx = fx_new(sc);
	struct vas_snap before, now;
	char msg[512];
	unsigned long k, calls;
	int rc;

	snap_take(fx, &before);
	for (k = 1; k <= KMAX; k++) {
		ukplat_inject_arm(site, k);
		rc = sc->op(fx);
		calls = ukplat_inject_calls(site);
		ukplat_inject_reset();
		if (rc) {
			if (!errno_ok(site, rc) || calls < k) {
				snap_free(&before);
				fail_msg("%s: %s k=%lu: rc %d after %lu calls",
					 sc->name, site_names[site], k, rc,
					 calls);
			}
			res.failed++;
			snap_take(fx, &now);
			if (snap_diff(&before, &now, msg, sizeof(msg))) {
				/* Report, rebuild the start and go on, so
				 * that one run lists every bad k. */
				print_error("%s: %s k=%lu failed (%d) but "
					    "changed the VAS: %s\n",
					    sc->name, site_names[site], k, rc,
					    msg);
				uk_vas_print(&fx->vas, stderr);
				res.broken++;
				snap_free(&now);
				snap_free(&before);
				fx_del_quiet(fx);
				fx = fx_new(sc);
				snap_take(fx, &before);
				continue;
			}
			snap_free(&now);
			assert_int_equal(vas_fixture_check(fx), 0);
			continue;
		}
		assert_int_equal(vas_fixture_check(fx), 0);
		sc->check_ok(fx);
		if (calls < k)
			break; /* k is past the last allocation: done */
		/* The k-th allocation failed and the op still succeeded. */
		res.absorbed++;
		snap_free(&before);
		fx_del(fx);
		fx = fx_new(sc);
		snap_take(fx, &before);
	}
	if (k > KMAX)
		fail_msg("%s: %s: no success after %lu injected failures",
			 sc->name, site_names[site], KMAX);
	snap_free(&before);
	fx_del(fx);
	return res;
}

static void run_scenario(const struct scenario *sc)
{
	struct walk_result r[UK_INJECT_NSITES] = {{0, 0, 0}};
	unsigned long sum = 0, absorbed = 0, broken = 0;
	int s;

	for (s = 0; s < UK_INJECT_NSITES; s++) {
		r[s] = walk(sc, (enum uk_inject_site)s);
		if (s != UK_INJECT_ANY) {
			sum += r[s].failed + r[s].absorbed;
			absorbed += r[s].absorbed;
		}
		broken += r[s].broken;
	}
	print_message("inject %-22s ANY %3lu META %3lu FRAME %3lu PTPAGE %3lu "
		      "FILE %3lu absorbed %lu\n",
		      sc->name, r[0].failed + r[0].absorbed,
		      r[UK_INJECT_META].failed, r[UK_INJECT_FRAME].failed,
		      r[UK_INJECT_PTPAGE].failed, r[UK_INJECT_FILE].failed,
		      absorbed);
	if (broken)
		fail_msg("%s: %lu injected failures changed the VAS (listed "
			 "above)", sc->name, broken);
	/* Every allocation is hit once arming ANY and once arming its site. */
	assert_int_equal(r[UK_INJECT_ANY].failed + r[UK_INJECT_ANY].absorbed,
			 sum);
	assert_true(sum > 0);
}

/* ---- Helpers for the scenarios ------------------------------------------- */

static void map_anon_at(struct vas_fixture *fx, __vaddr_t va, __sz len,
			unsigned long attr, unsigned long flags,
			const char *name)
{
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, len, attr, flags,
					 name), 0);
}

static void fill(struct vas_fixture *fx, __vaddr_t va, __sz len)
{
	assert_int_equal(snap_fill(&fx->vas, va, len, 0x5a), 0);
}

static void check_fill(struct vas_fixture *fx, __vaddr_t va, __sz len)
{
	assert_int_equal(snap_check_fill(&fx->vas, va, len, 0x5a), 0);
}

static void check_zero(struct vas_fixture *fx, __vaddr_t va, __sz len)
{
	unsigned char buf[256];
	__sz done, i, n;

	for (done = 0; done < len; done += n) {
		n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		assert_int_equal(uk_vas_read(&fx->vas, va + done, buf, n), n);
		for (i = 0; i < n; i++)
			assert_int_equal(buf[i], 0);
	}
}

struct want {
	__vaddr_t start, end;
	unsigned long attr;
	const char *name;
};

static void check_layout(struct vas_fixture *fx, const struct want *w,
			 size_t n)
{
	const struct uk_vma *vma;
	size_t i = 0;

	uk_rcu_read_lock();
	for (vma = uk_vma_first(&fx->vas); vma; vma = uk_vma_next(vma), i++) {
		assert_true(i < n);
		assert_int_equal(vma->start, w[i].start);
		assert_int_equal(vma->end, w[i].end);
		assert_int_equal(vma->attr, w[i].attr);
		if (w[i].name)
			assert_string_equal(vma->name, w[i].name);
	}
	uk_rcu_read_unlock();
	assert_int_equal(i, n);
}

static __sz resident_at(struct vas_fixture *fx, __vaddr_t va)
{
	__sz r;

	uk_rcu_read_lock();
	r = uk_vma_resident(uk_vma_find(&fx->vas, va));
	uk_rcu_read_unlock();
	return r;
}

/* A 4 KiB page with data at B: creates the tables for B's 2 MiB region. */
static void setup_neighbour(struct vas_fixture *fx)
{
	map_anon_at(fx, B, P, RW, 0, "nb");
	fill(fx, B, P);
}

/* ---- Scenarios ------------------------------------------------------------ */

/* Map with REPLACE over an anon VMA, a reservation and another anon VMA,
 * cutting the first and the last (two splits, three VMAs removed). */
static void replace_setup(struct vas_fixture *fx)
{
	__vaddr_t r = B + 4 * P;

	map_anon_at(fx, B, 4 * P, RW, 0, "a");
	fill(fx, B, 4 * P);
	assert_int_equal(uk_vma_reserve(&fx->vas, &r, 4 * P), 0);
	map_anon_at(fx, B + 8 * P, 4 * P, RW, 0, "c");
	fill(fx, B + 8 * P, 4 * P);
}

static int replace_op(struct vas_fixture *fx)
{
	__vaddr_t va = B + 2 * P;

	return uk_vma_map_anon(&fx->vas, &va, 8 * P, RW, UK_VMA_MAP_REPLACE,
			       "new");
}

static int replace_populate_op(struct vas_fixture *fx)
{
	__vaddr_t va = B + 2 * P;

	return uk_vma_map_anon(&fx->vas, &va, 8 * P, RW,
			       UK_VMA_MAP_REPLACE | UK_VMA_MAP_POPULATE,
			       "new");
}

static void replace_check(struct vas_fixture *fx)
{
	check_layout(fx, (struct want[]){
		{B, B + 2 * P, RW, "a"},
		{B + 2 * P, B + 10 * P, RW, "new"},
		{B + 10 * P, B + 12 * P, RW, "c"}}, 3);
	check_fill(fx, B, 2 * P);
	check_fill(fx, B + 10 * P, 2 * P);
	check_zero(fx, B + 2 * P, 8 * P);
}

static void replace_populate_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B + 2 * P), 8 * P);
	replace_check(fx);
}

/* set_attr on the middle of a VMA: one VMA becomes three. */
static void attr_split_setup(struct vas_fixture *fx)
{
	map_anon_at(fx, B, 8 * P, RW, 0, "s");
	fill(fx, B, 8 * P);
}

static int attr_split_op(struct vas_fixture *fx)
{
	return uk_vma_set_attr(&fx->vas, B + 2 * P, 3 * P, RO, 0);
}

static void attr_split_check(struct vas_fixture *fx)
{
	char c = 0;

	check_layout(fx, (struct want[]){{B, B + 2 * P, RW, "s"},
					 {B + 2 * P, B + 5 * P, RO, "s"},
					 {B + 5 * P, B + 8 * P, RW, "s"}}, 3);
	check_fill(fx, B, 8 * P);
	assert_int_equal(uk_vas_write(&fx->vas, B + 3 * P, &c, 1), 0);
}

/* set_attr that makes three VMAs one again (merge with both sides). */
static void attr_merge_setup(struct vas_fixture *fx)
{
	attr_split_setup(fx);
	assert_int_equal(attr_split_op(fx), 0);
}

static int attr_merge_op(struct vas_fixture *fx)
{
	return uk_vma_set_attr(&fx->vas, B + 2 * P, 3 * P, RW, 0);
}

static void attr_merge_check(struct vas_fixture *fx)
{
	check_layout(fx, (struct want[]){{B, B + 8 * P, RW, "s"}}, 1);
	check_fill(fx, B, 8 * P);
	fill(fx, B + 3 * P, P);
}

/* Populate 2 MiB pages next to a resident 4 KiB page (in the 1 GiB region
 * whose tables exist: no table page needed). */
static int pop2m_near_op(struct vas_fixture *fx)
{
	__vaddr_t va = B + 2 * MB;

	return uk_vma_map_anon(&fx->vas, &va, 4 * MB, RW,
			       UK_VMA_MAP_SIZE_2MB | UK_VMA_MAP_POPULATE,
			       "big");
}

static void pop2m_near_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B + 2 * MB), 4 * MB);
	check_fill(fx, B, P);
	check_zero(fx, B + 2 * MB + 3 * P, 64);
	fill(fx, B + 5 * MB, 3 * P);
}

/* The same in a 1 GiB region with no level-1 table yet. */
static int pop2m_far_op(struct vas_fixture *fx)
{
	__vaddr_t va = B + GB;

	return uk_vma_map_anon(&fx->vas, &va, 4 * MB, RW,
			       UK_VMA_MAP_SIZE_2MB | UK_VMA_MAP_POPULATE,
			       "big");
}

static void pop2m_far_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B + GB), 4 * MB);
	check_fill(fx, B, P);
}

/* 2 MiB pages over an empty 4 KiB table left by an earlier partial unmap:
 * map drops the stale table before it can install large leaves. */
static void stale_setup(struct vas_fixture *fx)
{
	setup_neighbour(fx);
	map_anon_at(fx, B + 2 * MB, P, RW, 0, "tmp");
	fill(fx, B + 2 * MB, P);
	assert_int_equal(uk_vma_unmap(&fx->vas, B + 2 * MB, P, 0), 0);
}

/* A stack with its premapped part, placed first fit after a page. */
static int stack_op(struct vas_fixture *fx)
{
	__vaddr_t va = __VADDR_ANY;

	return uk_vma_map_stack(&fx->vas, &va, 16 * P, 0, "stack", 4 * P);
}

static void stack_check(struct vas_fixture *fx)
{
	__vaddr_t top = B + P + P + 16 * P; /* after nb and the guard */

	assert_int_equal(resident_at(fx, B + 2 * P), 4 * P);
	check_zero(fx, top - 4 * P, 4 * P);
	check_fill(fx, B, P);
}

/* A stack at a fixed address in a 1 GiB region with no tables. */
static int stack_far_op(struct vas_fixture *fx)
{
	__vaddr_t va = B + GB; /* the VMA's start */

	return uk_vma_map_stack(&fx->vas, &va, 16 * P, 0, "stack", 4 * P);
}

static void stack_far_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B + GB), 4 * P);
}

/* A private file mapping from offset P, populated (file reads). */
static int file_pop_op(struct vas_fixture *fx)
{
	__vaddr_t va = B + 16 * P;

	return uk_vma_map_file(&fx->vas, &va, 2 * P, RW, UK_VMA_MAP_POPULATE,
			       file_fd, P);
}

static void check_file_bytes(struct vas_fixture *fx, __vaddr_t va,
			     __sz off, __sz len)
{
	unsigned char buf[64];
	__sz i;

	assert_true(len <= sizeof(buf));
	assert_int_equal(uk_vas_read(&fx->vas, va, buf, len), len);
	for (i = 0; i < len; i++)
		assert_int_equal(buf[i], off + i < FILE_LEN
						 ? file_byte(off + i) : 0);
}

static void file_pop_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B + 16 * P), 2 * P);
	check_file_bytes(fx, B + 16 * P, P, 64);
	check_file_bytes(fx, B + 17 * P + P / 2 - 32, P + P + P / 2 - 32, 64);
	check_fill(fx, B, P);
}

/* A fault on a file page (file read, frame; tables exist). */
static void file_fault_setup(struct vas_fixture *fx)
{
	__vaddr_t va = B + 16 * P;

	setup_neighbour(fx);
	assert_int_equal(uk_vma_map_file(&fx->vas, &va, 3 * P, RW, 0,
					 file_fd, 0), 0);
	/* One page resident and written (private copy). */
	fill(fx, B + 17 * P, P);
}

static int file_fault_op(struct vas_fixture *fx)
{
	return uk_vas_fault(&fx->vas, B + 16 * P + 5, UK_VMA_FAULT_READ);
}

static void file_fault_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B + 16 * P), 2 * P);
	check_file_bytes(fx, B + 16 * P, 0, 64);
	check_fill(fx, B + 17 * P, P);
}

/* Unmap the middle of a VMA: one VMA becomes two. */
static int unmap_split_op(struct vas_fixture *fx)
{
	return uk_vma_unmap(&fx->vas, B + 3 * P, 2 * P, 0);
}

static void unmap_split_check(struct vas_fixture *fx)
{
	char c;

	check_layout(fx, (struct want[]){{B, B + 3 * P, RW, "s"},
					 {B + 5 * P, B + 8 * P, RW, "s"}}, 2);
	check_fill(fx, B, 3 * P);
	check_fill(fx, B + 5 * P, 3 * P);
	assert_int_equal(uk_vas_read(&fx->vas, B + 4 * P, &c, 1), 0);
}

/* Map into the hole between two compatible VMAs: all three merge. */
static void merge_setup(struct vas_fixture *fx)
{
	map_anon_at(fx, B, 4 * P, RW, 0, "m");
	fill(fx, B, 4 * P);
	map_anon_at(fx, B + 6 * P, 4 * P, RW, 0, "m");
	fill(fx, B + 6 * P, 4 * P);
}

static int merge_op(struct vas_fixture *fx)
{
	__vaddr_t va = B + 4 * P;

	return uk_vma_map_anon(&fx->vas, &va, 2 * P, RW, 0, "m");
}

static void merge_check(struct vas_fixture *fx)
{
	check_layout(fx, (struct want[]){{B, B + 10 * P, RW, "m"}}, 1);
	check_fill(fx, B, 4 * P);
	check_fill(fx, B + 6 * P, 4 * P);
	check_zero(fx, B + 4 * P, 2 * P);
}

/* WILLNEED over a VMA with two resident pages (tables exist). */
static void willneed_setup(struct vas_fixture *fx)
{
	map_anon_at(fx, B, 8 * P, RW, 0, "w");
	fill(fx, B, 2 * P);
}

static int willneed_op(struct vas_fixture *fx)
{
	return uk_vma_advise(&fx->vas, B, 8 * P, UK_VMA_ADV_WILLNEED, 0);
}

static void willneed_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B), 8 * P);
	check_fill(fx, B, 2 * P);
	check_zero(fx, B + 2 * P, 6 * P);
}

/* WILLNEED over parts of two VMAs of different rights. */
static void willneed2_setup(struct vas_fixture *fx)
{
	map_anon_at(fx, B, 4 * P, RW, 0, "w");
	fill(fx, B, P);
	map_anon_at(fx, B + 4 * P, 4 * P, RO, 0, "r");
}

static int willneed2_op(struct vas_fixture *fx)
{
	return uk_vma_advise(&fx->vas, B + 2 * P, 5 * P, UK_VMA_ADV_WILLNEED,
			     0);
}

static void willneed2_check(struct vas_fixture *fx)
{
	__paddr_t pa;

	assert_int_equal(resident_at(fx, B), 3 * P);
	assert_int_equal(resident_at(fx, B + 4 * P), 3 * P);
	assert_int_equal(uk_vas_translate(&fx->vas, B + 6 * P,
					  UK_VMA_FAULT_READ, &pa), 0);
	assert_int_equal(uk_vas_translate(&fx->vas, B + 6 * P,
					  UK_VMA_FAULT_WRITE, &pa), -EFAULT);
	check_fill(fx, B, P);
}

/* WILLNEED across a 2 MiB boundary into a region with no 4 KiB table. */
static void willneed_far_setup(struct vas_fixture *fx)
{
	map_anon_at(fx, B + 2 * MB - 2 * P, 4 * P, RW, 0, "w");
	fill(fx, B + 2 * MB - 2 * P, P);
}

static int willneed_far_op(struct vas_fixture *fx)
{
	return uk_vma_advise(&fx->vas, B + 2 * MB - 2 * P, 4 * P,
			     UK_VMA_ADV_WILLNEED, 0);
}

static void willneed_far_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B + 2 * MB), 4 * P);
	check_fill(fx, B + 2 * MB - 2 * P, P);
}

/* DONTNEED the middle of a resident VMA. */
static int dontneed_op(struct vas_fixture *fx)
{
	return uk_vma_advise(&fx->vas, B + 2 * P, 4 * P, UK_VMA_ADV_DONTNEED,
			     0);
}

static void dontneed_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B), 4 * P);
	check_fill(fx, B, 2 * P);
	check_fill(fx, B + 6 * P, 2 * P);
	check_zero(fx, B + 2 * P, 4 * P);
}

/* A write fault next to a resident page (frame only). */
static void fault_near_setup(struct vas_fixture *fx)
{
	map_anon_at(fx, B, 8 * P, RW, 0, "f");
	fill(fx, B, P);
}

static int fault_near_op(struct vas_fixture *fx)
{
	return uk_vas_fault(&fx->vas, B + 5 * P, UK_VMA_FAULT_WRITE);
}

static void fault_near_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B), 2 * P);
	check_fill(fx, B, P);
	check_zero(fx, B + 5 * P, P);
}

/* A write fault in a 1 GiB region with no tables (frame, two tables). */
static void fault_far_setup(struct vas_fixture *fx)
{
	setup_neighbour(fx);
	map_anon_at(fx, B + GB, 8 * P, RW, 0, "f");
}

static int fault_far_op(struct vas_fixture *fx)
{
	return uk_vas_fault(&fx->vas, B + GB + 5 * P, UK_VMA_FAULT_WRITE);
}

static void fault_far_check(struct vas_fixture *fx)
{
	assert_int_equal(resident_at(fx, B + GB), P);
	check_zero(fx, B + GB + 5 * P, P);
	check_fill(fx, B, P);
}

/* Direct-mapped memory, populated, next to a resident page. */
static __paddr_t dma_pa;

static void dma_setup(struct vas_fixture *fx)
{
	setup_neighbour(fx);
	dma_pa = uk_falloc(fx->fa, 8);
	assert_int_not_equal(dma_pa, __PADDR_INV);
	memset(ukplat_page_kptr(&fx->pt, dma_pa, 8, 0), 0x77, 8 * P);
}

static int dma_op(struct vas_fixture *fx)
{
	__vaddr_t va = B + 16 * P;

	return uk_vma_map_dma(&fx->vas, &va, 8 * P, RW, UK_VMA_MAP_POPULATE,
			      "dma", dma_pa);
}

static void dma_check(struct vas_fixture *fx)
{
	__paddr_t pa;

	assert_int_equal(uk_vas_translate(&fx->vas, B + 19 * P,
					  UK_VMA_FAULT_WRITE, &pa), 0);
	assert_int_equal(pa, dma_pa + 3 * P);
	/* Unmap keeps the frames; give them back so teardown balances. */
	assert_int_equal(uk_vma_unmap(&fx->vas, B + 16 * P, 8 * P, 0), 0);
	uk_rcu_barrier();
	assert_int_equal(uk_ffree(fx->fa, dma_pa, 8), 0);
}

static const struct scenario scenarios[] = {
#define SC(n, s, o, c, g) {.name = n, .setup = s, .op = o, .check_ok = c}
	SC("map_replace", replace_setup, replace_op, replace_check, false),
	SC("map_replace_populate", replace_setup, replace_populate_op,
	   replace_populate_check, false),
	SC("set_attr_split", attr_split_setup, attr_split_op,
	   attr_split_check, false),
	SC("set_attr_merge", attr_merge_setup, attr_merge_op,
	   attr_merge_check, false),
	SC("populate_2m", setup_neighbour, pop2m_near_op, pop2m_near_check,
	   false),
	SC("populate_2m_new_table", setup_neighbour, pop2m_far_op,
	   pop2m_far_check, true),
	SC("populate_2m_stale_table", stale_setup, pop2m_near_op,
	   pop2m_near_check, false),
	SC("stack_premapped", setup_neighbour, stack_op, stack_check, false),
	SC("stack_new_table", setup_neighbour, stack_far_op, stack_far_check,
	   true),
	SC("file_map_populate", setup_neighbour, file_pop_op, file_pop_check,
	   false),
	SC("file_fault", file_fault_setup, file_fault_op, file_fault_check,
	   false),
	SC("unmap_split", attr_split_setup, unmap_split_op, unmap_split_check,
	   false),
	SC("merge_on_map", merge_setup, merge_op, merge_check, false),
	SC("willneed", willneed_setup, willneed_op, willneed_check, false),
	SC("willneed_two_vmas", willneed2_setup, willneed2_op,
	   willneed2_check, false),
	SC("willneed_new_table", willneed_far_setup, willneed_far_op,
	   willneed_far_check, true),
	SC("dontneed", attr_split_setup, dontneed_op, dontneed_check, false),
	SC("fault", fault_near_setup, fault_near_op, fault_near_check, false),
	SC("fault_new_tables", fault_far_setup, fault_far_op, fault_far_check,
	   false),
	SC("dma_populate", dma_setup, dma_op, dma_check, false),
#undef SC
};

static void test_scenario(void **state)
{
	run_scenario(*state);
}

static int file_setup(void **state)
{
	unsigned char buf[FILE_LEN];
	__sz i;

	(void)state;
	snprintf(file_path, sizeof(file_path), "/tmp/ukvmem-inject-XXXXXX");
	file_fd = mkstemp(file_path);
	if (file_fd < 0)
		return -1;
	for (i = 0; i < FILE_LEN; i++)
		buf[i] = file_byte(i);
	if (write(file_fd, buf, FILE_LEN) != (ssize_t)FILE_LEN)
		return -1;
	return 0;
}

static int file_teardown(void **state)
{
	(void)state;
	close(file_fd);
	unlink(file_path);
	return 0;
}

int main(void)
{
	struct CMUnitTest tests[sizeof(scenarios) / sizeof(scenarios[0])];
	size_t i;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		tests[i] = (struct CMUnitTest){
			.name = scenarios[i].name,
			.test_func = test_scenario,
			.initial_state = (void *)(uintptr_t)&scenarios[i],
		};
	return cmocka_run_group_tests_name("inject", tests, file_setup,
					   file_teardown);
}
