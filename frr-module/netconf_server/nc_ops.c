// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF operations on bgpd's northbound, run on bgpd's main thread:
 * <get>, <get-config>, <edit-config>, <lock>, <unlock>, and the candidate
 * datastore's <commit>, <discard-changes> and <validate>.
 *
 * An edit is made on a copy of the datastore and committed as one
 * northbound transaction, so any error leaves the datastore as it was.
 */

#include <zebra.h>

#include "northbound.h"
#include "yang.h"

#include "nc_edit.h"
#include "nc_filter.h"
#include "nc_netconf.h"

/* Larger <config> contents are refused with "too-big". */
#define NC_EDIT_MAX_BYTES (16 * 1024 * 1024)

enum nc_datastore {
	NC_DS_UNKNOWN = 0,
	NC_DS_RUNNING,
	NC_DS_CANDIDATE,
};

/*
 * One candidate shared by all sessions (RFC 6241, section 8.3). Until it is
 * edited it follows the running configuration.
 */
static struct {
	struct nb_config *config;
	bool modified;
	uint32_t lock_owner;
} candidate;

/* The NETCONF session holding the northbound's running lock, or 0. */
static uint32_t running_lock_owner;

struct ly_ctx *nc_ctx(void)
{
	return ly_native_ctx;
}

/* ------------------------------------------------------------------ */
/* Replies */

/* Adds path and message (either may be NULL or empty) to err, and replies. */
static struct nc_server_reply *reply_err(struct lyd_node *err, const char *path,
					 const char *message)
{
	if (path && *path)
		nc_err_set_path(err, path);
	if (message && *message)
		nc_err_set_msg(err, message, "en");
	return nc_server_reply_err(err);
}

struct nc_server_reply *nc_reply_error(NC_ERR tag, NC_ERR_TYPE type,
				       const char *path, const char *message)
{
	struct lyd_node *err;

	switch (tag) {
	case NC_ERR_DATA_EXISTS:
	case NC_ERR_DATA_MISSING:
	case NC_ERR_MALFORMED_MSG:
		err = nc_err(ly_native_ctx, tag);
		break;
	default:
		err = nc_err(ly_native_ctx, tag, type);
		break;
	}
	return reply_err(err, path, message);
}

static struct nc_server_reply *reply_lock_denied(uint32_t holder,
						 const char *message)
{
	return reply_err(nc_err(ly_native_ctx, NC_ERR_LOCK_DENIED, holder),
			 NULL, message);
}

/* The first "quoted" word of a libyang message. */
static const char *quoted_word(const char *msg, char *buf, size_t len)
{
	const char *start = strchr(msg, '"'), *end;

	if (!start || !(end = strchr(start + 1, '"')))
		return "";
	snprintf(buf, len, "%.*s", (int)(end - start - 1), start + 1);
	return buf;
}

/* The <config> content did not parse: say what libyang found, and where. */
static struct nc_server_reply *reply_parse_error(void)
{
	const struct ly_err_item *e = ly_err_last(ly_native_ctx);
	const char *msg = e && e->msg ? e->msg : "invalid <config> content";
	const char *path = e ? e->path : NULL;
	struct lyd_node *err;
	char word[256];

	if (e && e->vecode == LYVE_REFERENCE &&
	    strstr(msg, "No module with namespace"))
		err = nc_err(ly_native_ctx, NC_ERR_UNKNOWN_NS, NC_ERR_TYPE_APP,
			     "config", quoted_word(msg, word, sizeof(word)));
	else if (e && e->vecode == LYVE_REFERENCE && strstr(msg, "not found"))
		err = nc_err(ly_native_ctx, NC_ERR_UNKNOWN_ELEM,
			     NC_ERR_TYPE_APP,
			     quoted_word(msg, word, sizeof(word)));
	else
		err = nc_err(ly_native_ctx, NC_ERR_INVALID_VALUE,
			     NC_ERR_TYPE_APP);
	return reply_err(err, path, msg);
}

/* A northbound failure, with the path libyang reported, if any. */
static struct nc_server_reply *reply_nb_error(int ret, char *errmsg)
{
	char path[XPATH_MAXLEN] = "";
	const char *at = strstr(errmsg, "Path: ");
	NC_ERR tag;

	if (at)
		sscanf(at + strlen("Path: "), "%1023s", path);
	switch (ret) {
	case NB_ERR_LOCKED:
		tag = NC_ERR_IN_USE;
		break;
	case NB_ERR_VALIDATION:
		tag = NC_ERR_INVALID_VALUE;
		break;
	case NB_ERR_RESOURCE:
		tag = NC_ERR_RES_DENIED;
		break;
	default:
		tag = NC_ERR_OP_FAILED;
		break;
	}
	while (*errmsg && isspace((unsigned char)errmsg[strlen(errmsg) - 1]))
		errmsg[strlen(errmsg) - 1] = '\0';
	return nc_reply_error(tag, NC_ERR_TYPE_APP, path,
			      *errmsg ? errmsg : nb_err_name(ret));
}

/* <rpc-reply><data>...</data></rpc-reply>; takes data. */
static struct nc_server_reply *reply_data(const struct lyd_node *rpc,
					  struct lyd_node *data)
{
	struct lyd_node *output;

	if (data)
		data = lyd_first_sibling(data);
	if (lyd_dup_single(rpc, NULL, 0, &output) ||
	    lyd_new_any(output, NULL, "data", data, 1, LYD_ANYDATA_DATATREE, 1,
			NULL)) {
		lyd_free_siblings(data);
		return nc_reply_error(NC_ERR_OP_FAILED, NC_ERR_TYPE_APP, NULL,
				      ly_errmsg(ly_native_ctx));
	}
	return nc_server_reply_data(output, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

/* ------------------------------------------------------------------ */
/* Datastores */

static enum nc_datastore datastore_arg(const struct lyd_node *rpc,
				       const char *name)
{
	struct lyd_node *arg, *which;

	if (lyd_find_path(rpc, name, 0, &arg) || !(which = lyd_child(arg)))
		return NC_DS_UNKNOWN;
	if (!strcmp(LYD_NAME(which), "running"))
		return NC_DS_RUNNING;
	if (!strcmp(LYD_NAME(which), "candidate"))
		return NC_DS_CANDIDATE;
	return NC_DS_UNKNOWN;
}

static struct nc_server_reply *reply_unsupported_datastore(const char *arg)
{
	char msg[128];

	snprintf(msg, sizeof(msg),
		 "only the running and candidate datastores can be the %s",
		 arg);
	return nc_reply_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT, NULL,
			      msg);
}

static struct nb_config *candidate_config(void)
{
	if (!candidate.config)
		candidate.config = nb_config_dup(running_config);
	else if (!candidate.modified &&
		 nb_candidate_needs_update(candidate.config))
		nb_config_replace(candidate.config, running_config, true);
	return candidate.config;
}

static void candidate_discard(void)
{
	if (candidate.config)
		nb_config_replace(candidate.config, running_config, true);
	candidate.modified = false;
}

static struct nb_config *datastore_config(enum nc_datastore ds)
{
	return ds == NC_DS_CANDIDATE ? candidate_config() : running_config;
}

static const void *nb_user(uint32_t session_id)
{
	return (const void *)(uintptr_t)session_id;
}

/* A NETCONF session as the northbound's client: its id owns its locks. */
static struct nb_context session_context(const struct nc_request *req)
{
	return (struct nb_context){.client = NB_CLIENT_NONE,
				   .user = nb_user(req->session_id)};
}

/* ------------------------------------------------------------------ */
/* <get> and <get-config> */

static struct nc_server_reply *apply_filter(const struct lyd_node *rpc,
					    struct lyd_node **data)
{
	struct lyd_node *filter;
	struct lyd_meta *type, *select;
	const struct lyd_node_any *any;
	char errmsg[512] = "";
	char *xpath;
	bool ok;

	if (lyd_find_path(rpc, "filter", 0, &filter))
		return NULL;
	type = lyd_find_meta(filter->meta, NULL, "ietf-netconf:type");
	if (type && !strcmp(lyd_get_meta_value(type), "xpath")) {
		select = lyd_find_meta(filter->meta, NULL,
				       "ietf-netconf:select");
		if (!select)
			return nc_server_reply_err(
				nc_err(ly_native_ctx, NC_ERR_MISSING_ATTR,
				       NC_ERR_TYPE_PROT, "select", "filter"));
		xpath = strdup(lyd_get_meta_value(select));
	} else {
		any = (const struct lyd_node_any *)filter;
		xpath = any->value_type == LYD_ANYDATA_DATATREE
				? nc_filter_subtree_xpath(
					  ly_native_ctx, any->value.tree,
					  errmsg, sizeof(errmsg))
				: strdup("");
	}
	ok = xpath && nc_filter_select(data, xpath, errmsg, sizeof(errmsg));
	free(xpath);
	if (!ok)
		return nc_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT,
				      "/ietf-netconf:filter", errmsg);
	return NULL;
}

static int add_state_elem(const struct lysc_node *snode,
			  struct yang_translator *translator,
			  struct yang_data *data, void *arg)
{
	struct lyd_node **tree = arg;
	struct lyd_node *node;
	LY_ERR err;

	err = lyd_new_path(*tree, ly_native_ctx, data->xpath, data->value,
			   LYD_NEW_PATH_UPDATE, &node);
	if (!err && !*tree)
		*tree = node;
	yang_data_free(data);
	return err ? NB_ERR : NB_OK;
}

/* Operational state from the northbound's state callbacks. */
static void add_state(struct lyd_node **tree)
{
	struct yang_module *module;
	const struct lysc_node *snode;
	char xpath[XPATH_MAXLEN];

	RB_FOREACH (module, yang_modules, &yang_modules) {
		LY_LIST_FOR (module->info->compiled->data, snode) {
			const struct nb_node *nb_node = snode->priv;

			if (snode->nodetype != LYS_CONTAINER || !nb_node ||
			    CHECK_FLAG(nb_node->flags, F_NB_NODE_CONFIG_ONLY))
				continue;
			snprintf(xpath, sizeof(xpath), "/%s:%s", module->name,
				 snode->name);
			nb_oper_data_iterate(xpath, NULL, 0, add_state_elem,
					     tree);
		}
	}
}

static struct nc_server_reply *read_datastore(const struct nc_request *req,
					      enum nc_datastore ds,
					      bool with_state)
{
	const struct nb_config *config = datastore_config(ds);
	struct lyd_node *data = NULL;
	struct nc_server_reply *err;

	if (config->dnode &&
	    lyd_dup_siblings(config->dnode, NULL, LYD_DUP_RECURSIVE, &data))
		return nc_reply_error(NC_ERR_OP_FAILED, NC_ERR_TYPE_APP, NULL,
				      ly_errmsg(ly_native_ctx));
	if (with_state)
		add_state(&data);
	err = apply_filter(req->rpc, &data);
	if (err) {
		lyd_free_siblings(data);
		return err;
	}
	return reply_data(req->rpc, data);
}

static struct nc_server_reply *nc_op_get_config(const struct nc_request *req)
{
	enum nc_datastore ds = datastore_arg(req->rpc, "source");

	if (!ds)
		return reply_unsupported_datastore("source");
	return read_datastore(req, ds, false);
}

static struct nc_server_reply *nc_op_get(const struct nc_request *req)
{
	return read_datastore(req, NC_DS_RUNNING, true);
}

/* ------------------------------------------------------------------ */
/* <edit-config> */

static const char *leaf_arg(const struct lyd_node *rpc, const char *name,
			    const char *fallback)
{
	struct lyd_node *leaf;

	if (lyd_find_path(rpc, name, 0, &leaf))
		return fallback;
	return lyd_get_value(leaf);
}

/* The <config> content as data nodes, or a reply saying why not. */
static struct nc_server_reply *parse_edit(const struct lyd_node *rpc,
					  struct lyd_node **edit)
{
	uint32_t quiet = LY_LOSTORE_LAST;
	struct lyd_node *config;
	char *xml = NULL;
	LY_ERR err;

	*edit = NULL;
	if (lyd_find_path(rpc, "config", 0, &config))
		return nc_reply_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT,
				      NULL,
				      "only an inline <config> is supported");
	if (lyd_any_value_str(config, &xml))
		return nc_reply_error(NC_ERR_OP_FAILED, NC_ERR_TYPE_APP, NULL,
				      ly_errmsg(ly_native_ctx));
	if (!xml)
		return NULL;
	if (strlen(xml) > NC_EDIT_MAX_BYTES) {
		free(xml);
		return nc_reply_error(NC_ERR_TOO_BIG, NC_ERR_TYPE_APP, NULL,
				      "the <config> content is too large");
	}
	/* A client's mistakes are answered, not written to bgpd's log. */
	ly_temp_log_options(&quiet);
	err = lyd_parse_data_mem(ly_native_ctx, xml, LYD_XML,
				 LYD_PARSE_ONLY | LYD_PARSE_STRICT |
					 LYD_PARSE_NO_STATE,
				 0, edit);
	free(xml);
	if (err) {
		struct nc_server_reply *reply = reply_parse_error();

		ly_temp_log_options(NULL);
		return reply;
	}
	ly_temp_log_options(NULL);
	return NULL;
}

static struct nc_server_reply *reply_edit_error(const struct nc_edit_error *e)
{
	NC_ERR tag;

	switch (e->status) {
	case NC_EDIT_DATA_EXISTS:
		tag = NC_ERR_DATA_EXISTS;
		break;
	case NC_EDIT_DATA_MISSING:
		tag = NC_ERR_DATA_MISSING;
		break;
	default:
		tag = NC_ERR_OP_FAILED;
		break;
	}
	return nc_reply_error(tag, NC_ERR_TYPE_APP, e->path, e->message);
}

/* Puts the edited copy in place: a commit for running. */
static struct nc_server_reply *store_edit(const struct nc_request *req,
					  enum nc_datastore ds,
					  struct nb_config *edited,
					  bool test_only)
{
	struct nb_context context = session_context(req);
	char errmsg[BUFSIZ] = "";
	int ret;

	if (test_only || ds == NC_DS_CANDIDATE)
		ret = nb_candidate_validate(&context, edited, errmsg,
					    sizeof(errmsg));
	else
		ret = nb_candidate_commit(&context, edited, true,
					  "NETCONF edit-config", NULL, errmsg,
					  sizeof(errmsg));
	if (ret != NB_OK && ret != NB_ERR_NO_CHANGES)
		return reply_nb_error(ret, errmsg);
	if (ds == NC_DS_CANDIDATE && !test_only) {
		nb_config_replace(candidate.config, edited, true);
		candidate.modified = true;
	}
	return NULL;
}

static struct nc_server_reply *check_edit_args(const struct nc_request *req,
					       enum nc_datastore ds,
					       enum nc_edit_op *default_op)
{
	const char *error_option =
		leaf_arg(req->rpc, "error-option", "rollback-on-error");

	if (!ds)
		return reply_unsupported_datastore("target");
	if (!nc_edit_op_from_name(
		    leaf_arg(req->rpc, "default-operation", "merge"),
		    default_op))
		return nc_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT,
				      NULL, "unknown default-operation");
	if (!strcmp(error_option, "continue-on-error"))
		return nc_reply_error(
			NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT, NULL,
			"an edit applies whole or not at all: continue-on-error is not supported");
	if (ds == NC_DS_CANDIDATE && candidate.lock_owner &&
	    candidate.lock_owner != req->session_id)
		return nc_reply_error(
			NC_ERR_IN_USE, NC_ERR_TYPE_PROT, NULL,
			"the candidate is locked by another session");
	return NULL;
}

static struct nc_server_reply *nc_op_edit_config(const struct nc_request *req)
{
	enum nc_datastore ds = datastore_arg(req->rpc, "target");
	bool test_only =
		!strcmp(leaf_arg(req->rpc, "test-option", ""), "test-only");
	enum nc_edit_op default_op;
	struct nc_server_reply *reply;
	struct nc_edit_error err;
	struct lyd_node *edit;
	struct nb_config *edited;

	reply = check_edit_args(req, ds, &default_op);
	if (reply)
		return reply;
	reply = parse_edit(req->rpc, &edit);
	if (reply)
		return reply;
	edited = nb_config_dup(datastore_config(ds));
	if (nc_edit_apply(&edited->dnode, edit, default_op, &err))
		reply = reply_edit_error(&err);
	else
		reply = store_edit(req, ds, edited, test_only);
	nb_config_free(edited);
	lyd_free_siblings(edit);
	if (!reply)
		zlog_info(
			"netconf: session %u (%s) edited the %s configuration%s",
			req->session_id, req->user,
			ds == NC_DS_RUNNING ? "running" : "candidate",
			test_only ? " (test only)" : "");
	return reply ? reply : nc_server_reply_ok();
}

/* ------------------------------------------------------------------ */
/* The candidate's own operations */

static struct nc_server_reply *nc_op_commit(const struct nc_request *req)
{
	struct nb_context context = session_context(req);
	char errmsg[BUFSIZ] = "";
	int ret;

	if (lyd_find_path(req->rpc, "confirmed", 0, NULL) == LY_SUCCESS)
		return nc_reply_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT,
				      NULL,
				      "confirmed commits are not supported");
	ret = nb_candidate_commit(&context, candidate_config(), true,
				  "NETCONF commit", NULL, errmsg,
				  sizeof(errmsg));
	if (ret != NB_OK && ret != NB_ERR_NO_CHANGES)
		return reply_nb_error(ret, errmsg);
	candidate.modified = false;
	zlog_info("netconf: session %u (%s) committed the candidate",
		  req->session_id, req->user);
	return nc_server_reply_ok();
}

static struct nc_server_reply *
nc_op_discard_changes(const struct nc_request *req)
{
	candidate_discard();
	return nc_server_reply_ok();
}

static struct nc_server_reply *nc_op_validate(const struct nc_request *req)
{
	struct nb_context context = session_context(req);
	enum nc_datastore ds = datastore_arg(req->rpc, "source");
	char errmsg[BUFSIZ] = "";
	int ret;

	if (!ds)
		return reply_unsupported_datastore("source");
	ret = nb_candidate_validate(&context, datastore_config(ds), errmsg,
				    sizeof(errmsg));
	if (ret != NB_OK)
		return reply_nb_error(ret, errmsg);
	return nc_server_reply_ok();
}

/* ------------------------------------------------------------------ */
/* <lock> and <unlock> */

static struct nc_server_reply *lock_running(uint32_t session)
{
	if (running_lock_owner ||
	    nb_running_lock(NB_CLIENT_NONE, nb_user(session)))
		return reply_lock_denied(
			running_lock_owner,
			running_lock_owner
				? "the running datastore is locked by a NETCONF session"
				: "the running datastore is locked by another client");
	running_lock_owner = session;
	return NULL;
}

static struct nc_server_reply *lock_candidate(uint32_t session)
{
	if (candidate.lock_owner)
		return reply_lock_denied(candidate.lock_owner,
					 "the candidate is locked");
	if (candidate.modified)
		return reply_lock_denied(
			0, "the candidate holds changes not yet committed");
	candidate.lock_owner = session;
	return NULL;
}

static bool unlock_running(uint32_t session)
{
	if (running_lock_owner != session)
		return false;
	nb_running_unlock(NB_CLIENT_NONE, nb_user(session));
	running_lock_owner = 0;
	return true;
}

/* Unlocking the candidate drops what the session left uncommitted. */
static bool unlock_candidate(uint32_t session)
{
	if (candidate.lock_owner != session)
		return false;
	candidate_discard();
	candidate.lock_owner = 0;
	return true;
}

static struct nc_server_reply *nc_op_lock(const struct nc_request *req)
{
	enum nc_datastore ds = datastore_arg(req->rpc, "target");
	struct nc_server_reply *reply;

	if (!ds)
		return reply_unsupported_datastore("target");
	reply = ds == NC_DS_RUNNING ? lock_running(req->session_id)
				    : lock_candidate(req->session_id);
	return reply ? reply : nc_server_reply_ok();
}

static struct nc_server_reply *nc_op_unlock(const struct nc_request *req)
{
	enum nc_datastore ds = datastore_arg(req->rpc, "target");
	bool unlocked;

	if (!ds)
		return reply_unsupported_datastore("target");
	unlocked = ds == NC_DS_RUNNING ? unlock_running(req->session_id)
				       : unlock_candidate(req->session_id);
	if (!unlocked)
		return nc_reply_error(NC_ERR_OP_FAILED, NC_ERR_TYPE_PROT, NULL,
				      "this session holds no lock on it");
	return nc_server_reply_ok();
}

void nc_ops_session_ended(uint32_t session_id)
{
	unlock_running(session_id);
	unlock_candidate(session_id);
}

void nc_ops_fini(void)
{
	if (running_lock_owner)
		unlock_running(running_lock_owner);
	if (candidate.config)
		nb_config_free(candidate.config);
	candidate.config = NULL;
}

/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	nc_op_fn fn;
} nc_ops[] = {
	{"get", nc_op_get},
	{"get-config", nc_op_get_config},
	{"edit-config", nc_op_edit_config},
	{"lock", nc_op_lock},
	{"unlock", nc_op_unlock},
	{"commit", nc_op_commit},
	{"discard-changes", nc_op_discard_changes},
	{"validate", nc_op_validate},
};

nc_op_fn nc_ops_find(const struct lyd_node *rpc)
{
	if (strcmp(rpc->schema->module->name, "ietf-netconf"))
		return NULL;
	for (size_t i = 0; i < array_size(nc_ops); i++)
		if (!strcmp(rpc->schema->name, nc_ops[i].name))
			return nc_ops[i].fn;
	return NULL;
}
