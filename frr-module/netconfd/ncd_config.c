// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-netconfd's configuration file (see ncd_config.h).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ncd_config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CONFIG_FILE_MAX 65536
#define QUOTED_MAX 32 /* bytes of an unknown key shown in a message */

enum value_kind {
	VALUE_NUMBER,
	VALUE_BOOL,
	VALUE_ADDRESS,
	VALUE_PATH,
};

struct config_key {
	const char *name;
	enum value_kind kind;
	size_t offset; /* of the field in struct ncd_config */
	size_t size;   /* of the field */
	unsigned int min, max;
};

#define KEY(name, kind, field, min, max)                                       \
	{                                                                      \
		name, kind, offsetof(struct ncd_config, field),                \
			sizeof(((struct ncd_config *)0)->field), min, max      \
	}

static const struct config_key keys[] = {
	KEY("address", VALUE_ADDRESS, address, 0, 0),
	KEY("port", VALUE_NUMBER, port, 1, 65535),
	KEY("host-key", VALUE_PATH, host_key, 0, 0),
	KEY("users", VALUE_PATH, users_dir, 0, 0),
	KEY("nacm", VALUE_PATH, nacm, 0, 0),
	KEY("agent", VALUE_PATH, agent, 0, 0),
	KEY("max-sessions", VALUE_NUMBER, max_sessions, 1, 1024),
	KEY("hello-timeout", VALUE_NUMBER, hello_timeout, 1, 600),
	KEY("idle-timeout", VALUE_NUMBER, idle_timeout, 0, 65535),
	KEY("max-message", VALUE_NUMBER, max_message, 4096, 16777216),
	KEY("agent-timeout", VALUE_NUMBER, agent_timeout, 1, 3600),
	KEY("debug", VALUE_BOOL, debug, 0, 0),
};

/* A piece of the file's text, not NUL-terminated. */
struct span {
	const char *text;
	size_t len;
};

struct parser {
	struct ncd_config *cfg;
	bool seen[ARRAY_SIZE(keys)];
	unsigned int line;
	char *err;
	size_t errlen;
};

void ncd_config_defaults(struct ncd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->address, sizeof(cfg->address), "127.0.0.1");
	cfg->port = 830;
	snprintf(cfg->host_key, sizeof(cfg->host_key), "%s",
		 NCD_CONF_DIR_DEFAULT "/ssh_host_ecdsa_key");
	snprintf(cfg->users_dir, sizeof(cfg->users_dir), "%s",
		 NCD_CONF_DIR_DEFAULT "/users");
	snprintf(cfg->nacm, sizeof(cfg->nacm), "%s",
		 NCD_CONF_DIR_DEFAULT "/nacm.xml");
	snprintf(cfg->agent, sizeof(cfg->agent), "%s",
		 "/run/frr/bgpd_nbagent.sock");
	cfg->max_sessions = 16;
	cfg->hello_timeout = 10;
	cfg->idle_timeout = 3600;
	cfg->max_message = 16777216;
	cfg->agent_timeout = 60;
	cfg->debug = false;
}

static bool fail(struct parser *p, const char *fmt, ...)
{
	size_t used;
	va_list ap;
	int n;

	if (!p->errlen)
		return false;
	n = snprintf(p->err, p->errlen, "line %u: ", p->line);
	used = n < 0 ? 0 : (size_t)n;
	if (used >= p->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(p->err + used, p->errlen - used, fmt, ap);
	va_end(ap);
	return false;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static struct span trim(const char *text, size_t len)
{
	while (len && blank(*text)) {
		text++;
		len--;
	}
	while (len && blank(text[len - 1]))
		len--;
	return (struct span){text, len};
}

static bool span_is(struct span s, const char *word)
{
	return s.len == strlen(word) && !memcmp(s.text, word, s.len);
}

/* s for an error message: printable, escaped and cut short. */
static const char *quoted(struct span s, char *buf, size_t size)
{
	size_t used = 0;

	for (size_t i = 0; i < s.len && used + 8 < size; i++) {
		unsigned char c = s.text[i];

		if (i == QUOTED_MAX) {
			used += snprintf(buf + used, size - used, "...");
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			used += snprintf(buf + used, size - used, "\\x%02x", c);
		else
			buf[used++] = c;
	}
	buf[used] = '\0';
	return buf;
}

static const struct config_key *find_key(struct span name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (span_is(name, keys[i].name))
			return &keys[i];
	return NULL;
}

/* Decimal digits only; a value above max stays above it. */
static bool parse_number(struct span s, unsigned int min, unsigned int max,
			 unsigned int *value)
{
	unsigned long long v = 0;

	if (!s.len)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		if (s.text[i] < '0' || s.text[i] > '9')
			return false;
		if (v <= max)
			v = v * 10 + (s.text[i] - '0');
	}
	if (v < min || v > max)
		return false;
	*value = v;
	return true;
}

static bool set_number(struct parser *p, const struct config_key *k,
		       struct span value, void *field)
{
	unsigned int v;

	if (!parse_number(value, k->min, k->max, &v))
		return fail(p, "\"%s\" must be a number from %u to %u", k->name,
			    k->min, k->max);
	if (k->size == sizeof(uint16_t))
		*(uint16_t *)field = v;
	else
		*(unsigned int *)field = v;
	return true;
}

static bool set_bool(struct parser *p, const struct config_key *k,
		     struct span value, bool *field)
{
	if (span_is(value, "yes"))
		*field = true;
	else if (span_is(value, "no"))
		*field = false;
	else
		return fail(p, "\"%s\" must be yes or no", k->name);
	return true;
}

static bool set_address(struct parser *p, const struct config_key *k,
			struct span value, char *field)
{
	struct in6_addr addr;
	char text[64];

	if (value.len < sizeof(text) && value.len < k->size) {
		memcpy(text, value.text, value.len);
		text[value.len] = '\0';
		if (inet_pton(AF_INET, text, &addr) == 1 ||
		    inet_pton(AF_INET6, text, &addr) == 1) {
			memcpy(field, text, value.len + 1);
			return true;
		}
	}
	return fail(p, "\"%s\" must be an IPv4 or IPv6 address", k->name);
}

static bool set_path(struct parser *p, const struct config_key *k,
		     struct span value, char *field)
{
	if (!value.len || value.text[0] != '/')
		return fail(p, "\"%s\" must be an absolute path", k->name);
	if (value.len >= k->size)
		return fail(p, "\"%s\" is longer than %zu bytes", k->name,
			    k->size - 1);
	memcpy(field, value.text, value.len);
	field[value.len] = '\0';
	return true;
}

static bool set_value(struct parser *p, const struct config_key *k,
		      struct span value)
{
	char *field = (char *)p->cfg + k->offset;

	switch (k->kind) {
	case VALUE_NUMBER:
		return set_number(p, k, value, field);
	case VALUE_BOOL:
		return set_bool(p, k, value, (bool *)field);
	case VALUE_ADDRESS:
		return set_address(p, k, value, field);
	case VALUE_PATH:
		break;
	}
	return set_path(p, k, value, field);
}

static bool parse_line(struct parser *p, const char *text, size_t len)
{
	struct span line = trim(text, len), name;
	const struct config_key *k;
	const char *eq;
	char buf[QUOTED_MAX * 4 + 8];

	if (memchr(text, '\0', len))
		return fail(p, "NUL byte");
	if (!line.len || line.text[0] == '#')
		return true;
	eq = memchr(line.text, '=', line.len);
	name = trim(line.text, eq ? (size_t)(eq - line.text) : 0);
	if (!eq || !name.len)
		return fail(p, "expected \"key = value\"");
	k = find_key(name);
	if (!k)
		return fail(p, "unknown key \"%s\"",
			    quoted(name, buf, sizeof(buf)));
	if (p->seen[k - keys])
		return fail(p, "\"%s\" set twice", k->name);
	p->seen[k - keys] = true;
	return set_value(p, k, trim(eq + 1, line.text + line.len - eq - 1));
}

bool ncd_config_parse(struct ncd_config *cfg, const char *text, size_t len,
		      char *err, size_t errlen)
{
	struct parser p = {.cfg = cfg, .err = err, .errlen = errlen};
	size_t pos = 0;

	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;

		p.line++;
		if (!parse_line(&p, start, n))
			return false;
		pos += n + (nl ? 1 : 0);
	}
	return true;
}

/* The whole file, or NULL with err set. */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text = NULL;
	ssize_t n = 0;

	*len = 0;
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	text = malloc(CONFIG_FILE_MAX + 1);
	if (!text) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(ENOMEM));
		goto failed;
	}
	/* one byte more than allowed tells a file that is too large */
	while (*len <= CONFIG_FILE_MAX &&
	       (n = read(fd, text + *len, CONFIG_FILE_MAX + 1 - *len)) != 0) {
		if (n > 0)
			*len += n;
		else if (errno != EINTR)
			break;
	}
	if (n < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		goto failed;
	}
	if (*len > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
			 CONFIG_FILE_MAX);
		goto failed;
	}
	close(fd);
	return text;

failed:
	close(fd);
	free(text);
	return NULL;
}

bool ncd_config_load(struct ncd_config *cfg, const char *path, char *err,
		     size_t errlen)
{
	char why[256];
	size_t len;
	char *text;
	bool ok;

	ncd_config_defaults(cfg);
	text = read_file(path, &len, err, errlen);
	if (!text)
		return false;
	ok = ncd_config_parse(cfg, text, len, why, sizeof(why));
	free(text);
	if (!ok)
		snprintf(err, errlen, "%s: %s", path, why);
	return ok;
}
