// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The RFC 6242 framing check of what a NETCONF client sends (see
 * ncd_framing.h). Nothing is buffered: the end-of-message mark and the 1.1
 * capability are matched with a count of the bytes matched so far, so that
 * they are found however the bytes are split between calls.
 */

#include <string.h>

#include "ncd_framing.h"

#define EOM_MARK "]]>]]>"
#define EOM_MARK_LEN (sizeof(EOM_MARK) - 1)
#define BASE_11 "urn:ietf:params:netconf:base:1.1"
#define BASE_11_LEN (sizeof(BASE_11) - 1)
#define CHUNK_SIZE_MAX 4294967295ULL

enum framing_state {
	ST_EOM,		/* in an end-of-message framed message */
	ST_CHUNK_LF,	/* expecting the '\n' of a chunk or of end-of-chunks */
	ST_CHUNK_HASH,	/* after "\n" */
	ST_CHUNK_START, /* after "\n#": a chunk-size or the second '#' */
	ST_CHUNK_SIZE,	/* in a chunk-size */
	ST_CHUNK_DATA,
	ST_END_LF, /* after "\n##" */
};

void ncd_framing_init(struct ncd_framing *f, size_t max_message)
{
	memset(f, 0, sizeof(*f));
	f->max_message = max_message;
	f->state = ST_EOM;
	f->result = NCD_FRAMING_OK;
}

/* The longest proper prefix of pat[0..n) that is also its suffix. */
static unsigned int border(const char *pat, unsigned int n)
{
	for (unsigned int k = n - 1; k > 0; k--)
		if (!memcmp(pat, pat + n - k, k))
			return k;
	return 0;
}

/*
 * Of pat, matched bytes were the last ones seen: how many are once c is
 * seen too (Knuth-Morris-Pratt). matched is less than pat's length.
 */
static unsigned int match_next(const char *pat, unsigned int matched, uint8_t c)
{
	for (;;) {
		if ((uint8_t)pat[matched] == c)
			return matched + 1;
		if (!matched)
			return 0;
		matched = border(pat, matched);
	}
}

static void end_message(struct ncd_framing *f)
{
	f->messages++;
	f->msg_bytes = 0;
	f->had_chunk = false;
}

static void end_eom_message(struct ncd_framing *f)
{
	f->eom_matched = 0;
	end_message(f);
	if (f->hello_done)
		return;
	f->hello_done = true;
	f->chunked = f->saw_base_11;
	f->state = f->chunked ? ST_CHUNK_LF : ST_EOM;
}

static void note_base_11(struct ncd_framing *f, uint8_t c)
{
	f->base_11_matched = match_next(BASE_11, f->base_11_matched, c);
	if (f->base_11_matched == BASE_11_LEN)
		f->saw_base_11 = true;
}

/*
 * libnetconf2 (2.0 and 3.x alike) looks for the mark without falling back
 * within a partial match: after a message that ends in ']' it may miss the
 * mark and take the next message as part of this one, and the session
 * answers nothing more. Well-formed XML never ends in ']', so such a
 * message is refused here, as framing libnetconf2 cannot read.
 */
static bool eom_message_ends_in_bracket(const struct ncd_framing *f)
{
	return f->msg_bytes > EOM_MARK_LEN &&
	       (uint8_t)(f->eom_tail >> (8 * EOM_MARK_LEN)) == ']';
}

static enum ncd_framing_result eom_byte(struct ncd_framing *f, uint8_t c)
{
	f->msg_bytes++;
	f->eom_tail = f->eom_tail << 8 | c;
	f->eom_matched = match_next(EOM_MARK, f->eom_matched, c);
	if (f->eom_matched == EOM_MARK_LEN) {
		if (eom_message_ends_in_bracket(f))
			return NCD_FRAMING_MALFORMED;
		end_eom_message(f);
		return NCD_FRAMING_OK;
	}
	if (!f->hello_done && !f->saw_base_11)
		note_base_11(f, c);
	/* The bytes matched may yet be the mark, the others are the message. */
	if (f->msg_bytes - f->eom_matched > f->max_message)
		return NCD_FRAMING_TOO_BIG;
	return NCD_FRAMING_OK;
}

static enum ncd_framing_result expect(struct ncd_framing *f, uint8_t c,
				      uint8_t wanted, enum framing_state next)
{
	if (c != wanted)
		return NCD_FRAMING_MALFORMED;
	f->state = next;
	return NCD_FRAMING_OK;
}

static enum ncd_framing_result chunk_start(struct ncd_framing *f, uint8_t c)
{
	if (c == '#') {
		if (!f->had_chunk)
			return NCD_FRAMING_MALFORMED;
		f->state = ST_END_LF;
		return NCD_FRAMING_OK;
	}
	if (c < '1' || c > '9')
		return NCD_FRAMING_MALFORMED;
	f->chunk_size = c - '0';
	f->state = ST_CHUNK_SIZE;
	return NCD_FRAMING_OK;
}

/* The size is known before the data: refuse it before it is stored. */
static enum ncd_framing_result chunk_data_start(struct ncd_framing *f)
{
	/* msg_bytes <= max_message holds in chunked framing */
	if (f->chunk_size > f->max_message - f->msg_bytes)
		return NCD_FRAMING_TOO_BIG;
	f->msg_bytes += f->chunk_size;
	f->chunk_left = f->chunk_size;
	f->had_chunk = true;
	f->state = ST_CHUNK_DATA;
	return NCD_FRAMING_OK;
}

/* No more than 10 digits follows from the bound on the value. */
static enum ncd_framing_result chunk_size_byte(struct ncd_framing *f, uint8_t c)
{
	if (c == '\n')
		return chunk_data_start(f);
	if (c < '0' || c > '9')
		return NCD_FRAMING_MALFORMED;
	f->chunk_size = f->chunk_size * 10 + (c - '0');
	if (f->chunk_size > CHUNK_SIZE_MAX)
		return NCD_FRAMING_MALFORMED;
	return NCD_FRAMING_OK;
}

static enum ncd_framing_result end_of_chunks(struct ncd_framing *f, uint8_t c)
{
	if (c != '\n')
		return NCD_FRAMING_MALFORMED;
	end_message(f);
	f->state = ST_CHUNK_LF;
	return NCD_FRAMING_OK;
}

static enum ncd_framing_result chunk_byte(struct ncd_framing *f, uint8_t c)
{
	switch (f->state) {
	case ST_CHUNK_LF:
		return expect(f, c, '\n', ST_CHUNK_HASH);
	case ST_CHUNK_HASH:
		return expect(f, c, '#', ST_CHUNK_START);
	case ST_CHUNK_START:
		return chunk_start(f, c);
	case ST_CHUNK_SIZE:
		return chunk_size_byte(f, c);
	case ST_END_LF:
		return end_of_chunks(f, c);
	}
	return NCD_FRAMING_MALFORMED;
}

/* Chunk data is only counted: returns how much of avail it takes. */
static size_t skip_chunk_data(struct ncd_framing *f, size_t avail)
{
	size_t take = f->chunk_left < avail ? f->chunk_left : avail;

	f->chunk_left -= take;
	if (!f->chunk_left)
		f->state = ST_CHUNK_LF;
	return take;
}

enum ncd_framing_result ncd_framing_feed(struct ncd_framing *f,
					 const uint8_t *buf, size_t len)
{
	size_t i = 0;

	while (i < len && f->result == NCD_FRAMING_OK) {
		if (f->state == ST_CHUNK_DATA) {
			i += skip_chunk_data(f, len - i);
			continue;
		}
		if (f->state == ST_EOM)
			f->result = eom_byte(f, buf[i]);
		else
			f->result = chunk_byte(f, buf[i]);
		i++;
	}
	return f->result;
}

const char *ncd_framing_result_name(enum ncd_framing_result r)
{
	switch (r) {
	case NCD_FRAMING_OK:
		return "ok";
	case NCD_FRAMING_TOO_BIG:
		return "message too large";
	case NCD_FRAMING_MALFORMED:
		return "malformed framing";
	}
	return "unknown";
}
