// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The calls of frr-netconfd that differ between libyang 2 and 3 and between
 * libnetconf2 2 and 3, one wrapper each, chosen by the majors the build
 * passes (-DLIBYANG_MAJOR=N -DLIBNETCONF2_MAJOR=N). What differs wholesale,
 * the SSH server's set-up, is in ncd_ssh_ln2.c or ncd_ssh_ln3.c instead.
 */

#ifndef _FRR_NCD_COMPAT_H
#define _FRR_NCD_COMPAT_H

#include <stdlib.h>
#include <time.h>

#include <libyang/libyang.h>
#include <nc_server.h>

#include "ly_compat.h"

#if !defined(LIBYANG_MAJOR) || !defined(LIBNETCONF2_MAJOR)
#error "build with -DLIBYANG_MAJOR=N -DLIBNETCONF2_MAJOR=N"
#endif

/* ------------------------------------------------------------------ */
/* libyang */

/* An anydata or anyxml node of an RPC's output that takes value over. */
static inline LY_ERR ncd_lyd_new_any_output(struct lyd_node *parent,
					    const char *name, const void *value,
					    LYD_ANYDATA_VALUETYPE value_type,
					    struct lyd_node **node)
{
#if LIBYANG_MAJOR >= 3
	return lyd_new_any(parent, NULL, name, value, value_type,
			   LYD_NEW_ANY_USE_VALUE | LYD_NEW_VAL_OUTPUT, node);
#else
	return lyd_new_any(parent, NULL, name, value, 1, value_type, 1, node);
#endif
}

/* XPath with variables; prefixes are module names, as in JSON. */
static inline LY_ERR ncd_lyd_find_xpath3(const struct lyd_node *ctx_node,
					 const struct lyd_node *tree,
					 const char *xpath,
					 const struct lyxp_var *vars,
					 struct ly_set **set)
{
#if LIBYANG_MAJOR >= 3
	return lyd_find_xpath3(ctx_node, tree, xpath, LY_VALUE_JSON, NULL, vars,
			       set);
#else
	return lyd_find_xpath3(ctx_node, tree, xpath, vars, set);
#endif
}

/* ------------------------------------------------------------------ */
/* libnetconf2 */

/* libnetconf2 3 takes the context at each nc_accept() instead. */
static inline int ncd_nc_server_init(struct ly_ctx *ctx)
{
#if LIBNETCONF2_MAJOR >= 3
	(void)ctx;
	return nc_server_init();
#else
	return nc_server_init(ctx);
#endif
}

static inline NC_MSG_TYPE ncd_nc_accept(int timeout, struct ly_ctx *ctx,
					struct nc_session **session)
{
#if LIBNETCONF2_MAJOR >= 3
	return nc_accept(timeout, ctx, session);
#else
	(void)ctx;
	return nc_accept(timeout, session);
#endif
}

/* The login's wall-clock time (libnetconf2 3 keeps CLOCK_REALTIME). */
static inline time_t ncd_nc_session_start_time(const struct nc_session *s)
{
#if LIBNETCONF2_MAJOR >= 3
	return nc_session_get_start_time(s).tv_sec;
#else
	return nc_session_get_start_time(s);
#endif
}

/* The server's capabilities, a NULL-terminated array, for
 * ncd_nc_cpblts_free(). */
static inline char **ncd_nc_server_get_cpblts(struct ly_ctx *ctx)
{
	return (char **)nc_server_get_cpblts(ctx);
}

/* libnetconf2 2 hands out dictionary strings, 3 malloc'd ones. */
static inline void ncd_nc_cpblts_free(struct ly_ctx *ctx, char **cpblts)
{
	for (size_t i = 0; cpblts && cpblts[i]; i++) {
#if LIBNETCONF2_MAJOR >= 3
		free(cpblts[i]);
#else
		lydict_remove(ctx, cpblts[i]);
#endif
	}
	free(cpblts);
}

#endif /* _FRR_NCD_COMPAT_H */
