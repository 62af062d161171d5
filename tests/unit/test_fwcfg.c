/*
 * tests/unit/test_fwcfg.c - vmm/fwcfg.c: QEMU's fw_cfg traditional
 * interface (docs/specs/fw_cfg.rst): selecting items, reading them byte
 * by byte, reads past the end, unknown and architecture-specific keys,
 * and the port front door's access widths. Host unit test.
 */
#include <string.h>

#include "env_host.h"
#include "../../vmm/fwcfg.h"

#define RAM	(2 * GiB)

static struct fwcfg f;

static int setup(void **state)
{
	(void)state;
	fwcfg_init(&f, RAM, 1);
	return 0;
}

/* Select key through the port as a guest does, read n bytes. */
static void read_item(u16 key, u8 *buf, u32 n)
{
	fwcfg_port_write(&f, FWCFG_PORT_SEL, 2, key);
	for (u32 i = 0; i < n; i++)
		buf[i] = (u8)fwcfg_port_read(&f, FWCFG_PORT_DATA, 1);
}

static u64 read_le(u16 key, u32 n)
{
	u8 b[8] = { 0 };
	u64 v = 0;

	read_item(key, b, n);
	for (u32 i = 0; i < n; i++)
		v |= (u64)b[i] << (8 * i);
	return v;
}

static void signature_reads_qemu(void **state)
{
	u8 sig[4];

	(void)state;
	read_item(FWCFG_SIGNATURE, sig, 4);
	assert_memory_equal(sig, "QEMU", 4);
}

static void signature_is_selected_at_power_on(void **state)
{
	(void)state;
	assert_int_equal(fwcfg_read(&f), 'Q');
	assert_int_equal(fwcfg_read(&f), 'E');
}

static void id_says_traditional_interface_without_dma(void **state)
{
	u64 id;

	(void)state;
	id = read_le(FWCFG_ID, 4);
	assert_int_equal(id, FWCFG_ID_TRADITIONAL);
	assert_false(id & FWCFG_ID_DMA);
}

static void cpu_counts_are_one_u16(void **state)
{
	(void)state;
	assert_int_equal(read_le(FWCFG_NB_CPUS, 2), 1);
	assert_int_equal(read_le(FWCFG_MAX_CPUS, 2), 1);
	assert_int_equal(fwcfg_read(&f), 0);	/* past the end */
}

static void ram_size_is_a_little_endian_u64(void **state)
{
	(void)state;
	assert_int_equal(read_le(FWCFG_RAM_SIZE, 8), RAM);
	fwcfg_init(&f, 0x123456789000ULL, 1);
	assert_int_equal(read_le(FWCFG_RAM_SIZE, 8), 0x123456789000ULL);
}

static void file_directory_is_empty(void **state)
{
	(void)state;
	assert_int_equal(read_le(FWCFG_FILE_DIR, 4), 0);
	assert_int_equal(fwcfg_read(&f), 0);
}

static void reads_past_the_end_return_zero(void **state)
{
	u8 b[12];

	(void)state;
	read_item(FWCFG_SIGNATURE, b, sizeof(b));
	assert_memory_equal(b, "QEMU\0\0\0\0\0\0\0\0", sizeof(b));
}

static void selecting_again_rewinds(void **state)
{
	u8 b[2];

	(void)state;
	read_item(FWCFG_SIGNATURE, b, 2);
	read_item(FWCFG_SIGNATURE, b, 2);
	assert_memory_equal(b, "QE", 2);
}

static void unknown_and_arch_specific_keys_read_zero(void **state)
{
	(void)state;
	assert_int_equal(read_le(0x0002, 8), 0);	/* UUID: not given */
	assert_int_equal(read_le(0x3fff, 8), 0);
	assert_int_equal(read_le(0x8003, 8), 0);	/* e820 table */
	/* bit 14 (write channel) with a known key: still nothing */
	assert_int_equal(read_le(0x4000 | FWCFG_SIGNATURE, 4), 0);
}

static void data_writes_and_odd_widths_are_ignored(void **state)
{
	(void)state;
	read_le(FWCFG_NB_CPUS, 0);
	fwcfg_port_write(&f, FWCFG_PORT_DATA, 1, 0x55);		/* data write */
	fwcfg_port_write(&f, FWCFG_PORT_SEL, 4, FWCFG_ID);	/* not 16-bit */
	fwcfg_port_write(&f, FWCFG_PORT_SEL, 1, FWCFG_ID);
	assert_int_equal(fwcfg_port_read(&f, FWCFG_PORT_DATA, 1), 1);
	assert_int_equal(fwcfg_port_read(&f, FWCFG_PORT_DATA, 2), 0xffff);
	assert_int_equal(fwcfg_port_read(&f, FWCFG_PORT_SEL, 4), 0xffffffffu);
	assert_int_equal(fwcfg_port_read(&f, FWCFG_PORT_SEL, 1), 0);	/* data */
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, NULL)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(signature_reads_qemu),
		T(signature_is_selected_at_power_on),
		T(id_says_traditional_interface_without_dma),
		T(cpu_counts_are_one_u16),
		T(ram_size_is_a_little_endian_u64),
		T(file_directory_is_empty),
		T(reads_past_the_end_return_zero),
		T(selecting_again_rewinds),
		T(unknown_and_arch_specific_keys_read_zero),
		T(data_writes_and_odd_widths_are_ignored),
	};

	return UNIT_RUN("fwcfg", tests);
}
