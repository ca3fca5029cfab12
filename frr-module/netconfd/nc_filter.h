// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF filters (RFC 6241, section 6 and the :xpath capability) on
 * libyang data trees. Needs no FRR.
 */

#ifndef _FRR_NC_FILTER_H
#define _FRR_NC_FILTER_H

#include <stdbool.h>

#include <libyang/libyang.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The XPath expression that selects what a subtree filter selects. The
 * filter is the content of <filter type="subtree">: data nodes where libyang
 * knew the schema, opaque nodes elsewhere. Returns NULL with errmsg set if
 * the filter cannot be expressed; an empty filter or one naming only
 * unknown namespaces selects nothing and gives "". Free with free().
 */
extern char *nc_filter_subtree_xpath(const struct ly_ctx *ctx,
				     const struct lyd_node *filter,
				     char *errmsg, size_t errmsg_len);

/*
 * Reduces *data to the nodes the XPath expression selects, each with its
 * ancestors and its whole subtree. "" selects nothing. Returns false with
 * errmsg set if libyang cannot evaluate the expression; *data is then
 * unchanged.
 */
extern bool nc_filter_select(struct lyd_node **data, const char *xpath,
			     char *errmsg, size_t errmsg_len);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_NC_FILTER_H */
