// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * List entries that name one of their keys more than once, found in XML
 * before libyang parses it with the schema. libyang 3 keeps list entries
 * sorted by their keys and reads past the keys of such an entry when it
 * sorts another entry in beside it: its parser crashes on that XML. Needs
 * no FRR.
 */

#ifndef _FRR_REPEATED_KEY_H
#define _FRR_REPEATED_KEY_H

#include <stdbool.h>
#include <stddef.h>

#include <libyang/libyang.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Whether the XML text xml has a list entry that ctx's schema makes name
 * one of its keys more than once; if so, which entry and key in msg.
 * schemaless is a context without modules, to parse xml with. Text that
 * does not parse at all is left to the parser with the schema, which says
 * what is wrong: false. Logs nothing.
 */
extern bool repeated_key_screen(const struct ly_ctx *ctx,
				const struct ly_ctx *schemaless,
				const char *xml, char *msg, size_t msg_len);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_REPEATED_KEY_H */
