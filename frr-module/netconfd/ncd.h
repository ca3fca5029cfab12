// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-netconfd: a NETCONF server (RFC 6241, RFC 6242) for bgpd's northbound,
 * in its own process. It reaches bgpd only through bgpd's northbound agent
 * (bgpd -M nbagent, see nba_frame.h): nothing network-facing runs in bgpd.
 *
 * Threads: the main thread waits for signals; accepting threads run the SSH
 * handshake, authentication and <hello> of new sessions; worker threads
 * serve the sessions' RPCs; the agent thread reads bgpd's replies and
 * notifications.
 */

#ifndef _FRR_NCD_H
#define _FRR_NCD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>
#include <time.h>

#include <libyang/libyang.h>
#include <nc_server.h>

#include "ncd_compat.h"
#include "ncd_config.h"

#define NCD_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define NCD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

extern struct ncd_config ncd_cfg;
/* The YANG context: bgpd's modules, as bgpd's agent printed them, and
 * NETCONF's own. Read-only once the server runs. */
extern struct ly_ctx *ncd_ctx;

/* ncd_log.c */
extern void ncd_log_init(bool debug);
extern void ncd_log(int priority, const char *fmt, ...) NCD_PRINTF(2, 3);
extern bool ncd_log_debug;
#define ncd_debug(...)                                                         \
	do {                                                                   \
		if (ncd_log_debug)                                             \
			ncd_log(LOG_DEBUG, __VA_ARGS__);                       \
	} while (0)

/* ncd_agent.c: bgpd's northbound agent */
#define NCD_AGENT_ARGS_MAX 2

struct ncd_agent_reply {
	uint32_t status; /* enum nba_status */
	uint32_t nfields;
	char **field; /* NUL-terminated copies */
};

/*
 * Sends a request and waits for its reply (at most agent-timeout). false if
 * bgpd could not be asked or did not answer; err then says why.
 */
extern bool ncd_agent_call(uint8_t op, uint16_t flags, const char *const *args,
			   size_t nargs, struct ncd_agent_reply *reply,
			   char *err, size_t errlen);
extern void ncd_agent_reply_free(struct ncd_agent_reply *reply);
/* Field i of a reply, "" if it has fewer. */
static inline const char *ncd_agent_field(const struct ncd_agent_reply *reply,
					  uint32_t i)
{
	return i < reply->nfields ? reply->field[i] : "";
}
/*
 * Connects (retrying every second until stop is set) and starts the thread
 * that reads replies and hands notifications (XML, event time) to notify.
 * lost is called when the connection ends: bgpd forgot its lock and
 * candidate.
 */
extern bool ncd_agent_start(void (*notify)(const char *xml, const char *time),
			    void (*lost)(void), volatile bool *stop);
extern void ncd_agent_stop(void);

/* ncd_auth.c: who may log in (users/NAME, see there) */
extern bool ncd_auth_check_files(char *err, size_t errlen);
/*
 * Whether user may log in with key now: the users directory and the user's
 * file belong to root and are writable by root only, and the file lists
 * the key. The file is read at each call.
 */
extern bool ncd_auth_user_has_key(const char *user, ssh_key key);
/* Calls fn for every key listed in the file of every validly named user,
 * whoever owns it (which ncd_auth_user_has_key() checks at login). */
extern void ncd_auth_for_each_key(void (*fn)(const char *user, const char *type,
					     const char *base64, void *arg),
				  void *arg);
/* "refused WHAT of user "USER" from HOST" */
extern void ncd_auth_log_refused(const char *user, const char *host,
				 const char *what);

/*
 * ncd_ssh_ln2.c or ncd_ssh_ln3.c, by libnetconf2's major version: the SSH
 * server's set-up. The endpoint (address, port), the host key, who may log
 * in (the users' public keys, nothing else), the authentication and idle
 * timeouts.
 */
/* Right after NETCONF's own modules are in ctx (with -t too): what the SSH
 * server needs in it. false with err set if that cannot be. */
extern bool ncd_ssh_prepare_ctx(struct ly_ctx *ctx, char *err, size_t errlen);
/* After nc_server_init(): configures the server and binds the port. */
extern bool ncd_ssh_start(char *err, size_t errlen);
/* Before nc_server_destroy(). */
extern void ncd_ssh_stop(void);
/* Whether a module of ncd_ctx is there for the SSH server only, to be left
 * out of what clients see. */
extern bool ncd_ssh_module_private(const struct lys_module *module);

/* ncd_intercept.c */
extern void ncd_intercept_init(void);
extern void ncd_intercept_fini(void);
/* An accepting thread starts on a new client: hello-timeout starts anew. */
extern void ncd_intercept_handshake_begin(void);
/* The address of the client this accepting thread is logging in ("?" if
 * none), into buf. */
extern const char *ncd_intercept_handshake_peer(char *buf, size_t len);
/* The error of the RPC this thread just received, if libnetconf2 could
 * not parse it; NULL otherwise. Taken: the next call returns NULL. */
extern struct nc_server_reply *ncd_intercept_take_error(void);
/* The data path of a libyang error, if it names one (into buf). */
extern const char *ncd_yang_error_path(const struct ly_err_item *e, char *buf,
				       size_t len);

/* ncd_ops.c */
extern struct nc_server_reply *ncd_ops_dispatch(struct lyd_node *rpc,
						struct nc_session *session);
extern void ncd_ops_session_ended(uint32_t session_id);
extern void ncd_ops_agent_lost(void);
extern void ncd_ops_nacm_reload(void);
extern bool ncd_ops_init(char *err, size_t errlen);
extern void ncd_ops_fini(void);
extern void ncd_ops_lock_owners(uint32_t *running, uint32_t *candidate);
extern bool ncd_ops_notification_allowed(const char *user,
					 const struct lyd_node *notif);
extern struct nc_server_reply *ncd_reply_error(NC_ERR tag, NC_ERR_TYPE type,
					       const char *path,
					       const char *message);

/* ncd_server.c */
extern bool ncd_server_start(char *err, size_t errlen);
/* false if a thread did not end in time: the server is left as it is */
extern bool ncd_server_stop(void);
extern void ncd_server_notify(const char *xml, const char *time);
struct ncd_session_info {
	uint32_t id;
	struct nc_session *session;
	char user[64];
	char host[64];
	uint16_t port;
	time_t login;
	uint32_t in_rpcs, in_bad_rpcs, out_rpc_errors, out_notifications;
};

/* RFC 6022's statistics */
struct ncd_statistics {
	time_t start;
	uint32_t in_bad_hellos, in_sessions, dropped_sessions;
	uint32_t in_rpcs, in_bad_rpcs, out_rpc_errors, out_notifications;
};

/* Runs fn on every session, with the session table locked. */
extern void ncd_server_sessions(void (*fn)(const struct ncd_session_info *s,
					   void *arg),
				void *arg);
extern void ncd_server_statistics(struct ncd_statistics *stats);
/* The session with that id, or NULL; the table stays locked until
 * ncd_server_session_unlock() either way. */
extern struct nc_session *ncd_server_session_lock(uint32_t id);
extern void ncd_server_session_unlock(void);
extern void ncd_server_count_bad_rpc(struct nc_session *session);
/* The id of the session with that peer, or 0 (still in its hello). */
extern uint32_t ncd_server_session_id_by_peer(const char *host, uint16_t port);

/* ncd_monitoring.c */
extern struct lyd_node *ncd_monitoring_state(void);

#endif /* _FRR_NCD_H */
