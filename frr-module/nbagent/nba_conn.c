// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A client connection of the northbound agent: reads one request frame at a
 * time, queues reply and notification frames, and closes on malformed
 * input, a full notification backlog or a stall.
 *
 * A connection is closed at once but freed from an event: a notification or
 * a request's own reply may close it while a caller still holds it.
 */

#include <zebra.h>

#include "frr_compat.h"

#include "network.h"

#include "nba_agent.h"

DEFINE_MTYPE_STATIC(NBAGENT, NBA_CONN, "Northbound agent connection");
DEFINE_MTYPE_STATIC(NBAGENT, NBA_INPUT, "Northbound agent input");
DEFINE_MTYPE_STATIC(NBAGENT, NBA_OUTPUT, "Northbound agent output");

/* An input buffer larger than this is freed once its frame is handled. */
#define NBA_INPUT_KEEP (64 * 1024)

struct nba_out {
	struct nba_outq_item item;
	size_t size, sent;
	bool notification;
	uint8_t data[];
};

DECLARE_DLIST(nba_outq, struct nba_out, item);

static void conn_read(struct event *thread);
static void conn_write(struct event *thread);

/*
 * A connection in the middle of a frame, or with output waiting, must make
 * progress within the stall timeout. Between frames it may stay idle.
 */
static void conn_stalled(struct event *thread)
{
	struct nba_conn *conn = EVENT_ARG(thread);

	nba_conn_close(conn, conn->out_bytes ? "the client does not read"
					     : "incomplete frame timed out");
}

static void conn_watch(struct nba_conn *conn)
{
	EVENT_OFF(conn->t_stall);
	if (conn->in_len || conn->out_bytes)
		event_add_timer(nba_master, conn_stalled, conn,
				nba_stall_timeout, &conn->t_stall);
}

/* Reading stops while a client leaves its replies unread. */
static void conn_want_read(struct nba_conn *conn)
{
	if (!conn->closing && conn->out_bytes < NBA_OUTPUT_LOW)
		event_add_read(nba_master, conn_read, conn, conn->fd,
			       &conn->t_read);
}

struct nba_conn *nba_conn_new(int fd, unsigned int serial)
{
	struct nba_conn *conn = XCALLOC(MTYPE_NBA_CONN, sizeof(*conn));

	conn->fd = fd;
	conn->serial = serial;
	nba_outq_init(&conn->out);
	conn_want_read(conn);
	NBA_DEBUG("connection %u opened", serial);
	return conn;
}

static void conn_free_event(struct event *thread)
{
	struct nba_conn *conn = EVENT_ARG(thread);

	nba_conn_forget(conn);
	nba_conn_free(conn);
}

void nba_conn_close(struct nba_conn *conn, const char *why)
{
	if (conn->closing)
		return;
	NBA_DEBUG("connection %u closed: %s", conn->serial, why);
	conn->closing = true;
	EVENT_OFF(conn->t_read);
	EVENT_OFF(conn->t_write);
	EVENT_OFF(conn->t_stall);
	close(conn->fd);
	conn->fd = -1;
	nba_ops_conn_closed(conn);
	event_add_event(nba_master, conn_free_event, conn, 0, &conn->t_free);
}

void nba_conn_free(struct nba_conn *conn)
{
	struct nba_out *out;

	EVENT_OFF(conn->t_read);
	EVENT_OFF(conn->t_write);
	EVENT_OFF(conn->t_stall);
	EVENT_OFF(conn->t_free);
	if (conn->fd >= 0)
		close(conn->fd);
	nba_ops_conn_closed(conn);
	while ((out = nba_outq_pop(&conn->out)))
		XFREE(MTYPE_NBA_OUTPUT, out);
	nba_outq_fini(&conn->out);
	XFREE(MTYPE_NBA_INPUT, conn->in);
	XFREE(MTYPE_NBA_CONN, conn);
}

/* ------------------------------------------------------------------ */
/* Input */

static void input_reserve(struct nba_conn *conn, size_t size)
{
	if (size <= conn->in_cap)
		return;
	conn->in = XREALLOC(MTYPE_NBA_INPUT, conn->in, size);
	conn->in_cap = size;
}

static void input_reset(struct nba_conn *conn)
{
	conn->in_len = 0;
	if (conn->in_cap > NBA_INPUT_KEEP) {
		XFREE(MTYPE_NBA_INPUT, conn->in);
		conn->in_cap = 0;
	}
}

/*
 * Reads until a frame is complete, then handles it: one request per event,
 * so that connections take turns. Returns false if the connection closed.
 */
static bool input_step(struct nba_conn *conn)
{
	struct nba_frame frame;
	enum nba_decode result;
	size_t want;
	ssize_t n;

	for (;;) {
		result = nba_frame_decode(conn->in, conn->in_len, &frame);
		if (result == NBA_DECODE_OK)
			break;
		if (result != NBA_DECODE_SHORT) {
			nba_conn_close(conn, nba_decode_name(result));
			return false;
		}
		want = conn->in_len < NBA_HEADER_SIZE ? NBA_HEADER_SIZE
						      : frame.size;
		input_reserve(conn, want);
		n = read(conn->fd, conn->in + conn->in_len,
			 want - conn->in_len);
		if (n == 0) {
			nba_conn_close(conn, conn->in_len
						     ? "closed in a frame"
						     : "closed by the client");
			return false;
		}
		if (n < 0) {
			if (ERRNO_IO_RETRY(errno))
				return true;
			nba_conn_close(conn, safe_strerror(errno));
			return false;
		}
		conn->in_len += n;
	}
	nba_ops_dispatch(conn, &frame);
	input_reset(conn);
	return !conn->closing;
}

static void conn_read(struct event *thread)
{
	struct nba_conn *conn = EVENT_ARG(thread);

	if (!input_step(conn))
		return;
	conn_watch(conn);
	conn_want_read(conn);
}

/* ------------------------------------------------------------------ */
/* Output */

static void output_add(struct nba_conn *conn, struct nba_out *out)
{
	nba_outq_add_tail(&conn->out, out);
	conn->out_bytes += out->size;
	if (out->notification)
		conn->out_notify_bytes += out->size;
	event_add_write(nba_master, conn_write, conn, conn->fd, &conn->t_write);
	conn_watch(conn);
}

static struct nba_out *output_new(size_t size, bool notification)
{
	struct nba_out *out = XCALLOC(MTYPE_NBA_OUTPUT, sizeof(*out) + size);

	out->size = size;
	out->notification = notification;
	return out;
}

void nba_conn_send(struct nba_conn *conn, const struct nba_header *h,
		   const struct nba_field *fields, size_t n)
{
	struct nba_out *out;

	if (conn->closing)
		return;
	out = output_new(nba_frame_size(fields, n), false);
	nba_frame_encode(out->data, h, fields, n);
	output_add(conn, out);
}

void nba_conn_notify(struct nba_conn *conn, const uint8_t *frame, size_t size)
{
	struct nba_out *out;

	if (conn->closing || !conn->subscribed)
		return;
	if (conn->out_notify_bytes + size > NBA_NOTIFY_BACKLOG_MAX) {
		nba_conn_close(conn, "notification backlog full");
		return;
	}
	out = output_new(size, true);
	memcpy(out->data, frame, size);
	output_add(conn, out);
}

/* Sends what the socket takes. Returns false if the connection closed. */
static bool output_flush(struct nba_conn *conn)
{
	struct nba_out *out;
	ssize_t n;

	while ((out = nba_outq_first(&conn->out))) {
		n = send(conn->fd, out->data + out->sent, out->size - out->sent,
			 MSG_NOSIGNAL);
		if (n < 0) {
			if (ERRNO_IO_RETRY(errno))
				return true;
			nba_conn_close(conn, safe_strerror(errno));
			return false;
		}
		out->sent += n;
		conn->out_bytes -= n;
		if (out->notification)
			conn->out_notify_bytes -= n;
		if (out->sent < out->size)
			continue;
		nba_outq_del(&conn->out, out);
		XFREE(MTYPE_NBA_OUTPUT, out);
	}
	return true;
}

static void conn_write(struct event *thread)
{
	struct nba_conn *conn = EVENT_ARG(thread);

	if (!output_flush(conn))
		return;
	if (conn->out_bytes)
		event_add_write(nba_master, conn_write, conn, conn->fd,
				&conn->t_write);
	conn_watch(conn);
	conn_want_read(conn);
}
