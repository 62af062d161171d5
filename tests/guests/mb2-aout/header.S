/*
 * tests/guests/mb2-aout/header.S - mb2 placed by the Multiboot2 address
 * tag (and entered by its entry tag) instead of by ELF program headers.
 */
#define MB2_ADDRESS_TAG
#define GUEST_NAME "mb2-aout"
#include "../mb2/header.S"
