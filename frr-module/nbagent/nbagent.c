// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_nbagent: serves bgpd's northbound on a local Unix socket,
 *
 *   bgpd -M nbagent[:socket=PATH,timeout=SECONDS,debug]
 *
 * for a client in another process (see nba_frame.h for the protocol). The
 * socket is made from the event loop, after bgpd has daemonized, and every
 * operation runs on bgpd's main thread.
 */

#include <zebra.h>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "frr_compat.h"

#include "libfrr.h"
#include "module.h"
#include "network.h"
#include "northbound.h"
#include "yang.h"

#include "nba_agent.h"

#define NBA_SOCKET_NAME "bgpd_nbagent.sock"
#define NBA_STALL_TIMEOUT_MAX 3600
#define NBA_LISTEN_BACKLOG (2 * NBA_CONN_MAX)

DEFINE_MGROUP(NBAGENT, "northbound agent");
DEFINE_MTYPE_STATIC(NBAGENT, NBA_NOTIFY_FRAME, "Northbound agent notification");

DECLARE_DLIST(nba_conns, struct nba_conn, item);

struct event_loop *nba_master;
bool nba_debug;
unsigned int nba_stall_timeout = 10;

static char socket_path[PATH_MAX];
static int listen_fd = -1;
static struct event *t_accept;
static struct nba_conns_head conns = INIT_DLIST(conns);
static unsigned int conn_serial;

/* ------------------------------------------------------------------ */
/* Options */

static bool option_set(const char *key, const char *value)
{
	char *end;
	unsigned long timeout;

	if (!strcmp(key, "debug") && !value) {
		nba_debug = true;
		return true;
	}
	if (!strcmp(key, "socket") && value && *value)
		return strlcpy(socket_path, value, sizeof(socket_path)) <
		       sizeof(socket_path);
	if (!strcmp(key, "timeout") && value) {
		timeout = strtoul(value, &end, 10);
		if (*end || !timeout || timeout > NBA_STALL_TIMEOUT_MAX)
			return false;
		nba_stall_timeout = timeout;
		return true;
	}
	return false;
}

/* "key=value,key,...", with the socket in FRR's state directory. */
static bool options_parse(const char *args)
{
	char *copy, *item, *save = NULL, *value;
	bool ok = true;

	snprintf(socket_path, sizeof(socket_path), "%s/%s", frr_runstatedir,
		 NBA_SOCKET_NAME);
	if (!args || !*args)
		return true;
	copy = XSTRDUP(MTYPE_TMP, args);
	for (item = strtok_r(copy, ",", &save); ok && item;
	     item = strtok_r(NULL, ",", &save)) {
		value = strchr(item, '=');
		if (value)
			*value++ = '\0';
		ok = option_set(item, value);
		if (!ok)
			zlog_err("nbagent: invalid option %s%s%s", item,
				 value ? "=" : "", value ? value : "");
	}
	XFREE(MTYPE_TMP, copy);
	return ok;
}

/* ------------------------------------------------------------------ */
/* The socket */

/* The socket belongs to frr:frr, also when bgpd runs as root (-S). */
static void socket_give_to_frr(const char *path)
{
	struct passwd *user = getpwnam(FRR_USER);
	struct group *group = getgrnam(FRR_GROUP);

	if (!user || !group || chown(path, user->pw_uid, group->gr_gid))
		zlog_warn("nbagent: cannot give %s to %s:%s: %s", path,
			  FRR_USER, FRR_GROUP,
			  user && group ? safe_strerror(errno)
					: "no such user");
}

static int socket_listen(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	mode_t umask_before;
	int fd, ret;

	if (strlcpy(addr.sun_path, path, sizeof(addr.sun_path)) >=
	    sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	umask_before = umask(0117);
	ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(umask_before);
	if (ret || listen(fd, NBA_LISTEN_BACKLOG)) {
		close(fd);
		return -1;
	}
	socket_give_to_frr(path);
	return fd;
}

/* Takes every waiting connection; those beyond the limit are closed. */
static void nba_accept(struct event *thread)
{
	int fd;

	event_add_read(nba_master, nba_accept, NULL, listen_fd, &t_accept);
	while ((fd = accept4(listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (nba_conns_count(&conns) >= NBA_CONN_MAX) {
			NBA_DEBUG("connection refused: %u are open",
				  NBA_CONN_MAX);
			close(fd);
			continue;
		}
		nba_conns_add_tail(&conns, nba_conn_new(fd, ++conn_serial));
	}
	if (!ERRNO_IO_RETRY(errno))
		NBA_DEBUG("accept: %s", safe_strerror(errno));
}

void nba_conn_forget(struct nba_conn *conn)
{
	nba_conns_del(&conns, conn);
}

/* ------------------------------------------------------------------ */
/* Notifications */

static bool anyone_subscribed(void)
{
	struct nba_conn *conn;

	frr_each (nba_conns, &conns, conn)
		if (conn->subscribed && !conn->closing)
			return true;
	return false;
}

/* The hook of nb_notification_send(): one frame to every subscriber. */
static int nba_notification_send(const char *xpath, struct list *arguments)
{
	struct nba_header h = {.type = NBA_NOTIFICATION};
	struct nba_field fields[2];
	struct nba_conn *conn;
	char *xml, *eventtime = NULL;
	uint8_t *frame;
	size_t size;

	if (!anyone_subscribed())
		return 0;
	xml = nba_ops_notification_xml(xpath, arguments);
	if (!xml || ly_time_time2str(time(NULL), NULL, &eventtime)) {
		zlog_warn("nbagent: notification %s not sent: %s", xpath,
			  ly_errmsg(ly_native_ctx));
		free(xml);
		return 0;
	}
	fields[0] = (struct nba_field){.data = xml, .len = strlen(xml)};
	fields[1] =
		(struct nba_field){.data = eventtime, .len = strlen(eventtime)};
	size = nba_frame_size(fields, array_size(fields));
	frame = XMALLOC(MTYPE_NBA_NOTIFY_FRAME, size);
	nba_frame_encode(frame, &h, fields, array_size(fields));
	frr_each (nba_conns, &conns, conn)
		nba_conn_notify(conn, frame, size);
	XFREE(MTYPE_NBA_NOTIFY_FRAME, frame);
	free(xml);
	free(eventtime);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Start and stop */

static void nba_start(struct event *thread)
{
	if (!options_parse(THIS_MODULE->load_args)) {
		zlog_err("nbagent: not started: invalid options");
		return;
	}
	if (!nba_ops_init()) {
		zlog_err("nbagent: not started: cannot make a libyang context");
		return;
	}
	listen_fd = socket_listen(socket_path);
	if (listen_fd < 0) {
		zlog_err("nbagent: cannot listen on %s: %s", socket_path,
			 safe_strerror(errno));
		return;
	}
	event_add_read(nba_master, nba_accept, NULL, listen_fd, &t_accept);
	hook_register(nb_notification_send, nba_notification_send);
	zlog_info("nbagent: serving bgpd's northbound on %s", socket_path);
}

static int nba_fini(void)
{
	struct nba_conn *conn;

	EVENT_OFF(t_accept);
	if (listen_fd >= 0) {
		close(listen_fd);
		unlink(socket_path);
		listen_fd = -1;
	}
	while ((conn = nba_conns_pop(&conns)))
		nba_conn_free(conn);
	nba_ops_fini();
	return 0;
}

static int nba_late_init(struct event_loop *master)
{
	nba_master = master;
	hook_register(frr_fini, nba_fini);
	event_add_event(master, nba_start, NULL, 0, NULL);
	return 0;
}

static int nba_module_init(void)
{
	hook_register(frr_late_init, nba_late_init);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_nbagent", .version = NBA_MODULE_VERSION,
		 .description = "northbound agent for bgpd",
		 .init = nba_module_init, );
