// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The northbound agent's operations on bgpd's northbound. Each connection
 * is a northbound client of its own (NB_CLIENT_NONE, the connection as
 * user): its own candidate, and the running lock's owner when it locks.
 */

#include <zebra.h>

#include "frr_compat.h"
#include "ly_compat.h"

#include "northbound.h"
#include "yang.h"

#include "nba_agent.h"
#include "repeated_key.h"

DEFINE_MTYPE_STATIC(NBAGENT, NBA_ARG, "Northbound agent request field");

#define NBA_ARGS_MAX 2
#define NBA_ERRMSG_LEN BUFSIZ

struct nba_request {
	struct nba_conn *conn;
	const struct nba_frame *frame;
	char *arg[NBA_ARGS_MAX]; /* the fields as strings, NULL if absent */
};

/* ------------------------------------------------------------------ */
/* Replies */

static void reply(const struct nba_request *req, enum nba_status status,
		  const struct nba_field *fields, size_t n)
{
	struct nba_header h = {
		.type = req->frame->h.type | NBA_REPLY,
		.id = req->frame->h.id,
		.status = status,
	};

	nba_conn_send(req->conn, &h, fields, n);
}

static void reply_ok(const struct nba_request *req)
{
	reply(req, NBA_OK, NULL, 0);
}

static void PRINTFRR(3, 4)
	reply_error(const struct nba_request *req, enum nba_status status,
		    const char *fmt, ...)
{
	char msg[NBA_ERRMSG_LEN];
	struct nba_field field = {.data = msg};
	va_list ap;

	va_start(ap, fmt);
	vsnprintfrr(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	field.len = strlen(msg);
	while (field.len && isspace((unsigned char)msg[field.len - 1]))
		field.len--;
	NBA_DEBUG("connection %u: %s request %u failed: %.*s",
		  req->conn->serial, nba_op_name(req->frame->h.type),
		  req->frame->h.id, (int)field.len, msg);
	reply(req, status, &field, 1);
}

static void reply_fields(const struct nba_request *req,
			 const struct nba_field *fields, size_t n)
{
	if (nba_frame_size(fields, n) > NBA_FRAME_MAX) {
		reply_error(req, NBA_ERR_RESOURCE,
			    "the reply would exceed %u bytes", NBA_FRAME_MAX);
		return;
	}
	reply(req, NBA_OK, fields, n);
}

/* One text field; NULL is empty text. */
static void reply_text(const struct nba_request *req, const char *text)
{
	struct nba_field field = {.data = text, .len = text ? strlen(text) : 0};

	reply_fields(req, &field, 1);
}

static enum nba_status status_of(int nb_ret)
{
	switch (nb_ret) {
	case NB_OK:
	case NB_ERR_NO_CHANGES:
		return NBA_OK;
	case NB_ERR_NOT_FOUND:
		return NBA_ERR_NOT_FOUND;
	case NB_ERR_LOCKED:
		return NBA_ERR_LOCKED;
	case NB_ERR_VALIDATION:
		return NBA_ERR_VALIDATION;
	case NB_ERR_RESOURCE:
		return NBA_ERR_RESOURCE;
	case NB_ERR_INCONSISTENCY:
		return NBA_ERR_INCONSISTENCY;
	default:
		return NBA_ERR;
	}
}

/* Answers a northbound result, with the northbound's message on failure. */
static void reply_nb(const struct nba_request *req, int nb_ret,
		     const char *errmsg)
{
	enum nba_status status = status_of(nb_ret);

	if (status == NBA_OK)
		reply_ok(req);
	else
		reply_error(req, status, "%s",
			    *errmsg ? errmsg : nb_err_name(nb_ret));
}

/* The text and a configuration version. */
static void reply_text_version(const struct nba_request *req, const char *text,
			       uint32_t version)
{
	char number[16];
	struct nba_field fields[2] = {
		{.data = text, .len = text ? strlen(text) : 0},
		{.data = number},
	};

	fields[1].len = snprintf(number, sizeof(number), "%u", version);
	reply_fields(req, fields, 2);
}

/* ------------------------------------------------------------------ */
/* libyang: a client's mistakes are answered, not written to bgpd's log */

/*
 * Edits are parsed without the schema first: libyang 3's parser with the
 * schema crashes on a list entry that names a key twice
 * (repeated_key_screen).
 */
static struct ly_ctx *schemaless_ctx;

bool nba_ops_init(void)
{
	return !ly_ctx_new(NULL, LY_CTX_NO_YANGLIBRARY, &schemaless_ctx);
}

void nba_ops_fini(void)
{
	ly_ctx_destroy(schemaless_ctx);
	schemaless_ctx = NULL;
}

static void yang_quiet(void)
{
	static uint32_t store_only = LY_LOSTORE;

	ly_temp_log_options(&store_only);
}

static void yang_loud(void)
{
	ly_temp_log_options(NULL);
	ly_err_clean(ly_native_ctx, NULL);
}

static const char *yang_error(char *buf, size_t len)
{
	const struct ly_err_item *e = ly_err_last(ly_native_ctx);
	const char *path;

	if (!e)
		return "libyang failed";
	path = rs_ly_err_path(e);
	if (path)
		snprintf(buf, len, "%s (%s)", e->msg, path);
	else
		snprintf(buf, len, "%s", e->msg);
	return buf;
}

/* ------------------------------------------------------------------ */
/* The connection as a northbound client */

static struct nb_context context_of(struct nba_conn *conn)
{
	return (struct nb_context){.client = NB_CLIENT_NONE, .user = conn};
}

/* Until it is edited, a connection's candidate follows running. */
static struct nb_config *candidate_of(struct nba_conn *conn)
{
	if (!conn->candidate)
		conn->candidate = nb_config_dup(running_config);
	else if (!conn->candidate_edited)
		nb_config_replace(conn->candidate, running_config, true);
	return conn->candidate;
}

void nba_ops_conn_closed(struct nba_conn *conn)
{
	if (conn->locked)
		nb_running_unlock(NB_CLIENT_NONE, conn);
	conn->locked = false;
	if (conn->candidate)
		nb_config_free(conn->candidate);
	conn->candidate = NULL;
}

/* ------------------------------------------------------------------ */
/* get */

/* Merges a duplicate, from its top-level node on, into tree. */
static LY_ERR tree_merge(struct lyd_node **tree, struct lyd_node *dup)
{
	while (lyd_parent(dup))
		dup = lyd_parent(dup);
	if (!*tree) {
		*tree = dup;
		return LY_SUCCESS;
	}
	return lyd_merge_siblings(tree, dup, LYD_MERGE_DESTRUCT);
}

/* Adds what the running configuration has at xpath ("" = all) to tree. */
static enum nba_status add_config(const char *xpath, struct lyd_node **tree,
				  char *errmsg, size_t len)
{
	struct lyd_node *root = running_config->dnode, *dup;
	struct ly_set *set;
	LY_ERR err;

	if (!root)
		return NBA_OK;
	if (!*xpath) {
		err = lyd_dup_siblings(root, NULL, LYD_DUP_RECURSIVE, &dup);
		if (!err)
			err = tree_merge(tree, dup);
	} else {
		if (lyd_find_xpath(root, xpath, &set)) {
			yang_error(errmsg, len);
			return NBA_ERR_INVALID;
		}
		err = LY_SUCCESS;
		for (uint32_t i = 0; !err && i < set->count; i++) {
			err = lyd_dup_single(
				set->dnodes[i], NULL,
				LYD_DUP_RECURSIVE | LYD_DUP_WITH_PARENTS, &dup);
			if (!err)
				err = tree_merge(tree, dup);
		}
		ly_set_free(set, NULL);
	}
	if (err) {
		yang_error(errmsg, len);
		return NBA_ERR;
	}
	return NBA_OK;
}

static enum nba_status add_state_at(const char *xpath, struct lyd_node **tree,
				    char *errmsg, size_t len)
{
	struct lyd_node *state;
	int ret = rs_nb_oper_tree(xpath, &state);

	if (ret == NB_OK && (!state || tree_merge(tree, state) == LY_SUCCESS))
		return NBA_OK;
	snprintf(errmsg, len, "cannot read the state at %s", xpath);
	return ret == NB_ERR_NOT_FOUND ? NBA_ERR_NOT_FOUND : NBA_ERR;
}

/* Adds the state at xpath ("" = every module's) to tree. */
static enum nba_status add_state(const char *xpath, struct lyd_node **tree,
				 char *errmsg, size_t len)
{
	struct yang_module *module;
	const struct lysc_node *snode;
	char top[XPATH_MAXLEN];
	enum nba_status status = NBA_OK;

	if (*xpath)
		return add_state_at(xpath, tree, errmsg, len);
	RB_FOREACH (module, yang_modules, &yang_modules) {
		LY_LIST_FOR (module->info->compiled->data, snode) {
			const struct nb_node *nb_node = snode->priv;

			if (snode->nodetype != LYS_CONTAINER || !nb_node ||
			    CHECK_FLAG(nb_node->flags, F_NB_NODE_CONFIG_ONLY))
				continue;
			snprintf(top, sizeof(top), "/%s:%s", module->name,
				 snode->name);
			status = add_state_at(top, tree, errmsg, len);
			if (status != NBA_OK)
				return status;
		}
	}
	return status;
}

static void op_get(struct nba_request *req)
{
	uint16_t flags = req->frame->h.flags;
	const char *xpath = req->arg[0];
	char errmsg[NBA_ERRMSG_LEN];
	enum nba_status status = NBA_OK;
	struct lyd_node *tree = NULL;
	char *xml = NULL;

	yang_quiet();
	if (flags & NBA_GET_CONFIG)
		status = add_config(xpath, &tree, errmsg, sizeof(errmsg));
	if (status == NBA_OK && (flags & NBA_GET_STATE))
		status = add_state(xpath, &tree, errmsg, sizeof(errmsg));
	if (status == NBA_OK && tree &&
	    lyd_print_mem(&xml, lyd_first_sibling(tree), LYD_XML,
			  LYD_PRINT_WITHSIBLINGS)) {
		yang_error(errmsg, sizeof(errmsg));
		status = NBA_ERR;
	}
	yang_loud();
	lyd_free_all(tree);
	if (status != NBA_OK)
		reply_error(req, status, "%s", errmsg);
	else if (flags & NBA_GET_CONFIG)
		reply_text_version(req, xml, running_config->version);
	else
		reply_text(req, xml);
	free(xml);
}

/* ------------------------------------------------------------------ */
/* The candidate */

static bool version_parse(const char *text, uint32_t *version)
{
	char *end;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (!isdigit((unsigned char)*text) || *end || errno ||
	    value > UINT32_MAX)
		return false;
	*version = value;
	return true;
}

static void op_edit(struct nba_request *req)
{
	struct nba_conn *conn = req->conn;
	struct nb_config *candidate;
	uint32_t base = 0;
	struct lyd_node *tree = NULL;
	char errmsg[NBA_ERRMSG_LEN];
	LY_ERR err;

	if (repeated_key_screen(ly_native_ctx, schemaless_ctx, req->arg[0],
				errmsg, sizeof(errmsg))) {
		reply_error(req, NBA_ERR_INVALID, "%s", errmsg);
		return;
	}
	yang_quiet();
	err = lyd_parse_data_mem(ly_native_ctx, req->arg[0], LYD_XML,
				 LYD_PARSE_ONLY | LYD_PARSE_STRICT |
					 LYD_PARSE_NO_STATE,
				 0, &tree);
	if (err)
		yang_error(errmsg, sizeof(errmsg));
	yang_loud();
	if (err) {
		reply_error(req, NBA_ERR_INVALID, "%s", errmsg);
		return;
	}
	if (req->arg[1] && !version_parse(req->arg[1], &base)) {
		lyd_free_all(tree);
		reply_error(req, NBA_ERR_INVALID, "invalid version \"%s\"",
			    req->arg[1]);
		return;
	}
	candidate = candidate_of(conn);
	conn->candidate_edited = true;
	if (req->frame->h.flags & NBA_EDIT_REPLACE)
		nb_config_replace(candidate, nb_config_new(tree), false);
	else if (tree && nb_config_merge(candidate, nb_config_new(tree),
					 false) != NB_OK) {
		reply_error(req, NBA_ERR, "the edit could not be merged");
		return;
	}
	if (req->arg[1])
		candidate->version = base;
	reply_ok(req);
}

static void op_validate(struct nba_request *req)
{
	struct nb_context context = context_of(req->conn);
	char errmsg[NBA_ERRMSG_LEN] = "";
	int ret;

	yang_quiet();
	ret = nb_candidate_validate(&context, candidate_of(req->conn), errmsg,
				    sizeof(errmsg));
	yang_loud();
	reply_nb(req, ret, errmsg);
}

static void op_commit(struct nba_request *req)
{
	struct nba_conn *conn = req->conn;
	struct nb_context context = context_of(conn);
	const char *comment = req->arg[0] ? req->arg[0] : "northbound agent";
	char errmsg[NBA_ERRMSG_LEN] = "";
	int ret;

	if (conn->candidate_edited &&
	    nb_candidate_needs_update(conn->candidate)) {
		reply_error(
			req, NBA_ERR_OUTDATED,
			"the running configuration changed since the candidate was first edited; discard and edit again");
		return;
	}
	yang_quiet();
	ret = rs_nb_candidate_commit(context, candidate_of(conn), true, comment,
				     NULL, errmsg, sizeof(errmsg));
	yang_loud();
	if (ret == NB_OK) {
		conn->candidate_edited = false;
		zlog_info("nbagent: connection %u committed (%s)", conn->serial,
			  comment);
	} else if (ret == NB_ERR_NO_CHANGES)
		conn->candidate_edited = false;
	reply_nb(req, ret, errmsg);
}

static void op_discard(struct nba_request *req)
{
	req->conn->candidate_edited = false;
	candidate_of(req->conn);
	reply_ok(req);
}

/* ------------------------------------------------------------------ */
/* The running lock */

static void op_lock(struct nba_request *req)
{
	struct nba_conn *conn = req->conn;

	if (!conn->locked && nb_running_lock(NB_CLIENT_NONE, conn)) {
		reply_error(
			req, NBA_ERR_LOCKED,
			"the running configuration is locked by another client");
		return;
	}
	conn->locked = true;
	reply_ok(req);
}

static void op_unlock(struct nba_request *req)
{
	struct nba_conn *conn = req->conn;

	if (!conn->locked) {
		reply_error(req, NBA_ERR_NOT_HELD,
			    "this connection does not hold the lock");
		return;
	}
	nb_running_unlock(NB_CLIENT_NONE, conn);
	conn->locked = false;
	reply_ok(req);
}

/* ------------------------------------------------------------------ */
/* YANG modules */

static struct nba_field text_field(const char *text)
{
	return (struct nba_field){.data = text ? text : "",
				  .len = text ? strlen(text) : 0};
}

/* Name, revision ("" if none) and namespace of each implemented module. */
static void op_modules(struct nba_request *req)
{
	const struct lys_module *module;
	struct nba_field *fields;
	uint32_t index = 0;
	size_t n = 0;

	while ((module = ly_ctx_get_module_iter(ly_native_ctx, &index)))
		n += module->implemented ? 3 : 0;
	fields = XCALLOC(MTYPE_NBA_ARG, (n ? n : 1) * sizeof(*fields));
	n = 0;
	index = 0;
	while ((module = ly_ctx_get_module_iter(ly_native_ctx, &index))) {
		if (!module->implemented)
			continue;
		fields[n++] = text_field(module->name);
		fields[n++] = text_field(module->revision);
		fields[n++] = text_field(module->ns);
	}
	reply_fields(req, fields, n);
	XFREE(MTYPE_NBA_ARG, fields);
}

static const struct lys_module *module_named(const char *name,
					     const char *revision)
{
	const struct lys_module *module;

	if (revision && *revision)
		return ly_ctx_get_module(ly_native_ctx, name, revision);
	module = ly_ctx_get_module_implemented(ly_native_ctx, name);
	return module ? module : ly_ctx_get_module_latest(ly_native_ctx, name);
}

static void op_get_schema(struct nba_request *req)
{
	const char *name = req->arg[0], *revision = req->arg[1];
	const struct lys_module *module = module_named(name, revision);
	LYS_OUTFORMAT format = (req->frame->h.flags & NBA_SCHEMA_YIN)
				       ? LYS_OUT_YIN
				       : LYS_OUT_YANG;
	char *text = NULL;

	if (!module) {
		reply_error(req, NBA_ERR_NOT_FOUND, "no module %s%s%s", name,
			    revision && *revision ? "@" : "",
			    revision ? revision : "");
		return;
	}
	if (lys_print_mem(&text, module, format, 0)) {
		reply_error(req, NBA_ERR, "cannot print module %s", name);
		return;
	}
	reply_text(req, text);
	free(text);
}

/* ------------------------------------------------------------------ */
/* Notifications */

static void op_subscribe(struct nba_request *req)
{
	req->conn->subscribed = true;
	reply_ok(req);
}

char *nba_ops_notification_xml(const char *xpath, struct list *arguments)
{
	struct lyd_node *tree = NULL;
	struct yang_data *data;
	struct listnode *node;
	char *xml = NULL;
	LY_ERR err;

	err = lyd_new_path(NULL, ly_native_ctx, xpath, NULL, 0, &tree);
	for (ALL_LIST_ELEMENTS_RO(arguments, node, data)) {
		if (err)
			break;
		err = lyd_new_path(tree, ly_native_ctx, data->xpath,
				   data->value, LYD_NEW_PATH_UPDATE, NULL);
	}
	if (!err)
		err = lyd_print_mem(&xml, tree, LYD_XML, 0);
	lyd_free_all(tree);
	return err ? NULL : xml;
}

/* ------------------------------------------------------------------ */

typedef void (*nba_op_fn)(struct nba_request *req);

static const nba_op_fn ops[] = {
	[NBA_OP_GET] = op_get,
	[NBA_OP_EDIT] = op_edit,
	[NBA_OP_VALIDATE] = op_validate,
	[NBA_OP_COMMIT] = op_commit,
	[NBA_OP_DISCARD] = op_discard,
	[NBA_OP_LOCK] = op_lock,
	[NBA_OP_UNLOCK] = op_unlock,
	[NBA_OP_MODULES] = op_modules,
	[NBA_OP_GET_SCHEMA] = op_get_schema,
	[NBA_OP_SUBSCRIBE] = op_subscribe,
};

/* The fields as C strings; false if one holds a NUL byte. */
static bool args_copy(struct nba_request *req)
{
	struct nba_field fields[NBA_ARGS_MAX];
	size_t n = nba_frame_fields(req->frame, fields, NBA_ARGS_MAX);

	for (size_t i = 0; i < n; i++) {
		if (memchr(fields[i].data, '\0', fields[i].len))
			return false;
		req->arg[i] = XMALLOC(MTYPE_NBA_ARG, fields[i].len + 1);
		memcpy(req->arg[i], fields[i].data, fields[i].len);
		req->arg[i][fields[i].len] = '\0';
	}
	return true;
}

static void args_free(struct nba_request *req)
{
	for (size_t i = 0; i < NBA_ARGS_MAX; i++)
		XFREE(MTYPE_NBA_ARG, req->arg[i]);
}

void nba_ops_dispatch(struct nba_conn *conn, const struct nba_frame *frame)
{
	struct nba_request req = {.conn = conn, .frame = frame};
	char msg[256];
	enum nba_status status;

	NBA_DEBUG("connection %u: %s request %u", conn->serial,
		  nba_op_name(frame->h.type), frame->h.id);
	status = nba_request_check(frame, msg, sizeof(msg));
	if (status != NBA_OK)
		reply_error(&req, status, "%s", msg);
	else if (!args_copy(&req))
		reply_error(&req, NBA_ERR_INVALID, "a field holds a NUL byte");
	else
		ops[frame->h.type](&req);
	args_free(&req);
}
