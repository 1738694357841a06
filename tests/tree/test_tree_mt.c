/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtree under concurrency: two reader threads check snapshots while a
 * writer commits (and sometimes aborts) thousands of transactions.
 *
 * The writer's invariant: the address range is cut into slots; a slot is
 * empty or holds a pair of entries, [b, b + a) and [b + 8P, b + 8P + c)
 * (1 <= a, c <= 7 pages), always inserted and erased in one transaction.
 * Each item encodes its own start and end. Before each commit the writer
 * marks the entry count it is about to publish.
 *
 * Each reader, inside uk_rcu_read_lock, takes a snapshot and checks:
 *  - iteration is strictly ordered, every item matches its entry, entries
 *    come in complete pairs, vt_count equals the iterated count and that
 *    count was marked by the writer before it published it;
 *  - random lookups / prev / find_gap agree with the snapshot;
 *  - now and then the full vt_validate on the snapshot.
 * Readers only count errors (and keep the first message); the main thread
 * asserts after joining. Sized down under ThreadSanitizer.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <uk/plat.h>
#include "tree/vtree.h"

#if defined(__SANITIZE_THREAD__)
#define VT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VT_TSAN 1
#endif
#endif
#ifdef VT_TSAN
#define WRITER_TXNS 20000
#elif defined(__SANITIZE_ADDRESS__)
#define WRITER_TXNS 30000
#else
#define WRITER_TXNS 100000
#endif

#define P PAGE_SIZE
#define SLOTS 256
#define SLOT_SIZE (16 * P)
#define NREADERS 2
#define BASE (1UL << 36)

static struct vt_tree tree;
static atomic_bool stop;
static atomic_bool count_seen[2 * SLOTS + 1];
static atomic_long errors;
static atomic_long snapshots;
static atomic_flag msg_taken = ATOMIC_FLAG_INIT;
static char first_msg[256];

static void *item_of(__vaddr_t s, __vaddr_t e)
{
	return (void *)(uintptr_t)(((s >> 12) * 0x9e3779b1UL) ^ (e << 4) ^ 1);
}

__attribute__((format(printf, 1, 2))) static void report(const char *fmt, ...)
{
	va_list ap;

	if (!atomic_flag_test_and_set(&msg_taken)) {
		va_start(ap, fmt);
		vsnprintf(first_msg, sizeof(first_msg), fmt, ap);
		va_end(ap);
	}
	atomic_fetch_add(&errors, 1);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- Reader ------------------------------------------------------------- */

static void check_iteration(const struct vt_node *root)
{
	struct vt_entry e, first = {0, 0, NULL};
	size_t n = 0;
	__vaddr_t prev_end = 0;
	bool ok, half = false;

	for (ok = vt_first(root, &e); ok; ok = vt_next_from(root, e.end, &e)) {
		__vaddr_t off = (e.start - BASE) % SLOT_SIZE;

		if (e.start >= e.end || e.start < prev_end)
			report("order: [%#lx, %#lx) after end %#lx", e.start,
			       e.end, prev_end);
		if (e.item != item_of(e.start, e.end))
			report("item of [%#lx, %#lx)", e.start, e.end);
		if (!half) {
			if (off != 0)
				report("pair head at offset %#lx", off);
			first = e;
		} else if (off != 8 * P || e.start != first.start + 8 * P) {
			report("pair tail [%#lx) after head %#lx", e.start,
			       first.start);
		}
		half = !half;
		prev_end = e.end;
		n++;
		if (n > 2 * SLOTS) {
			report("too many entries");
			return;
		}
	}
	if (half)
		report("incomplete pair at the end");
	if (n != vt_count(root))
		report("iterated %zu, vt_count %zu", n, vt_count(root));
	if (!atomic_load_explicit(&count_seen[n], memory_order_relaxed))
		report("count %zu never committed", n);
}

static void check_random(const struct vt_node *root, uint64_t *rs)
{
	__vaddr_t a = BASE + xorshift(rs) % (SLOTS * SLOT_SIZE), g;
	struct vt_entry e, f;
	__sz len = (1 + xorshift(rs) % 12) * P;

	if (vt_lookup(root, a, &e) &&
	    (a < e.start || a >= e.end || e.item != item_of(e.start, e.end)))
		report("lookup %#lx -> [%#lx, %#lx)", a, e.start, e.end);
	if (vt_prev_before(root, a, &e) && e.start >= a)
		report("prev_before %#lx -> %#lx", a, e.start);
	if (vt_find_gap(root, a, BASE + SLOTS * SLOT_SIZE, len, P, &g) == 0) {
		if (g < a || (vt_next_from(root, g, &f) && f.start < g + len))
			report("find_gap %#lx len %#zx -> %#lx overlaps", a,
			       (size_t)len, g);
	}
}

static void *reader(void *arg)
{
	uint64_t rs = 0x12345678u + (uintptr_t)arg;
	char err[256];
	long n = 0;

	while (!atomic_load(&stop) || n < 100) {
		const struct vt_node *root;
		int i;

		uk_rcu_read_lock();
		root = vt_snapshot(&tree);
		check_iteration(root);
		for (i = 0; i < 16; i++)
			check_random(root, &rs);
		if (n % 64 == 0 &&
		    vt_validate(root, tree.lo, tree.hi, err, sizeof(err)))
			report("validate: %s", err);
		uk_rcu_read_unlock();
		n++;
	}
	atomic_fetch_add(&snapshots, n);
	return NULL;
}

/* ---- Writer ------------------------------------------------------------- */

struct slot {
	unsigned char a, c; /* pages of head / tail; 0: empty */
};

static struct slot slots[SLOTS];

static void slot_range(unsigned int k, const struct slot *sl, int which,
		       __vaddr_t *s, __vaddr_t *e)
{
	*s = BASE + k * SLOT_SIZE + (which ? 8 * P : 0);
	*e = *s + (which ? sl->c : sl->a) * P;
}

static int slot_fill(struct vt_txn *x, unsigned int k, struct slot *sl,
		     uint64_t *rs)
{
	__vaddr_t s, e;
	int w, rc;

	sl->a = (unsigned char)(1 + xorshift(rs) % 7);
	sl->c = (unsigned char)(1 + xorshift(rs) % 7);
	for (w = 0; w < 2; w++) {
		slot_range(k, sl, w, &s, &e);
		rc = vt_txn_insert(x, s, e, item_of(s, e));
		if (rc)
			return rc;
	}
	return 0;
}

static int slot_clear(struct vt_txn *x, unsigned int k, const struct slot *sl)
{
	__vaddr_t s, e;
	int w, rc;

	for (w = 0; w < 2; w++) {
		slot_range(k, sl, w, &s, &e);
		rc = vt_txn_erase(x, s);
		if (rc)
			return rc;
	}
	return 0;
}

/* Returns -1 on a writer-side failure (checked by the main thread). */
static long writer_run(long txns, size_t *count)
{
	uint64_t rs = 0xfeedface;
	struct slot next[SLOTS];
	long t, aborts = 0;

	*count = 0;
	for (t = 0; t < txns; t++) {
		unsigned int ops = 1 + (unsigned int)(xorshift(&rs) % 3), i;
		bool abort_it = xorshift(&rs) % 16 == 0;
		size_t cnt = *count;
		struct vt_txn x;

		memcpy(next, slots, sizeof(slots));
		vt_txn_begin(&x, &tree);
		for (i = 0; i < ops; i++) {
			unsigned int k = (unsigned int)(xorshift(&rs) % SLOTS);
			int rc = 0;

			if (next[k].a) {
				rc = slot_clear(&x, k, &next[k]);
				next[k].a = next[k].c = 0;
				cnt -= 2;
				/* Sometimes replace in the same txn. */
				if (!rc && xorshift(&rs) % 2) {
					rc = slot_fill(&x, k, &next[k], &rs);
					cnt += 2;
				}
			} else {
				rc = slot_fill(&x, k, &next[k], &rs);
				cnt += 2;
			}
			if (rc)
				return -1;
		}
		if (vt_count(vt_txn_root(&x)) != cnt)
			return -1;
		if (abort_it) {
			vt_txn_abort(&x);
			aborts++;
			continue;
		}
		/* Ordered before the readers' check by the commit's release. */
		atomic_store_explicit(&count_seen[cnt], true,
				      memory_order_relaxed);
		vt_txn_commit(&x);
		memcpy(slots, next, sizeof(slots));
		*count = cnt;
	}
	return aborts;
}

static void test_readers_vs_writer(void **state)
{
	pthread_t rd[NREADERS];
	char err[256];
	size_t count;
	long aborts, base;
	uintptr_t i;

	(void)state;
	uk_rcu_barrier();
	base = vt_live_nodes();
	vt_init(&tree, BASE, BASE + SLOTS * SLOT_SIZE);
	atomic_store(&count_seen[0], true); /* the empty tree */
	for (i = 0; i < NREADERS; i++)
		assert_int_equal(pthread_create(&rd[i], NULL, reader,
						(void *)i),
				 0);
	aborts = writer_run(WRITER_TXNS, &count);
	atomic_store(&stop, true);
	for (i = 0; i < NREADERS; i++)
		assert_int_equal(pthread_join(rd[i], NULL), 0);

	printf("# %d txns (%ld aborted), %ld snapshots checked, final %zu "
	       "entries, height %u\n",
	       WRITER_TXNS, aborts, atomic_load(&snapshots),
	       vt_count(vt_snapshot(&tree)), vt_height(vt_snapshot(&tree)));
	if (atomic_load(&errors))
		fail_msg("%ld reader errors, first: %s", atomic_load(&errors),
			 first_msg);
	assert_true(aborts >= 0);
	assert_int_equal(vt_count(vt_snapshot(&tree)), count);
	assert_int_equal(vt_validate(vt_snapshot(&tree), tree.lo, tree.hi, err,
				     sizeof(err)),
			 0);
	uk_rcu_barrier();
	assert_int_equal(vt_live_nodes() - base,
			 (long)vt_node_count(vt_snapshot(&tree)));
	vt_destroy(&tree);
	assert_int_equal(vt_live_nodes(), base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readers_vs_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
