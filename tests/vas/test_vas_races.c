/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The races of docs/design.md, each forced deterministically: a fault is
 * paused inside its window (after it found its VMA and got a frame, before
 * the install CAS) while a writer changes the VMA, then released. Run under
 * ThreadSanitizer in `make test`.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "fixture.h"
#include "atomic.h"
#include "vas/vas_internal.h"

#define BASE UK_VAS_VMA_BASE

static struct vas_fixture *fx;
static _Atomic int paused, released;
/* A TLB hook (pausing_flush) holds the writer inside its shootdown. */
static _Atomic int in_flush, flush_go;
static _Atomic __vaddr_t pause_at;

static void window_hook(struct uk_vas *vas, __vaddr_t vaddr)
{
	(void)vas;
	if (vaddr != uk_load_acquire(&pause_at))
		return;
	uk_store_release(&paused, 1);
	while (!uk_load_acquire(&released))
		sched_yield();
}

struct fault_arg {
	__vaddr_t va;
	unsigned int type;
	int rc;
};

static void *fault_thread(void *p)
{
	struct fault_arg *a = p;

	a->rc = uk_vas_fault(&fx->vas, a->va, a->type);
	return NULL;
}

/* Start a fault at @va and wait until it sits in its window. */
static pthread_t start_paused_fault(struct fault_arg *a)
{
	pthread_t t;

	uk_store_relaxed(&paused, 0);
	uk_store_relaxed(&released, 0);
	uk_store_release(&pause_at, a->va);
	uk_store_release(&vas_fault_window_hook, window_hook);
	assert_int_equal(pthread_create(&t, NULL, fault_thread, a), 0);
	while (!uk_load_acquire(&paused))
		sched_yield();
	return t;
}

static void release_fault(void)
{
	uk_store_release(&vas_fault_window_hook, NULL);
	uk_store_release(&released, 1);
}

/* Wait until lookups see what the writer published. */
static void wait_for_vma(__vaddr_t va, bool present)
{
	for (;;) {
		bool found;

		uk_rcu_read_lock();
		found = uk_vma_find(&fx->vas, va) != NULL;
		uk_rcu_read_unlock();
		if (found == present)
			return;
		sched_yield();
	}
}

/* Wait until lookups find the REPLACE's new VMA at BASE (its name is only
 * read inside the read section that found it). */
static void wait_for_new_vma(void)
{
	bool found;

	do {
		const struct uk_vma *vma;

		sched_yield();
		uk_rcu_read_lock();
		vma = uk_vma_find(&fx->vas, BASE);
		found = vma && vma->name && strcmp(vma->name, "new") == 0;
		uk_rcu_read_unlock();
	} while (!found);
}

static int setup(void **state)
{
	(void)state;
	fx = calloc(1, sizeof(*fx));
	return vas_fixture_init(fx, 1UL << 30);
}

static int teardown(void **state)
{
	(void)state;
	/* A failed assertion may have left a writer in a paused flush. */
	uk_store_release(&flush_go, 1);
	ukplat_set_tlb_flush(NULL);
	assert_int_equal(vas_fixture_fini(fx), 0);
	free(fx);
	return 0;
}

struct writer_arg {
	int op;
	int rc;
	_Atomic int done; /* the call returned (the thread may still be
			   * exiting: with ck_epoch that flushes its
			   * callbacks, which waits for the paused fault) */
};

enum { W_UNMAP, W_RDONLY, W_REPLACE, W_DONTNEED, W_DEVICE };

static void *writer_thread(void *p)
{
	struct writer_arg *w = p;
	__vaddr_t va = BASE;

	switch (w->op) {
	case W_UNMAP:
		w->rc = uk_vma_unmap(&fx->vas, BASE, 4 * PAGE_SIZE, 0);
		break;
	case W_RDONLY:
		w->rc = uk_vma_set_attr(&fx->vas, BASE, 4 * PAGE_SIZE,
					PAGE_ATTR_PROT_READ, 0);
		break;
	case W_REPLACE:
		w->rc = uk_vma_map_anon(&fx->vas, &va, 4 * PAGE_SIZE,
					PAGE_ATTR_PROT_RW, UK_VMA_MAP_REPLACE,
					"new");
		break;
	case W_DEVICE:
		w->rc = uk_vma_set_attr(&fx->vas, BASE, 4 * PAGE_SIZE,
					PAGE_ATTR_PROT_RW |
						PAGE_ATTR_TYPE_DEVICE,
					0);
		break;
	default:
		w->rc = uk_vma_advise(&fx->vas, BASE, 4 * PAGE_SIZE,
				      UK_VMA_ADV_DONTNEED, 0);
	}
	uk_store_release(&w->done, 1);
	return NULL;
}

static void map_old(void)
{
	__vaddr_t va = BASE;

	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 4 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "old"), 0);
}

/* Fault vs unmap: the paused fault installs after the VMA is gone from
 * the tree; the writer's grace period waits for it and removes it. */
static void test_fault_vs_unmap(void **state)
{
	struct fault_arg f = {BASE + PAGE_SIZE, UK_VMA_FAULT_WRITE, -1};
	struct writer_arg w = {W_UNMAP, -1, 0};
	pthread_t ft, wt;

	(void)state;
	map_old();
	ft = start_paused_fault(&f);
	assert_int_equal(pthread_create(&wt, NULL, writer_thread, &w), 0);
	wait_for_vma(BASE, false);
	release_fault();
	pthread_join(ft, NULL);
	pthread_join(wt, NULL);
	assert_int_equal(f.rc, 0);
	assert_int_equal(w.rc, 0);
	/* No PTE outside a live VMA; teardown checks no frame leaked. */
	assert_int_equal(vas_fixture_check(fx), 0);
}

/* Fault vs set_attr: the paused fault installs a writable PTE for the
 * old VMA; after set_attr returns, no PTE may be writable. */
static void test_fault_vs_set_attr(void **state)
{
	struct fault_arg f = {BASE, UK_VMA_FAULT_WRITE, -1};
	struct writer_arg w = {W_RDONLY, -1, 0};
	__paddr_t pa;
	pthread_t ft, wt;

	(void)state;
	map_old();
	ft = start_paused_fault(&f);
	assert_int_equal(pthread_create(&wt, NULL, writer_thread, &w), 0);
	for (;;) { /* wait for the new (read-only) VMA */
		unsigned long attr;

		uk_rcu_read_lock();
		attr = uk_vma_find(&fx->vas, BASE)->attr;
		uk_rcu_read_unlock();
		if (attr == PAGE_ATTR_PROT_READ)
			break;
		sched_yield();
	}
	release_fault();
	pthread_join(ft, NULL);
	pthread_join(wt, NULL);
	assert_int_equal(w.rc, 0);
	assert_int_equal(uk_vas_translate(&fx->vas, BASE, UK_VMA_FAULT_WRITE,
					  &pa), -EFAULT);
	assert_int_equal(uk_vas_translate(&fx->vas, BASE, UK_VMA_FAULT_READ,
					  &pa), 0);
	assert_int_equal(vas_fixture_check(fx), 0);
}

/* Fault vs REPLACE: the old VMA's paused fault installs a stale frame;
 * the writer removes it before the new VMA goes live, so a write made
 * after map returns lands in the new VMA's own frame and stays. */
static void test_fault_vs_replace(void **state)
{
	struct fault_arg f = {BASE, UK_VMA_FAULT_WRITE, -1};
	struct writer_arg w = {W_REPLACE, -1, 0};
	char buf[4] = {0};
	pthread_t ft, wt;

	(void)state;
	map_old();
	ft = start_paused_fault(&f);
	assert_int_equal(pthread_create(&wt, NULL, writer_thread, &w), 0);
	wait_for_new_vma(); /* published PENDING */
	release_fault();
	pthread_join(ft, NULL);
	pthread_join(wt, NULL);
	assert_int_equal(w.rc, 0);
	assert_int_equal(uk_vas_write(&fx->vas, BASE, "new", 4), 4);
	assert_int_equal(uk_vas_read(&fx->vas, BASE, buf, 4), 4);
	assert_string_equal(buf, "new");
	assert_int_equal(vas_fixture_check(fx), 0);
}

/* Map the old VMA, pause a fault of it, start a REPLACE and wait until
 * its new VMA is published PENDING: the paused fault holds the writer in
 * its grace period. */
static void start_pending_replace(struct fault_arg *old_f,
				  struct writer_arg *w, pthread_t *ft,
				  pthread_t *wt)
{
	map_old();
	*ft = start_paused_fault(old_f);
	assert_int_equal(pthread_create(wt, NULL, writer_thread, w), 0);
	wait_for_new_vma();
}

/* A fault that meets the PENDING VMA of a REPLACE in progress waits for
 * the writer and then pages in the new VMA: its PTE is never one the
 * writer removes afterwards. */
static void test_fault_waits_for_pending(void **state)
{
	struct fault_arg old_f = {BASE, UK_VMA_FAULT_WRITE, -1};
	struct fault_arg new_f = {BASE + PAGE_SIZE, UK_VMA_FAULT_WRITE, -1};
	struct writer_arg w = {W_REPLACE, -1, 0};
	pthread_t ft, wt, nt;
	char c = 1;

	(void)state;
	start_pending_replace(&old_f, &w, &ft, &wt);
	/* This fault finds the new VMA PENDING: it must wait. */
	uk_store_release(&vas_fault_window_hook, NULL);
	assert_int_equal(pthread_create(&nt, NULL, fault_thread, &new_f), 0);
	usleep(20000);
	assert_int_equal(uk_vas_translate(&fx->vas, BASE + PAGE_SIZE,
					  UK_VMA_FAULT_READ, &(__paddr_t){0}),
			 -EFAULT);
	uk_store_release(&released, 1);
	pthread_join(ft, NULL);
	pthread_join(wt, NULL);
	pthread_join(nt, NULL);
	assert_int_equal(w.rc, 0);
	assert_int_equal(new_f.rc, 0);
	/* The waiting fault's page survived the writer: it is the new
	 * VMA's, zero-filled. */
	assert_int_equal(uk_vas_read(&fx->vas, BASE + PAGE_SIZE, &c, 1), 1);
	assert_int_equal(c, 0);
	assert_int_equal(vas_fixture_check(fx), 0);
}

/* DONTNEED vs fault: the paused fault installs after DONTNEED emptied the
 * range; its page is valid and the dropped one was freed exactly once. */
static void test_dontneed_vs_fault(void **state)
{
	struct fault_arg f = {BASE, UK_VMA_FAULT_WRITE, -1};
	struct writer_arg w = {W_DONTNEED, -1, 0};
	pthread_t ft, wt;
	char c = 0;

	(void)state;
	map_old();
	assert_int_equal(uk_vas_write(&fx->vas, BASE + PAGE_SIZE, "x", 1), 1);
	ft = start_paused_fault(&f);
	assert_int_equal(pthread_create(&wt, NULL, writer_thread, &w), 0);
	/* DONTNEED returns while the fault is still paused: it needs no
	 * grace period. */
	while (!uk_load_acquire(&w.done))
		sched_yield();
	release_fault();
	pthread_join(ft, NULL);
	pthread_join(wt, NULL);
	assert_int_equal(w.rc, 0);
	assert_int_equal(f.rc, 0);
	/* The fault's page is a fresh zero page; the other was dropped. */
	assert_int_equal(uk_vas_read(&fx->vas, BASE + PAGE_SIZE, &c, 1), 1);
	assert_int_equal(c, 0);
	assert_int_equal(vas_fixture_check(fx), 0);
}

/* Fault vs fault (and populate): many threads fault the same pages;
 * exactly one frame per page stays, the rest go back. */
struct same_arg {
	_Atomic int *go;
	int fails;
};

static void *same_page_thread(void *p)
{
	struct same_arg *a = p;
	int i;

	while (!uk_load_acquire(a->go))
		;
	for (i = 0; i < 64; i++)
		if (uk_vas_fault(&fx->vas, BASE + (unsigned long)i * PAGE_SIZE,
				 UK_VMA_FAULT_WRITE))
			a->fails++;
	return NULL;
}

static void test_fault_vs_fault(void **state)
{
	struct same_arg a[4];
	_Atomic int go = 0;
	pthread_t t[4];
	__vaddr_t va = BASE;
	int i, round;

	(void)state;
	assert_int_equal(uk_vma_map_anon(&fx->vas, &va, 64 * PAGE_SIZE,
					 PAGE_ATTR_PROT_RW, 0, "same"), 0);
	for (round = 0; round < 20; round++) {
		uk_store_relaxed(&go, 0);
		for (i = 0; i < 4; i++) {
			a[i] = (struct same_arg){&go, 0};
			pthread_create(&t[i], NULL, same_page_thread, &a[i]);
		}
		uk_store_release(&go, 1);
		/* Populate races the faults over the same pages. */
		assert_int_equal(uk_vma_advise(&fx->vas, BASE, 64 * PAGE_SIZE,
					       UK_VMA_ADV_WILLNEED, 0), 0);
		for (i = 0; i < 4; i++) {
			pthread_join(t[i], NULL);
			assert_int_equal(a[i].fails, 0);
		}
		assert_int_equal(vas_fixture_check(fx), 0);
		uk_rcu_barrier();
		assert_int_equal(vas_fixture_frames_used(fx),
				 (uk_load_relaxed(&fx->pt.nr_tables) + 64) *
					 PAGE_SIZE);
		assert_int_equal(uk_vma_advise(&fx->vas, BASE, 64 * PAGE_SIZE,
					       UK_VMA_ADV_DONTNEED, 0), 0);
	}
}

/* A fault that cannot sleep (UK_VMA_FAULT_NOWAIT, or a caller inside a
 * read section) gets -EAGAIN from a PENDING VMA instead of waiting. */
static void test_nowait_vs_pending(void **state)
{
	struct fault_arg old_f = {BASE, UK_VMA_FAULT_WRITE, -1};
	struct writer_arg w = {W_REPLACE, -1, 0};
	pthread_t ft, wt;

	(void)state;
	start_pending_replace(&old_f, &w, &ft, &wt);
	uk_store_release(&vas_fault_window_hook, NULL);
	assert_int_equal(uk_vas_fault(&fx->vas, BASE + PAGE_SIZE,
				      UK_VMA_FAULT_WRITE | UK_VMA_FAULT_NOWAIT),
			 -EAGAIN);
	/* the trap handler's form (a write to a page with no translation) */
	assert_int_equal(uk_vas_fault_hw_nowait(&fx->vas, BASE + PAGE_SIZE,
						strcmp(ukplat_pt_format(),
						       "arm64") == 0
							? 0x92000047UL
							: 0x2UL),
			 -EAGAIN);
	/* Waiting here would deadlock with the writer's grace period. */
	uk_rcu_read_lock();
	assert_int_equal(uk_vas_fault(&fx->vas, BASE + PAGE_SIZE,
				      UK_VMA_FAULT_WRITE),
			 -EAGAIN);
	uk_rcu_read_unlock();
	assert_false(uk_load_acquire(&w.done));
	uk_store_release(&released, 1);
	pthread_join(ft, NULL);
	pthread_join(wt, NULL);
	assert_int_equal(w.rc, 0);
	assert_int_equal(uk_vas_fault(&fx->vas, BASE + PAGE_SIZE,
				      UK_VMA_FAULT_WRITE | UK_VMA_FAULT_NOWAIT),
			 0);
	assert_int_equal(vas_fixture_check(fx), 0);
}


static void pausing_flush(const struct uk_tlb_flush_req *req)
{
	(void)req;
	uk_store_release(&in_flush, 1);
	while (!uk_load_acquire(&flush_go))
		sched_yield();
}

struct waiting_fault {
	struct fault_arg f;
	_Atomic int done;
};

static void *waiting_fault_thread(void *p)
{
	struct waiting_fault *wf = p;

	wf->f.rc = uk_vas_fault(&fx->vas, wf->f.va, wf->f.type);
	uk_store_release(&wf->done, 1);
	return NULL;
}

/*
 * Break-before-make seen from a fault: while the writer (DONTNEED, or a
 * set_attr changing the memory type) waits in its shootdown, the entry is
 * broken; a NOWAIT fault gets -EAGAIN, a sleeping fault waits for the
 * writer and then finds the made entry. Neither installs a new entry
 * before the flush returned.
 */
static void bbm_case(int op, unsigned long want_attr)
{
	struct writer_arg w = {op, -1, 0};
	struct waiting_fault wf = {{BASE, UK_VMA_FAULT_WRITE, -1}, 0};
	unsigned int level;
	pthread_t wt, ft;
	__pte_t pte;

	map_old();
	assert_int_equal(uk_vas_write(&fx->vas, BASE, "x", 1), 1);
	uk_store_relaxed(&in_flush, 0);
	uk_store_relaxed(&flush_go, 0);
	ukplat_set_tlb_flush(pausing_flush);
	assert_int_equal(pthread_create(&wt, NULL, writer_thread, &w), 0);
	while (!uk_load_acquire(&in_flush))
		sched_yield();
	/* the break: hardware-invalid, frame kept */
	assert_int_equal(ukplat_pt_lookup(&fx->pt, BASE, &level, &pte), 0);
	assert_int_equal(ukplat_pte_attr(pte) & PAGE_ATTR_PROT_MASK,
			 PAGE_ATTR_PROT_NONE);
	assert_int_equal(uk_vas_fault(&fx->vas, BASE,
				      UK_VMA_FAULT_WRITE | UK_VMA_FAULT_NOWAIT),
			 -EAGAIN);
	assert_int_equal(pthread_create(&ft, NULL, waiting_fault_thread, &wf),
			 0);
	usleep(20000);
	assert_false(uk_load_acquire(&wf.done));
	assert_int_equal(ukplat_pt_lookup(&fx->pt, BASE, &level, &pte), 0);
	assert_int_equal(ukplat_pte_attr(pte) & PAGE_ATTR_PROT_MASK,
			 PAGE_ATTR_PROT_NONE);
	uk_store_release(&flush_go, 1);
	pthread_join(wt, NULL);
	pthread_join(ft, NULL);
	ukplat_set_tlb_flush(NULL);
	assert_int_equal(w.rc, 0);
	assert_int_equal(wf.f.rc, 0);
	assert_int_equal(ukplat_pt_lookup(&fx->pt, BASE, &level, &pte), 0);
	assert_int_equal(ukplat_pte_attr(pte), want_attr);
	assert_int_equal(vas_fixture_check(fx), 0);
}

static void test_fault_vs_dontneed_bbm(void **state)
{
	char c = 1;

	(void)state;
	bbm_case(W_DONTNEED, PAGE_ATTR_PROT_RW);
	/* the waiting fault got a fresh page after the drop */
	assert_int_equal(uk_vas_read(&fx->vas, BASE, &c, 1), 1);
	assert_int_equal(c, 0);
}

static void test_fault_vs_type_change_bbm(void **state)
{
	char c = 0;

	(void)state;
	bbm_case(W_DEVICE, PAGE_ATTR_PROT_RW | PAGE_ATTR_TYPE_DEVICE);
	/* same frame: the data stayed */
	assert_int_equal(uk_vas_read(&fx->vas, BASE, &c, 1), 1);
	assert_int_equal(c, 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_fault_vs_unmap),
		T(test_fault_vs_set_attr),
		T(test_fault_vs_replace),
		T(test_fault_waits_for_pending),
		T(test_dontneed_vs_fault),
		T(test_fault_vs_fault),
		T(test_nowait_vs_pending),
		T(test_fault_vs_dontneed_bbm),
		T(test_fault_vs_type_change_bbm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
