// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The northbound agent: bgpd's northbound over a local socket (see
 * nba_frame.h for the protocol). Everything runs on bgpd's main thread.
 */

#ifndef _FRR_NBA_AGENT_H
#define _FRR_NBA_AGENT_H

#include "frr_compat.h"

#include "linklist.h"
#include "log.h"
#include "memory.h"
#include "typesafe.h"

#include "nba_frame.h"

DECLARE_MGROUP(NBAGENT);

#define NBA_CONN_MAX 16
/* Notifications waiting for a subscriber to read them, in bytes. */
#define NBA_NOTIFY_BACKLOG_MAX (1024 * 1024)
/* Requests are read only while less than this waits to be sent. */
#define NBA_OUTPUT_LOW (64 * 1024)

extern bool nba_debug;

#define NBA_DEBUG(fmt, ...)                                                    \
	do {                                                                   \
		if (nba_debug)                                                 \
			zlog_debug("nbagent: " fmt, ##__VA_ARGS__);            \
	} while (0)

PREDECL_DLIST(nba_conns);
PREDECL_DLIST(nba_outq);

struct nba_conn {
	struct nba_conns_item item;
	int fd;
	unsigned int serial; /* names it in the debug log */

	/* the frame being read */
	uint8_t *in;
	size_t in_len, in_cap;

	/* frames waiting to be sent */
	struct nba_outq_head out;
	size_t out_bytes, out_notify_bytes;

	struct event *t_read, *t_write, *t_stall, *t_free;
	bool closing;

	/* the northbound client */
	struct nb_config *candidate;
	bool candidate_edited;
	bool locked;
	bool subscribed;
};

/* nba_conn.c */
extern struct nba_conn *nba_conn_new(int fd, unsigned int serial);
extern void nba_conn_close(struct nba_conn *conn, const char *why);
extern void nba_conn_free(struct nba_conn *conn);
extern void nba_conn_send(struct nba_conn *conn, const struct nba_header *h,
			  const struct nba_field *fields, size_t n);
extern void nba_conn_notify(struct nba_conn *conn, const uint8_t *frame,
			    size_t size);

/* nba_ops.c */
extern bool nba_ops_init(void);
extern void nba_ops_fini(void);
extern void nba_ops_dispatch(struct nba_conn *conn,
			     const struct nba_frame *request);
extern void nba_ops_conn_closed(struct nba_conn *conn);
/* A notification as XML (free() it), or NULL if it cannot be built. */
extern char *nba_ops_notification_xml(const char *xpath,
				      struct list *arguments);

/* nbagent.c */
extern struct event_loop *nba_master;
extern unsigned int nba_stall_timeout;
extern void nba_conn_forget(struct nba_conn *conn);

#endif /* _FRR_NBA_AGENT_H */
