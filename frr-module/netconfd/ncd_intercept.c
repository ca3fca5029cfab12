// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Two places where libnetconf2 2.0 does not let a server decide, taken over
 * by interposing the library functions it calls (this executable's
 * definitions come first in symbol lookup; each calls the real one):
 *
 * - ssh_channel_read(): libnetconf2 buffers a whole message before any size
 *   check, and its chunk-header parsing trusts the client. Every byte a
 *   client sends passes the RFC 6242 framing check (ncd_framing.c) first: a
 *   message over max-message or malformed framing ends that session before
 *   libnetconf2 stores or parses it.
 *
 * - lyd_parse_op() of an <rpc>: when it fails, libnetconf2 answers with
 *   operation-failed and the context's last libyang message, which may be
 *   another request's. Here the error of this request is worked out
 *   (malformed-message, missing-attribute, operation-not-supported or what
 *   libyang found in the operation) and kept for this thread; libnetconf2
 *   gets a stand-in operation, and ncd_ops_dispatch() answers with the
 *   error instead. Refused before parsing: an XPath filter longer than
 *   NCD_XPATH_MAX (libyang 2.1 takes time quadratic in its steps to store
 *   it: 50,000 steps hold a worker for minutes), and a list entry naming a
 *   key twice (libyang 3 reads past such an entry's keys when it sorts
 *   another entry in beside it), found in the message as parsed without a
 *   schema.
 *
 * - ssh_handle_key_exchange(), ssh_channel_poll_timeout() and
 *   ssh_channel_read() on an accepting thread: hello-timeout bounds the
 *   SSH handshake, the login and the <hello> together. libnetconf2 gives
 *   the key exchange a fixed 10 s, and libnetconf2 3 waits for the
 *   client's <hello> as long as idle-timeout, having no hello timeout of
 *   its own: the accepting thread's deadline applies to each of them.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ncd.h"
#include "ncd_framing.h"
#include "repeated_key.h"

#define NC_NS_BASE "urn:ietf:params:xml:ns:netconf:base:1.0"
/* Longest XPath filter (the select attribute), in bytes. */
#define NCD_XPATH_MAX 4096
#define NCD_MESSAGE_ID_MAX 256

/* ------------------------------------------------------------------ */
/* Framing */

struct channel_check {
	struct channel_check *next;
	ssh_channel channel;
	struct ncd_framing framing;
};

static pthread_mutex_t checks_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct channel_check *checks;

typedef int (*channel_read_fn)(ssh_channel, void *, uint32_t, int);
typedef void (*channel_free_fn)(ssh_channel);
typedef LY_ERR (*parse_op_fn)(const struct ly_ctx *, struct lyd_node *,
			      struct ly_in *, LYD_FORMAT, enum lyd_type,
			      struct lyd_node **, struct lyd_node **);
typedef int (*key_exchange_fn)(ssh_session);
typedef int (*channel_poll_fn)(ssh_channel, int, int);

static channel_read_fn real_channel_read;
static channel_free_fn real_channel_free;
static parse_op_fn real_parse_op;
static key_exchange_fn real_key_exchange;
static channel_poll_fn real_channel_poll;
/* A context without data modules: libyang parses anything opaque in it. */
static struct ly_ctx *schemaless_ctx;

void ncd_intercept_init(void)
{
	real_channel_read =
		(channel_read_fn)dlsym(RTLD_NEXT, "ssh_channel_read");
	real_channel_free =
		(channel_free_fn)dlsym(RTLD_NEXT, "ssh_channel_free");
	real_parse_op = (parse_op_fn)dlsym(RTLD_NEXT, "lyd_parse_op");
	real_key_exchange =
		(key_exchange_fn)dlsym(RTLD_NEXT, "ssh_handle_key_exchange");
	real_channel_poll =
		(channel_poll_fn)dlsym(RTLD_NEXT, "ssh_channel_poll_timeout");
	if (!real_channel_read || !real_channel_free || !real_parse_op ||
	    !real_key_exchange || !real_channel_poll) {
		ncd_log(LOG_CRIT,
			"cannot find libssh's and libyang's functions");
		exit(1);
	}
	if (ly_ctx_new(NULL, LY_CTX_NO_YANGLIBRARY, &schemaless_ctx)) {
		ncd_log(LOG_CRIT, "cannot make a libyang context");
		exit(1);
	}
}

void ncd_intercept_fini(void)
{
	ly_ctx_destroy(schemaless_ctx);
	schemaless_ctx = NULL;
}

/* The check of a channel, made at its first read; under checks_mtx. */
static struct channel_check *channel_check(ssh_channel channel)
{
	struct channel_check *c;

	for (c = checks; c; c = c->next)
		if (c->channel == channel)
			return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->channel = channel;
	ncd_framing_init(&c->framing, ncd_cfg.max_message);
	c->next = checks;
	checks = c;
	return c;
}

/* The address and port of the peer of a socket. */
static const char *peer_of(int fd, char *host, size_t len, uint16_t *port)
{
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);

	snprintf(host, len, "?");
	*port = 0;
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&sa, &salen))
		return host;
	if (sa.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;

		inet_ntop(AF_INET, &in->sin_addr, host, len);
		*port = ntohs(in->sin_port);
	} else if (sa.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, len);
		*port = ntohs(in6->sin6_port);
	}
	return host;
}

static void log_framing_error(ssh_channel channel,
			      enum ncd_framing_result result)
{
	char host[INET6_ADDRSTRLEN] = "?";
	uint16_t port;

	peer_of(ssh_get_fd(ssh_channel_get_session(channel)), host,
		sizeof(host), &port);
	ncd_log(LOG_WARNING, "session %u from %s: %s, closing",
		ncd_server_session_id_by_peer(host, port), host,
		result == NCD_FRAMING_TOO_BIG
			? "message larger than max-message"
			: "malformed NETCONF framing");
}

static bool handshake_expired(void);

int ssh_channel_read(ssh_channel channel, void *dest, uint32_t count,
		     int is_stderr)
{
	enum ncd_framing_result result = NCD_FRAMING_OK;
	struct channel_check *c;
	int n;

	/* a <hello> sent slowly */
	if (handshake_expired())
		return SSH_ERROR;
	n = real_channel_read(channel, dest, count, is_stderr);

	if (n <= 0 || is_stderr)
		return n;
	pthread_mutex_lock(&checks_mtx);
	c = channel_check(channel);
	if (c)
		result = ncd_framing_feed(&c->framing, dest, n);
	pthread_mutex_unlock(&checks_mtx);
	if (!c)
		return SSH_ERROR;
	if (result == NCD_FRAMING_OK)
		return n;
	if (c->framing.messages != UINT64_MAX) {
		/* log once per channel */
		c->framing.messages = UINT64_MAX;
		log_framing_error(channel, result);
	}
	return SSH_ERROR;
}

void ssh_channel_free(ssh_channel channel)
{
	pthread_mutex_lock(&checks_mtx);
	for (struct channel_check **at = &checks; *at; at = &(*at)->next) {
		if ((*at)->channel == channel) {
			struct channel_check *c = *at;

			*at = c->next;
			free(c);
			break;
		}
	}
	pthread_mutex_unlock(&checks_mtx);
	real_channel_free(channel);
}

/* ------------------------------------------------------------------ */
/* The key exchange */

/* Set by the first key exchange of an accepting thread's new client. */
static __thread struct timespec kex_deadline;
static __thread ssh_session handshake_session;

void ncd_intercept_handshake_begin(void)
{
	kex_deadline.tv_sec = 0;
	handshake_session = NULL;
}

const char *ncd_intercept_handshake_peer(char *buf, size_t len)
{
	uint16_t port;

	if (!handshake_session) {
		snprintf(buf, len, "?");
		return buf;
	}
	return peer_of(ssh_get_fd(handshake_session), buf, len, &port);
}

/* Milliseconds left of this thread's hello-timeout, or -1 if it has none. */
static long handshake_left_ms(void)
{
	struct timespec now;
	long left;

	if (!kex_deadline.tv_sec)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (kex_deadline.tv_sec - now.tv_sec) * 1000L +
	       (kex_deadline.tv_nsec - now.tv_nsec) / 1000000L;
	return left > 0 ? left : 0;
}

static bool handshake_expired(void)
{
	return handshake_left_ms() == 0;
}

int ssh_handle_key_exchange(ssh_session session)
{
	if (!kex_deadline.tv_sec) {
		clock_gettime(CLOCK_MONOTONIC, &kex_deadline);
		kex_deadline.tv_sec += ncd_cfg.hello_timeout;
		handshake_session = session;
	} else if (handshake_expired())
		return SSH_ERROR;
	return real_key_exchange(session);
}

/* Waiting for the client's <hello>: at most what is left of hello-timeout
 * (0, a timeout, once it has passed). */
int ssh_channel_poll_timeout(ssh_channel channel, int timeout, int is_stderr)
{
	long left = handshake_left_ms();

	if (left >= 0 && (timeout < 0 || timeout > left))
		timeout = (int)left;
	if (left == 0)
		return 0;
	return real_channel_poll(channel, timeout, is_stderr);
}

/* ------------------------------------------------------------------ */
/* RPC parsing */

static __thread struct nc_server_reply *parse_error;

struct nc_server_reply *ncd_intercept_take_error(void)
{
	struct nc_server_reply *reply = parse_error;

	parse_error = NULL;
	return reply;
}

static bool has_message_id(const struct lyd_node *envp)
{
	const struct lyd_attr *attr;

	for (attr = ((const struct lyd_node_opaq *)envp)->attr; attr;
	     attr = attr->next)
		if (!strcmp(attr->name.name, "message-id"))
			return true;
	return false;
}

/* The characters of a URI (RFC 3986), one '#' at most. */
static bool uri_text(const char *s)
{
	bool fragment = false;

	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '#' && !fragment)
			fragment = true;
		else if (c <= ' ' || c >= 0x7f || strchr("\"#<>\\^`{|}", c))
			return false;
	}
	return true;
}

/*
 * libnetconf2 copies the envelope's attributes to the reply, so the client
 * must be able to read them back: libyang takes an element with an
 * attribute twice, XML does not, and libyang takes any text for a
 * namespace, XML namespaces a URI.
 */
static bool attributes_unfit_for_reply(const struct lyd_node *envp)
{
	const struct lyd_attr *a, *b;

	for (a = ((const struct lyd_node_opaq *)envp)->attr; a; a = a->next) {
		if (a->name.module_ns && !uri_text(a->name.module_ns))
			return true;
		for (b = a->next; b; b = b->next)
			if (!strcmp(a->name.name, b->name.name) &&
			    !strcmp(a->name.module_ns ?: "",
				    b->name.module_ns ?: ""))
				return true;
	}
	return false;
}

/* The length of the longest select="..." (or '...') value in xml. */
static size_t longest_select(const char *xml)
{
	const char *at = xml, *end;
	size_t longest = 0;

	while ((at = strstr(at, "select="))) {
		char quote = at[7];

		/* past the quote only if there is one: the text may end here */
		at += 7;
		if (quote != '"' && quote != '\'')
			continue;
		at++;
		end = strchr(at, quote);
		if (!end)
			return strlen(at);
		if ((size_t)(end - at) > longest)
			longest = end - at;
		at = end;
	}
	return longest;
}

/*
 * Whether text read from an unparsed request may go into a reply as its
 * message-id: printable ASCII that needs no escaping, as the text may be
 * no UTF-8 at all.
 */
static bool plain_message_id(const char *id, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (id[i] < 0x20 || id[i] > 0x7e || strchr("<>&\"'", id[i]))
			return false;
	return true;
}

/* Where the first element starts: past the XML declaration, processing
 * instructions and comments (without a '>' in them). */
static const char *first_start_tag(const char *xml)
{
	const char *at = strchr(xml, '<');

	while (at && (at[1] == '?' || at[1] == '!')) {
		at = strchr(at, '>');
		at = at ? strchr(at, '<') : NULL;
	}
	return at;
}

/*
 * The envelope of a request that is not parsed: <rpc> with the message-id
 * of the first tag, if it has one fit for the reply, so that the client
 * can match the reply.
 */
static LY_ERR envelope_of(const char *xml, struct lyd_node **envp)
{
	const char *tag = first_start_tag(xml);
	const char *tag_end = tag ? strchr(tag, '>') : NULL,
		   *id = tag ? strstr(tag, "message-id=") : NULL;
	char value[NCD_MESSAGE_ID_MAX];
	const char *end;
	LY_ERR err;

	err = lyd_new_opaq2(NULL, ncd_ctx, "rpc", NULL, NULL, NC_NS_BASE, envp);
	if (err || !id || !tag_end || id > tag_end ||
	    (id[11] != '"' && id[11] != '\''))
		return err;
	end = strchr(id + 12, id[11]);
	if (!end || end > tag_end || end - (id + 12) >= (long)sizeof(value) ||
	    !plain_message_id(id + 12, end - (id + 12)))
		return LY_SUCCESS;
	snprintf(value, sizeof(value), "%.*s", (int)(end - (id + 12)), id + 12);
	return lyd_new_attr2(*envp, NULL, "message-id", value, NULL);
}

static struct nc_server_reply *missing_message_id(void)
{
	return nc_server_reply_err(nc_err(ncd_ctx, NC_ERR_MISSING_ATTR,
					  NC_ERR_TYPE_RPC, "message-id",
					  "rpc"));
}

/* The element the <rpc> names, as parsed without a schema. */
static const struct lyd_node_opaq *operation_element(struct ly_in *in,
						     struct lyd_node **tree)
{
	const struct lyd_node *rpc;

	*tree = NULL;
	ly_in_reset(in);
	if (lyd_parse_data(ncd_ctx, NULL, in, LYD_XML,
			   LYD_PARSE_OPAQ | LYD_PARSE_ONLY, 0, tree) ||
	    !*tree)
		return NULL;
	rpc = *tree;
	if (rpc->schema || !lyd_child(rpc) || lyd_child(rpc)->schema)
		return NULL;
	return (const struct lyd_node_opaq *)lyd_child(rpc);
}

static bool operation_known(const struct lyd_node_opaq *op)
{
	const struct lys_module *module;
	const struct lysc_node *node = NULL;

	module = ly_ctx_get_module_implemented_ns(ncd_ctx, op->name.module_ns);
	if (!module)
		return false;
	while ((node = lys_getnext(node, NULL, module->compiled, 0)))
		if (node->nodetype == LYS_RPC &&
		    !strcmp(node->name, op->name.name))
			return true;
	return false;
}

const char *ncd_yang_error_path(const struct ly_err_item *e, char *buf,
				size_t len)
{
	const char *path = e ? rs_ly_err_path(e) : NULL, *start, *end;

	if (!path)
		return NULL;
	if (path[0] == '/')
		return path;
	start = strchr(path, '"');
	end = start ? strchr(start + 1, '"') : NULL;
	if (!end || start[1] != '/')
		return NULL;
	snprintf(buf, len, "%.*s", (int)(end - start - 1), start + 1);
	return buf;
}

/* libyang could not parse the operation: why, as an rpc-error. */
static struct nc_server_reply *
operation_error(struct ly_in *in, const char *msg, const char *path)
{
	struct lyd_node *tree, *err;
	const struct lyd_node_opaq *op = operation_element(in, &tree);

	if (op && !operation_known(op)) {
		err = nc_err(ncd_ctx, NC_ERR_OP_NOT_SUPPORTED,
			     NC_ERR_TYPE_PROT);
		nc_err_set_msg(err,
			       "the server does not support this operation",
			       "en");
		nc_err_add_bad_elem(err, op->name.name);
	} else {
		err = nc_err(ncd_ctx, NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT);
		nc_err_set_msg(err, msg, "en");
		if (path && *path)
			nc_err_set_path(err, path);
	}
	lyd_free_all(tree);
	return nc_server_reply_err(err);
}

static LY_ERR stand_in(struct lyd_node **envp, struct lyd_node **op)
{
	const struct lys_module *netconf =
		ly_ctx_get_module_implemented(ncd_ctx, "ietf-netconf");

	if (!*envp &&
	    lyd_new_opaq2(NULL, ncd_ctx, "rpc", NULL, NULL, NC_NS_BASE, envp))
		return LY_EMEM;
	return lyd_new_inner(NULL, netconf, "get", 0, op);
}

static struct nc_server_reply *repeated_key_error(const char *xml)
{
	char msg[256];

	if (!repeated_key_screen(ncd_ctx, schemaless_ctx, xml, msg,
				 sizeof(msg)))
		return NULL;
	return ncd_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_APP, NULL,
			       msg);
}

/* Why the request is not to be parsed at all, if it is not. */
static struct nc_server_reply *refusal_before_parsing(const char *xml)
{
	if (longest_select(xml) > NCD_XPATH_MAX)
		return ncd_reply_error(
			NC_ERR_TOO_BIG, NC_ERR_TYPE_PROT, NULL,
			"an XPath filter is longer than 4096 characters");
	return repeated_key_error(xml);
}

LY_ERR lyd_parse_op(const struct ly_ctx *ctx, struct lyd_node *parent,
		    struct ly_in *in, LYD_FORMAT format,
		    enum lyd_type data_type, struct lyd_node **tree,
		    struct lyd_node **op)
{
	const struct ly_err_item *e;
	struct nc_server_reply *reply = NULL;
	char msg[512] = "", path[512], found[512];
	const char *at, *xml;
	bool not_xml;
	LY_ERR ret;

	if (data_type != LYD_TYPE_RPC_NETCONF || ctx != ncd_ctx || !tree || !op)
		return real_parse_op(ctx, parent, in, format, data_type, tree,
				     op);
	xml = ly_in_memory(in, NULL);
	parse_error = xml ? refusal_before_parsing(xml) : NULL;
	if (parse_error) {
		*tree = *op = NULL;
		if (envelope_of(xml, tree))
			return LY_EMEM;
		return stand_in(tree, op);
	}
	ly_err_clean((struct ly_ctx *)ctx, NULL);
	ret = real_parse_op(ctx, parent, in, format, data_type, tree, op);
	e = ly_err_last(ctx);
	if (e && e->msg)
		snprintf(msg, sizeof(msg), "%s", e->msg);
	at = ncd_yang_error_path(e, found, sizeof(found));
	snprintf(path, sizeof(path), "%s", at ? at : "");
	not_xml =
		e && (e->vecode == LYVE_SYNTAX_XML || e->vecode == LYVE_SYNTAX);
	ly_err_clean((struct ly_ctx *)ctx, NULL);

	if (*tree && attributes_unfit_for_reply(*tree)) {
		lyd_free_tree(*tree);
		*tree = NULL;
	}
	if (!*tree || (ret && not_xml)) {
		/*
		 * The reply keeps the message-id the text has, if any:
		 * libnetconf2 3 dispatches no envelope without one.
		 */
		lyd_free_all(*tree);
		*tree = NULL;
		if (xml && envelope_of(xml, tree))
			return LY_EMEM;
		reply = nc_server_reply_err(
			nc_err(ncd_ctx, NC_ERR_MALFORMED_MSG));
	} else if (!has_message_id(*tree))
		reply = missing_message_id();
	else if (ret)
		reply = operation_error(in, msg, path);
	if (!reply)
		return ret;
	parse_error = reply;
	lyd_free_all(*op);
	*op = NULL;
	return stand_in(tree, op);
}
