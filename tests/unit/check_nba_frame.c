// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the northbound agent's frame codec (nba_frame.c), and a
 * randomized run of the decoder over random and mutated buffers. The seed
 * is taken from NBA_FUZZ_SEED if set, else from the clock, and printed on
 * failure.
 */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "nba_frame.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FUZZ_ROUNDS 10000

static struct nba_field text(const char *s)
{
	return (struct nba_field){.data = s, .len = strlen(s)};
}

/* An encoded frame in a buffer of exactly its size (for ASan). */
static uint8_t *encode(const struct nba_header *h,
		       const struct nba_field *fields, size_t n, size_t *size)
{
	uint8_t *buf;

	*size = nba_frame_size(fields, n);
	buf = malloc(*size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(nba_frame_encode(buf, h, fields, n), *size);
	return buf;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A bare header announcing a body of body_len bytes. */
static void header(uint8_t *buf, uint32_t body_len, uint8_t version,
		   uint8_t type)
{
	memset(buf, 0, NBA_HEADER_SIZE);
	put_u32(buf, body_len);
	buf[4] = version;
	buf[5] = type;
}

START_TEST(test_round_trip)
{
	struct nba_header h = {.type = NBA_OP_GET_SCHEMA,
			       .flags = NBA_SCHEMA_YIN,
			       .id = 0xdeadbeef,
			       .status = 7};
	struct nba_field in[] = {text("frr-routeserver"), text(""),
				 text("2024-01-01")};
	struct nba_field out[4];
	struct nba_frame frame;
	size_t size;
	uint8_t *buf = encode(&h, in, ARRAY_SIZE(in), &size);

	ck_assert_uint_eq(size, NBA_HEADER_SIZE + 3 * 4 + 15 + 0 + 10);
	ck_assert_int_eq(nba_frame_decode(buf, size, &frame), NBA_DECODE_OK);
	ck_assert_uint_eq(frame.size, size);
	ck_assert_uint_eq(frame.h.type, h.type);
	ck_assert_uint_eq(frame.h.flags, h.flags);
	ck_assert_uint_eq(frame.h.id, h.id);
	ck_assert_uint_eq(frame.h.status, h.status);
	ck_assert_uint_eq(frame.nfields, 3);
	ck_assert_uint_eq(nba_frame_fields(&frame, out, ARRAY_SIZE(out)), 3);
	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		ck_assert_uint_eq(out[i].len, in[i].len);
		ck_assert(!memcmp(out[i].data, in[i].data, in[i].len));
	}
	free(buf);
}
END_TEST

START_TEST(test_wire_layout)
{
	struct nba_header h = {.type = NBA_OP_GET | NBA_REPLY,
			       .flags = 0x0102,
			       .id = 0x03040506,
			       .status = 0x0708090a};
	struct nba_field f = text("ab");
	/* clang-format off */
	static const uint8_t expected[] = {
		0, 0, 0, 6, NBA_VERSION, NBA_OP_GET | NBA_REPLY, 1, 2,
		3, 4, 5, 6, 7, 8, 9, 10,
		0, 0, 0, 2, 'a', 'b',
	};
	/* clang-format on */
	size_t size;
	uint8_t *buf = encode(&h, &f, 1, &size);

	ck_assert_uint_eq(size, sizeof(expected));
	ck_assert(!memcmp(buf, expected, size));
	free(buf);
}
END_TEST

START_TEST(test_empty_body)
{
	struct nba_header h = {.type = NBA_OP_LOCK, .id = 1};
	struct nba_frame frame;
	size_t size;
	uint8_t *buf = encode(&h, NULL, 0, &size);

	ck_assert_uint_eq(size, NBA_HEADER_SIZE);
	ck_assert_int_eq(nba_frame_decode(buf, size, &frame), NBA_DECODE_OK);
	ck_assert_uint_eq(frame.nfields, 0);
	ck_assert_uint_eq(frame.body_len, 0);
	free(buf);
}
END_TEST

START_TEST(test_every_prefix_is_short)
{
	struct nba_header h = {.type = NBA_OP_EDIT, .id = 9};
	struct nba_field f = text("<route-server/>");
	struct nba_frame frame;
	size_t size;
	uint8_t *buf = encode(&h, &f, 1, &size);

	for (size_t len = 0; len < size; len++) {
		uint8_t *prefix = malloc(len ? len : 1);

		memcpy(prefix, buf, len);
		ck_assert_int_eq(nba_frame_decode(prefix, len, &frame),
				 NBA_DECODE_SHORT);
		ck_assert_uint_eq(frame.size, len < NBA_HEADER_SIZE ? 0 : size);
		free(prefix);
	}
	free(buf);
}
END_TEST

/* The bound is checked from the header alone, before any body. */
START_TEST(test_too_big_from_header)
{
	uint8_t buf[NBA_HEADER_SIZE];
	struct nba_frame frame;

	header(buf, NBA_FRAME_MAX - NBA_HEADER_SIZE + 1, NBA_VERSION,
	       NBA_OP_GET);
	ck_assert_int_eq(nba_frame_decode(buf, sizeof(buf), &frame),
			 NBA_DECODE_TOO_BIG);
	header(buf, UINT32_MAX, NBA_VERSION, NBA_OP_GET);
	ck_assert_int_eq(nba_frame_decode(buf, sizeof(buf), &frame),
			 NBA_DECODE_TOO_BIG);
	header(buf, NBA_FRAME_MAX - NBA_HEADER_SIZE, NBA_VERSION, NBA_OP_GET);
	ck_assert_int_eq(nba_frame_decode(buf, sizeof(buf), &frame),
			 NBA_DECODE_SHORT);
	ck_assert_uint_eq(frame.size, NBA_FRAME_MAX);
}
END_TEST

START_TEST(test_bad_version)
{
	uint8_t buf[NBA_HEADER_SIZE];
	struct nba_frame frame;

	header(buf, 0, NBA_VERSION + 1, NBA_OP_GET);
	ck_assert_int_eq(nba_frame_decode(buf, sizeof(buf), &frame),
			 NBA_DECODE_BAD_VERSION);
	header(buf, 0, 0, NBA_OP_GET);
	ck_assert_int_eq(nba_frame_decode(buf, sizeof(buf), &frame),
			 NBA_DECODE_BAD_VERSION);
}
END_TEST

/* Bodies whose fields do not add up to the body's length. */
static const struct {
	uint8_t body[12];
	uint32_t len;
} bad_bodies[] = {
	{{0, 0, 0}, 3},			    /* a partial field length */
	{{0, 0, 0, 5, 'a', 'b'}, 6},	    /* a field past the body */
	{{0, 0, 0, 1, 'a', 0, 0}, 7},	    /* a trailing partial length */
	{{0xff, 0xff, 0xff, 0xff, 'a'}, 5}, /* a huge field length */
	{{0, 0, 0, 0, 0, 0, 0, 5, 'x'}, 9}, /* a second field too long */
};

START_TEST(test_bad_fields)
{
	uint32_t len = bad_bodies[_i].len;
	uint8_t *buf = malloc(NBA_HEADER_SIZE + len);
	struct nba_frame frame;

	header(buf, len, NBA_VERSION, NBA_OP_GET);
	memcpy(buf + NBA_HEADER_SIZE, bad_bodies[_i].body, len);
	ck_assert_int_eq(nba_frame_decode(buf, NBA_HEADER_SIZE + len, &frame),
			 NBA_DECODE_BAD_FIELDS);
	free(buf);
}
END_TEST

/* Two frames back to back: the first decodes and says where it ends. */
START_TEST(test_frames_back_to_back)
{
	struct nba_header h1 = {.type = NBA_OP_COMMIT, .id = 1};
	struct nba_header h2 = {.type = NBA_OP_DISCARD, .id = 2};
	struct nba_field f = text("comment");
	struct nba_frame frame;
	size_t s1, s2;
	uint8_t *a = encode(&h1, &f, 1, &s1), *b = encode(&h2, NULL, 0, &s2);
	uint8_t *both = malloc(s1 + s2);

	memcpy(both, a, s1);
	memcpy(both + s1, b, s2);
	ck_assert_int_eq(nba_frame_decode(both, s1 + s2, &frame),
			 NBA_DECODE_OK);
	ck_assert_uint_eq(frame.size, s1);
	ck_assert_uint_eq(frame.h.id, 1);
	ck_assert_int_eq(nba_frame_decode(both + s1, s2, &frame),
			 NBA_DECODE_OK);
	ck_assert_uint_eq(frame.h.id, 2);
	free(a);
	free(b);
	free(both);
}
END_TEST

START_TEST(test_fields_bounded_by_max)
{
	struct nba_header h = {.type = NBA_OP_MODULES | NBA_REPLY};
	struct nba_field in[] = {text("a"), text("b"), text("c")};
	struct nba_field out[2];
	struct nba_frame frame;
	size_t size;
	uint8_t *buf = encode(&h, in, ARRAY_SIZE(in), &size);

	ck_assert_int_eq(nba_frame_decode(buf, size, &frame), NBA_DECODE_OK);
	ck_assert_uint_eq(nba_frame_fields(&frame, out, 2), 2);
	ck_assert_uint_eq(out[1].len, 1);
	ck_assert_int_eq(out[1].data[0], 'b');
	free(buf);
}
END_TEST

static const struct request_case {
	uint8_t type;
	uint16_t flags;
	uint32_t nfields;
	enum nba_status status;
} request_cases[] = {
	{NBA_OP_GET, NBA_GET_CONFIG, 1, NBA_OK},
	{NBA_OP_GET, NBA_GET_STATE, 1, NBA_OK},
	{NBA_OP_GET, NBA_GET_CONFIG | NBA_GET_STATE, 1, NBA_OK},
	{NBA_OP_GET, 0, 1, NBA_ERR_INVALID}, /* neither config nor state */
	{NBA_OP_GET, 0x8000, 1, NBA_ERR_INVALID},
	{NBA_OP_GET, NBA_GET_CONFIG, 0, NBA_ERR_INVALID},
	{NBA_OP_GET, NBA_GET_CONFIG, 2, NBA_ERR_INVALID},
	{NBA_OP_EDIT, 0, 1, NBA_OK},
	{NBA_OP_EDIT, NBA_EDIT_REPLACE, 1, NBA_OK},
	{NBA_OP_EDIT, NBA_EDIT_REPLACE, 2, NBA_OK},
	{NBA_OP_EDIT, 0, 3, NBA_ERR_INVALID},
	{NBA_OP_EDIT, 0x0004, 1, NBA_ERR_INVALID},
	{NBA_OP_EDIT, 0, 0, NBA_ERR_INVALID},
	{NBA_OP_VALIDATE, 0, 0, NBA_OK},
	{NBA_OP_VALIDATE, 0, 1, NBA_ERR_INVALID},
	{NBA_OP_COMMIT, 0, 0, NBA_OK},
	{NBA_OP_COMMIT, 0, 1, NBA_OK},
	{NBA_OP_COMMIT, 0, 2, NBA_ERR_INVALID},
	{NBA_OP_DISCARD, 0, 0, NBA_OK},
	{NBA_OP_LOCK, 0, 0, NBA_OK},
	{NBA_OP_LOCK, 1, 0, NBA_ERR_INVALID},
	{NBA_OP_UNLOCK, 0, 0, NBA_OK},
	{NBA_OP_MODULES, 0, 0, NBA_OK},
	{NBA_OP_GET_SCHEMA, 0, 1, NBA_OK},
	{NBA_OP_GET_SCHEMA, NBA_SCHEMA_YIN, 2, NBA_OK},
	{NBA_OP_GET_SCHEMA, 0, 0, NBA_ERR_INVALID},
	{NBA_OP_GET_SCHEMA, 0, 3, NBA_ERR_INVALID},
	{NBA_OP_SUBSCRIBE, 0, 0, NBA_OK},
	{0, 0, 0, NBA_ERR_UNKNOWN_OP},
	{NBA_OP_SUBSCRIBE + 1, 0, 0, NBA_ERR_UNKNOWN_OP},
	{NBA_OP_GET | NBA_REPLY, NBA_GET_CONFIG, 1, NBA_ERR_UNKNOWN_OP},
	{NBA_NOTIFICATION, 0, 2, NBA_ERR_UNKNOWN_OP},
	{0xff, 0, 0, NBA_ERR_UNKNOWN_OP},
};

START_TEST(test_request_check)
{
	const struct request_case *c = &request_cases[_i];
	struct nba_frame frame = {
		.h = {.type = c->type, .flags = c->flags},
		.nfields = c->nfields,
	};
	char msg[128] = "";

	ck_assert_int_eq(nba_request_check(&frame, msg, sizeof(msg)),
			 c->status);
	if (c->status != NBA_OK)
		ck_assert_int_ne(msg[0], '\0');
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(nba_op_name(NBA_OP_GET), "get");
	ck_assert_str_eq(nba_op_name(NBA_OP_COMMIT | NBA_REPLY), "commit");
	ck_assert_str_eq(nba_op_name(NBA_NOTIFICATION), "notification");
	ck_assert_str_eq(nba_op_name(0x7f), "unknown");
	ck_assert_str_eq(nba_decode_name(NBA_DECODE_TOO_BIG),
			 "frame too large");
	ck_assert_str_eq(nba_decode_name((enum nba_decode)99), "unknown");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Randomized decoding */

/*
 * Whatever the bytes, the decoder stays inside them, and what it accepts
 * re-encodes to the same bytes.
 */
static void check_decoding(const uint8_t *buf, size_t len, uint64_t seed,
			   unsigned int round)
{
	struct nba_frame frame;
	struct nba_field *fields;
	enum nba_decode result = nba_frame_decode(buf, len, &frame);
	char msg[128];
	uint8_t *again;
	size_t n;

	if (result == NBA_DECODE_SHORT) {
		ck_assert_msg(len < NBA_HEADER_SIZE ||
				      (frame.size > len &&
				       frame.size <= NBA_FRAME_MAX),
			      "seed %llu round %u: bad size %u for %zu bytes",
			      (unsigned long long)seed, round, frame.size, len);
		return;
	}
	if (result != NBA_DECODE_OK)
		return;
	ck_assert_msg(frame.size <= len &&
			      frame.size == NBA_HEADER_SIZE + frame.body_len,
		      "seed %llu round %u: frame of %u in %zu bytes",
		      (unsigned long long)seed, round, frame.size, len);
	fields = calloc(frame.nfields + 1, sizeof(*fields));
	n = nba_frame_fields(&frame, fields, frame.nfields + 1);
	ck_assert_msg(n == frame.nfields,
		      "seed %llu round %u: %zu fields of %u",
		      (unsigned long long)seed, round, n, frame.nfields);
	ck_assert_uint_eq(nba_frame_size(fields, n), frame.size);
	again = malloc(frame.size);
	nba_frame_encode(again, &frame.h, fields, n);
	ck_assert_msg(!memcmp(again, buf, frame.size),
		      "seed %llu round %u: re-encoding differs",
		      (unsigned long long)seed, round);
	nba_request_check(&frame, msg, sizeof(msg));
	free(again);
	free(fields);
}

/* Random bytes, half of them behind a plausible header. */
static size_t random_buffer(uint8_t *buf, size_t cap)
{
	size_t len = rng() % cap;

	for (size_t i = 0; i < len; i++)
		buf[i] = rng();
	if (len >= NBA_HEADER_SIZE && rng() % 2) {
		put_u32(buf, rng() % (len - NBA_HEADER_SIZE + 8));
		buf[4] = NBA_VERSION;
	}
	return len;
}

/* A valid frame with a few bytes flipped, cut short or extended. */
static size_t mutated_buffer(uint8_t *buf, size_t cap)
{
	struct nba_header h = {.type = rng() % 16, .flags = rng(), .id = rng()};
	struct nba_field fields[4];
	char data[4][32];
	size_t n = rng() % 4, len;

	for (size_t i = 0; i < n; i++) {
		fields[i].len = rng() % sizeof(data[i]);
		for (size_t j = 0; j < fields[i].len; j++)
			data[i][j] = rng();
		fields[i].data = data[i];
	}
	len = nba_frame_encode(buf, &h, fields, n);
	for (unsigned int flips = rng() % 4; flips; flips--)
		buf[rng() % len] ^= 1u << (rng() % 8);
	switch (rng() % 3) {
	case 0:
		len = rng() % (len + 1);
		break;
	case 1:
		while (len < cap && rng() % 4)
			buf[len++] = rng();
		break;
	}
	return len;
}

static void fuzz(size_t (*make)(uint8_t *buf, size_t cap))
{
	uint64_t seed = fuzz_start("NBA_FUZZ_SEED");
	uint8_t scratch[512];

	for (unsigned int round = 0; round < FUZZ_ROUNDS; round++) {
		size_t len = make(scratch, sizeof(scratch));
		/* exactly len bytes, so that ASan sees any overread */
		uint8_t *buf = malloc(len ? len : 1);

		memcpy(buf, scratch, len);
		check_decoding(buf, len, seed, round);
		free(buf);
	}
}

START_TEST(test_fuzz_random)
{
	fuzz(random_buffer);
}
END_TEST

START_TEST(test_fuzz_mutated)
{
	fuzz(mutated_buffer);
}
END_TEST

static Suite *nba_frame_suite(void)
{
	Suite *s = suite_create("nba_frame");
	TCase *tc = tcase_create("codec");
	TCase *fz = tcase_create("fuzz");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_wire_layout);
	tcase_add_test(tc, test_empty_body);
	tcase_add_test(tc, test_every_prefix_is_short);
	tcase_add_test(tc, test_too_big_from_header);
	tcase_add_test(tc, test_bad_version);
	tcase_add_loop_test(tc, test_bad_fields, 0, ARRAY_SIZE(bad_bodies));
	tcase_add_test(tc, test_frames_back_to_back);
	tcase_add_test(tc, test_fields_bounded_by_max);
	tcase_add_loop_test(tc, test_request_check, 0,
			    ARRAY_SIZE(request_cases));
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	tcase_set_timeout(fz, 60);
	tcase_add_test(fz, test_fuzz_random);
	tcase_add_test(fz, test_fuzz_mutated);
	suite_add_tcase(s, fz);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nba_frame_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
