/* SPDX-License-Identifier: BSD-3-Clause */
/* The reference model's byte store (model_mem.c), private to the model. */
#ifndef UK_MODEL_MEM_H
#define UK_MODEL_MEM_H

#include "model.h"

int mmem_init(struct model *m);
void mmem_fini(struct model *m);
/* Pages of [s, e) inside the window go back to their clean contents. */
void mmem_drop(struct model *m, __vaddr_t s, __vaddr_t e);
/* The DMA pool reads as zeros again (the driver zeroes the real one). */
void mmem_reset_dma(struct model *m);

#endif
