/*
 * tests/guests/common/mb1.h - reading Multiboot v1 information.
 */
#ifndef GUESTS_MB1_H
#define GUESTS_MB1_H

#include "guest.h"

/* Fill f from the v1 information at physical address info. */
void mb1_facts(u32 info, struct boot_facts *f);

#endif
