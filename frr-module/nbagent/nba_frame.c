// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The northbound agent's frames (see nba_frame.h).
 */

#include <stdio.h>
#include <string.h>

#include "nba_frame.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* What each request takes. */
static const struct nba_op_spec {
	const char *name;
	uint8_t min_fields;
	uint8_t max_fields;
	uint16_t flags;	    /* the flags it knows */
	bool flag_required; /* at least one of them */
} op_specs[] = {
	[NBA_OP_GET] = {"get", 1, 1, NBA_GET_CONFIG | NBA_GET_STATE, true},
	[NBA_OP_EDIT] = {"edit", 1, 2, NBA_EDIT_REPLACE, false},
	[NBA_OP_VALIDATE] = {"validate", 0, 0, 0, false},
	[NBA_OP_COMMIT] = {"commit", 0, 1, 0, false},
	[NBA_OP_DISCARD] = {"discard", 0, 0, 0, false},
	[NBA_OP_LOCK] = {"lock", 0, 0, 0, false},
	[NBA_OP_UNLOCK] = {"unlock", 0, 0, 0, false},
	[NBA_OP_MODULES] = {"modules", 0, 0, 0, false},
	[NBA_OP_GET_SCHEMA] = {"get-schema", 1, 2, NBA_SCHEMA_YIN, false},
	[NBA_OP_SUBSCRIBE] = {"subscribe", 0, 0, 0, false},
};

static const struct nba_op_spec *op_spec(uint8_t type)
{
	if (type >= ARRAY_SIZE(op_specs) || !op_specs[type].name)
		return NULL;
	return &op_specs[type];
}

const char *nba_op_name(uint8_t type)
{
	const struct nba_op_spec *spec = op_spec(type & ~NBA_REPLY);

	if (type == NBA_NOTIFICATION)
		return "notification";
	return spec ? spec->name : "unknown";
}

const char *nba_decode_name(enum nba_decode result)
{
	switch (result) {
	case NBA_DECODE_OK:
		return "ok";
	case NBA_DECODE_SHORT:
		return "incomplete frame";
	case NBA_DECODE_BAD_VERSION:
		return "unknown protocol version";
	case NBA_DECODE_TOO_BIG:
		return "frame too large";
	case NBA_DECODE_BAD_FIELDS:
		return "fields do not fill the body";
	}
	return "unknown";
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *put_u32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return p + 4;
}

/* The field at *pos, if it lies wholly before end; advances *pos. */
static bool next_field(const uint8_t **pos, const uint8_t *end,
		       struct nba_field *field)
{
	uint32_t len;

	if ((size_t)(end - *pos) < NBA_FIELD_HEADER_SIZE)
		return false;
	len = get_u32(*pos);
	if ((size_t)(end - *pos) - NBA_FIELD_HEADER_SIZE < len)
		return false;
	field->data = (const char *)*pos + NBA_FIELD_HEADER_SIZE;
	field->len = len;
	*pos += NBA_FIELD_HEADER_SIZE + len;
	return true;
}

enum nba_decode nba_frame_decode(const uint8_t *buf, size_t len,
				 struct nba_frame *frame)
{
	const uint8_t *pos, *end;
	struct nba_field field;
	uint32_t body_len;

	memset(frame, 0, sizeof(*frame));
	if (len < NBA_HEADER_SIZE)
		return NBA_DECODE_SHORT;
	body_len = get_u32(buf);
	if (body_len > NBA_FRAME_MAX - NBA_HEADER_SIZE)
		return NBA_DECODE_TOO_BIG;
	if (buf[4] != NBA_VERSION)
		return NBA_DECODE_BAD_VERSION;
	frame->size = NBA_HEADER_SIZE + body_len;
	if (len < frame->size)
		return NBA_DECODE_SHORT;

	frame->h.type = buf[5];
	frame->h.flags = (uint16_t)(buf[6] << 8 | buf[7]);
	frame->h.id = get_u32(buf + 8);
	frame->h.status = get_u32(buf + 12);
	frame->body = buf + NBA_HEADER_SIZE;
	frame->body_len = body_len;
	pos = frame->body;
	end = frame->body + body_len;
	while (pos < end) {
		if (!next_field(&pos, end, &field))
			return NBA_DECODE_BAD_FIELDS;
		frame->nfields++;
	}
	return NBA_DECODE_OK;
}

size_t nba_frame_fields(const struct nba_frame *frame, struct nba_field *out,
			size_t max)
{
	const uint8_t *pos = frame->body, *end = frame->body + frame->body_len;
	size_t n = 0;

	while (n < max && next_field(&pos, end, &out[n]))
		n++;
	return n;
}

enum nba_status nba_request_check(const struct nba_frame *frame, char *msg,
				  size_t msglen)
{
	const struct nba_op_spec *spec = op_spec(frame->h.type);

	if (!spec) {
		snprintf(msg, msglen, "unknown operation %u", frame->h.type);
		return NBA_ERR_UNKNOWN_OP;
	}
	if (frame->nfields < spec->min_fields ||
	    frame->nfields > spec->max_fields) {
		snprintf(msg, msglen, "%s takes %u to %u fields, not %u",
			 spec->name, spec->min_fields, spec->max_fields,
			 frame->nfields);
		return NBA_ERR_INVALID;
	}
	if ((frame->h.flags & ~spec->flags) ||
	    (spec->flag_required && !(frame->h.flags & spec->flags))) {
		snprintf(msg, msglen, "%s: invalid flags 0x%04x", spec->name,
			 frame->h.flags);
		return NBA_ERR_INVALID;
	}
	return NBA_OK;
}

size_t nba_frame_size(const struct nba_field *fields, size_t n)
{
	size_t size = NBA_HEADER_SIZE;

	for (size_t i = 0; i < n; i++)
		size += NBA_FIELD_HEADER_SIZE + (size_t)fields[i].len;
	return size;
}

size_t nba_frame_encode(uint8_t *out, const struct nba_header *h,
			const struct nba_field *fields, size_t n)
{
	size_t size = nba_frame_size(fields, n);
	uint8_t *p = out;

	p = put_u32(p, (uint32_t)(size - NBA_HEADER_SIZE));
	*p++ = NBA_VERSION;
	*p++ = h->type;
	*p++ = h->flags >> 8;
	*p++ = h->flags & 0xff;
	p = put_u32(p, h->id);
	p = put_u32(p, h->status);
	for (size_t i = 0; i < n; i++) {
		p = put_u32(p, fields[i].len);
		if (fields[i].len)
			memcpy(p, fields[i].data, fields[i].len);
		p += fields[i].len;
	}
	return size;
}
