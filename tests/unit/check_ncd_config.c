// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for frr-netconfd's configuration file (ncd_config.c), and
 * randomized runs over valid, mutated and random files. The seed is taken
 * from NCD_CONFIG_SEED if set, else from the clock, and printed on failure.
 */

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "ncd_config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FUZZ_ROUNDS 10000
#define FILE_MAX 65536

static char err[512];

static bool parse_len(struct ncd_config *cfg, const char *text, size_t len)
{
	/* exactly len bytes, so that ASan sees any overread */
	char *copy = malloc(len ? len : 1);
	bool ok;

	memcpy(copy, text, len);
	ncd_config_defaults(cfg);
	err[0] = '\0';
	ok = ncd_config_parse(cfg, copy, len, err, sizeof(err));
	free(copy);
	return ok;
}

static bool parse(struct ncd_config *cfg, const char *text)
{
	return parse_len(cfg, text, strlen(text));
}

static void assert_defaults(const struct ncd_config *cfg)
{
	ck_assert_str_eq(cfg->address, "127.0.0.1");
	ck_assert_uint_eq(cfg->port, 830);
	ck_assert_str_eq(cfg->host_key, "/etc/frr-netconfd/ssh_host_ecdsa_key");
	ck_assert_str_eq(cfg->users_dir, "/etc/frr-netconfd/users");
	ck_assert_str_eq(cfg->nacm, "/etc/frr-netconfd/nacm.xml");
	ck_assert_str_eq(cfg->agent, "/run/frr/bgpd_nbagent.sock");
	ck_assert_uint_eq(cfg->max_sessions, 16);
	ck_assert_uint_eq(cfg->hello_timeout, 10);
	ck_assert_uint_eq(cfg->idle_timeout, 3600);
	ck_assert_uint_eq(cfg->max_message, 16777216);
	ck_assert_uint_eq(cfg->agent_timeout, 60);
	ck_assert(!cfg->debug);
}

START_TEST(test_defaults)
{
	struct ncd_config cfg;

	ncd_config_defaults(&cfg);
	assert_defaults(&cfg);
	ck_assert(parse(&cfg, ""));
	assert_defaults(&cfg);
	ck_assert(parse(&cfg, "\n# nothing set\n\n  \t\n"));
	assert_defaults(&cfg);
}
END_TEST

START_TEST(test_every_key)
{
	struct ncd_config cfg;

	ck_assert_msg(parse(&cfg,
			    "address = 2001:db8::1\n"
			    "port = 8300\n"
			    "host-key = /k/host key\n"
			    "users = /u\n"
			    "nacm = /n/nacm=1.xml\n"
			    "agent = /a.sock\n"
			    "max-sessions = 1024\n"
			    "hello-timeout = 600\n"
			    "idle-timeout = 0\n"
			    "max-message = 4096\n"
			    "agent-timeout = 3600\n"
			    "debug = yes\n"),
		      "%s", err);
	ck_assert_str_eq(cfg.address, "2001:db8::1");
	ck_assert_uint_eq(cfg.port, 8300);
	ck_assert_str_eq(cfg.host_key, "/k/host key");
	ck_assert_str_eq(cfg.users_dir, "/u");
	ck_assert_str_eq(cfg.nacm, "/n/nacm=1.xml");
	ck_assert_str_eq(cfg.agent, "/a.sock");
	ck_assert_uint_eq(cfg.max_sessions, 1024);
	ck_assert_uint_eq(cfg.hello_timeout, 600);
	ck_assert_uint_eq(cfg.idle_timeout, 0);
	ck_assert_uint_eq(cfg.max_message, 4096);
	ck_assert_uint_eq(cfg.agent_timeout, 3600);
	ck_assert(cfg.debug);

	ck_assert(parse(&cfg, "debug = no\naddress = 0.0.0.0"));
	ck_assert(!cfg.debug);
	ck_assert_str_eq(cfg.address, "0.0.0.0");
}
END_TEST

/* Blanks around the key, the '=' and the value do not matter. */
static const char *const spacings[] = {
	"port=831",	    "port =831",	  "port= 831",
	"  port = 831  ",   "\tport\t=\t831\t",	  "port = 831\r",
	"port = 831\r\n\n", " \t port   =   831",
};

START_TEST(test_spacing)
{
	struct ncd_config cfg;

	ck_assert_msg(parse(&cfg, spacings[_i]), "%s", err);
	ck_assert_uint_eq(cfg.port, 831);
}
END_TEST

START_TEST(test_comments_and_blanks)
{
	struct ncd_config cfg;

	ck_assert_msg(parse(&cfg,
			    "# frr-netconfd\r\n"
			    "\r\n"
			    "   # port = 1\n"
			    "\t#debug = yes\n"
			    "#\n"
			    "  \t \n"
			    "port = 832\r\n"
			    "\n"
			    "# the end, no newline"),
		      "%s", err);
	ck_assert_uint_eq(cfg.port, 832);
	ck_assert(!cfg.debug);
}
END_TEST

START_TEST(test_numbers)
{
	struct ncd_config cfg;

	ck_assert(parse(&cfg, "port = 1\nmax-message = 16777216"));
	ck_assert_uint_eq(cfg.port, 1);
	ck_assert_uint_eq(cfg.max_message, 16777216);
	ck_assert(parse(&cfg, "port = 65535\nidle-timeout = 65535"));
	ck_assert_uint_eq(cfg.port, 65535);
	ck_assert_uint_eq(cfg.idle_timeout, 65535);
	/* decimal, leading zeros and all */
	ck_assert(parse(&cfg, "port = 0830\nmax-sessions = 010"));
	ck_assert_uint_eq(cfg.port, 830);
	ck_assert_uint_eq(cfg.max_sessions, 10);
	ck_assert(parse(&cfg,
			"max-sessions = 1\nhello-timeout = 1\n"
			"agent-timeout = 1"));
	ck_assert_uint_eq(cfg.max_sessions, 1);
	ck_assert_uint_eq(cfg.hello_timeout, 1);
	ck_assert_uint_eq(cfg.agent_timeout, 1);
}
END_TEST

static const struct {
	const char *text;
	const char *error;
} errors[] = {
	{"bogus = 1", "line 1: unknown key \"bogus\""},
	{"\n\nPort = 1", "line 3: unknown key \"Port\""},
	{"max sessions = 1", "line 1: unknown key \"max sessions\""},
	{"port = 1\nport = 2", "line 2: \"port\" set twice"},
	{"debug = no\n#\ndebug = no", "line 3: \"debug\" set twice"},
	{"port", "line 1: expected \"key = value\""},
	{"port 830", "line 1: expected \"key = value\""},
	{"= 830", "line 1: expected \"key = value\""},
	{"\n  =", "line 2: expected \"key = value\""},
	{"port = 0", "line 1: \"port\" must be a number from 1 to 65535"},
	{"port = 65536", "line 1: \"port\" must be a number from 1 to 65535"},
	{"port = -1", "line 1: \"port\" must be a number from 1 to 65535"},
	{"port = +1", "line 1: \"port\" must be a number from 1 to 65535"},
	{"port = 0x10", "line 1: \"port\" must be a number from 1 to 65535"},
	{"port = 8 30", "line 1: \"port\" must be a number from 1 to 65535"},
	{"port =", "line 1: \"port\" must be a number from 1 to 65535"},
	{"port = 830 # ssh",
	 "line 1: \"port\" must be a number from 1 to 65535"},
	{"port = 99999999999999999999999999",
	 "line 1: \"port\" must be a number from 1 to 65535"},
	{"port = 4294967297",
	 "line 1: \"port\" must be a number from 1 to 65535"},
	/* 2^64 + 830 */
	{"port = 18446744073709552446",
	 "line 1: \"port\" must be a number from 1 to 65535"},
	{"max-sessions = 0",
	 "line 1: \"max-sessions\" must be a number from 1 to 1024"},
	{"max-sessions = 1025",
	 "line 1: \"max-sessions\" must be a number from 1 to 1024"},
	{"hello-timeout = 0",
	 "line 1: \"hello-timeout\" must be a number from 1 to 600"},
	{"hello-timeout = 601",
	 "line 1: \"hello-timeout\" must be a number from 1 to 600"},
	{"idle-timeout = 65536",
	 "line 1: \"idle-timeout\" must be a number from 0 to 65535"},
	{"idle-timeout = none",
	 "line 1: \"idle-timeout\" must be a number from 0 to 65535"},
	{"max-message = 4095",
	 "line 1: \"max-message\" must be a number from 4096 to 16777216"},
	{"max-message = 16777217",
	 "line 1: \"max-message\" must be a number from 4096 to 16777216"},
	{"agent-timeout = 0",
	 "line 1: \"agent-timeout\" must be a number from 1 to 3600"},
	{"agent-timeout = 3601",
	 "line 1: \"agent-timeout\" must be a number from 1 to 3600"},
	{"debug = true", "line 1: \"debug\" must be yes or no"},
	{"debug = Yes", "line 1: \"debug\" must be yes or no"},
	{"debug = 1", "line 1: \"debug\" must be yes or no"},
	{"debug =", "line 1: \"debug\" must be yes or no"},
	{"address = localhost",
	 "line 1: \"address\" must be an IPv4 or IPv6 address"},
	{"address = 1.2.3",
	 "line 1: \"address\" must be an IPv4 or IPv6 address"},
	{"address = 1.2.3.256",
	 "line 1: \"address\" must be an IPv4 or IPv6 address"},
	{"address = ::1%lo",
	 "line 1: \"address\" must be an IPv4 or IPv6 address"},
	{"address = [::1]",
	 "line 1: \"address\" must be an IPv4 or IPv6 address"},
	{"address = 127.0.0.1:830",
	 "line 1: \"address\" must be an IPv4 or IPv6 address"},
	{"address =", "line 1: \"address\" must be an IPv4 or IPv6 address"},
	{"address = 0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000",
	 "line 1: \"address\" must be an IPv4 or IPv6 address"},
	{"host-key = etc/key", "line 1: \"host-key\" must be an absolute path"},
	{"users = ~/users", "line 1: \"users\" must be an absolute path"},
	{"nacm =", "line 1: \"nacm\" must be an absolute path"},
	{"agent = ./sock", "line 1: \"agent\" must be an absolute path"},
	{"port = 1\n\naddress = x\nport = 2",
	 "line 3: \"address\" must be an IPv4 or IPv6 address"},
};

START_TEST(test_errors)
{
	struct ncd_config cfg;

	ck_assert_msg(!parse(&cfg, errors[_i].text), "accepted: %s",
		      errors[_i].text);
	ck_assert_str_eq(err, errors[_i].error);
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char in_comment[] = "port = 831\n# a\0b\nport = 2";
	static const char in_value[] = "nacm = /a\0b";
	static const char at_end[] = "port = 831\n\0";
	struct ncd_config cfg;

	ck_assert(!parse_len(&cfg, in_comment, sizeof(in_comment) - 1));
	ck_assert_str_eq(err, "line 2: NUL byte");
	ck_assert(!parse_len(&cfg, in_value, sizeof(in_value) - 1));
	ck_assert_str_eq(err, "line 1: NUL byte");
	ck_assert(!parse_len(&cfg, at_end, sizeof(at_end) - 1));
	ck_assert_str_eq(err, "line 2: NUL byte");
}
END_TEST

/* "key = /xxx..." with a path of len bytes. */
static char *path_line(const char *key, size_t len)
{
	size_t prefix = strlen(key) + 3;
	char *line = malloc(prefix + len + 1);

	sprintf(line, "%s = /", key);
	memset(line + prefix + 1, 'x', len - 1);
	line[prefix + len] = '\0';
	return line;
}

START_TEST(test_long_values)
{
	struct ncd_config cfg;
	char *fits = path_line("users", PATH_MAX - 1);
	char *too_long = path_line("users", PATH_MAX);
	char expected[128];

	ck_assert_msg(parse(&cfg, fits), "%s", err);
	ck_assert_uint_eq(strlen(cfg.users_dir), PATH_MAX - 1);
	ck_assert(!parse(&cfg, too_long));
	snprintf(expected, sizeof(expected),
		 "line 1: \"users\" is longer than %d bytes", PATH_MAX - 1);
	ck_assert_str_eq(err, expected);
	ck_assert(parse(&cfg,
			"address = "
			"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"));
	ck_assert_str_eq(cfg.address,
			 "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
	free(fits);
	free(too_long);
}
END_TEST

/* An unknown key is shown printable and cut short. */
START_TEST(test_unknown_key_shown)
{
	struct ncd_config cfg;

	ck_assert(!parse(&cfg, "a\x01\"\\\xff = 1"));
	ck_assert_str_eq(err, "line 1: unknown key \"a\\x01\\x22\\x5c\\xff\"");
	ck_assert(!parse(&cfg, "0123456789abcdef0123456789abcdefX = 1"));
	ck_assert_str_eq(err,
			 "line 1: unknown key "
			 "\"0123456789abcdef0123456789abcdef...\"");
}
END_TEST

START_TEST(test_small_error_buffer)
{
	struct ncd_config cfg;
	char small[12];

	memset(small, 'z', sizeof(small));
	ck_assert(!ncd_config_parse(&cfg, "bogus = 1", 9, small, 1));
	ck_assert_str_eq(small, "");
	ck_assert(!ncd_config_parse(&cfg, "bogus = 1", 9, small, 9));
	ck_assert_str_eq(small, "line 1: ");
	ck_assert(
		!ncd_config_parse(&cfg, "bogus = 1", 9, small, sizeof(small)));
	ck_assert_str_eq(small, "line 1: unk");
	ck_assert(!ncd_config_parse(&cfg, "bogus = 1", 9, NULL, 0));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Loading files */

static char tmpdir[64];
static const char *const file_names[] = {"ok.conf", "bad.conf", "at-limit.conf",
					 "over.conf"};

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_ncd_config.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

/* Also after a failed test. */
static void remove_tmpdir(void)
{
	char path[128];

	for (size_t i = 0; i < ARRAY_SIZE(file_names); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, file_names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

/* tmpdir/name holding len bytes of text; returns its path. */
static const char *write_file(const char *name, const char *text, size_t len)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* A valid file of exactly len bytes: a setting, then comment lines. */
static char *padded_file(size_t len)
{
	char *text = malloc(len);

	memset(text, '#', len);
	memcpy(text, "port = 1830\n", 12);
	for (size_t i = 80; i < len; i += 80)
		text[i] = '\n';
	return text;
}

START_TEST(test_load)
{
	static const char text[] = "port = 2830\ndebug = yes\n";
	struct ncd_config cfg;
	const char *path;
	char expected[256];

	path = write_file("ok.conf", text, strlen(text));
	memset(&cfg, 0x5a, sizeof(cfg));
	ck_assert_msg(ncd_config_load(&cfg, path, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(cfg.port, 2830);
	ck_assert(cfg.debug);
	ck_assert_str_eq(cfg.nacm, "/etc/frr-netconfd/nacm.xml");

	path = write_file("bad.conf", "debug = no\nport = x\n", 20);
	ck_assert(!ncd_config_load(&cfg, path, err, sizeof(err)));
	snprintf(expected, sizeof(expected),
		 "%s: line 2: \"port\" must be a number from 1 to 65535", path);
	ck_assert_str_eq(err, expected);
	unlink(path);

	ck_assert(!ncd_config_load(&cfg, path, err, sizeof(err)));
	snprintf(expected, sizeof(expected), "cannot open %s: %s", path,
		 strerror(ENOENT));
	ck_assert_str_eq(err, expected);

	ck_assert(!ncd_config_load(&cfg, tmpdir, err, sizeof(err)));
	snprintf(expected, sizeof(expected), "cannot read %s: %s", tmpdir,
		 strerror(EISDIR));
	ck_assert_str_eq(err, expected);
}
END_TEST

START_TEST(test_load_size_limit)
{
	char *at_limit = padded_file(FILE_MAX);
	char *over = padded_file(FILE_MAX + 1);
	struct ncd_config cfg;
	const char *path;
	char expected[256];

	path = write_file("at-limit.conf", at_limit, FILE_MAX);
	ck_assert_msg(ncd_config_load(&cfg, path, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(cfg.port, 1830);

	path = write_file("over.conf", over, FILE_MAX + 1);
	ck_assert(!ncd_config_load(&cfg, path, err, sizeof(err)));
	snprintf(expected, sizeof(expected), "%s: larger than %d bytes", path,
		 FILE_MAX);
	ck_assert_str_eq(err, expected);
	free(at_limit);
	free(over);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Randomized files */

enum kind { NUMBER, BOOL, ADDRESS, PATH };

/* The keys as the header describes them, and where they go. */
static const struct key {
	const char *name;
	enum kind kind;
	size_t offset, size;
	unsigned int min, max;
} keys[] = {
#define FIELD(f)                                                               \
	offsetof(struct ncd_config, f), sizeof(((struct ncd_config *)0)->f)
	{"address", ADDRESS, FIELD(address)},
	{"port", NUMBER, FIELD(port), 1, 65535},
	{"host-key", PATH, FIELD(host_key)},
	{"users", PATH, FIELD(users_dir)},
	{"nacm", PATH, FIELD(nacm)},
	{"agent", PATH, FIELD(agent)},
	{"max-sessions", NUMBER, FIELD(max_sessions), 1, 1024},
	{"hello-timeout", NUMBER, FIELD(hello_timeout), 1, 600},
	{"idle-timeout", NUMBER, FIELD(idle_timeout), 0, 65535},
	{"max-message", NUMBER, FIELD(max_message), 4096, 16777216},
	{"agent-timeout", NUMBER, FIELD(agent_timeout), 1, 3600},
	{"debug", BOOL, FIELD(debug)},
#undef FIELD
};

static char *text_field(struct ncd_config *cfg, const struct key *key)
{
	return (char *)cfg + key->offset;
}

static unsigned int number_field(const struct ncd_config *cfg,
				 const struct key *key)
{
	const char *field = (const char *)cfg + key->offset;

	if (key->size == sizeof(uint16_t))
		return *(const uint16_t *)field;
	return *(const unsigned int *)field;
}

static void set_number_field(struct ncd_config *cfg, const struct key *key,
			     unsigned int v)
{
	char *field = (char *)cfg + key->offset;

	if (key->size == sizeof(uint16_t))
		*(uint16_t *)field = v;
	else
		*(unsigned int *)field = v;
}

static uint64_t seed;

struct file {
	char text[8192];
	size_t len;
};

static void add(struct file *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct file *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(f->text + f->len, sizeof(f->text) - f->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(f->text) - f->len)
		ck_abort_msg("file of more than %zu bytes", sizeof(f->text));
	f->len += n;
}

static const char *blanks(void)
{
	static const char *const choices[] = {"", "", " ", "  ", "\t", " \t "};

	return choices[rng() % ARRAY_SIZE(choices)];
}

static void random_address(char *buf, size_t size)
{
	uint8_t addr[16];
	bool v6 = rng() % 2;

	for (size_t i = 0; i < sizeof(addr); i++)
		addr[i] = rng() % 3 ? 0 : rng();
	inet_ntop(v6 ? AF_INET6 : AF_INET, addr, buf, size);
}

/* No blank at either end, which would be trimmed. */
static void random_path(char *buf, size_t size)
{
	static const char chars[] = "abc/._-=# \tXYZ019";
	size_t len = 1 + rng() % 60;

	buf[0] = '/';
	for (size_t i = 1; i < len && i < size - 1; i++)
		buf[i] = chars[rng() % (sizeof(chars) - 1)];
	while (len > 1 && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	buf[len] = '\0';
}

/* A valid value for key, set in cfg and written to the file. */
static void add_value(struct file *f, struct ncd_config *cfg,
		      const struct key *key)
{
	char *field = text_field(cfg, key);
	unsigned int v;

	switch (key->kind) {
	case NUMBER:
		v = key->min + rng() % (key->max - key->min + 1);
		set_number_field(cfg, key, v);
		/* sometimes with leading zeros */
		add(f, "%.*u", (int)(1 + rng() % 7), v);
		return;
	case BOOL:
		cfg->debug = rng() % 2;
		add(f, "%s", cfg->debug ? "yes" : "no");
		return;
	case ADDRESS:
		random_address(field, key->size);
		break;
	case PATH:
		random_path(field, key->size);
		break;
	}
	add(f, "%s", field);
}

static void add_comment_or_blank(struct file *f)
{
	if (rng() % 2)
		add(f, "%s#%s port = 0%s", blanks(), blanks(), blanks());
	else
		add(f, "%s", blanks());
}

/* Some of the keys in random order, comments and blank lines. */
static void valid_file(struct file *f, struct ncd_config *expected)
{
	bool used[ARRAY_SIZE(keys)] = {};

	f->len = 0;
	ncd_config_defaults(expected);
	for (unsigned int lines = rng() % 20; lines; lines--) {
		size_t k = rng() % ARRAY_SIZE(keys);

		if (used[k] || rng() % 4 == 0) {
			add_comment_or_blank(f);
		} else {
			used[k] = true;
			add(f, "%s%s%s=%s", blanks(), keys[k].name, blanks(),
			    blanks());
			add_value(f, expected, &keys[k]);
			add(f, "%s", blanks());
		}
		add(f, "%s", rng() % 4 ? "\n" : "\r\n");
	}
	if (f->len && rng() % 4 == 0)
		f->len--; /* no newline at the end */
}

static uint8_t interesting_char(void)
{
	static const char chars[] = "=#\n\r \t/:.0123456789yesnoa\xff";

	return rng() % 8 ? chars[rng() % (sizeof(chars) - 1)] : (uint8_t)rng();
}

static void mutate(struct file *f)
{
	fuzz_mutate((uint8_t *)f->text, &f->len, sizeof(f->text),
		    interesting_char);
}

/* Lines of known keys and random values, or of random text. */
static void random_file(struct file *f)
{
	f->len = 0;
	for (unsigned int lines = rng() % 12; lines; lines--) {
		if (rng() % 2)
			add(f, "%s%s%s=%s", blanks(),
			    keys[rng() % ARRAY_SIZE(keys)].name, blanks(),
			    blanks());
		for (unsigned int n = rng() % 24; n; n--)
			add(f, "%c", interesting_char());
		add(f, "\n");
	}
}

static bool fits(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

static void check_sane(struct ncd_config *cfg, unsigned int round)
{
	struct in6_addr addr;

	if (!fits(cfg->address, sizeof(cfg->address)) ||
	    (inet_pton(AF_INET, cfg->address, &addr) != 1 &&
	     inet_pton(AF_INET6, cfg->address, &addr) != 1))
		ck_abort_msg("seed %llu round %u: bad address",
			     (unsigned long long)seed, round);
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		const struct key *key = &keys[k];
		const char *path;

		if (key->kind == NUMBER && (number_field(cfg, key) < key->min ||
					    number_field(cfg, key) > key->max))
			ck_abort_msg("seed %llu round %u: %s = %u",
				     (unsigned long long)seed, round, key->name,
				     number_field(cfg, key));
		if (key->kind != PATH)
			continue;
		path = text_field(cfg, key);
		if (!fits(path, key->size) || path[0] != '/')
			ck_abort_msg("seed %llu round %u: bad %s",
				     (unsigned long long)seed, round,
				     key->name);
	}
}

static bool same_config(struct ncd_config *a, struct ncd_config *b)
{
	for (const struct key *key = keys; key < keys + ARRAY_SIZE(keys);
	     key++) {
		switch (key->kind) {
		case NUMBER:
			if (number_field(a, key) != number_field(b, key))
				return false;
			break;
		case BOOL:
			if (a->debug != b->debug)
				return false;
			break;
		case ADDRESS:
		case PATH:
			if (strcmp(text_field(a, key), text_field(b, key)))
				return false;
			break;
		}
	}
	return true;
}

static unsigned int lines_in(const struct file *f)
{
	unsigned int lines = 1;

	for (size_t i = 0; i < f->len; i++)
		lines += f->text[i] == '\n';
	return lines;
}

/* Accepted: sane values; refused: one message naming a line there is. */
static void check_file(const struct file *f, unsigned int round)
{
	struct ncd_config cfg;
	unsigned int line;

	if (parse_len(&cfg, f->text, f->len)) {
		check_sane(&cfg, round);
		return;
	}
	if (sscanf(err, "line %u: ", &line) != 1 || line < 1 ||
	    line > lines_in(f) || strlen(err) < strlen("line 1: x"))
		ck_abort_msg("seed %llu round %u: error \"%s\"",
			     (unsigned long long)seed, round, err);
}

static void start_fuzz(void)
{
	seed = fuzz_start("NCD_CONFIG_SEED");
}

START_TEST(test_fuzz_valid)
{
	static struct file f;
	struct ncd_config expected, cfg;

	start_fuzz();
	for (unsigned int round = 0; round < FUZZ_ROUNDS; round++) {
		valid_file(&f, &expected);
		if (!parse_len(&cfg, f.text, f.len) ||
		    !same_config(&cfg, &expected))
			ck_abort_msg("seed %llu round %u: valid file: %s",
				     (unsigned long long)seed, round,
				     err[0] ? err : "other values");
	}
}
END_TEST

START_TEST(test_fuzz_mutated)
{
	static struct file f;
	struct ncd_config expected;

	start_fuzz();
	for (unsigned int round = 0; round < FUZZ_ROUNDS; round++) {
		valid_file(&f, &expected);
		mutate(&f);
		check_file(&f, round);
	}
}
END_TEST

START_TEST(test_fuzz_random)
{
	static struct file f;

	start_fuzz();
	for (unsigned int round = 0; round < FUZZ_ROUNDS; round++) {
		random_file(&f);
		check_file(&f, round);
	}
}
END_TEST

static Suite *ncd_config_suite(void)
{
	Suite *s = suite_create("ncd_config");
	TCase *tc = tcase_create("config");
	TCase *ld = tcase_create("load");
	TCase *fz = tcase_create("fuzz");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_loop_test(tc, test_spacing, 0, ARRAY_SIZE(spacings));
	tcase_add_test(tc, test_comments_and_blanks);
	tcase_add_test(tc, test_numbers);
	tcase_add_loop_test(tc, test_errors, 0, ARRAY_SIZE(errors));
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_long_values);
	tcase_add_test(tc, test_unknown_key_shown);
	tcase_add_test(tc, test_small_error_buffer);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ld, make_tmpdir, remove_tmpdir);
	tcase_add_test(ld, test_load);
	tcase_add_test(ld, test_load_size_limit);
	suite_add_tcase(s, ld);
	tcase_set_timeout(fz, 60);
	tcase_add_test(fz, test_fuzz_valid);
	tcase_add_test(fz, test_fuzz_mutated);
	tcase_add_test(fz, test_fuzz_random);
	suite_add_tcase(s, fz);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ncd_config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
