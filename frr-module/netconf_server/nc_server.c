// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A NETCONF-over-SSH server (RFC 6241, RFC 6242) for bgpd's northbound,
 * on libnetconf2 and libssh, started by the bgpd_netconf module.
 *
 * libnetconf2 runs in a thread of its own. It parses requests with bgpd's
 * libyang context, which it only reads; every operation on the northbound
 * is handed to bgpd's main thread (nc_ops.c) while the server thread waits.
 * Notifications go the other way, through a queue.
 */

#include <zebra.h>

#include "frr_pthread.h"
#include "libfrr.h"
#include "module.h"
#include "northbound.h"
#include "privs.h"
#include "thread.h"
#include "yang.h"

#include "bgpd/bgpd.h"

#include "nc_auth.h"
#include "nc_netconf.h"

/* bgpd declares it in its .c files only; binding port 830 needs it. */
extern struct zebra_privs_t bgpd_privs;

#define NC_ENDPOINT "default"
/* Where the server thread waits for a connection, or pauses between
 * rounds over its sessions. */
#define NC_ACCEPT_WAIT_MS 200
#define NC_ROUND_PAUSE_MS 10
#define NC_NOTIF_SEND_TIMEOUT_MS 1000
/* Notifications waiting for the server thread beyond this are dropped. */
#define NC_NOTIF_QUEUE_MAX 1024

struct nc_options {
	char address[INET6_ADDRSTRLEN];
	uint16_t port;
	char authorized_keys[PATH_MAX];
	char host_key[PATH_MAX];
	char pam_service[64];
};

static struct nc_options nc_opts = {
	.address = "127.0.0.1",
	.port = 830,
	.authorized_keys = NC_CONF_DIR "/authorized_keys",
	.host_key = NC_CONF_DIR "/ssh_host_ecdsa_key",
};

static struct thread_master *nc_master;
static bool nc_initialized;
static struct frr_pthread *nc_pthread;
static atomic_bool nc_stopping;

/* ------------------------------------------------------------------ */
/* Options */

/* false if value does not fit */
static bool nc_option_copy(char *dst, size_t size, const char *value)
{
	return strlcpy(dst, value, size) < size;
}

static bool nc_option_set(struct nc_options *opts, const char *key,
			  const char *value)
{
	char *end;
	unsigned long port;

	if (!strcmp(key, "address"))
		return nc_option_copy(opts->address, sizeof(opts->address),
				      value);
	if (!strcmp(key, "port")) {
		port = strtoul(value, &end, 10);
		opts->port = port;
		return *value && !*end && port > 0 && port <= 65535;
	}
	if (!strcmp(key, "authorized-keys"))
		return nc_option_copy(opts->authorized_keys,
				      sizeof(opts->authorized_keys), value);
	if (!strcmp(key, "host-key"))
		return nc_option_copy(opts->host_key, sizeof(opts->host_key),
				      value);
	if (!strcmp(key, "pam"))
		return nc_option_copy(opts->pam_service,
				      sizeof(opts->pam_service), value);
	return false;
}

/* "key=value,key=value"; false (and a log line) on anything else */
static bool nc_options_parse(const char *args, struct nc_options *opts)
{
	char *copy, *item, *save = NULL, *value;
	bool ok = true;

	if (!args || !*args)
		return true;
	copy = XSTRDUP(MTYPE_TMP, args);
	for (item = strtok_r(copy, ",", &save); ok && item;
	     item = strtok_r(NULL, ",", &save)) {
		value = strchr(item, '=');
		if (value)
			*value++ = '\0';
		ok = value && nc_option_set(opts, item, value);
		if (!ok)
			zlog_err(
				"netconf: bad module option \"%s\"; expected address=, port=, authorized-keys=, host-key= or pam=",
				item);
	}
	XFREE(MTYPE_TMP, copy);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Handing work to the main thread */

struct nc_job {
	nc_op_fn fn;
	struct nc_request req;
	struct nc_server_reply *reply;
	bool done;
};

static pthread_mutex_t nc_job_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nc_job_cond = PTHREAD_COND_INITIALIZER;

static void nc_job_run(struct thread *thread)
{
	struct nc_job *job = THREAD_ARG(thread);
	struct nc_server_reply *reply = job->fn(&job->req);

	frr_with_mutex (&nc_job_mtx) {
		job->reply = reply;
		job->done = true;
		pthread_cond_broadcast(&nc_job_cond);
	}
}

/*
 * Runs fn on the main thread and waits for its reply. The job lives on this
 * stack: if bgpd stops first, its main loop has ended and frees the event
 * without running it.
 */
static struct nc_server_reply *nc_run_on_main(nc_op_fn fn,
					      const struct nc_request *req)
{
	struct nc_job job = {.fn = fn, .req = *req};
	struct timespec until;

	thread_add_event(nc_master, nc_job_run, &job, 0, NULL);
	frr_with_mutex (&nc_job_mtx) {
		while (!job.done && !atomic_load(&nc_stopping)) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec++;
			pthread_cond_timedwait(&nc_job_cond, &nc_job_mtx,
					       &until);
		}
	}
	if (!job.done)
		return nc_reply_error(NC_ERR_OP_FAILED, NC_ERR_TYPE_APP, NULL,
				      "bgpd is shutting down");
	return job.reply;
}

static void nc_session_ended_run(struct thread *thread)
{
	nc_ops_session_ended(THREAD_VAL(thread));
}

/* ------------------------------------------------------------------ */
/* RPCs handled in the server thread: they concern sessions only */

static struct nc_pollsession *nc_ps;

static struct nc_session *nc_session_by_id(uint32_t id)
{
	for (uint16_t i = 0; i < nc_ps_session_count(nc_ps); i++) {
		struct nc_session *session = nc_ps_get_session(nc_ps, i);

		if (nc_session_get_id(session) == id)
			return session;
	}
	return NULL;
}

static struct nc_server_reply *nc_op_kill_session(struct lyd_node *rpc,
						  struct nc_session *session)
{
	uint32_t own = nc_session_get_id(session);
	struct lyd_node *arg;
	struct nc_session *victim;
	unsigned long id;

	if (lyd_find_path(rpc, "session-id", 0, &arg))
		return nc_server_reply_err(nc_err(nc_ctx(), NC_ERR_MISSING_ELEM,
						  NC_ERR_TYPE_PROT,
						  "session-id"));
	id = strtoul(lyd_get_value(arg), NULL, 10);
	if (id == own)
		return nc_reply_error(
			NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT, NULL,
			"a session ends itself with <close-session>");
	victim = nc_session_by_id(id);
	if (!victim)
		return nc_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT,
				      NULL, "no such session");
	nc_session_set_term_reason(victim, NC_SESSION_TERM_KILLED);
	nc_session_set_killed_by(victim, own);
	nc_session_set_status(victim, NC_STATUS_INVALID);
	zlog_info("netconf: session %u killed session %lu", own, id);
	return nc_server_reply_ok();
}

static struct nc_server_reply *
nc_op_create_subscription(struct lyd_node *rpc, struct nc_session *session)
{
	struct lyd_node *stream;

	if (!lyd_find_path(rpc, "stream", 0, &stream) &&
	    strcmp(lyd_get_value(stream), "NETCONF"))
		return nc_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_APP,
				      NULL, "the only stream is NETCONF");
	if (!lyd_find_path(rpc, "startTime", 0, NULL))
		return nc_reply_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_APP,
				      NULL, "notifications are not replayed");
	if (!lyd_find_path(rpc, "filter", 0, NULL))
		return nc_reply_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_APP,
				      NULL, "notifications are not filtered");
	if (nc_session_get_notif_status(session))
		return nc_reply_error(NC_ERR_IN_USE, NC_ERR_TYPE_PROT, NULL,
				      "this session is subscribed already");
	nc_session_inc_notif_status(session);
	return nc_server_reply_ok();
}

static const struct lys_module *nc_schema_module(const char *name,
						 const char *revision)
{
	if (revision && *revision)
		return ly_ctx_get_module(nc_ctx(), name, revision);
	return ly_ctx_get_module_implemented(nc_ctx(), name)
		       ?: ly_ctx_get_module_latest(nc_ctx(), name);
}

/*
 * RFC 6022 <get-schema>. libnetconf2's own answer hands a dictionary string
 * to lyd_new_any() as if it were its own, and sends garbage.
 */
static struct nc_server_reply *nc_op_get_schema(struct lyd_node *rpc,
						struct nc_session *session)
{
	struct lyd_node *id, *version, *format, *output;
	const struct lys_module *module;
	LYS_OUTFORMAT outformat = LYS_OUT_YANG;
	char *text = NULL;

	if (lyd_find_path(rpc, "identifier", 0, &id))
		return nc_server_reply_err(nc_err(nc_ctx(), NC_ERR_MISSING_ELEM,
						  NC_ERR_TYPE_PROT,
						  "identifier"));
	if (!lyd_find_path(rpc, "format", 0, &format) &&
	    strcmp(lyd_get_value(format), "ietf-netconf-monitoring:yang")) {
		if (strcmp(lyd_get_value(format),
			   "ietf-netconf-monitoring:yin"))
			return nc_reply_error(NC_ERR_INVALID_VALUE,
					      NC_ERR_TYPE_APP, NULL,
					      "the format is not supported");
		outformat = LYS_OUT_YIN;
	}
	module = nc_schema_module(lyd_get_value(id),
				  lyd_find_path(rpc, "version", 0, &version)
					  ? NULL
					  : lyd_get_value(version));
	if (!module)
		return nc_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_APP,
				      NULL, "no such schema");
	if (lys_print_mem(&text, module, outformat, 0) ||
	    lyd_dup_single(rpc, NULL, 0, &output)) {
		free(text);
		return nc_reply_error(NC_ERR_OP_FAILED, NC_ERR_TYPE_APP, NULL,
				      ly_errmsg(nc_ctx()));
	}
	lyd_new_any(output, NULL, "data", text, 1, LYD_ANYDATA_STRING, 1, NULL);
	return nc_server_reply_data(output, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

static struct nc_server_reply *nc_dispatch(struct lyd_node *rpc,
					   struct nc_session *session)
{
	const char *module = rpc->schema->module->name;
	const char *name = rpc->schema->name;
	struct nc_request req = {
		.rpc = rpc,
		.session_id = nc_session_get_id(session),
		.user = nc_session_get_username(session),
	};
	nc_op_fn fn;

	if (!strcmp(module, "ietf-netconf") && !strcmp(name, "kill-session"))
		return nc_op_kill_session(rpc, session);
	if (!strcmp(module, "ietf-netconf") && !strcmp(name, "close-session")) {
		nc_session_set_term_reason(session, NC_SESSION_TERM_CLOSED);
		return nc_server_reply_ok();
	}
	if (!strcmp(module, "notifications") &&
	    !strcmp(name, "create-subscription"))
		return nc_op_create_subscription(rpc, session);
	if (!strcmp(module, "ietf-netconf-monitoring") &&
	    !strcmp(name, "get-schema"))
		return nc_op_get_schema(rpc, session);
	fn = nc_ops_find(rpc);
	if (!fn)
		return nc_reply_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT,
				      NULL, "this operation is not supported");
	return nc_run_on_main(fn, &req);
}

/* ------------------------------------------------------------------ */
/* Notifications: built on the main thread, sent by the server thread */

struct nc_notif {
	struct nc_notif *next;
	struct lyd_node *tree;
	char *eventtime;
};

static pthread_mutex_t nc_notif_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct nc_notif *nc_notif_head, **nc_notif_tail = &nc_notif_head;
static unsigned int nc_notif_queued;

static void nc_notif_free(struct nc_notif *notif)
{
	lyd_free_all(notif->tree);
	free(notif->eventtime);
	XFREE(MTYPE_TMP, notif);
}

static bool nc_notif_enqueue(struct nc_notif *notif)
{
	frr_with_mutex (&nc_notif_mtx) {
		if (nc_notif_queued >= NC_NOTIF_QUEUE_MAX)
			return false;
		*nc_notif_tail = notif;
		nc_notif_tail = &notif->next;
		nc_notif_queued++;
	}
	return true;
}

static struct nc_notif *nc_notif_take_all(void)
{
	struct nc_notif *all;

	frr_with_mutex (&nc_notif_mtx) {
		all = nc_notif_head;
		nc_notif_head = NULL;
		nc_notif_tail = &nc_notif_head;
		nc_notif_queued = 0;
	}
	return all;
}

/* The hook of nb_notification_send(), on the main thread. */
static int nc_notification_send(const char *xpath, struct list *arguments)
{
	struct nc_notif *notif = XCALLOC(MTYPE_TMP, sizeof(*notif));
	struct yang_data *data;
	struct listnode *node;
	LY_ERR err;

	err = lyd_new_path(NULL, ly_native_ctx, xpath, NULL, 0, &notif->tree);
	for (ALL_LIST_ELEMENTS_RO(arguments, node, data)) {
		if (err)
			break;
		err = lyd_new_path(notif->tree, ly_native_ctx, data->xpath,
				   data->value, LYD_NEW_PATH_UPDATE, NULL);
	}
	if (!err)
		err = ly_time_time2str(time(NULL), NULL, &notif->eventtime);
	if (err || !nc_notif_enqueue(notif)) {
		zlog_warn("netconf: notification %s not sent: %s", xpath,
			  err ? ly_errmsg(ly_native_ctx) : "queue full");
		nc_notif_free(notif);
		return NB_ERR;
	}
	return NB_OK;
}

static void nc_notif_deliver(struct nc_notif *notif)
{
	struct nc_server_notif *msg;

	msg = nc_server_notif_new(notif->tree, notif->eventtime,
				  NC_PARAMTYPE_CONST);
	for (uint16_t i = 0; msg && i < nc_ps_session_count(nc_ps); i++) {
		struct nc_session *session = nc_ps_get_session(nc_ps, i);

		if (nc_session_get_notif_status(session))
			nc_server_notif_send(session, msg,
					     NC_NOTIF_SEND_TIMEOUT_MS);
	}
	nc_server_notif_free(msg);
}

static void nc_notif_flush(bool deliver)
{
	struct nc_notif *notif = nc_notif_take_all(), *next;

	for (; notif; notif = next) {
		next = notif->next;
		if (deliver)
			nc_notif_deliver(notif);
		nc_notif_free(notif);
	}
}

/* ------------------------------------------------------------------ */
/* The server thread */

static void nc_session_close(struct nc_session *session)
{
	uint32_t id = nc_session_get_id(session);

	zlog_info("netconf: session %u of user \"%s\" from %s ended", id,
		  nc_session_get_username(session),
		  nc_session_get_host(session));
	nc_ps_del_session(nc_ps, session);
	nc_session_free(session, NULL);
	thread_add_event(nc_master, nc_session_ended_run, NULL, id, NULL);
}

static void nc_accept_one(int timeout_ms)
{
	struct nc_session *session;

	if (nc_accept(timeout_ms, &session) != NC_MSG_HELLO)
		return;
	zlog_info("netconf: session %u of user \"%s\" from %s started",
		  nc_session_get_id(session), nc_session_get_username(session),
		  nc_session_get_host(session));
	nc_ps_add_session(nc_ps, session);
}

/* Serves the sessions until none has anything to read. */
static void nc_poll_round(void)
{
	struct nc_session *session;
	int ret;

	do {
		session = NULL;
		ret = nc_ps_poll(nc_ps, 0, &session);
		if ((ret & NC_PSPOLL_SESSION_TERM) && session)
			nc_session_close(session);
	} while (!(ret & (NC_PSPOLL_TIMEOUT | NC_PSPOLL_NOSESSIONS)) &&
		 !atomic_load(&nc_stopping));
}

/*
 * libnetconf2 polls its sessions without blocking (nc_ps_poll sleeps in
 * 100 us steps), and offers no descriptor to wait on: the thread pauses
 * between rounds instead, so that idle sessions cost no CPU.
 */
static void *nc_thread_run(void *arg)
{
	uint32_t quiet = LY_LOSTORE_LAST;
	struct timespec pause = {0, NC_ROUND_PAUSE_MS * 1000000L};

	frr_pthread_set_name(nc_pthread);
	/* clients' malformed requests are answered, not logged */
	ly_temp_log_options(&quiet);
	while (!atomic_load(&nc_stopping)) {
		if (!nc_ps_session_count(nc_ps)) {
			nc_accept_one(NC_ACCEPT_WAIT_MS);
			continue;
		}
		nc_accept_one(0);
		nc_poll_round();
		nc_notif_flush(true);
		nanosleep(&pause, NULL);
	}
	nc_ps_clear(nc_ps, 1, NULL);
	nc_thread_destroy();
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Set-up */

static void nc_log(const struct nc_session *session, NC_VERB_LEVEL level,
		   const char *msg)
{
	uint32_t id = session ? nc_session_get_id(session) : 0;

	if (level == NC_VERB_ERROR)
		zlog_err("netconf: session %u: %s", id, msg);
	else if (level == NC_VERB_WARNING)
		zlog_warn("netconf: session %u: %s", id, msg);
}

static int nc_host_key(const char *name, void *arg, char **privkey_path,
		       char **privkey_data, NC_SSH_KEY_TYPE *privkey_type)
{
	*privkey_path = strdup(nc_opts.host_key);
	return *privkey_path ? 0 : 1;
}

/*
 * The NETCONF modules join bgpd's context. They augment and deviate
 * nothing, so loading them does not recompile the modules the northbound
 * already points into.
 */
static bool nc_load_modules(void)
{
	static const char *const netconf_features[] = {
		"writable-running", "candidate", "rollback-on-error",
		"validate",	    "xpath",	 NULL};
	static const struct {
		const char *name, *revision;
		const char *const *features;
	} modules[] = {
		{"ietf-netconf", "2013-09-29", netconf_features},
		{"ietf-netconf-monitoring", "2010-10-04", NULL},
		{"notifications", "2008-07-14", NULL},
	};

	ly_ctx_set_searchdir(ly_native_ctx, NC_YANG_DIR);
	for (size_t i = 0; i < array_size(modules); i++) {
		if (!ly_ctx_load_module(ly_native_ctx, modules[i].name,
					modules[i].revision,
					(const char **)modules[i].features)) {
			zlog_err(
				"netconf: cannot load YANG module %s@%s from %s: %s",
				modules[i].name, modules[i].revision,
				NC_YANG_DIR, ly_errmsg(ly_native_ctx));
			return false;
		}
	}
	return true;
}

/*
 * nc_server_init() hangs its own <get-schema> and <close-session> on the
 * schema nodes' private pointers, where FRR's northbound keeps its nodes:
 * at exit nb_terminate() would free them as such. nc_dispatch answers both.
 */
static void nc_take_over_default_rpcs(void)
{
	static const char *const paths[] = {
		"/ietf-netconf-monitoring:get-schema",
		"/ietf-netconf:close-session",
	};

	for (size_t i = 0; i < array_size(paths); i++) {
		struct lysc_node *rpc = (struct lysc_node *)lys_find_path(
			nc_ctx(), NULL, paths[i], 0);

		if (rpc)
			rpc->priv = NULL;
	}
}

/*
 * libnetconf2 lists only YANG 1.0 modules in <hello>, leaving YANG 1.1 ones
 * to ietf-yang-library (RFC 7950, section 5.6.4), which bgpd's context does
 * not implement. FRR's modules are YANG 1.1: list them in <hello> too.
 */
static void nc_advertise_yang_1_1_modules(void)
{
	const struct lys_module *module;
	uint32_t index = 0;
	char capability[512];

	while ((module = ly_ctx_get_module_iter(nc_ctx(), &index))) {
		if (!module->implemented ||
		    module->parsed->version != LYS_VERSION_1_1)
			continue;
		snprintf(capability, sizeof(capability), "%s?module=%s%s%s",
			 module->ns, module->name,
			 module->revision ? "&revision=" : "",
			 module->revision ? module->revision : "");
		nc_server_set_capability(capability);
	}
}

static bool nc_listen(void)
{
	int ret;

	nc_server_ssh_set_hostkey_clb(nc_host_key, NULL, NULL);
	if (nc_server_add_endpt(NC_ENDPOINT, NC_TI_LIBSSH) ||
	    nc_server_ssh_endpt_add_hostkey(NC_ENDPOINT, "host-key", -1) ||
	    nc_server_ssh_endpt_set_auth_methods(
		    NC_ENDPOINT,
		    NC_SSH_AUTH_PUBLICKEY |
			    (*nc_opts.pam_service ? NC_SSH_AUTH_PASSWORD : 0)))
		return false;
	nc_server_ssh_endpt_set_auth_attempts(NC_ENDPOINT, 3);
	nc_server_ssh_endpt_set_auth_timeout(NC_ENDPOINT, 10);
	/* the socket is bound once both are set */
	frr_with_privs (&bgpd_privs) {
		ret = nc_server_endpt_set_address(NC_ENDPOINT,
						  nc_opts.address) ||
		      nc_server_endpt_set_port(NC_ENDPOINT, nc_opts.port);
	}
	return !ret;
}

static bool nc_server_start(void)
{
	struct frr_pthread_attr attr = {.start = nc_thread_run};

	nc_set_print_clb_session(nc_log);
	nc_verbosity(NC_VERB_WARNING);
	if (!nc_load_modules() || nc_server_init(ly_native_ctx))
		return false;
	nc_initialized = true;
	nc_set_global_rpc_clb(nc_dispatch);
	nc_take_over_default_rpcs();
	nc_advertise_yang_1_1_modules();
	nc_server_set_capability(
		"urn:ietf:params:netconf:capability:notification:1.0");
	nc_server_set_capability(
		"urn:ietf:params:netconf:capability:interleave:1.0");
	nc_server_set_hello_timeout(10);
	nc_auth_init(nc_opts.authorized_keys,
		     *nc_opts.pam_service ? nc_opts.pam_service : NULL);
	if (!nc_listen()) {
		zlog_err("netconf: cannot listen on %s port %u",
			 nc_opts.address, nc_opts.port);
		return false;
	}
	nc_ps = nc_ps_new();
	nc_pthread = frr_pthread_new(&attr, "NETCONF server", "netconf");
	if (frr_pthread_run(nc_pthread, NULL) < 0) {
		zlog_err("netconf: cannot start the server thread: %s",
			 safe_strerror(errno));
		frr_pthread_destroy(nc_pthread);
		nc_pthread = NULL;
		return false;
	}
	hook_register(nb_notification_send, nc_notification_send);
	zlog_info("netconf: listening on %s port %u", nc_opts.address,
		  nc_opts.port);
	return true;
}

/*
 * Started from the event loop, after bgpd has daemonized: a thread started
 * before the fork would not survive it.
 */
static void nc_start(struct thread *thread)
{
	if (!nc_options_parse(THREAD_ARG(thread), &nc_opts) ||
	    !nc_server_start())
		zlog_err("netconf: the NETCONF server is not running");
}

static int nc_fini(void)
{
	if (nc_pthread) {
		atomic_store(&nc_stopping, true);
		pthread_join(nc_pthread->thread, NULL);
		frr_pthread_destroy(nc_pthread);
		nc_pthread = NULL;
		nc_ps_free(nc_ps);
	}
	nc_notif_flush(false);
	nc_ops_fini();
	if (nc_initialized)
		nc_server_destroy();
	return 0;
}

void nc_plugin_start(struct thread_master *master, const char *args)
{
	nc_master = master;
	hook_register(frr_fini, nc_fini);
	thread_add_event(master, nc_start, (void *)args, 0, NULL);
}

/* Loaded by the bgpd_netconf module, not by bgpd: see nc_module.c. */
FRR_MODULE_SETUP(.name = "bgpd_netconf_server", .version = NC_VERSION,
		 .description = "NETCONF server for bgpd's northbound", );
