/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection for tests.
 *
 * Design:
 *  - One flag, `counting`, gates everything: until a test first calls
 *    ukplat_inject_arm() (or after ukplat_inject_reset()), ukplat_inject_fail()
 *    is one relaxed load and returns false. Production code never arms, so
 *    it never pays for the shared counters.
 *  - Once counting, every call bumps calls[site] and calls[UK_INJECT_ANY]
 *    with a relaxed fetch-add. Each call gets a distinct ordinal n, so among
 *    concurrent callers exactly one sees n == target.
 *  - target[s] is the ordinal that must fail (0: disarmed). The caller that
 *    sees its ordinal equal to the target claims it with a CAS to 0, so the
 *    injected failure happens exactly once even if the counter were reset
 *    concurrently.
 *  - Arming is a test-side operation, not meant to race with itself; it
 *    disarms, resets the counter, then publishes the new target. A call
 *    running concurrently with ukplat_inject_arm() may count toward either
 *    the old or the new arming.
 * All accesses are relaxed: the counters carry no data, only ordinals.
 */
#include <assert.h>

#include <uk/plat.h>
#include "atomic.h"

static _Atomic(bool) counting;
static _Atomic(unsigned long) calls[UK_INJECT_NSITES];
static _Atomic(unsigned long) target[UK_INJECT_NSITES];

static bool inject_hit(enum uk_inject_site s)
{
	unsigned long n = uk_fetch_add_relaxed(&calls[s], 1) + 1;
	unsigned long k = uk_load_relaxed(&target[s]);

	return k != 0 && n == k &&
	       atomic_compare_exchange_strong_explicit(&target[s], &k, 0,
						       memory_order_relaxed,
						       memory_order_relaxed);
}

bool ukplat_inject_fail(enum uk_inject_site site)
{
	bool fail;

	if (UK_LIKELY(!uk_load_relaxed(&counting)))
		return false;
	assert((unsigned)site < UK_INJECT_NSITES);
	fail = inject_hit(UK_INJECT_ANY);
	if (site != UK_INJECT_ANY)
		fail |= inject_hit(site);
	return fail;
}

void ukplat_inject_arm(enum uk_inject_site site, unsigned long kth)
{
	assert((unsigned)site < UK_INJECT_NSITES);
	uk_store_relaxed(&target[site], 0UL);
	uk_store_relaxed(&calls[site], 0UL);
	uk_store_relaxed(&target[site], kth);
	uk_store_relaxed(&counting, true);
}

unsigned long ukplat_inject_calls(enum uk_inject_site site)
{
	assert((unsigned)site < UK_INJECT_NSITES);
	return uk_load_relaxed(&calls[site]);
}

void ukplat_inject_reset(void)
{
	int s;

	uk_store_relaxed(&counting, false);
	for (s = 0; s < UK_INJECT_NSITES; s++) {
		uk_store_relaxed(&target[s], 0UL);
		uk_store_relaxed(&calls[s], 0UL);
	}
}
