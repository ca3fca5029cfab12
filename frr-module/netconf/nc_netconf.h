// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF server for bgpd's northbound: what the server thread
 * (nc_server.c) and the northbound side on bgpd's main thread (nc_ops.c)
 * share.
 */

#ifndef _FRR_NC_NETCONF_H
#define _FRR_NC_NETCONF_H

#include <stdbool.h>
#include <stdint.h>

#include <libyang/libyang.h>
#include <nc_server.h>

/* An RPC as the main thread sees it: no libnetconf2 session. */
struct nc_request {
	const struct lyd_node *rpc;
	uint32_t session_id;
	const char *user;
};

typedef struct nc_server_reply *(*nc_op_fn)(const struct nc_request *req);

/*
 * The handler of an RPC that works on the northbound, run on bgpd's main
 * thread; NULL for an RPC it does not know.
 */
extern nc_op_fn nc_ops_find(const struct lyd_node *rpc);
/* main thread: a session ended; its locks go */
extern void nc_ops_session_ended(uint32_t session_id);
extern void nc_ops_fini(void);

/* An <rpc-error> reply; path and message may be NULL. */
extern struct nc_server_reply *nc_reply_error(NC_ERR tag, NC_ERR_TYPE type,
					      const char *path,
					      const char *message);

struct thread_master;

/*
 * The entry point of bgpd_netconf_server.so, called by the bgpd_netconf
 * module at late init; args are the module's options.
 */
extern void nc_plugin_start(struct thread_master *master, const char *args);
typedef void (*nc_plugin_start_fn)(struct thread_master *master,
				   const char *args);

/* The libyang context: bgpd's own, shared by both threads. */
extern struct ly_ctx *nc_ctx(void);

#endif /* _FRR_NC_NETCONF_H */
