/* vmm/io.h - the guest's port I/O (vmm/io.c). VMX root, IF=0. */
#ifndef VMM_IO_H
#define VMM_IO_H

#include "vcpu.h"

/* Handle an I/O-instruction exit: a device model, or the documented
 * default for ports with no device (reads all ones, writes dropped). */
enum exit_action io_handle(struct vcpu *v);

#endif
