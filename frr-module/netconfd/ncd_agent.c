// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client of bgpd's northbound agent: one connection, requests from any
 * thread, each waiting for the reply with its id; a thread of its own reads
 * replies and notifications, and reconnects when bgpd goes away.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "nba_frame.h"
#include "ncd.h"

#define RECONNECT_PAUSE_MS 1000
#define READ_POLL_MS 200

struct pending {
	struct pending *next;
	uint32_t id;
	bool done;
	struct ncd_agent_reply *reply;
};

static struct {
	/* Lock order: write_mtx, then mtx. fd changes under both. */
	pthread_mutex_t write_mtx;
	pthread_mutex_t mtx;
	pthread_cond_t answered;
	int fd;
	uint32_t next_id;
	struct pending *pending;
	char down_reason[512];

	pthread_t thread;
	bool thread_running;
	void (*notify)(const char *xml, const char *time);
	void (*lost)(void);
	volatile bool *stop;
} agent = {
	.write_mtx = PTHREAD_MUTEX_INITIALIZER,
	.mtx = PTHREAD_MUTEX_INITIALIZER,
	.answered = PTHREAD_COND_INITIALIZER,
	.fd = -1,
	.down_reason = "not connected yet",
};

void ncd_agent_reply_free(struct ncd_agent_reply *reply)
{
	for (uint32_t i = 0; i < reply->nfields; i++)
		free(reply->field[i]);
	free(reply->field);
	reply->field = NULL;
	reply->nfields = 0;
}

/* ------------------------------------------------------------------ */
/* Writing */

static bool write_all(int fd, const uint8_t *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	ssize_t n;

	while (len) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return false;
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

static uint8_t *encode_request(uint8_t op, uint16_t flags, uint32_t id,
			       const char *const *args, size_t nargs,
			       size_t *size)
{
	struct nba_field fields[NCD_AGENT_ARGS_MAX];
	struct nba_header h = {.type = op, .flags = flags, .id = id};
	uint8_t *frame;

	for (size_t i = 0; i < nargs; i++)
		fields[i] = (struct nba_field){.data = args[i],
					       .len = strlen(args[i])};
	*size = nba_frame_size(fields, nargs);
	if (*size > NBA_FRAME_MAX)
		return NULL;
	frame = malloc(*size);
	if (frame)
		nba_frame_encode(frame, &h, fields, nargs);
	return frame;
}

/* ------------------------------------------------------------------ */
/* Requests */

static void pending_remove(struct pending *p)
{
	for (struct pending **at = &agent.pending; *at; at = &(*at)->next)
		if (*at == p) {
			*at = p->next;
			return;
		}
}

static bool wait_answer(struct pending *p, char *err, size_t errlen)
{
	struct timespec until;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ncd_cfg.agent_timeout;
	while (!p->done && ret != ETIMEDOUT)
		ret = pthread_cond_timedwait(&agent.answered, &agent.mtx,
					     &until);
	if (p->done && p->reply->status != UINT32_MAX)
		return true;
	if (p->done)
		snprintf(err, errlen, "bgpd is not reachable (%s)",
			 agent.down_reason);
	else
		snprintf(err, errlen, "bgpd did not answer within %u s",
			 ncd_cfg.agent_timeout);
	return false;
}

bool ncd_agent_call(uint8_t op, uint16_t flags, const char *const *args,
		    size_t nargs, struct ncd_agent_reply *reply, char *err,
		    size_t errlen)
{
	struct pending p = {.reply = reply};
	uint8_t *frame;
	size_t size;
	bool ok;

	memset(reply, 0, sizeof(*reply));
	if (nargs > NCD_AGENT_ARGS_MAX) {
		snprintf(err, errlen, "too many arguments for bgpd");
		return false;
	}
	pthread_mutex_lock(&agent.write_mtx);
	pthread_mutex_lock(&agent.mtx);
	if (agent.fd < 0) {
		snprintf(err, errlen, "bgpd is not reachable (%s)",
			 agent.down_reason);
		pthread_mutex_unlock(&agent.mtx);
		pthread_mutex_unlock(&agent.write_mtx);
		return false;
	}
	if (++agent.next_id == 0)
		agent.next_id = 1;
	p.id = agent.next_id;
	p.next = agent.pending;
	agent.pending = &p;
	pthread_mutex_unlock(&agent.mtx);

	frame = encode_request(op, flags, p.id, args, nargs, &size);
	ok = frame &&
	     write_all(agent.fd, frame, size, ncd_cfg.agent_timeout * 1000);
	free(frame);
	pthread_mutex_unlock(&agent.write_mtx);

	pthread_mutex_lock(&agent.mtx);
	if (!frame)
		snprintf(err, errlen, "the request is too large for bgpd");
	else if (!ok)
		snprintf(err, errlen, "bgpd is not reachable (%s)",
			 "the request could not be sent");
	else
		ok = wait_answer(&p, err, errlen);
	pending_remove(&p);
	pthread_mutex_unlock(&agent.mtx);
	if (!ok)
		ncd_agent_reply_free(reply);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Reading */

/* The fields as strings; false if out of memory. */
static bool copy_fields(const struct nba_frame *frame,
			struct ncd_agent_reply *reply)
{
	struct nba_field *fields = calloc(frame->nfields + 1, sizeof(*fields));
	size_t n = fields ? nba_frame_fields(frame, fields, frame->nfields) : 0;
	bool ok = fields && (reply->field = calloc(n + 1, sizeof(char *)));

	for (size_t i = 0; ok && i < n; i++) {
		reply->field[i] = strndup(fields[i].data, fields[i].len);
		ok = reply->field[i] != NULL;
		reply->nfields = i + 1;
	}
	free(fields);
	return ok;
}

static void answer(const struct nba_frame *frame)
{
	struct pending *p;

	pthread_mutex_lock(&agent.mtx);
	for (p = agent.pending; p && p->id != frame->h.id; p = p->next)
		;
	if (p && !p->done) {
		p->reply->status = frame->h.status;
		if (!copy_fields(frame, p->reply)) {
			ncd_agent_reply_free(p->reply);
			p->reply->status = NBA_ERR_RESOURCE;
		}
		p->done = true;
		pthread_cond_broadcast(&agent.answered);
	}
	pthread_mutex_unlock(&agent.mtx);
}

static void deliver_notification(const struct nba_frame *frame)
{
	struct nba_field fields[2];
	char *xml, *time;

	if (nba_frame_fields(frame, fields, 2) != 2)
		return;
	xml = strndup(fields[0].data, fields[0].len);
	time = strndup(fields[1].data, fields[1].len);
	if (xml && time)
		agent.notify(xml, time);
	free(xml);
	free(time);
}

static void dispatch(const struct nba_frame *frame)
{
	if (frame->h.type == NBA_NOTIFICATION)
		deliver_notification(frame);
	else if (frame->h.type & NBA_REPLY)
		answer(frame);
}

struct inbuf {
	uint8_t *data;
	size_t len, cap;
};

/* Dispatches the complete frames in the buffer; false on a bad frame. */
static bool dispatch_frames(struct inbuf *in)
{
	struct nba_frame frame;
	enum nba_decode result;
	size_t used = 0;

	for (;;) {
		result = nba_frame_decode(in->data + used, in->len - used,
					  &frame);
		if (result != NBA_DECODE_OK)
			break;
		dispatch(&frame);
		used += frame.size;
	}
	memmove(in->data, in->data + used, in->len - used);
	in->len -= used;
	if (result != NBA_DECODE_SHORT)
		ncd_log(LOG_ERR, "northbound agent %s: bad frame: %s",
			ncd_cfg.agent, nba_decode_name(result));
	return result == NBA_DECODE_SHORT;
}

/* Reads until the connection ends or stop is set. */
static void read_frames(int fd, char *why, size_t whylen)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	struct inbuf in = {0};
	ssize_t n;

	while (!*agent.stop) {
		if (poll(&pfd, 1, READ_POLL_MS) <= 0)
			continue;
		if (in.cap - in.len < 65536) {
			size_t cap = in.cap ? in.cap * 2 : 131072;
			uint8_t *grown;

			if (cap > 2 * NBA_FRAME_MAX ||
			    !(grown = realloc(in.data, cap))) {
				snprintf(why, whylen, "out of memory");
				break;
			}
			in.data = grown;
			in.cap = cap;
		}
		n = recv(fd, in.data + in.len, in.cap - in.len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, whylen, "%s",
				 n ? strerror(errno) : "bgpd closed it");
			break;
		}
		in.len += n;
		if (!dispatch_frames(&in)) {
			snprintf(why, whylen, "bad frame");
			break;
		}
	}
	free(in.data);
}

/* ------------------------------------------------------------------ */
/* The connection */

static int connect_agent(char *why, size_t whylen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(ncd_cfg.agent) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "the socket's path is too long");
		return -1;
	}
	memcpy(sa.sun_path, ncd_cfg.agent, strlen(ncd_cfg.agent));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void set_connected(int fd, const char *why)
{
	struct pending *p;

	pthread_mutex_lock(&agent.write_mtx);
	pthread_mutex_lock(&agent.mtx);
	if (agent.fd >= 0)
		close(agent.fd);
	agent.fd = fd;
	if (fd < 0) {
		snprintf(agent.down_reason, sizeof(agent.down_reason),
			 "northbound agent %.256s: %s", ncd_cfg.agent, why);
		for (p = agent.pending; p; p = p->next) {
			p->reply->status = UINT32_MAX;
			p->done = true;
		}
		pthread_cond_broadcast(&agent.answered);
	}
	pthread_mutex_unlock(&agent.mtx);
	pthread_mutex_unlock(&agent.write_mtx);
}

/* Runs in a thread of its own: the agent thread reads the reply. */
static void *subscribe(void *arg)
{
	struct ncd_agent_reply reply;
	char err[256];

	if (!ncd_agent_call(NBA_OP_SUBSCRIBE, 0, NULL, 0, &reply, err,
			    sizeof(err)))
		ncd_log(LOG_WARNING,
			"northbound agent %s: no notifications: %s",
			ncd_cfg.agent, err);
	ncd_agent_reply_free(&reply);
	return NULL;
}

static void pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void *agent_thread(void *arg)
{
	char why[160], last_why[160] = "";
	pthread_t subscriber;
	int fd;

	while (!*agent.stop) {
		fd = connect_agent(why, sizeof(why));
		if (fd < 0) {
			if (strcmp(why, last_why))
				ncd_log(LOG_WARNING,
					"northbound agent %s: not reachable (%s); retrying every second",
					ncd_cfg.agent, why);
			snprintf(last_why, sizeof(last_why), "%s", why);
			set_connected(-1, why);
			pause_ms(RECONNECT_PAUSE_MS);
			continue;
		}
		ncd_log(LOG_INFO, "northbound agent %s: connected",
			ncd_cfg.agent);
		last_why[0] = '\0';
		set_connected(fd, NULL);
		if (!pthread_create(&subscriber, NULL, subscribe, NULL))
			pthread_detach(subscriber);
		snprintf(why, sizeof(why), "stopping");
		read_frames(fd, why, sizeof(why));
		set_connected(-1, why);
		if (!*agent.stop) {
			ncd_log(LOG_WARNING, "northbound agent %s: lost (%s)",
				ncd_cfg.agent, why);
			agent.lost();
		}
	}
	return NULL;
}

bool ncd_agent_start(void (*notify)(const char *xml, const char *time),
		     void (*lost)(void), volatile bool *stop)
{
	agent.notify = notify;
	agent.lost = lost;
	agent.stop = stop;
	if (pthread_create(&agent.thread, NULL, agent_thread, NULL))
		return false;
	agent.thread_running = true;
	return true;
}

void ncd_agent_stop(void)
{
	if (agent.thread_running)
		pthread_join(agent.thread, NULL);
	agent.thread_running = false;
	set_connected(-1, "stopped");
}
