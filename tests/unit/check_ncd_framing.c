// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for frr-netconfd's RFC 6242 framing check (ncd_framing.c),
 * and randomized runs over valid, mutated and random streams: fed whole,
 * byte by byte and in random pieces, the check must come to the same
 * result, and the result must be that of a simple whole-stream reference.
 * The seed is taken from NCD_FRAMING_SEED if set, else from the clock,
 * and printed on failure.
 */

#define _GNU_SOURCE /* memmem */

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "ncd_framing.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FUZZ_ROUNDS 10000
#define MESSAGES_MAX 20 /* of at most 211 bytes in a valid stream */
#define STREAM_MAX 8192

#define EOM "]]>]]>"
#define BASE_10 "urn:ietf:params:netconf:base:1.0"
#define BASE_11 "urn:ietf:params:netconf:base:1.1"

#define HELLO_HEAD                                                             \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                         \
	"<hello xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"            \
	"<capabilities><capability>" BASE_10 "</capability>"
#define HELLO_TAIL "</capabilities></hello>"
#define HELLO_10 HELLO_HEAD HELLO_TAIL EOM
#define HELLO_11                                                               \
	HELLO_HEAD "<capability>" BASE_11 "</capability>" HELLO_TAIL EOM

#define SHORT_HELLO_11 "<hello>" BASE_11 "</hello>" EOM

#define RPC "<rpc message-id=\"1\"><get/></rpc>"
#define CHUNKED_RPC "\n#32\n" RPC "\n##\n"

static enum ncd_framing_result feed(struct ncd_framing *f, const char *s)
{
	return ncd_framing_feed(f, (const uint8_t *)s, strlen(s));
}

static enum ncd_framing_result feed_bytewise(struct ncd_framing *f,
					     const char *s)
{
	enum ncd_framing_result r = f->result;

	for (; *s; s++)
		r = ncd_framing_feed(f, (const uint8_t *)s, 1);
	return r;
}

static void start(struct ncd_framing *f, size_t max, const char *hello)
{
	ncd_framing_init(f, max);
	ck_assert_int_eq(feed(f, hello), NCD_FRAMING_OK);
	ck_assert(f->hello_done);
	ck_assert_uint_eq(f->messages, 1);
}

START_TEST(test_session_10)
{
	struct ncd_framing f;

	start(&f, 1 << 20, HELLO_10);
	ck_assert(!f.chunked);
	ck_assert_int_eq(feed(&f, RPC EOM RPC EOM), NCD_FRAMING_OK);
	ck_assert_int_eq(feed_bytewise(&f, RPC EOM), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 4);
	ck_assert_uint_eq(f.msg_bytes, 0);
}
END_TEST

START_TEST(test_session_11)
{
	struct ncd_framing f;

	start(&f, 1 << 20, HELLO_11);
	ck_assert(f.chunked);
	ck_assert_int_eq(feed(&f, CHUNKED_RPC CHUNKED_RPC), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 3);
	/* several chunks, data that looks like framing */
	ck_assert_int_eq(feed(&f, "\n#4\n<rpc\n#10\n\n##\n]]>]]>\n#1\n>\n##\n"),
			 NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 4);
	ck_assert_int_eq(feed_bytewise(&f, CHUNKED_RPC), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 5);
	ck_assert_uint_eq(f.msg_bytes, 0);
	/* the largest chunk-size there is */
	ncd_framing_init(&f, SIZE_MAX);
	ck_assert_int_eq(feed(&f, HELLO_11 "\n#4294967295\nabc"),
			 NCD_FRAMING_OK);
	ck_assert_uint_eq(f.chunk_left, 4294967295ULL - 3);
}
END_TEST

/* A hello without 1.1 keeps end-of-message framing: "\n#" is data. */
START_TEST(test_hello_without_11)
{
	struct ncd_framing f;

	start(&f, 1 << 20, HELLO_10);
	ck_assert_int_eq(feed(&f, "\n#4\nabcd\n##\n"), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 1);
	ck_assert_int_eq(feed(&f, EOM "garbage" EOM), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 3);
	ck_assert(!f.chunked);
}
END_TEST

/* Only the hello counts: the capability in a later message does not. */
START_TEST(test_base_11_after_hello)
{
	struct ncd_framing f;

	start(&f, 1 << 20, "<hello/>" EOM);
	ck_assert_int_eq(feed(&f, BASE_11 EOM "\n#1\n"), NCD_FRAMING_OK);
	ck_assert(!f.chunked);
	ck_assert_uint_eq(f.messages, 2);
}
END_TEST

/* Partial matches fall back to the right place, across calls too. */
START_TEST(test_partial_matches)
{
	struct ncd_framing f;

	start(&f, 1 << 20,
	      "urn:ietf:params:netconf:base:1." BASE_11 "]]]>]]]>a]]>]]>");
	ck_assert(f.chunked);
	ncd_framing_init(&f, 1 << 20);
	ck_assert_int_eq(feed_bytewise(&f,
				       "urn:ietf:params:netconf:base:1.0"
				       "]]>]]]>a]]>]]>"),
			 NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 1);
	ck_assert(!f.chunked);
	ck_assert_int_eq(feed(&f, "a]]>]"), NCD_FRAMING_OK);
	ck_assert_int_eq(feed(&f, "]a]]>]]>"), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 2);
	ck_assert_uint_eq(f.msg_bytes, 0);
}
END_TEST

/*
 * A message that ends in ']' before its mark is refused, whatever the
 * split (libnetconf2 may read past that mark); the empty message is not.
 */
START_TEST(test_eom_message_ending_in_bracket)
{
	static const char *const refused[] = {"]", "x]", "<rpc/>]", "a]]>]"};
	struct ncd_framing f;

	start(&f, 1 << 20, HELLO_10);
	ck_assert_int_eq(feed(&f, EOM "]]>a" EOM RPC EOM), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 4);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		start(&f, 1 << 20, HELLO_10);
		ck_assert_int_eq(feed(&f, refused[i]), NCD_FRAMING_OK);
		ck_assert_msg(feed_bytewise(&f, EOM) == NCD_FRAMING_MALFORMED,
			      "not refused: %s", refused[i]);
		ck_assert_uint_eq(f.messages, 1);
	}
	ncd_framing_init(&f, 1 << 20);
	ck_assert_int_eq(feed(&f, "<hello/>]" EOM), NCD_FRAMING_MALFORMED);
	ck_assert(!f.hello_done);
}
END_TEST

/* After HELLO_11, each of these is not chunked framing. */
static const char *const malformed[] = {
	"x",
	"\n\n",
	"#1\na\n##\n",
	"\r\n#1\na\n##\n",
	"\n#0\n",
	"\n#01\na",
	"\n#abc\n",
	"\n# 1\na",
	"\n#+1\na",
	"\n#-1\na",
	"\n#1 \na",
	"\n#1a",
	"\n#1\r\na",
	"\n##\n",
	"\n#\n",
	"\n#12345678901\n",
	"\n#99999999999",
	"\n#4294967296\n",
	"\n#9999999999\n",
	"\n#1\na\n##\n\n##\n",
	"\n#1\nab\n##\n",
	"\n#1\na#\n##\n",
	"\n#1\na\n#\n",
	"\n#1\na\n##x",
	"\n#1\na\n##\r\n",
	"\n#1\na\n##\n" EOM,
	"\n#1\na\n##\nx\n#1\na\n##\n",
	"\n#1\na\n##\n \n#1\na\n##\n",
};

START_TEST(test_malformed)
{
	struct ncd_framing f;
	uint64_t before;

	start(&f, SIZE_MAX, HELLO_11);
	ck_assert_int_eq(feed(&f, CHUNKED_RPC), NCD_FRAMING_OK);
	before = f.messages;
	ck_assert_msg(feed(&f, malformed[_i]) == NCD_FRAMING_MALFORMED,
		      "not malformed: case %d", _i);
	/* sticky */
	ck_assert_int_eq(feed(&f, CHUNKED_RPC), NCD_FRAMING_MALFORMED);
	ck_assert_uint_le(f.messages, before + 1);

	start(&f, SIZE_MAX, HELLO_11);
	ck_assert_msg(feed_bytewise(&f, malformed[_i]) == NCD_FRAMING_MALFORMED,
		      "not malformed byte by byte: case %d", _i);
}
END_TEST

START_TEST(test_chunked_limit)
{
	struct ncd_framing f;

	start(&f, 100, SHORT_HELLO_11);
	ck_assert_int_eq(feed(&f, "\n#100\n"), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.msg_bytes, 100);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(feed(&f, "x"), NCD_FRAMING_OK);
	ck_assert_int_eq(feed(&f, "\n##\n"), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 2);

	/* refused at the header, before any data */
	ck_assert_int_eq(feed(&f, "\n#101"), NCD_FRAMING_OK);
	ck_assert_int_eq(feed(&f, "\n"), NCD_FRAMING_TOO_BIG);
	ck_assert_int_eq(feed(&f, "x"), NCD_FRAMING_TOO_BIG);

	/* the sum of a message's chunks */
	start(&f, 100, SHORT_HELLO_11);
	ck_assert_int_eq(feed(&f, "\n#60\n"), NCD_FRAMING_OK);
	for (int i = 0; i < 60; i++)
		ck_assert_int_eq(feed(&f, "x"), NCD_FRAMING_OK);
	ck_assert_int_eq(feed(&f, "\n#40\n"), NCD_FRAMING_OK);
	for (int i = 0; i < 40; i++)
		ck_assert_int_eq(feed(&f, "x"), NCD_FRAMING_OK);
	ck_assert_int_eq(feed(&f, "\n##\n"), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 2);
	start(&f, 100, SHORT_HELLO_11);
	ck_assert_int_eq(feed(&f, "\n#60\n"), NCD_FRAMING_OK);
	for (int i = 0; i < 60; i++)
		ck_assert_int_eq(feed(&f, "x"), NCD_FRAMING_OK);
	ck_assert_int_eq(feed(&f, "\n#41\n"), NCD_FRAMING_TOO_BIG);

	/* a huge chunk-size does not wrap the count */
	start(&f, SIZE_MAX - 2, HELLO_11);
	ck_assert_int_eq(feed(&f, "\n#4294967295\n"), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.msg_bytes, 4294967295ULL);
}
END_TEST

/* A message of n 'a's and the end-of-message mark. */
static char *eom_message(size_t n, const char *tail)
{
	char *m = malloc(n + strlen(tail) + 1);

	memset(m, 'a', n);
	strcpy(m + n, tail);
	return m;
}

START_TEST(test_eom_limit)
{
	struct ncd_framing f;
	char *at_limit = eom_message(100, EOM);
	char *over = eom_message(101, "");
	char *mark_prefix = eom_message(100, "]]>]]");

	/* the hello */
	start(&f, 100, at_limit);
	ncd_framing_init(&f, 100);
	ck_assert_int_eq(feed(&f, mark_prefix), NCD_FRAMING_OK);
	ck_assert_int_eq(feed(&f, "]"), NCD_FRAMING_TOO_BIG);
	ncd_framing_init(&f, 100);
	ck_assert_int_eq(feed(&f, over), NCD_FRAMING_TOO_BIG);

	/* later messages */
	start(&f, 100, at_limit);
	ck_assert_int_eq(feed(&f, at_limit), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 2);
	ck_assert_int_eq(feed(&f, mark_prefix), NCD_FRAMING_OK);
	ck_assert_int_eq(feed(&f, ">"), NCD_FRAMING_OK);
	ck_assert_int_eq(feed(&f, over), NCD_FRAMING_TOO_BIG);
	ck_assert_uint_eq(f.messages, 3);
	ck_assert_int_eq(feed(&f, EOM), NCD_FRAMING_TOO_BIG);
	ck_assert_uint_eq(f.messages, 3);
	free(at_limit);
	free(over);
	free(mark_prefix);
}
END_TEST

START_TEST(test_empty_feed)
{
	struct ncd_framing f;

	ncd_framing_init(&f, 10);
	ck_assert_int_eq(ncd_framing_feed(&f, NULL, 0), NCD_FRAMING_OK);
	ck_assert_uint_eq(f.messages, 0);
	ck_assert(!f.hello_done);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(ncd_framing_result_name(NCD_FRAMING_OK), "ok");
	ck_assert_str_eq(ncd_framing_result_name(NCD_FRAMING_TOO_BIG),
			 "message too large");
	ck_assert_str_eq(ncd_framing_result_name(NCD_FRAMING_MALFORMED),
			 "malformed framing");
	ck_assert_str_eq(ncd_framing_result_name((enum ncd_framing_result)9),
			 "unknown");
}
END_TEST

/* ------------------------------------------------------------------ */
/* A whole-stream reference */

struct outcome {
	enum ncd_framing_result result;
	uint64_t messages;
};

struct stream {
	uint8_t data[STREAM_MAX];
	size_t len;
	size_t max_message;
	uint64_t messages; /* of a valid stream */
};

/* The longest end of s[0..n) that may begin the end-of-message mark. */
static size_t mark_prefix_at_end(const uint8_t *s, size_t n)
{
	for (size_t k = strlen(EOM) - 1; k > 0; k--)
		if (k <= n && !memcmp(s + n - k, EOM, k))
			return k;
	return 0;
}

/* One end-of-message framed message at *pos; false if it is not whole. */
static bool ref_eom(const uint8_t *s, size_t len, size_t *pos, size_t max,
		    struct outcome *o)
{
	const uint8_t *mark = memmem(s + *pos, len - *pos, EOM, strlen(EOM));
	size_t content;

	if (!mark) {
		content = len - *pos - mark_prefix_at_end(s + *pos, len - *pos);
		if (content > max)
			o->result = NCD_FRAMING_TOO_BIG;
		return false;
	}
	if ((size_t)(mark - (s + *pos)) > max) {
		o->result = NCD_FRAMING_TOO_BIG;
		return false;
	}
	if (mark > s + *pos && mark[-1] == ']') {
		o->result = NCD_FRAMING_MALFORMED;
		return false;
	}
	*pos = mark + strlen(EOM) - s;
	o->messages++;
	return true;
}

static bool ref_byte(const uint8_t *s, size_t len, size_t *pos, uint8_t c,
		     struct outcome *o)
{
	if (*pos == len)
		return false;
	if (s[*pos] != c) {
		o->result = NCD_FRAMING_MALFORMED;
		return false;
	}
	(*pos)++;
	return true;
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* The chunk-size at *pos, then its '\n'; 0 if incomplete or malformed. */
static uint64_t ref_chunk_size(const uint8_t *s, size_t len, size_t *pos,
			       struct outcome *o)
{
	uint64_t size = 0;

	if (*pos < len && (s[*pos] < '1' || s[*pos] > '9')) {
		o->result = NCD_FRAMING_MALFORMED;
		return 0;
	}
	for (; *pos < len && is_digit(s[*pos]); (*pos)++) {
		size = size * 10 + (s[*pos] - '0');
		if (size > 4294967295ULL) {
			o->result = NCD_FRAMING_MALFORMED;
			return 0;
		}
	}
	return ref_byte(s, len, pos, '\n', o) ? size : 0;
}

static void ref_chunked(const uint8_t *s, size_t len, size_t pos, size_t max,
			struct outcome *o)
{
	uint64_t msg = 0, size;
	bool had_chunk = false;

	while (ref_byte(s, len, &pos, '\n', o) &&
	       ref_byte(s, len, &pos, '#', o) && pos < len) {
		if (s[pos] == '#') {
			if (!had_chunk) {
				o->result = NCD_FRAMING_MALFORMED;
				return;
			}
			pos++;
			if (!ref_byte(s, len, &pos, '\n', o))
				return;
			o->messages++;
			msg = 0;
			had_chunk = false;
			continue;
		}
		size = ref_chunk_size(s, len, &pos, o);
		if (!size)
			return;
		if (msg + size > max) {
			o->result = NCD_FRAMING_TOO_BIG;
			return;
		}
		msg += size;
		had_chunk = true;
		pos += size < len - pos ? size : len - pos;
	}
}

static struct outcome reference(const uint8_t *s, size_t len, size_t max)
{
	struct outcome o = {NCD_FRAMING_OK, 0};
	size_t pos = 0;

	if (!ref_eom(s, len, &pos, max, &o))
		return o;
	if (memmem(s, pos, BASE_11, strlen(BASE_11))) {
		ref_chunked(s, len, pos, max, &o);
		return o;
	}
	while (ref_eom(s, len, &pos, max, &o))
		;
	return o;
}

/* ------------------------------------------------------------------ */
/* Randomized streams */

static uint64_t seed;

static void add(struct stream *st, const void *data, size_t n)
{
	if (st->len + n > sizeof(st->data))
		ck_abort_msg("stream of more than %zu bytes", sizeof(st->data));
	memcpy(st->data + st->len, data, n);
	st->len += n;
}

static void add_str(struct stream *st, const char *s)
{
	add(st, s, strlen(s));
}

/* Bytes that matter to the framing, and some that do not. */
static uint8_t interesting_byte(void)
{
	static const char bytes[] = "\n#0123456789]>]>a<\r ";

	return rng() % 4 ? (uint8_t)bytes[rng() % (sizeof(bytes) - 1)]
			 : (uint8_t)rng();
}

static void add_hello(struct stream *st, bool base_11)
{
	bool full = rng() % 2;
	size_t before = st->len;

	add_str(st, full ? HELLO_HEAD : "<hello>");
	if (base_11)
		add_str(st, "<capability>" BASE_11 "</capability>");
	add_str(st, full ? HELLO_TAIL EOM : "</hello>" EOM);
	if (st->len - before - strlen(EOM) > st->max_message)
		st->max_message = st->len - before - strlen(EOM);
	st->messages = 1;
}

static void add_chunked_message(struct stream *st)
{
	size_t msg = 0;
	char header[16];
	uint8_t data[64];

	for (unsigned int chunks = 1 + rng() % 3; chunks; chunks--) {
		size_t size = 1 + rng() % sizeof(data);

		for (size_t i = 0; i < size; i++)
			data[i] = interesting_byte();
		snprintf(header, sizeof(header), "\n#%zu\n", size);
		add_str(st, header);
		add(st, data, size);
		msg += size;
	}
	add_str(st, "\n##\n");
	if (msg > st->max_message)
		st->max_message = msg;
}

/*
 * Content with no end-of-message mark before the one that ends it, but
 * with beginnings of it, and not ending in ']'.
 */
static void add_eom_message(struct stream *st)
{
	static const char *const pieces[] = {"]",    "]]",    "]]>",
					     "]]>]", "]]>]]", "a"};
	uint8_t m[128 + 6];
	size_t size = 0, target = rng() % 128;
	uint8_t *mark;

	while (size < target) {
		const char *piece = pieces[rng() % ARRAY_SIZE(pieces)];
		size_t n = strlen(piece);

		if (rng() % 2 || size + n > target)
			m[size++] = interesting_byte();
		else {
			memcpy(m + size, piece, n);
			size += n;
		}
	}
	memcpy(m + size, EOM, strlen(EOM));
	while ((mark = memmem(m, size + strlen(EOM), EOM, strlen(EOM))) !=
	       m + size)
		*mark = 'a';
	if (size && m[size - 1] == ']')
		m[size - 1] = 'a';
	add(st, m, size + strlen(EOM));
	if (size > st->max_message)
		st->max_message = size;
}

static void valid_stream(struct stream *st)
{
	bool base_11 = rng() % 2;

	st->len = 0;
	st->max_message = 0;
	add_hello(st, base_11);
	for (unsigned int n = rng() % MESSAGES_MAX; n; n--) {
		if (base_11)
			add_chunked_message(st);
		else
			add_eom_message(st);
		st->messages++;
	}
	/* at the limit, or a little above it */
	st->max_message += rng() % 3;
}

static void mutate(struct stream *st)
{
	fuzz_mutate(st->data, &st->len, sizeof(st->data), interesting_byte);
	if (rng() % 2)
		st->max_message -= rng() % (st->max_message + 1) / 2;
}

static void mutated_stream(struct stream *st)
{
	valid_stream(st);
	mutate(st);
}

/* A hello, then pieces of chunked framing and random bytes. */
static void token_stream(struct stream *st)
{
	static const char *const tokens[] = {
		"\n",	   "#",	   "\n#",	 "\n##\n",
		"\n#1\n",  "\n#0", "4294967295", "4294967296",
		"\n#12\n", EOM,	   "]]>",	 "]",
	};
	st->len = 0;
	st->max_message = 0;
	add_hello(st, rng() % 4);
	st->max_message += rng() % 64;
	while (st->len < STREAM_MAX / 2 && rng() % 32) {
		uint8_t c = interesting_byte();

		if (rng() % 2)
			add_str(st, tokens[rng() % ARRAY_SIZE(tokens)]);
		else
			add(st, &c, 1);
	}
}

static void random_stream(struct stream *st)
{
	st->len = rng() % 512;
	for (size_t i = 0; i < st->len; i++)
		st->data[i] = rng() % 2 ? interesting_byte() : (uint8_t)rng();
	st->max_message = rng() % 600;
}

static void check_same(const struct ncd_framing *a, const struct ncd_framing *b,
		       const char *how, unsigned int round)
{
	if (a->result != b->result || a->messages != b->messages ||
	    a->msg_bytes != b->msg_bytes || a->state != b->state ||
	    a->hello_done != b->hello_done || a->chunked != b->chunked)
		ck_abort_msg(
			"seed %llu round %u: fed %s: %s after %llu messages, "
			"whole: %s after %llu",
			(unsigned long long)seed, round, how,
			ncd_framing_result_name(b->result),
			(unsigned long long)b->messages,
			ncd_framing_result_name(a->result),
			(unsigned long long)a->messages);
}

/* Fed whole, byte by byte and in random pieces, and to the reference. */
static struct ncd_framing check_stream(const struct stream *st,
				       unsigned int round)
{
	/* exactly len bytes, so that ASan sees any overread */
	uint8_t *buf = malloc(st->len ? st->len : 1);
	struct ncd_framing whole, split;
	struct outcome ref;

	memcpy(buf, st->data, st->len);
	ncd_framing_init(&whole, st->max_message);
	ncd_framing_feed(&whole, buf, st->len);

	ncd_framing_init(&split, st->max_message);
	for (size_t i = 0; i < st->len; i++)
		ncd_framing_feed(&split, buf + i, 1);
	check_same(&whole, &split, "byte by byte", round);

	ncd_framing_init(&split, st->max_message);
	for (size_t i = 0, n; i < st->len; i += n) {
		n = 1 + rng() % (rng() % 2 ? 8 : 300);
		if (n > st->len - i)
			n = st->len - i;
		ncd_framing_feed(&split, buf + i, n);
	}
	check_same(&whole, &split, "in pieces", round);

	ref = reference(buf, st->len, st->max_message);
	if (ref.result != whole.result || ref.messages != whole.messages)
		ck_abort_msg(
			"seed %llu round %u: %s after %llu messages, "
			"reference: %s after %llu",
			(unsigned long long)seed, round,
			ncd_framing_result_name(whole.result),
			(unsigned long long)whole.messages,
			ncd_framing_result_name(ref.result),
			(unsigned long long)ref.messages);
	free(buf);
	return whole;
}

static void fuzz(void (*make)(struct stream *st), bool valid)
{
	static struct stream st;
	unsigned int results[3] = {};

	seed = fuzz_start("NCD_FRAMING_SEED");
	for (unsigned int round = 0; round < FUZZ_ROUNDS; round++) {
		struct ncd_framing f;

		make(&st);
		f = check_stream(&st, round);
		results[f.result]++;
		if (valid &&
		    (f.result != NCD_FRAMING_OK || f.messages != st.messages))
			ck_abort_msg(
				"seed %llu round %u: valid stream: %s "
				"after %llu messages of %llu",
				(unsigned long long)seed, round,
				ncd_framing_result_name(f.result),
				(unsigned long long)f.messages,
				(unsigned long long)st.messages);
	}
	/* the mutations reach every outcome */
	if (make == mutated_stream)
		for (size_t i = 0; i < ARRAY_SIZE(results); i++)
			ck_assert_msg(results[i] > 0, "seed %llu: no %s",
				      (unsigned long long)seed,
				      ncd_framing_result_name(i));
}

START_TEST(test_fuzz_valid)
{
	fuzz(valid_stream, true);
}
END_TEST

START_TEST(test_fuzz_mutated)
{
	fuzz(mutated_stream, false);
}
END_TEST

START_TEST(test_fuzz_tokens)
{
	fuzz(token_stream, false);
}
END_TEST

START_TEST(test_fuzz_random)
{
	fuzz(random_stream, false);
}
END_TEST

static Suite *ncd_framing_suite(void)
{
	Suite *s = suite_create("ncd_framing");
	TCase *tc = tcase_create("framing");
	TCase *fz = tcase_create("fuzz");

	tcase_add_test(tc, test_session_10);
	tcase_add_test(tc, test_session_11);
	tcase_add_test(tc, test_hello_without_11);
	tcase_add_test(tc, test_base_11_after_hello);
	tcase_add_test(tc, test_partial_matches);
	tcase_add_test(tc, test_eom_message_ending_in_bracket);
	tcase_add_loop_test(tc, test_malformed, 0, ARRAY_SIZE(malformed));
	tcase_add_test(tc, test_chunked_limit);
	tcase_add_test(tc, test_eom_limit);
	tcase_add_test(tc, test_empty_feed);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	tcase_set_timeout(fz, 120);
	tcase_add_test(fz, test_fuzz_valid);
	tcase_add_test(fz, test_fuzz_mutated);
	tcase_add_test(fz, test_fuzz_tokens);
	tcase_add_test(fz, test_fuzz_random);
	suite_add_tcase(s, fz);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ncd_framing_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
