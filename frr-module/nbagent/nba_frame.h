// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The northbound agent's wire protocol: frames and their encoding. Plain C,
 * no FRR, shared by the agent and its clients.
 *
 * A frame is a 16-byte header and a body. Integers are big-endian.
 *
 *   offset  size  field
 *        0     4  length   size of the body in bytes, at most
 *                          NBA_FRAME_MAX - NBA_HEADER_SIZE
 *        4     1  version  NBA_VERSION
 *        5     1  type     a request (enum nba_op), its reply (the request's
 *                          type | NBA_REPLY) or NBA_NOTIFICATION
 *        6     2  flags    a request's options (NBA_GET_*, NBA_EDIT_*,
 *                          NBA_SCHEMA_*); 0 otherwise
 *        8     4  id       chosen by the client, echoed in the reply; 0 in a
 *                          notification
 *       12     4  status   enum nba_status in a reply; 0 otherwise
 *
 * The body is a sequence of fields, each a 4-byte length and that many
 * bytes of UTF-8 text without a terminating NUL. What the fields are:
 *
 *   request        flags                 request fields    reply fields
 *   GET            GET_CONFIG|GET_STATE  xpath ("" = all)  XML, [version]
 *   EDIT           EDIT_REPLACE          XML, [version]    -
 *   VALIDATE       -                     -                 -
 *   COMMIT         -                     [comment]         -
 *   DISCARD        -                     -                 -
 *   LOCK, UNLOCK   -                     -                 -
 *   MODULES        -                     -                 name, revision,
 *                                                          namespace, ...
 *   GET_SCHEMA     SCHEMA_YIN            name, [revision]  YANG or YIN text
 *   SUBSCRIBE      -                     -                 -
 *
 * version is the running configuration's version, in decimal: a GET with
 * GET_CONFIG returns it, and an EDIT that names it bases the candidate on
 * that version, so that its COMMIT fails with NBA_ERR_OUTDATED if running
 * changed since (a client that edits what it read commits nothing stale).
 *
 * A reply with a status other than NBA_OK has one field, the error message.
 * A NOTIFICATION has two: the notification as XML and its event time
 * (RFC 3339).
 */

#ifndef _FRR_NBA_FRAME_H
#define _FRR_NBA_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NBA_VERSION 1
#define NBA_HEADER_SIZE 16
#define NBA_FIELD_HEADER_SIZE 4
/* Largest frame, header included, in either direction. */
#define NBA_FRAME_MAX (16u * 1024 * 1024)

enum nba_op {
	NBA_OP_GET = 1,
	NBA_OP_EDIT,
	NBA_OP_VALIDATE,
	NBA_OP_COMMIT,
	NBA_OP_DISCARD,
	NBA_OP_LOCK,
	NBA_OP_UNLOCK,
	NBA_OP_MODULES,
	NBA_OP_GET_SCHEMA,
	NBA_OP_SUBSCRIBE,
};

#define NBA_REPLY 0x80
#define NBA_NOTIFICATION 0x40

/* Request flags */
#define NBA_GET_CONFIG 0x0001
#define NBA_GET_STATE 0x0002
#define NBA_EDIT_REPLACE 0x0001
#define NBA_SCHEMA_YIN 0x0001

enum nba_status {
	NBA_OK = 0,
	NBA_ERR,	       /* the northbound failed */
	NBA_ERR_NOT_FOUND,     /* no such data path or module */
	NBA_ERR_LOCKED,	       /* the running configuration is locked */
	NBA_ERR_VALIDATION,    /* the configuration is not valid */
	NBA_ERR_RESOURCE,      /* out of a resource, e.g. reply too large */
	NBA_ERR_INCONSISTENCY, /* the northbound's own inconsistency */
	NBA_ERR_INVALID,       /* a malformed request: fields, flags, XML */
	NBA_ERR_UNKNOWN_OP,    /* no such operation */
	NBA_ERR_OUTDATED,      /* running changed since the candidate's edit */
	NBA_ERR_NOT_HELD,      /* unlock without holding the lock */
};

/* A field: points into a frame's body or at the caller's data. */
struct nba_field {
	const char *data;
	uint32_t len;
};

struct nba_header {
	uint8_t type;
	uint16_t flags;
	uint32_t id;
	uint32_t status;
};

/* A decoded frame: the header, and a body that points into the buffer. */
struct nba_frame {
	struct nba_header h;
	uint32_t size; /* header and body */
	const uint8_t *body;
	uint32_t body_len;
	uint32_t nfields;
};

enum nba_decode {
	NBA_DECODE_OK,
	NBA_DECODE_SHORT, /* incomplete: frame->size says how long once
			   * the header is there */
	NBA_DECODE_BAD_VERSION,
	NBA_DECODE_TOO_BIG, /* the header announces more than NBA_FRAME_MAX */
	NBA_DECODE_BAD_FIELDS, /* the fields do not fill the body exactly */
};

/*
 * Decodes the frame at the start of buf. With NBA_DECODE_SHORT and at least
 * a header in buf, frame->size is the whole frame's size (checked against
 * NBA_FRAME_MAX before anything else is read).
 */
extern enum nba_decode nba_frame_decode(const uint8_t *buf, size_t len,
					struct nba_frame *frame);

/* Copies up to max fields of a decoded frame to out; returns how many. */
extern size_t nba_frame_fields(const struct nba_frame *frame,
			       struct nba_field *out, size_t max);

/*
 * Whether a decoded frame is a well-formed request: a known operation with
 * the fields and flags it takes. If not, the status to answer with, and a
 * message in msg.
 */
extern enum nba_status nba_request_check(const struct nba_frame *frame,
					 char *msg, size_t msglen);

/* Size of a frame with these fields; more than NBA_FRAME_MAX is too big. */
extern size_t nba_frame_size(const struct nba_field *fields, size_t n);

/* Writes the frame (nba_frame_size() bytes) to out; returns its size. */
extern size_t nba_frame_encode(uint8_t *out, const struct nba_header *h,
			       const struct nba_field *fields, size_t n);

extern const char *nba_op_name(uint8_t type);
extern const char *nba_decode_name(enum nba_decode result);

#endif /* _FRR_NBA_FRAME_H */
