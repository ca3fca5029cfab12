// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NETCONF server on libnetconf2: the threads that accept sessions and
 * serve them, the session table with RFC 6022's counters, and the delivery
 * of bgpd's notifications. The SSH endpoint and who may log in are set up
 * by ncd_ssh_ln2.c or ncd_ssh_ln3.c.
 *
 * nc_accept() runs a new session's SSH handshake, authentication and
 * <hello> before it returns, and may be called from several threads at
 * once: each accepting thread is busy with one new client at a time, so
 * that a silent client holds up only its own thread. Established sessions
 * are served by worker threads polling one nc_pollsession.
 */

#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ncd.h"

#define NCD_WORKERS 4
#define NCD_ACCEPT_THREADS_MAX 64
#define NCD_ACCEPT_WAIT_MS 50
/* How often the notifier looks whether the daemon stops. */
#define NCD_NOTIF_WAIT_MS 200
/* libnetconf2 polls its sessions by sleeping in 100 us steps and offers no
 * descriptor to wait on: workers pause between idle rounds instead. */
#define NCD_IDLE_PAUSE_MS 5
/* A subscriber that does not read is skipped, not waited for. */
#define NCD_NOTIF_SEND_TIMEOUT_MS 100
#define NCD_NOTIF_QUEUE_MAX 256
/* How long stopping waits for a thread busy with a request. */
#define NCD_STOP_WAIT_S 3

static volatile bool stopping;
static struct nc_pollsession *ps;
static pthread_t workers[NCD_WORKERS];
static pthread_t acceptors[NCD_ACCEPT_THREADS_MAX];
static unsigned int acceptor_count;
static pthread_t notifier;

static pthread_mutex_t table_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct ncd_session_info *table;
static unsigned int table_count;
static struct ncd_statistics stats;

/* ------------------------------------------------------------------ */
/* The session table */

static struct ncd_session_info *info_of(const struct nc_session *session)
{
	for (unsigned int i = 0; i < table_count; i++)
		if (table[i].session == session)
			return &table[i];
	return NULL;
}

void ncd_server_sessions(void (*fn)(const struct ncd_session_info *s,
				    void *arg),
			 void *arg)
{
	pthread_mutex_lock(&table_mtx);
	for (unsigned int i = 0; i < table_count; i++)
		fn(&table[i], arg);
	pthread_mutex_unlock(&table_mtx);
}

void ncd_server_statistics(struct ncd_statistics *out)
{
	pthread_mutex_lock(&table_mtx);
	*out = stats;
	pthread_mutex_unlock(&table_mtx);
}

struct nc_session *ncd_server_session_lock(uint32_t id)
{
	pthread_mutex_lock(&table_mtx);
	for (unsigned int i = 0; i < table_count; i++)
		if (table[i].id == id)
			return table[i].session;
	return NULL;
}

void ncd_server_session_unlock(void)
{
	pthread_mutex_unlock(&table_mtx);
}

uint32_t ncd_server_session_id_by_peer(const char *host, uint16_t port)
{
	uint32_t id = 0;

	pthread_mutex_lock(&table_mtx);
	for (unsigned int i = 0; i < table_count && !id; i++)
		if (table[i].port == port && !strcmp(table[i].host, host))
			id = table[i].id;
	pthread_mutex_unlock(&table_mtx);
	return id;
}

void ncd_server_count_bad_rpc(struct nc_session *session)
{
	struct ncd_session_info *info;

	pthread_mutex_lock(&table_mtx);
	info = info_of(session);
	if (info)
		info->in_bad_rpcs++;
	stats.in_bad_rpcs++;
	pthread_mutex_unlock(&table_mtx);
}

static void count_poll(struct nc_session *session, int ret)
{
	struct ncd_session_info *info;

	pthread_mutex_lock(&table_mtx);
	info = info_of(session);
	if (ret & NC_PSPOLL_RPC) {
		stats.in_rpcs++;
		if (info)
			info->in_rpcs++;
	}
	if (ret & NC_PSPOLL_BAD_RPC) {
		stats.in_bad_rpcs++;
		if (info)
			info->in_bad_rpcs++;
	}
	if (ret & NC_PSPOLL_REPLY_ERROR) {
		stats.out_rpc_errors++;
		if (info)
			info->out_rpc_errors++;
	}
	pthread_mutex_unlock(&table_mtx);
}

/* Adds a new session; false if the table is full. */
static bool table_add(struct nc_session *session)
{
	struct ncd_session_info *info;

	pthread_mutex_lock(&table_mtx);
	if (table_count >= ncd_cfg.max_sessions) {
		pthread_mutex_unlock(&table_mtx);
		return false;
	}
	info = &table[table_count++];
	memset(info, 0, sizeof(*info));
	info->id = nc_session_get_id(session);
	info->session = session;
	snprintf(info->user, sizeof(info->user), "%s",
		 nc_session_get_username(session));
	snprintf(info->host, sizeof(info->host), "%s",
		 nc_session_get_host(session));
	info->port = nc_session_get_port(session);
	info->login = ncd_nc_session_start_time(session);
	stats.in_sessions++;
	pthread_mutex_unlock(&table_mtx);
	return true;
}

static void table_remove(struct nc_session *session, bool dropped)
{
	struct ncd_session_info *info;

	pthread_mutex_lock(&table_mtx);
	info = info_of(session);
	if (info)
		*info = table[--table_count];
	if (dropped)
		stats.dropped_sessions++;
	pthread_mutex_unlock(&table_mtx);
}

/* ------------------------------------------------------------------ */
/* Serving sessions */

static const char *term_reason_name(NC_SESSION_TERM_REASON reason)
{
	switch (reason) {
	case NC_SESSION_TERM_CLOSED:
		return "closed";
	case NC_SESSION_TERM_KILLED:
		return "killed";
	case NC_SESSION_TERM_DROPPED:
	case NC_SESSION_TERM_OTHER:
		return "disconnected";
	case NC_SESSION_TERM_TIMEOUT:
		return "timeout";
	case NC_SESSION_TERM_BADHELLO:
		return "bad hello";
	default:
		return "ended";
	}
}

static void session_end(struct nc_session *session)
{
	NC_SESSION_TERM_REASON reason = nc_session_get_term_reason(session);
	uint32_t id = nc_session_get_id(session);

	ncd_log(LOG_INFO, "session %u ended: user %s from %s (%s)", id,
		nc_session_get_username(session), nc_session_get_host(session),
		term_reason_name(reason));
	nc_ps_del_session(ps, session);
	table_remove(session, reason != NC_SESSION_TERM_CLOSED &&
				      reason != NC_SESSION_TERM_KILLED);
	ncd_ops_session_ended(id);
	nc_session_free(session, NULL);
}

static void pause_ms(int ms)
{
	struct timespec ts = {0, ms * 1000000L};

	nanosleep(&ts, NULL);
}

static void *worker_run(void *arg)
{
	struct nc_session *session;
	int ret;

	while (!stopping) {
		session = NULL;
		ret = nc_ps_poll(ps, 0, &session);
		/*
		 * libnetconf2 3 answers an envelope without a message-id
		 * itself and dispatches nothing: the parse error kept for it
		 * must neither answer the next request nor leak when this
		 * thread ends.
		 */
		nc_server_reply_free(ncd_intercept_take_error());
		if (session && (ret & (NC_PSPOLL_RPC | NC_PSPOLL_BAD_RPC)))
			count_poll(session, ret);
		if ((ret & NC_PSPOLL_SESSION_TERM) && session)
			session_end(session);
		if (ret & (NC_PSPOLL_TIMEOUT | NC_PSPOLL_NOSESSIONS))
			pause_ms(NCD_IDLE_PAUSE_MS);
	}
	return NULL;
}

static void *acceptor_run(void *arg)
{
	struct nc_session *session;
	NC_MSG_TYPE msg;

	while (!stopping) {
		ncd_intercept_handshake_begin();
		msg = ncd_nc_accept(NCD_ACCEPT_WAIT_MS, ncd_ctx, &session);
		if (msg == NC_MSG_BAD_HELLO) {
			pthread_mutex_lock(&table_mtx);
			stats.in_bad_hellos++;
			pthread_mutex_unlock(&table_mtx);
		}
		if (msg != NC_MSG_HELLO)
			continue;
		if (!table_add(session)) {
			ncd_log(LOG_WARNING,
				"session limit (%u) reached: refused user %s from %s",
				ncd_cfg.max_sessions,
				nc_session_get_username(session),
				nc_session_get_host(session));
			nc_session_free(session, NULL);
			continue;
		}
		ncd_log(LOG_INFO, "session %u started: user %s from %s",
			nc_session_get_id(session),
			nc_session_get_username(session),
			nc_session_get_host(session));
		nc_ps_add_session(ps, session);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Notifications: parsed by the agent thread, sent by the notifier */

struct notif {
	struct notif *next;
	struct lyd_node *tree;
	char *time;
};

static pthread_mutex_t notif_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notif_cond = PTHREAD_COND_INITIALIZER;
static struct notif *notif_head, **notif_tail = &notif_head;
static unsigned int notif_queued;

static void notif_free(struct notif *n)
{
	lyd_free_all(n->tree);
	free(n->time);
	free(n);
}

static bool any_subscriber(void)
{
	bool any = false;

	pthread_mutex_lock(&table_mtx);
	for (unsigned int i = 0; i < table_count && !any; i++)
		any = nc_session_get_notif_status(table[i].session);
	pthread_mutex_unlock(&table_mtx);
	return any;
}

void ncd_server_notify(const char *xml, const char *time)
{
	struct lyd_node *tree = NULL, *op = NULL;
	struct notif *n;
	struct ly_in *in;
	bool queued = false;

	if (!any_subscriber() || ly_in_new_memory(xml, &in))
		return;
	if (lyd_parse_op(ncd_ctx, NULL, in, LYD_XML, LYD_TYPE_NOTIF_YANG, &tree,
			 &op)) {
		ncd_log(LOG_WARNING, "a notification from bgpd did not parse");
		ly_in_free(in, 0);
		return;
	}
	ly_in_free(in, 0);
	n = calloc(1, sizeof(*n));
	if (n) {
		n->tree = tree;
		n->time = strdup(time);
	}
	pthread_mutex_lock(&notif_mtx);
	if (n && n->time && notif_queued < NCD_NOTIF_QUEUE_MAX) {
		*notif_tail = n;
		notif_tail = &n->next;
		notif_queued++;
		queued = true;
		pthread_cond_signal(&notif_cond);
	}
	pthread_mutex_unlock(&notif_mtx);
	if (queued)
		return;
	ncd_log(LOG_WARNING, "a notification was dropped: queue full");
	if (n)
		notif_free(n);
	else
		lyd_free_all(tree);
}

static void notif_send(struct notif *n)
{
	struct nc_server_notif *msg;

	msg = nc_server_notif_new(n->tree, n->time, NC_PARAMTYPE_CONST);
	if (!msg)
		return;
	pthread_mutex_lock(&table_mtx);
	for (unsigned int i = 0; i < table_count; i++) {
		struct ncd_session_info *info = &table[i];

		if (!nc_session_get_notif_status(info->session) ||
		    !ncd_ops_notification_allowed(info->user, n->tree))
			continue;
		if (nc_server_notif_send(info->session, msg,
					 NCD_NOTIF_SEND_TIMEOUT_MS) ==
		    NC_MSG_NOTIF) {
			info->out_notifications++;
			stats.out_notifications++;
		}
	}
	pthread_mutex_unlock(&table_mtx);
	nc_server_notif_free(msg);
}

static struct notif *notif_take(void)
{
	struct notif *n;
	struct timespec until;

	pthread_mutex_lock(&notif_mtx);
	if (!notif_head) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += NCD_NOTIF_WAIT_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&notif_cond, &notif_mtx, &until);
	}
	n = notif_head;
	if (n) {
		notif_head = n->next;
		if (!notif_head)
			notif_tail = &notif_head;
		notif_queued--;
	}
	pthread_mutex_unlock(&notif_mtx);
	return n;
}

static void *notifier_run(void *arg)
{
	struct notif *n;

	while (!stopping) {
		n = notif_take();
		if (n) {
			notif_send(n);
			notif_free(n);
		}
	}
	while ((n = notif_take()))
		notif_free(n);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Set-up */

static void nc_log_cb(const struct nc_session *session, NC_VERB_LEVEL level,
		      const char *msg)
{
	uint32_t id = session ? nc_session_get_id(session) : 0;

	if (level == NC_VERB_ERROR)
		ncd_log(LOG_ERR, "session %u: %s", id, msg);
	else if (level == NC_VERB_WARNING)
		ncd_log(LOG_WARNING, "session %u: %s", id, msg);
	else
		ncd_debug("session %u: %s", id, msg);
}

/*
 * libnetconf2 2 hangs its own <get-schema> and <close-session> on the
 * schema nodes' private pointers (3 does not while a global callback is
 * set); ncd_ops_dispatch answers all operations.
 */
static void take_over_default_rpcs(void)
{
	static const char *const paths[] = {
		"/ietf-netconf-monitoring:get-schema",
		"/ietf-netconf:close-session",
	};

	for (size_t i = 0; i < NCD_ARRAY_SIZE(paths); i++) {
		struct lysc_node *rpc = (struct lysc_node *)lys_find_path(
			ncd_ctx, NULL, paths[i], 0);

		if (rpc)
			rpc->priv = NULL;
	}
}

/*
 * libnetconf2 lists only YANG 1.0 modules in <hello>, leaving YANG 1.1 ones
 * to ietf-yang-library (RFC 7950, section 5.6.4), which is not served
 * here. FRR's modules are YANG 1.1: list them in <hello> too.
 */
static void advertise_yang_1_1_modules(void)
{
	const struct lys_module *module;
	uint32_t index = 0;
	char capability[512];

	while ((module = ly_ctx_get_module_iter(ncd_ctx, &index))) {
		if (!module->implemented ||
		    module->parsed->version != LYS_VERSION_1_1 ||
		    ncd_ssh_module_private(module))
			continue;
		snprintf(capability, sizeof(capability), "%s?module=%s%s%s",
			 module->ns, module->name,
			 module->revision ? "&revision=" : "",
			 module->revision ? module->revision : "");
		nc_server_set_capability(capability);
	}
}

static bool start_threads(void)
{
	acceptor_count = ncd_cfg.max_sessions < NCD_ACCEPT_THREADS_MAX
				 ? ncd_cfg.max_sessions
				 : NCD_ACCEPT_THREADS_MAX;
	for (unsigned int i = 0; i < NCD_WORKERS; i++)
		if (pthread_create(&workers[i], NULL, worker_run, NULL))
			return false;
	for (unsigned int i = 0; i < acceptor_count; i++)
		if (pthread_create(&acceptors[i], NULL, acceptor_run, NULL))
			return false;
	return !pthread_create(&notifier, NULL, notifier_run, NULL);
}

bool ncd_server_start(char *err, size_t errlen)
{
	nc_set_print_clb_session(nc_log_cb);
	nc_verbosity(ncd_log_debug ? NC_VERB_VERBOSE : NC_VERB_WARNING);
	table = calloc(ncd_cfg.max_sessions, sizeof(*table));
	if (!table || ncd_nc_server_init(ncd_ctx)) {
		snprintf(err, errlen, "cannot start libnetconf2's server");
		return false;
	}
	stats.start = time(NULL);
	nc_set_global_rpc_clb(ncd_ops_dispatch);
	take_over_default_rpcs();
	advertise_yang_1_1_modules();
	nc_server_set_capability(
		"urn:ietf:params:netconf:capability:notification:1.0");
	nc_server_set_capability(
		"urn:ietf:params:netconf:capability:interleave:1.0");
	if (!ncd_ssh_start(err, errlen))
		return false;
	ps = nc_ps_new();
	if (!ps || !start_threads()) {
		snprintf(err, errlen, "cannot start the server's threads");
		return false;
	}
	ncd_log(LOG_NOTICE, "listening on %s port %u", ncd_cfg.address,
		ncd_cfg.port);
	return true;
}

/* Joins t if it ends by the deadline; false if it is stuck. */
static bool join_by(pthread_t t, const struct timespec *deadline)
{
	return !t || !pthread_timedjoin_np(t, NULL, deadline);
}

bool ncd_server_stop(void)
{
	struct timespec deadline;
	bool joined = true;

	stopping = true;
	if (!table)
		return true;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += NCD_STOP_WAIT_S;
	for (unsigned int i = 0; i < acceptor_count; i++)
		joined &= join_by(acceptors[i], &deadline);
	for (unsigned int i = 0; i < NCD_WORKERS; i++)
		joined &= join_by(workers[i], &deadline);
	joined &= join_by(notifier, &deadline);
	if (!joined)
		return false;
	if (ps) {
		nc_ps_clear(ps, 1, NULL);
		nc_ps_free(ps);
	}
	ncd_ssh_stop();
	nc_server_destroy();
	free(table);
	return true;
}
