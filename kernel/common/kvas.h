/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel's one VAS: frames, page table, address space. */
#ifndef KVAS_H
#define KVAS_H

#include <stdatomic.h>
#include <uk/vmem.h>
#include <uk/vma_types.h>
#include <uk/falloc.h>
#include <uk/physmem.h>
#include "kernel.h"

extern struct uk_vas kvas;
extern struct uk_falloc *kfa;
extern struct uk_pagetable kpt;

/* Boot CPU: frames over [start, end), the page table, the VAS. */
void kvas_setup(__paddr_t start, __paddr_t end);
/* Every CPU: load the VAS root. */
void kvas_cpu_enter(void);
/* Every CPU, at the end: back to the kernel's own tables. */
void kvas_cpu_leave(void);
/* Boot CPU, once every CPU left: destroy the VAS and the page table and
 * check that every frame came back. Returns the failed checks. */
unsigned int kvas_teardown(void);
/* Boot CPU, at the end: per-CPU fault and shootdown counts. */
void kvas_report(void);

#endif /* KVAS_H */
