/*
 * tests/unit/test_cmdline.c - vmm/cmdline.c: defaults, every option kind,
 * limits, every error message, the image-path prefix, help and format.
 * Host unit test.
 */
#include <stdio.h>
#include <string.h>

#include "env_host.h"
#include "../../vmm/cmdline.h"

#define ERRLEN 160

struct parsed {
	struct vmm_config c;
	char err[ERRLEN];
	int rc;
};

/* Parse line on top of the defaults. */
static struct parsed parse(const char *line)
{
	struct parsed p;

	cmdline_defaults(&p.c);
	p.rc = cmdline_parse(line, &p.c, p.err, sizeof(p.err));
	return p;
}

/* Expect line to fail with exactly msg, leaving the defaults in place. */
static void expect_error(const char *line, const char *msg)
{
	struct parsed p = parse(line);
	struct vmm_config def;

	cmdline_defaults(&def);
	assert_int_equal(p.rc, -1);
	assert_string_equal(p.err, msg);
	assert_memory_equal(&p.c, &def, sizeof(def));
}

static u64 ram_of(const char *line)
{
	struct parsed p = parse(line);

	assert_int_equal(p.rc, 0);
	return p.c.ram_size;
}

static void defaults_are_the_documented_ones(void **state)
{
	struct vmm_config c;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	cmdline_defaults(&c);
	assert_int_equal(c.ram_size, 64 * MiB);
	assert_int_equal(c.log, LOG_INFO);
	assert_int_equal(c.fault, FAULT_NONE);
	assert_true(c.ept_large);
	assert_int_equal(c.guest_module, 0);
}

static void empty_and_blank_lines_keep_the_defaults(void **state)
{
	struct vmm_config def;
	struct parsed empty = parse(""), blank = parse("  \t ");

	(void)state;
	cmdline_defaults(&def);
	assert_memory_equal(&empty.c, &def, sizeof(def));
	assert_memory_equal(&blank.c, &def, sizeof(def));
	assert_int_equal(parse(NULL).rc, 0);
	assert_string_equal(parse("").err, "");
}

static void ram_takes_k_m_g_suffixes_in_either_case(void **state)
{
	(void)state;
	assert_int_equal(ram_of("ram=8192K"), 8 * MiB);
	assert_int_equal(ram_of("ram=8192k"), 8 * MiB);
	assert_int_equal(ram_of("ram=128M"), 128 * MiB);
	assert_int_equal(ram_of("ram=128m"), 128 * MiB);
	assert_int_equal(ram_of("ram=2G"), 2 * GiB);
	assert_int_equal(ram_of("ram=2g"), 2 * GiB);
}

static void ram_takes_plain_bytes_and_hex(void **state)
{
	(void)state;
	assert_int_equal(ram_of("ram=16777216"), 16 * MiB);
	assert_int_equal(ram_of("ram=0x1000000"), 16 * MiB);
	assert_int_equal(ram_of("ram=0x10M"), 16 * MiB);
}

static void ram_accepts_both_limits(void **state)
{
	(void)state;
	assert_int_equal(ram_of("ram=4M"), 4 * MiB);
	assert_int_equal(ram_of("ram=3G"), 3 * GiB);
}

static void ram_below_the_minimum_is_out_of_range_with_limits(void **state)
{
	(void)state;
	expect_error("ram=4092K", "'ram' out of range: '4092K' (allowed 4M..3G)");
	expect_error("ram=0", "'ram' out of range: '0' (allowed 4M..3G)");
}

static void ram_above_the_maximum_is_out_of_range_with_limits(void **state)
{
	(void)state;
	expect_error("ram=4G", "'ram' out of range: '4G' (allowed 4M..3G)");
	expect_error("ram=68719480832",
		     "'ram' out of range: '68719480832' (allowed 4M..3G)");
}

static void ram_must_be_whole_pages(void **state)
{
	(void)state;
	expect_error("ram=4194305", "'ram' must be a multiple of 4K: '4194305'");
	expect_error("ram=4097K", "'ram' must be a multiple of 4K: '4097K'");
}

static void ram_with_a_bad_size_is_rejected_with_an_example(void **state)
{
	(void)state;
	expect_error("ram=64Q",
		     "bad value for 'ram': '64Q' (expected size such as 64M)");
	expect_error("ram=64MB",
		     "bad value for 'ram': '64MB' (expected size such as 64M)");
	expect_error("ram=M", "bad value for 'ram': 'M' (expected size such as 64M)");
	expect_error("ram=", "bad value for 'ram': '' (expected size such as 64M)");
	expect_error("ram=-1", "bad value for 'ram': '-1' (expected size such as 64M)");
	expect_error("ram=0x", "bad value for 'ram': '0x' (expected size such as 64M)");
}

static void ram_that_overflows_64_bits_is_a_bad_value(void **state)
{
	(void)state;
	expect_error("ram=18446744073709551616",
		     "bad value for 'ram': '18446744073709551616' "
		     "(expected size such as 64M)");
	expect_error("ram=17179869184G",
		     "bad value for 'ram': '17179869184G' (expected size such as 64M)");
}

static void log_takes_each_level(void **state)
{
	(void)state;
	assert_int_equal(parse("log=quiet").c.log, LOG_QUIET);
	assert_int_equal(parse("log=info").c.log, LOG_INFO);
	assert_int_equal(parse("log=debug").c.log, LOG_DEBUG);
}

static void log_rejects_an_unknown_level_listing_the_choices(void **state)
{
	(void)state;
	expect_error("log=verbose",
		     "bad value for 'log': 'verbose' (expected quiet|info|debug)");
	expect_error("log=INFO",
		     "bad value for 'log': 'INFO' (expected quiet|info|debug)");
	expect_error("log=2", "bad value for 'log': '2' (expected quiet|info|debug)");
}

static void fault_takes_each_injection(void **state)
{
	(void)state;
	assert_int_equal(parse("fault=none").c.fault, FAULT_NONE);
	assert_int_equal(parse("fault=vmentry").c.fault, FAULT_VMENTRY);
	assert_int_equal(parse("fault=panic").c.fault, FAULT_PANIC);
	assert_int_equal(parse("fault=hostexc").c.fault, FAULT_HOSTEXC);
	assert_int_equal(parse("fault=vmwrite").c.fault, FAULT_VMWRITE);
	assert_int_equal(parse("fault=oom").c.fault, FAULT_OOM);
	expect_error("fault=vm", "bad value for 'fault': 'vm' (expected "
		     "none|vmentry|panic|hostexc|vmwrite|oom)");
}

static void ept_large_takes_on_off_1_and_0(void **state)
{
	(void)state;
	assert_false(parse("ept_large=off").c.ept_large);
	assert_true(parse("ept_large=off ept_large=on").c.ept_large);
	assert_false(parse("ept_large=0").c.ept_large);
	assert_true(parse("ept_large=0 ept_large=1").c.ept_large);
}

static void ept_large_rejects_other_words(void **state)
{
	(void)state;
	expect_error("ept_large=yes",
		     "bad value for 'ept_large': 'yes' (expected off|on)");
	expect_error("ept_large=2",
		     "bad value for 'ept_large': '2' (expected off|on)");
}

static void guest_takes_module_indexes_0_to_7(void **state)
{
	(void)state;
	assert_int_equal(parse("guest=0").c.guest_module, 0);
	assert_int_equal(parse("guest=7").c.guest_module, 7);
	assert_int_equal(parse("guest=0x3").c.guest_module, 3);
}

static void guest_beyond_7_is_out_of_range_with_limits(void **state)
{
	(void)state;
	expect_error("guest=8", "'guest' out of range: '8' (allowed 0..7)");
	expect_error("guest=4294967296",
		     "'guest' out of range: '4294967296' (allowed 0..7)");
}

static void guest_rejects_non_numbers(void **state)
{
	(void)state;
	expect_error("guest=one", "bad value for 'guest': 'one' (expected number)");
	expect_error("guest=1K", "bad value for 'guest': '1K' (expected number)");
	expect_error("guest=", "bad value for 'guest': '' (expected number)");
}

static void unknown_option_is_rejected_with_its_name(void **state)
{
	(void)state;
	expect_error("ram=8M colour=blue", "unknown option 'colour'");
	expect_error("quiet", "unknown option 'quiet'");
	expect_error("=5", "unknown option ''");
}

static void option_names_match_whole_words_only(void **state)
{
	(void)state;
	expect_error("ra=8M", "unknown option 'ra'");
	expect_error("rams=8M", "unknown option 'rams'");
	expect_error("RAM=8M", "unknown option 'RAM'");
}

static void known_option_without_equals_is_missing_equals(void **state)
{
	(void)state;
	expect_error("ram", "missing '=' after 'ram' (expected ram=<value>)");
	expect_error("log=debug ept_large",
		     "missing '=' after 'ept_large' (expected ept_large=<value>)");
}

static void repeated_option_keeps_the_last_value(void **state)
{
	struct parsed p = parse("ram=8M log=debug ram=16M log=quiet");

	(void)state;
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.c.ram_size, 16 * MiB);
	assert_int_equal(p.c.log, LOG_QUIET);
}

static void all_options_together_with_odd_blanks(void **state)
{
	struct parsed p = parse("\t ram=1G  log=debug\tfault=panic "
				"ept_large=off guest=5 \r\n");

	(void)state;
	assert_int_equal(p.rc, 0);
	assert_int_equal(p.c.ram_size, GiB);
	assert_int_equal(p.c.log, LOG_DEBUG);
	assert_int_equal(p.c.fault, FAULT_PANIC);
	assert_false(p.c.ept_large);
	assert_int_equal(p.c.guest_module, 5);
}

static void an_error_leaves_the_config_untouched(void **state)
{
	struct vmm_config c, before;
	char err[ERRLEN];

	(void)state;
	cmdline_defaults(&c);
	c.ram_size = 32 * MiB;
	before = c;
	assert_int_equal(cmdline_parse("ram=8M log=debug bogus=1", &c, err,
				       sizeof(err)), -1);
	assert_memory_equal(&c, &before, sizeof(c));
}

static void parse_starts_from_the_given_config(void **state)
{
	struct vmm_config c;
	char err[ERRLEN];

	(void)state;
	cmdline_defaults(&c);
	c.guest_module = 3;
	assert_int_equal(cmdline_parse("ram=8M", &c, err, sizeof(err)), 0);
	assert_int_equal(c.guest_module, 3);
}

static void a_long_bad_value_is_quoted_shortened(void **state)
{
	char line[300];
	struct parsed p;

	(void)state;
	snprintf(line, sizeof(line), "log=%0250d", 7);
	p = parse(line);
	assert_int_equal(p.rc, -1);
	assert_non_null(strstr(p.err, "bad value for 'log': '0000"));
	assert_true(strlen(p.err) < 120);
}

static void a_small_error_buffer_is_never_overrun(void **state)
{
	struct vmm_config c;
	char err[8];

	(void)state;
	cmdline_defaults(&c);
	memset(err, 'x', sizeof(err));
	assert_int_equal(cmdline_parse("nosuchoption=1", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown");
	assert_int_equal(cmdline_parse("nosuchoption=1", &c, NULL, 0), -1);
}

static void image_path_prefix_from_qemu_or_grub_is_skipped(void **state)
{
	(void)state;
	assert_string_equal(cmdline_skip_image_path("/boot/apfvisor.elf ram=8M"),
			    "ram=8M");
	assert_string_equal(cmdline_skip_image_path("  build/apfvisor.elf  log=debug"),
			    "log=debug");
	assert_string_equal(cmdline_skip_image_path("(hd0,msdos1):x ram=8M"),
			    "ram=8M");
}

static void url_prefix_from_ipxe_is_skipped(void **state)
{
	(void)state;
	assert_string_equal(
		cmdline_skip_image_path("http://10.0.0.1/apfvisor.elf ram=8M"),
		"ram=8M");
	assert_string_equal(cmdline_skip_image_path("tftp://boot/hv"), "");
}

static void a_first_word_that_is_an_option_is_kept(void **state)
{
	const char *line = "ram=8M /not/a/path";
	const char *eq_slash = "guest=1/2 ram=8M";
	const char *plain = "apfvisor ram=8M";

	(void)state;
	assert_ptr_equal(cmdline_skip_image_path(line), line);
	assert_ptr_equal(cmdline_skip_image_path(eq_slash), eq_slash);
	assert_ptr_equal(cmdline_skip_image_path(plain), plain);
	assert_string_equal(cmdline_skip_image_path(""), "");
	assert_string_equal(cmdline_skip_image_path(NULL), "");
}

static void a_second_path_word_is_not_skipped(void **state)
{
	struct parsed p;

	(void)state;
	p = parse(cmdline_skip_image_path("/boot/hv /boot/other ram=8M"));
	assert_int_equal(p.rc, -1);
	assert_string_equal(p.err, "unknown option '/boot/other'");
}

static char help_lines[8][200];
static int help_count;

static void collect_help(const char *line)
{
	if (help_count < 8)
		snprintf(help_lines[help_count], sizeof(help_lines[0]), "%s", line);
	help_count++;
}

/* Options in the table, counted as the words of the defaults' format. */
static int count_default_options(void)
{
	struct vmm_config c;
	char buf[512];
	int n = 1;

	cmdline_defaults(&c);
	cmdline_format(&c, buf, sizeof(buf));
	for (const char *p = buf; *p; p++)
		n += *p == ' ';
	return n;
}

static void help_prints_one_line_per_option_with_defaults(void **state)
{
	(void)state;
	help_count = 0;
	cmdline_print_help(collect_help);
	assert_int_equal(help_count, count_default_options());	/* one per option */
	assert_string_equal(help_lines[0], "ram=<size such as 64M>: guest RAM, a "
			    "multiple of 4K (K/M/G suffix) (default 64M, 4M..3G)");
	assert_non_null(strstr(help_lines[1], "log=<quiet|info|debug>"));
	assert_non_null(strstr(help_lines[1], "(default info)"));
	assert_non_null(strstr(help_lines[2], "fault=<none|vmentry|panic|hostexc|vmwrite|oom>"));
	assert_non_null(strstr(help_lines[3], "ept_large=<off|on>"));
	assert_non_null(strstr(help_lines[3], "(default on)"));
	assert_non_null(strstr(help_lines[4], "guest=<number>"));
	assert_non_null(strstr(help_lines[4], "(default 0, 0..7)"));
}

static void format_of_the_defaults_reads_like_a_command_line(void **state)
{
	struct vmm_config c;
	char buf[512];
	int n;

	(void)state;
	cmdline_defaults(&c);
	n = cmdline_format(&c, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	/* the first options, in table order; every option appears once */
	assert_memory_equal(buf, "ram=64M log=info fault=none ept_large=on guest=0 ",
			    strlen("ram=64M log=info fault=none ept_large=on guest=0 "));
	assert_non_null(strstr(buf, " latency=200000 "));
}

static void format_parses_back_to_the_same_config(void **state)
{
	struct parsed p = parse("ram=6000K log=debug fault=vmentry ept_large=off "
				"guest=6");
	struct vmm_config back;
	char buf[512], err[ERRLEN];

	(void)state;
	assert_int_equal(p.rc, 0);
	cmdline_format(&p.c, buf, sizeof(buf));
	assert_non_null(strstr(buf, "ram=6000K"));
	cmdline_defaults(&back);
	assert_int_equal(cmdline_parse(buf, &back, err, sizeof(err)), 0);
	assert_memory_equal(&back, &p.c, sizeof(back));
}

static void format_with_a_short_buffer_truncates_and_reports_the_length(void **state)
{
	struct vmm_config c;
	char buf[10];

	(void)state;
	cmdline_defaults(&c);
	assert_int_equal(cmdline_format(&c, buf, sizeof(buf)),
			 cmdline_format(&c, NULL, 0));
	assert_string_equal(buf, "ram=64M l");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_the_documented_ones),
		cmocka_unit_test(empty_and_blank_lines_keep_the_defaults),
		cmocka_unit_test(ram_takes_k_m_g_suffixes_in_either_case),
		cmocka_unit_test(ram_takes_plain_bytes_and_hex),
		cmocka_unit_test(ram_accepts_both_limits),
		cmocka_unit_test(ram_below_the_minimum_is_out_of_range_with_limits),
		cmocka_unit_test(ram_above_the_maximum_is_out_of_range_with_limits),
		cmocka_unit_test(ram_must_be_whole_pages),
		cmocka_unit_test(ram_with_a_bad_size_is_rejected_with_an_example),
		cmocka_unit_test(ram_that_overflows_64_bits_is_a_bad_value),
		cmocka_unit_test(log_takes_each_level),
		cmocka_unit_test(log_rejects_an_unknown_level_listing_the_choices),
		cmocka_unit_test(fault_takes_each_injection),
		cmocka_unit_test(ept_large_takes_on_off_1_and_0),
		cmocka_unit_test(ept_large_rejects_other_words),
		cmocka_unit_test(guest_takes_module_indexes_0_to_7),
		cmocka_unit_test(guest_beyond_7_is_out_of_range_with_limits),
		cmocka_unit_test(guest_rejects_non_numbers),
		cmocka_unit_test(unknown_option_is_rejected_with_its_name),
		cmocka_unit_test(option_names_match_whole_words_only),
		cmocka_unit_test(known_option_without_equals_is_missing_equals),
		cmocka_unit_test(repeated_option_keeps_the_last_value),
		cmocka_unit_test(all_options_together_with_odd_blanks),
		cmocka_unit_test(an_error_leaves_the_config_untouched),
		cmocka_unit_test(parse_starts_from_the_given_config),
		cmocka_unit_test(a_long_bad_value_is_quoted_shortened),
		cmocka_unit_test(a_small_error_buffer_is_never_overrun),
		cmocka_unit_test(image_path_prefix_from_qemu_or_grub_is_skipped),
		cmocka_unit_test(url_prefix_from_ipxe_is_skipped),
		cmocka_unit_test(a_first_word_that_is_an_option_is_kept),
		cmocka_unit_test(a_second_path_word_is_not_skipped),
		cmocka_unit_test(help_prints_one_line_per_option_with_defaults),
		cmocka_unit_test(format_of_the_defaults_reads_like_a_command_line),
		cmocka_unit_test(format_parses_back_to_the_same_config),
		cmocka_unit_test(format_with_a_short_buffer_truncates_and_reports_the_length),
	};

	return UNIT_RUN("cmdline", tests);
}
