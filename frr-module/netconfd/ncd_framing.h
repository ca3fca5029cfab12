// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A check of the NETCONF framing (RFC 6242) a client sends, byte by byte,
 * before libnetconf2 buffers anything: the size limit holds before a
 * message is stored, and a malformed chunk header closes the session
 * instead of reaching libnetconf2's parser. Plain C, no FRR.
 *
 * The first message (the client's <hello>) is end-of-message framed
 * ("]]>]]>"). After it, the framing is chunked if that hello named
 * urn:ietf:params:netconf:base:1.1 (the server always does), else it stays
 * end-of-message framed. An end-of-message framed message that ends in ']'
 * is refused as malformed: libnetconf2 may read past its mark.
 *
 * Chunked framing, as RFC 6242 section 4.2 has it:
 *   chunk        = "\n#" chunk-size "\n" chunk-data
 *   chunk-size   = 1-9 followed by up to 9 more digits, at most 4294967295
 *   end-of-chunks = "\n##\n", only after at least one chunk
 */

#ifndef _FRR_NCD_FRAMING_H
#define _FRR_NCD_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ncd_framing_result {
	NCD_FRAMING_OK = 0,
	NCD_FRAMING_TOO_BIG,   /* a message would exceed max_message */
	NCD_FRAMING_MALFORMED, /* not RFC 6242 framing */
};

/* Opaque to its users; here so that it can live inside other structs. */
struct ncd_framing {
	size_t max_message;
	uint64_t msg_bytes;	      /* bytes of the current message so far */
	uint64_t chunk_size;	      /* the chunk-size being read */
	uint64_t chunk_left;	      /* chunk-data bytes still to come */
	uint64_t messages;	      /* complete messages so far */
	uint64_t eom_tail;	      /* last 8 bytes seen in EOM framing */
	unsigned int state;	      /* where in the grammar */
	unsigned int eom_matched;     /* bytes of "]]>]]>" seen */
	unsigned int base_11_matched; /* bytes of the 1.1 capability seen */
	enum ncd_framing_result result; /* sticky once not NCD_FRAMING_OK */
	bool hello_done;
	bool saw_base_11;
	bool chunked;	/* framing after the hello */
	bool had_chunk; /* the current message has a chunk */
};

extern void ncd_framing_init(struct ncd_framing *f, size_t max_message);

/*
 * Feeds bytes as the client sent them. Once a result other than
 * NCD_FRAMING_OK came back, every later call returns it too.
 */
extern enum ncd_framing_result ncd_framing_feed(struct ncd_framing *f,
						const uint8_t *buf, size_t len);

extern const char *ncd_framing_result_name(enum ncd_framing_result r);

#endif /* _FRR_NCD_FRAMING_H */
