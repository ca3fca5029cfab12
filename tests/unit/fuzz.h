// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the randomized unit tests share: a seeded generator (xorshift64*)
 * and byte mutations. Each test program includes it once.
 */

#ifndef _FRR_FUZZ_H
#define _FRR_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state;

static inline uint32_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/*
 * The seed from the environment variable env if set, else from the clock;
 * the generator starts from it. Tests print it when they fail.
 */
static inline uint64_t fuzz_start(const char *env)
{
	const char *value = getenv(env);
	uint64_t seed = value ? strtoull(value, NULL, 0) : (uint64_t)time(NULL);

	rng_state = seed ? seed : 1;
	return seed;
}

/*
 * One to three changes to buf (len bytes, room for cap): a flipped bit, a
 * byte replaced, inserted or deleted (new bytes from pick), or a cut.
 */
static inline void fuzz_mutate(uint8_t *buf, size_t *len, size_t cap,
			       uint8_t (*pick)(void))
{
	for (unsigned int n = 1 + rng() % 3; n; n--) {
		size_t at = rng() % (*len + 1);

		switch (rng() % 5) {
		case 0:
			if (at < *len)
				buf[at] ^= 1u << (rng() % 8);
			break;
		case 1:
			if (at < *len)
				buf[at] = pick();
			break;
		case 2:
			if (*len < cap) {
				memmove(buf + at + 1, buf + at, *len - at);
				buf[at] = pick();
				(*len)++;
			}
			break;
		case 3:
			if (at < *len) {
				memmove(buf + at, buf + at + 1, *len - at - 1);
				(*len)--;
			}
			break;
		case 4:
			*len = at;
			break;
		}
	}
}

#endif /* _FRR_FUZZ_H */
