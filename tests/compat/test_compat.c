/* SPDX-License-Identifier: BSD-3-Clause */
/* The compatibility suite's environment and its list of tests. */
#include <stdlib.h>
#include "compat.h"
#include "tests/vas/fixture.h"

static struct vas_fixture *fx;

int compat_setup(void **state)
{
	(void)state;
	fx = calloc(1, sizeof(*fx));
	if (!fx || vas_fixture_init(fx, 64UL << 20))
		return -1;
	return uk_vas_set_active(&fx->vas);
}

int compat_teardown(void **state)
{
	(void)state;
	assert_int_equal(vas_fixture_check(fx), 0);
	/* Paging is back on after every test, whatever it did. */
	assert_true(uk_vas_paging_enabled());
	assert_int_equal(vas_fixture_fini(fx), 0);
	free(fx);
	fx = NULL;
	return 0;
}

__sz compat_resident(__vaddr_t va)
{
	const struct uk_vma *vma;
	__sz n = 0;

	uk_rcu_read_lock();
	vma = uk_vma_find(uk_vas_get_active(), va);
	if (vma)
		n = uk_vma_resident(vma);
	uk_rcu_read_unlock();
	return n;
}

int compat_mapped(__vaddr_t va)
{
	return uk_nofault_probe_r(va, 1, UK_NOFAULTF_NOPAGING) == 1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		COMPAT_TEST(test_flag_values),
		COMPAT_TEST(test_config_and_geometry),
		COMPAT_TEST(test_vma_flag_uninitialized),
		COMPAT_TEST(test_stack_down_free),
		COMPAT_TEST(test_stack_down_fixed),
		COMPAT_TEST(test_stack_up_free),
		COMPAT_TEST(test_stack_up_fixed),
		COMPAT_TEST(test_stack_premapped_capped),
		COMPAT_TEST(test_probe_continue_skips_pages),
		COMPAT_TEST(test_probe_nopaging),
		COMPAT_TEST(test_probe_continue_is_not_nopaging),
		COMPAT_TEST(test_probe_rw_modes),
		COMPAT_TEST(test_paging_savef_restoref),
		COMPAT_TEST(test_paging_state_is_per_thread),
		COMPAT_TEST(test_custom_type_default_hooks),
		COMPAT_TEST(test_custom_type_advise),
		COMPAT_TEST(test_custom_type_eskip),
		COMPAT_TEST(test_pt_walk),
		COMPAT_TEST(test_pt_walk_large_and_stop_level),
		COMPAT_TEST(test_kmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
