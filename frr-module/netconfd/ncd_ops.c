// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NETCONF operations, on bgpd's configuration through its northbound
 * agent, with access control (RFC 8341) for every operation.
 *
 * The candidate datastore (RFC 6241, section 8.3) is shared by all sessions
 * and kept here: until it is edited it follows running. When it is first
 * edited it remembers running's version; a commit hands bgpd the whole
 * candidate based on that version, and bgpd refuses it if running changed
 * since, so that a commit never silently reverts another client's change.
 * An edit of running is the same on a fresh copy of running.
 *
 * Operations that change a datastore, its lock or the agent's candidate run
 * one at a time (ds_mtx); reads run concurrently.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "nba_frame.h"
#include "nc_edit.h"
#include "nc_filter.h"
#include "ncd.h"
#include "ncd_nacm.h"

enum datastore {
	DS_UNKNOWN = 0,
	DS_RUNNING,
	DS_CANDIDATE,
	DS_INLINE, /* a <config> in the request, as a source */
};

static pthread_mutex_t ds_mtx = PTHREAD_MUTEX_INITIALIZER;

static struct {
	struct lyd_node *tree; /* when modified; may be NULL (empty) */
	bool modified;
	uint32_t base_version; /* running's version at the first edit */
	bool stale;	       /* edited before bgpd last restarted */
	uint32_t lock_owner;
} candidate;

/* The session holding running's lock (and bgpd's, for it), or 0. */
static uint32_t running_lock_owner;

static pthread_rwlock_t nacm_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct ncd_nacm *nacm;

/* What an operation needs to know of its request. */
struct request {
	const struct lyd_node *rpc;
	struct nc_session *session;
	uint32_t id;
	const char *user;
	const char *host;
};

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

/*
 * An rpc-error of a tag that takes an error type alone, or none: nc_err()
 * reads further arguments for the others (bad-element and the like).
 */
struct nc_server_reply *ncd_reply_error(NC_ERR tag, NC_ERR_TYPE type,
					const char *path, const char *message)
{
	struct lyd_node *err;

	switch (tag) {
	case NC_ERR_DATA_EXISTS:
	case NC_ERR_DATA_MISSING:
	case NC_ERR_MALFORMED_MSG:
		err = nc_err(ncd_ctx, tag);
		break;
	case NC_ERR_IN_USE:
	case NC_ERR_INVALID_VALUE:
	case NC_ERR_ACCESS_DENIED:
	case NC_ERR_ROLLBACK_FAILED:
	case NC_ERR_OP_NOT_SUPPORTED:
	case NC_ERR_TOO_BIG:
	case NC_ERR_RES_DENIED:
	case NC_ERR_OP_FAILED:
		err = nc_err(ncd_ctx, tag, type);
		break;
	default:
		err = nc_err(ncd_ctx, NC_ERR_OP_FAILED, type);
		break;
	}
	return reply_err(err, path, message);
}

static struct nc_server_reply *reply_failed(const char *message)
{
	return ncd_reply_error(NC_ERR_OP_FAILED, NC_ERR_TYPE_APP, NULL,
			       message);
}

static struct nc_server_reply *reply_lock_denied(uint32_t holder,
						 const char *message)
{
	return reply_err(nc_err(ncd_ctx, NC_ERR_LOCK_DENIED, holder), NULL,
			 message);
}

static struct nc_server_reply *reply_in_use(const char *message)
{
	return ncd_reply_error(NC_ERR_IN_USE, NC_ERR_TYPE_PROT, NULL, message);
}

static struct nc_server_reply *reply_yang_error(const char *what)
{
	const struct ly_err_item *e = ly_err_last(ncd_ctx);
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: %s", what,
		 e && e->msg ? e->msg : "libyang failed");
	return reply_failed(msg);
}

/* <rpc-reply><data>...</data></rpc-reply>; takes data. */
static struct nc_server_reply *reply_data(const struct request *req,
					  struct lyd_node *data)
{
	struct lyd_node *output;

	if (data)
		data = lyd_first_sibling(data);
	if (lyd_dup_single(req->rpc, NULL, 0, &output) ||
	    ncd_lyd_new_any_output(output, "data", data, LYD_ANYDATA_DATATREE,
				   NULL)) {
		lyd_free_siblings(data);
		return reply_yang_error("cannot build the reply");
	}
	return nc_server_reply_data(output, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

/* ------------------------------------------------------------------ */
/* bgpd, through the agent */

/* An agent reply with an error status, as an rpc-error. */
static struct nc_server_reply *reply_agent_status(uint32_t status,
						  const char *message)
{
	char path[512] = "";
	const char *at = message ? strstr(message, "Path: ") : NULL;
	NC_ERR tag;

	if (at)
		sscanf(at + strlen("Path: "), "%511s", path);
	switch (status) {
	case NBA_ERR_LOCKED:
		tag = NC_ERR_IN_USE;
		break;
	case NBA_ERR_VALIDATION:
	case NBA_ERR_INVALID:
		tag = NC_ERR_INVALID_VALUE;
		break;
	case NBA_ERR_RESOURCE:
		tag = NC_ERR_RES_DENIED;
		break;
	default:
		tag = NC_ERR_OP_FAILED;
		break;
	}
	if (status == NBA_ERR_OUTDATED)
		message =
			"the running configuration changed since the candidate was first edited; discard-changes and edit again";
	return ncd_reply_error(tag, NC_ERR_TYPE_APP, path, message);
}

/* Asks bgpd; NULL if it answered OK, else the rpc-error to send. */
static struct nc_server_reply *agent(uint8_t op, uint16_t flags,
				     const char *const *args, size_t nargs,
				     struct ncd_agent_reply *reply)
{
	struct ncd_agent_reply own;
	struct nc_server_reply *err = NULL;
	char why[512];

	if (!reply)
		reply = &own;
	if (!ncd_agent_call(op, flags, args, nargs, reply, why, sizeof(why)))
		return reply_failed(why);
	if (reply->status != NBA_OK)
		err = reply_agent_status(reply->status,
					 ncd_agent_field(reply, 0));
	if (err || reply == &own)
		ncd_agent_reply_free(reply);
	return err;
}

static struct nc_server_reply *parse_tree(const char *xml, uint32_t options,
					  struct lyd_node **tree)
{
	*tree = NULL;
	if (!*xml)
		return NULL;
	ly_err_clean(ncd_ctx, NULL);
	if (lyd_parse_data_mem(ncd_ctx, xml, LYD_XML, options, 0, tree))
		return reply_yang_error("cannot read bgpd's answer");
	return NULL;
}

static struct nc_server_reply *read_running(struct lyd_node **tree,
					    uint32_t *version)
{
	const char *all[] = {""};
	struct ncd_agent_reply reply;
	struct nc_server_reply *err;

	err = agent(NBA_OP_GET, NBA_GET_CONFIG, all, 1, &reply);
	if (err)
		return err;
	if (version)
		*version = strtoul(ncd_agent_field(&reply, 1), NULL, 10);
	err = parse_tree(ncd_agent_field(&reply, 0),
			 LYD_PARSE_ONLY | LYD_PARSE_STRICT | LYD_PARSE_NO_STATE,
			 tree);
	ncd_agent_reply_free(&reply);
	return err;
}

static struct nc_server_reply *read_state(struct lyd_node **tree)
{
	const char *all[] = {""};
	struct ncd_agent_reply reply;
	struct nc_server_reply *err;

	err = agent(NBA_OP_GET, NBA_GET_STATE, all, 1, &reply);
	if (err)
		return err;
	err = parse_tree(ncd_agent_field(&reply, 0), LYD_PARSE_ONLY, tree);
	ncd_agent_reply_free(&reply);
	return err;
}

/*
 * Hands bgpd tree as its candidate, based on running's version base, then
 * commits it (commit) or only validates it. bgpd's candidate follows
 * running again afterwards either way.
 */
static struct nc_server_reply *push(const struct request *req,
				    const struct lyd_node *tree, uint32_t base,
				    bool commit)
{
	char version[16], comment[256];
	const char *edit_args[2] = {NULL, version};
	const char *commit_args[1] = {comment};
	struct nc_server_reply *err;
	char *xml = NULL;

	if (tree && lyd_print_mem(&xml, tree, LYD_XML, LYD_PRINT_WITHSIBLINGS))
		return reply_yang_error("cannot print the configuration");
	snprintf(version, sizeof(version), "%u", base);
	snprintf(comment, sizeof(comment), "NETCONF session %u (user %s)",
		 req->id, req->user);
	edit_args[0] = xml ? xml : "";
	err = agent(NBA_OP_EDIT, NBA_EDIT_REPLACE, edit_args, 2, NULL);
	free(xml);
	if (!err)
		err = commit ? agent(NBA_OP_COMMIT, 0, commit_args, 1, NULL)
			     : agent(NBA_OP_VALIDATE, 0, NULL, 0, NULL);
	if (err || !commit) {
		struct nc_server_reply *discard_err =
			agent(NBA_OP_DISCARD, 0, NULL, 0, NULL);

		if (discard_err)
			nc_server_reply_free(discard_err);
	}
	return err;
}

/* ------------------------------------------------------------------ */
/* Datastores and arguments */

static enum datastore datastore_arg(const struct lyd_node *rpc,
				    const char *name)
{
	struct lyd_node *arg, *which;

	if (lyd_find_path(rpc, name, 0, &arg) || !(which = lyd_child(arg)))
		return DS_UNKNOWN;
	if (!strcmp(LYD_NAME(which), "running"))
		return DS_RUNNING;
	if (!strcmp(LYD_NAME(which), "candidate"))
		return DS_CANDIDATE;
	if (!strcmp(LYD_NAME(which), "config"))
		return DS_INLINE;
	return DS_UNKNOWN;
}

static struct nc_server_reply *reply_unsupported_datastore(const char *arg)
{
	char msg[128];

	snprintf(msg, sizeof(msg),
		 "only the running and candidate datastores can be the %s",
		 arg);
	return ncd_reply_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT, NULL,
			       msg);
}

static const char *leaf_arg(const struct lyd_node *rpc, const char *name,
			    const char *fallback)
{
	struct lyd_node *leaf;

	if (lyd_find_path(rpc, name, 0, &leaf))
		return fallback;
	return lyd_get_value(leaf);
}

/* A copy of the candidate, or of running while it is not modified. */
static struct nc_server_reply *read_candidate(struct lyd_node **tree,
					      uint32_t *base)
{
	if (!candidate.modified)
		return read_running(tree, base);
	*base = candidate.base_version;
	*tree = NULL;
	if (candidate.tree &&
	    lyd_dup_siblings(candidate.tree, NULL, LYD_DUP_RECURSIVE, tree))
		return reply_yang_error("cannot copy the candidate");
	return NULL;
}

static struct nc_server_reply *
read_datastore(enum datastore ds, struct lyd_node **tree, uint32_t *version)
{
	if (ds == DS_CANDIDATE)
		return read_candidate(tree, version);
	return read_running(tree, version);
}

static void candidate_set(struct lyd_node *tree, uint32_t base)
{
	lyd_free_siblings(candidate.tree);
	candidate.tree = tree;
	candidate.base_version = base;
	candidate.modified = true;
}

static void candidate_reset(void)
{
	lyd_free_siblings(candidate.tree);
	candidate.tree = NULL;
	candidate.modified = false;
	candidate.stale = false;
}

/* ------------------------------------------------------------------ */
/* Access control and logging */

static bool nacm_write_allowed(const struct request *req,
			       const struct lyd_node *old,
			       const struct lyd_node *new, char *denied,
			       size_t len)
{
	bool allowed;

	pthread_rwlock_rdlock(&nacm_lock);
	allowed =
		ncd_nacm_write_allowed(nacm, req->user, old, new, denied, len);
	pthread_rwlock_unlock(&nacm_lock);
	return allowed;
}

static struct nc_server_reply *reply_access_denied(const struct request *req,
						   const char *what,
						   const char *path)
{
	ncd_log(LOG_WARNING, "access denied: user %s, %s%s%s", req->user, what,
		path ? " of " : "", path ? path : "");
	return ncd_reply_error(NC_ERR_ACCESS_DENIED, NC_ERR_TYPE_APP, path,
			       "access denied");
}

static struct nc_server_reply *check_write(const struct request *req,
					   const struct lyd_node *old,
					   const struct lyd_node *new)
{
	char denied[512] = "";

	if (nacm_write_allowed(req, old, new, denied, sizeof(denied)))
		return NULL;
	return reply_access_denied(req, "write", denied);
}

static void filter_read(const struct request *req, struct lyd_node **data)
{
	pthread_rwlock_rdlock(&nacm_lock);
	ncd_nacm_filter_read(nacm, req->user, data);
	pthread_rwlock_unlock(&nacm_lock);
}

static void log_change(const struct request *req, enum datastore ds,
		       const char *operation)
{
	ncd_log(LOG_NOTICE, "session %u (user %s from %s) changed the %s (%s)",
		req->id, req->user, req->host,
		ds == DS_RUNNING ? "running configuration" : "candidate",
		operation);
}

/* ------------------------------------------------------------------ */
/* <get> and <get-config> */

static struct nc_server_reply *apply_filter(const struct request *req,
					    struct lyd_node **data)
{
	struct lyd_node *filter;
	struct lyd_meta *type, *select;
	const struct lyd_node_any *any;
	char errmsg[512] = "";
	char *xpath;
	bool ok;

	if (lyd_find_path(req->rpc, "filter", 0, &filter))
		return NULL;
	type = lyd_find_meta(filter->meta, NULL, "ietf-netconf:type");
	if (type && !strcmp(lyd_get_meta_value(type), "xpath")) {
		select = lyd_find_meta(filter->meta, NULL,
				       "ietf-netconf:select");
		if (!select)
			return nc_server_reply_err(
				nc_err(ncd_ctx, NC_ERR_MISSING_ATTR,
				       NC_ERR_TYPE_PROT, "select", "filter"));
		xpath = strdup(lyd_get_meta_value(select));
	} else {
		any = (const struct lyd_node_any *)filter;
		xpath = any->value_type == LYD_ANYDATA_DATATREE
				? nc_filter_subtree_xpath(
					  ncd_ctx, any->value.tree, errmsg,
					  sizeof(errmsg))
				: strdup("");
	}
	ok = xpath && nc_filter_select(data, xpath, errmsg, sizeof(errmsg));
	free(xpath);
	if (!ok)
		return ncd_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT,
				       "/ietf-netconf:filter", errmsg);
	return NULL;
}

static LY_ERR merge_into(struct lyd_node **data, struct lyd_node *more)
{
	if (!more)
		return LY_SUCCESS;
	if (!*data) {
		*data = more;
		return LY_SUCCESS;
	}
	return lyd_merge_siblings(data, more, LYD_MERGE_DESTRUCT);
}

static struct nc_server_reply *answer_read(const struct request *req,
					   struct lyd_node *data)
{
	struct nc_server_reply *err;

	filter_read(req, &data);
	err = apply_filter(req, &data);
	if (err) {
		lyd_free_siblings(data);
		return err;
	}
	return reply_data(req, data);
}

static struct nc_server_reply *op_get(const struct request *req)
{
	struct lyd_node *data = NULL, *state = NULL;
	struct nc_server_reply *err;

	err = read_running(&data, NULL);
	if (!err)
		err = read_state(&state);
	if (!err && (merge_into(&data, state) ||
		     merge_into(&data, ncd_monitoring_state())))
		err = reply_yang_error("cannot merge the state");
	else
		state = NULL;
	if (err) {
		lyd_free_siblings(data);
		lyd_free_siblings(state);
		return err;
	}
	return answer_read(req, data);
}

static struct nc_server_reply *op_get_config(const struct request *req)
{
	enum datastore ds = datastore_arg(req->rpc, "source");
	struct lyd_node *data = NULL;
	struct nc_server_reply *err;
	uint32_t version;

	if (ds != DS_RUNNING && ds != DS_CANDIDATE)
		return reply_unsupported_datastore("source");
	pthread_mutex_lock(&ds_mtx);
	err = read_datastore(ds, &data, &version);
	pthread_mutex_unlock(&ds_mtx);
	return err ? err : answer_read(req, data);
}

/* ------------------------------------------------------------------ */
/* Writing a datastore */

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
static struct nc_server_reply *reply_config_error(const struct ly_err_item *e,
						  const char *path)
{
	const char *msg = e && e->msg ? e->msg : "invalid <config> content";
	char word[256];
	struct lyd_node *err;

	if (e && e->vecode == LYVE_REFERENCE &&
	    strstr(msg, "No module with namespace"))
		err = nc_err(ncd_ctx, NC_ERR_UNKNOWN_NS, NC_ERR_TYPE_APP,
			     "config", quoted_word(msg, word, sizeof(word)));
	else if (e && e->vecode == LYVE_REFERENCE && strstr(msg, "not found"))
		err = nc_err(ncd_ctx, NC_ERR_UNKNOWN_ELEM, NC_ERR_TYPE_APP,
			     quoted_word(msg, word, sizeof(word)));
	else
		err = nc_err(ncd_ctx, NC_ERR_INVALID_VALUE, NC_ERR_TYPE_APP);
	return reply_err(err, path, msg);
}

/* NULL if no node of the tree repeats another; else the reply, and the
 * tree is freed. */
static struct nc_server_reply *refuse_repeated(struct lyd_node **tree)
{
	const struct lyd_node *repeated = nc_edit_find_duplicate(*tree);
	struct nc_server_reply *reply;
	char *path;

	if (!repeated)
		return NULL;
	path = lyd_path(repeated, LYD_PATH_STD, NULL, 0);
	reply = ncd_reply_error(
		NC_ERR_INVALID_VALUE, NC_ERR_TYPE_APP, path,
		"<config> repeats this node: each may appear once, list entries and leaf-list values once per key or value");
	free(path);
	lyd_free_siblings(*tree);
	*tree = NULL;
	return reply;
}

/* The <config> argument as data nodes, or a reply saying why not. */
static struct nc_server_reply *parse_config_arg(const struct lyd_node *rpc,
						const char *path,
						struct lyd_node **tree)
{
	struct lyd_node *config;
	char *xml = NULL, where[512];
	const struct ly_err_item *e;
	const char *at;
	LY_ERR err;

	*tree = NULL;
	if (lyd_find_path(rpc, path, 0, &config))
		return ncd_reply_error(NC_ERR_OP_NOT_SUPPORTED,
				       NC_ERR_TYPE_PROT, NULL,
				       "only an inline <config> is supported");
	ly_err_clean(ncd_ctx, NULL);
	if (lyd_any_value_str(config, &xml))
		return reply_yang_error("cannot read <config>");
	if (!xml)
		return NULL;
	err = lyd_parse_data_mem(ncd_ctx, xml, LYD_XML,
				 LYD_PARSE_ONLY | LYD_PARSE_STRICT |
					 LYD_PARSE_NO_STATE,
				 0, tree);
	free(xml);
	if (!err)
		return refuse_repeated(tree);
	e = ly_err_last(ncd_ctx);
	at = ncd_yang_error_path(e, where, sizeof(where));
	return reply_config_error(e, at);
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
	return ncd_reply_error(tag, NC_ERR_TYPE_APP, e->path, e->message);
}

/* Whether the session may write ds now; else the reply. */
static struct nc_server_reply *check_writable(const struct request *req,
					      enum datastore ds)
{
	char msg[128];

	if (ds == DS_RUNNING && running_lock_owner &&
	    running_lock_owner != req->id) {
		snprintf(msg, sizeof(msg),
			 "the running datastore is locked by session %u",
			 running_lock_owner);
		return reply_in_use(msg);
	}
	if (ds == DS_CANDIDATE && candidate.lock_owner &&
	    candidate.lock_owner != req->id) {
		snprintf(msg, sizeof(msg),
			 "the candidate is locked by session %u",
			 candidate.lock_owner);
		return reply_in_use(msg);
	}
	return NULL;
}

/*
 * Puts new (taken) in place of the datastore's content old (also taken),
 * whose version base it came from, after access control: a commit for
 * running.
 */
static struct nc_server_reply *store(const struct request *req,
				     enum datastore ds, struct lyd_node *old,
				     struct lyd_node *new, uint32_t base,
				     bool test_only, const char *operation)
{
	struct nc_server_reply *err = check_write(req, old, new);

	lyd_free_siblings(old);
	if (!err && (test_only || ds == DS_RUNNING))
		err = push(req, new, base, !test_only);
	if (err || test_only || ds == DS_RUNNING) {
		lyd_free_siblings(new);
		if (!err && !test_only)
			log_change(req, ds, operation);
		return err;
	}
	candidate_set(new, base);
	log_change(req, ds, operation);
	return NULL;
}

static struct nc_server_reply *check_edit_args(const struct request *req,
					       enum datastore ds,
					       enum nc_edit_op *default_op)
{
	const char *error_option =
		leaf_arg(req->rpc, "error-option", "rollback-on-error");

	if (ds != DS_RUNNING && ds != DS_CANDIDATE)
		return reply_unsupported_datastore("target");
	if (!nc_edit_op_from_name(
		    leaf_arg(req->rpc, "default-operation", "merge"),
		    default_op))
		return ncd_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT,
				       NULL, "unknown default-operation");
	if (!strcmp(error_option, "continue-on-error"))
		return ncd_reply_error(
			NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_PROT, NULL,
			"an edit applies whole or not at all: continue-on-error is not supported");
	return NULL;
}

static struct nc_server_reply *edit_locked(const struct request *req,
					   enum datastore ds,
					   enum nc_edit_op default_op,
					   const struct lyd_node *edit)
{
	bool test_only =
		!strcmp(leaf_arg(req->rpc, "test-option", ""), "test-only");
	struct lyd_node *old = NULL, *new = NULL;
	struct nc_server_reply *err;
	struct nc_edit_error edit_err;
	uint32_t base;

	err = check_writable(req, ds);
	if (!err)
		err = read_datastore(ds, &old, &base);
	if (err)
		return err;
	if (old && lyd_dup_siblings(old, NULL, LYD_DUP_RECURSIVE, &new)) {
		lyd_free_siblings(old);
		return reply_yang_error("cannot copy the configuration");
	}
	if (nc_edit_apply(&new, edit, default_op, &edit_err)) {
		lyd_free_siblings(old);
		lyd_free_siblings(new);
		return reply_edit_error(&edit_err);
	}
	return store(req, ds, old, new, base, test_only, "edit-config");
}

static struct nc_server_reply *op_edit_config(const struct request *req)
{
	enum datastore ds = datastore_arg(req->rpc, "target");
	enum nc_edit_op default_op;
	struct nc_server_reply *err;
	struct lyd_node *edit;

	err = check_edit_args(req, ds, &default_op);
	if (!err)
		err = parse_config_arg(req->rpc, "config", &edit);
	if (err)
		return err;
	pthread_mutex_lock(&ds_mtx);
	err = edit_locked(req, ds, default_op, edit);
	pthread_mutex_unlock(&ds_mtx);
	lyd_free_siblings(edit);
	return err ? err : nc_server_reply_ok();
}

/* The source of <copy-config> or <validate>: a datastore or a <config>. */
static struct nc_server_reply *read_source(const struct request *req,
					   enum datastore ds,
					   struct lyd_node **tree,
					   uint32_t *base)
{
	if (ds == DS_INLINE)
		return parse_config_arg(req->rpc, "source/config", tree);
	return read_datastore(ds, tree, base);
}

/*
 * Whoever commits must be allowed to make the change to running: a user
 * who may not write cannot commit what another edited.
 */
static struct nc_server_reply *check_commit_access(const struct request *req)
{
	struct lyd_node *running = NULL;
	struct nc_server_reply *err = read_running(&running, NULL);

	if (!err)
		err = check_write(req, running, candidate.tree);
	lyd_free_siblings(running);
	return err;
}

/* The candidate onto running: <commit>, or <copy-config> of it. */
static struct nc_server_reply *commit_locked(const struct request *req,
					     const char *operation)
{
	struct nc_server_reply *err = check_writable(req, DS_CANDIDATE);

	if (!err)
		err = check_writable(req, DS_RUNNING);
	if (err || !candidate.modified)
		return err;
	if (candidate.stale)
		return reply_failed(
			"bgpd restarted since the candidate was first edited; discard-changes and edit again");
	err = check_commit_access(req);
	if (!err)
		err = push(req, candidate.tree, candidate.base_version, true);
	if (err)
		return err;
	candidate_reset();
	log_change(req, DS_RUNNING, operation);
	return NULL;
}

static struct nc_server_reply *copy_locked(const struct request *req,
					   enum datastore source,
					   enum datastore target)
{
	struct lyd_node *old = NULL, *new = NULL;
	struct nc_server_reply *err;
	uint32_t base = 0, target_base;

	if (source == DS_CANDIDATE && target == DS_RUNNING)
		return commit_locked(req, "copy-config");
	err = check_writable(req, target);
	if (!err)
		err = read_datastore(target, &old, &target_base);
	if (!err)
		err = read_source(req, source, &new, &base);
	if (err) {
		lyd_free_siblings(old);
		return err;
	}
	/* inline content is based on the target as it was just read */
	if (source == DS_INLINE)
		base = target_base;
	return store(req, target, old, new, base, false, "copy-config");
}

static struct nc_server_reply *op_copy_config(const struct request *req)
{
	enum datastore source = datastore_arg(req->rpc, "source");
	enum datastore target = datastore_arg(req->rpc, "target");
	struct nc_server_reply *err;

	if (source == DS_UNKNOWN)
		return reply_unsupported_datastore("source");
	if (target != DS_RUNNING && target != DS_CANDIDATE)
		return reply_unsupported_datastore("target");
	if (source == target)
		return ncd_reply_error(
			NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT, NULL,
			"the source and the target are the same");
	pthread_mutex_lock(&ds_mtx);
	err = copy_locked(req, source, target);
	pthread_mutex_unlock(&ds_mtx);
	return err ? err : nc_server_reply_ok();
}

/* ------------------------------------------------------------------ */
/* The candidate's own operations */

static struct nc_server_reply *op_commit(const struct request *req)
{
	struct nc_server_reply *err;

	if (!lyd_find_path(req->rpc, "confirmed", 0, NULL))
		return ncd_reply_error(NC_ERR_OP_NOT_SUPPORTED,
				       NC_ERR_TYPE_PROT, NULL,
				       "confirmed commits are not supported");
	pthread_mutex_lock(&ds_mtx);
	err = commit_locked(req, "commit");
	pthread_mutex_unlock(&ds_mtx);
	return err ? err : nc_server_reply_ok();
}

static struct nc_server_reply *op_discard_changes(const struct request *req)
{
	struct nc_server_reply *err;

	pthread_mutex_lock(&ds_mtx);
	err = check_writable(req, DS_CANDIDATE);
	if (!err)
		candidate_reset();
	pthread_mutex_unlock(&ds_mtx);
	return err ? err : nc_server_reply_ok();
}

static struct nc_server_reply *op_validate(const struct request *req)
{
	enum datastore ds = datastore_arg(req->rpc, "source");
	struct lyd_node *tree = NULL;
	struct nc_server_reply *err;
	uint32_t base = 0;

	if (ds == DS_UNKNOWN)
		return reply_unsupported_datastore("source");
	pthread_mutex_lock(&ds_mtx);
	err = read_source(req, ds, &tree, &base);
	if (!err)
		err = push(req, tree, base, false);
	pthread_mutex_unlock(&ds_mtx);
	lyd_free_siblings(tree);
	return err ? err : nc_server_reply_ok();
}

/* ------------------------------------------------------------------ */
/* <lock> and <unlock> */

static struct nc_server_reply *lock_running(const struct request *req)
{
	struct nc_server_reply *err;

	if (running_lock_owner)
		return reply_lock_denied(
			running_lock_owner,
			"the running datastore is locked by another session");
	err = agent(NBA_OP_LOCK, 0, NULL, 0, NULL);
	if (err) {
		nc_server_reply_free(err);
		return reply_lock_denied(
			0,
			"the running datastore is locked by another client of bgpd");
	}
	running_lock_owner = req->id;
	return NULL;
}

static struct nc_server_reply *lock_candidate(const struct request *req)
{
	if (candidate.lock_owner)
		return reply_lock_denied(candidate.lock_owner,
					 "the candidate is locked");
	if (candidate.modified)
		return reply_lock_denied(
			0, "the candidate holds changes not yet committed");
	candidate.lock_owner = req->id;
	return NULL;
}

static bool unlock_running(uint32_t session)
{
	struct nc_server_reply *err;

	if (!session || running_lock_owner != session)
		return false;
	err = agent(NBA_OP_UNLOCK, 0, NULL, 0, NULL);
	if (err)
		nc_server_reply_free(err);
	running_lock_owner = 0;
	return true;
}

/* Unlocking the candidate drops what the session left uncommitted. */
static bool unlock_candidate(uint32_t session)
{
	if (!session || candidate.lock_owner != session)
		return false;
	candidate_reset();
	candidate.lock_owner = 0;
	return true;
}

static struct nc_server_reply *op_lock(const struct request *req)
{
	enum datastore ds = datastore_arg(req->rpc, "target");
	struct nc_server_reply *err;

	if (ds != DS_RUNNING && ds != DS_CANDIDATE)
		return reply_unsupported_datastore("target");
	pthread_mutex_lock(&ds_mtx);
	err = ds == DS_RUNNING ? lock_running(req) : lock_candidate(req);
	pthread_mutex_unlock(&ds_mtx);
	return err ? err : nc_server_reply_ok();
}

static struct nc_server_reply *op_unlock(const struct request *req)
{
	enum datastore ds = datastore_arg(req->rpc, "target");
	bool unlocked;

	if (ds != DS_RUNNING && ds != DS_CANDIDATE)
		return reply_unsupported_datastore("target");
	pthread_mutex_lock(&ds_mtx);
	unlocked = ds == DS_RUNNING ? unlock_running(req->id)
				    : unlock_candidate(req->id);
	pthread_mutex_unlock(&ds_mtx);
	if (!unlocked)
		return ncd_reply_error(NC_ERR_OP_FAILED, NC_ERR_TYPE_PROT, NULL,
				       "this session holds no lock on it");
	return nc_server_reply_ok();
}

void ncd_ops_session_ended(uint32_t session_id)
{
	pthread_mutex_lock(&ds_mtx);
	unlock_running(session_id);
	unlock_candidate(session_id);
	pthread_mutex_unlock(&ds_mtx);
}

void ncd_ops_lock_owners(uint32_t *running, uint32_t *cand)
{
	pthread_mutex_lock(&ds_mtx);
	*running = running_lock_owner;
	*cand = candidate.lock_owner;
	pthread_mutex_unlock(&ds_mtx);
}

/*
 * bgpd restarted or the connection broke: bgpd no longer holds the lock
 * for the session, and running's versions start again, so that a modified
 * candidate can no longer be checked against running: it is not committed.
 */
void ncd_ops_agent_lost(void)
{
	pthread_mutex_lock(&ds_mtx);
	if (running_lock_owner)
		ncd_log(LOG_WARNING,
			"session %u lost its lock of running: bgpd is gone",
			running_lock_owner);
	running_lock_owner = 0;
	candidate.stale = candidate.modified;
	pthread_mutex_unlock(&ds_mtx);
}

/* ------------------------------------------------------------------ */
/* Sessions, schemas, notifications */

static struct nc_server_reply *op_close_session(const struct request *req)
{
	nc_session_set_term_reason(req->session, NC_SESSION_TERM_CLOSED);
	return nc_server_reply_ok();
}

static struct nc_server_reply *op_kill_session(const struct request *req)
{
	const char *arg = leaf_arg(req->rpc, "session-id", NULL);
	unsigned long id = arg ? strtoul(arg, NULL, 10) : 0;
	struct nc_session *victim;

	if (id == req->id)
		return ncd_reply_error(
			NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT, NULL,
			"a session ends itself with <close-session>");
	victim = ncd_server_session_lock(id);
	if (victim) {
		nc_session_set_term_reason(victim, NC_SESSION_TERM_KILLED);
		nc_session_set_killed_by(victim, req->id);
		nc_session_set_status(victim, NC_STATUS_INVALID);
	}
	ncd_server_session_unlock();
	if (!victim)
		return ncd_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_PROT,
				       NULL, "no such session");
	ncd_log(LOG_NOTICE, "session %u (user %s from %s) killed session %lu",
		req->id, req->user, req->host, id);
	return nc_server_reply_ok();
}

static struct nc_server_reply *op_create_subscription(const struct request *req)
{
	const char *stream = leaf_arg(req->rpc, "stream", "NETCONF");

	if (strcmp(stream, "NETCONF"))
		return ncd_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_APP,
				       NULL, "the only stream is NETCONF");
	if (!lyd_find_path(req->rpc, "startTime", 0, NULL))
		return ncd_reply_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_APP,
				       NULL, "notifications are not replayed");
	if (!lyd_find_path(req->rpc, "filter", 0, NULL))
		return ncd_reply_error(NC_ERR_OP_NOT_SUPPORTED, NC_ERR_TYPE_APP,
				       NULL, "notifications are not filtered");
	if (nc_session_get_notif_status(req->session))
		return ncd_reply_error(NC_ERR_IN_USE, NC_ERR_TYPE_PROT, NULL,
				       "this session is subscribed already");
	nc_session_inc_notif_status(req->session);
	return nc_server_reply_ok();
}

static const struct lys_module *schema_module(const char *name,
					      const char *revision)
{
	const struct lys_module *module;

	if (revision && *revision)
		module = ly_ctx_get_module(ncd_ctx, name, revision);
	else
		module = ly_ctx_get_module_implemented(ncd_ctx, name)
				 ?: ly_ctx_get_module_latest(ncd_ctx, name);
	/* the SSH server's own modules are not the clients' business */
	return module && !ncd_ssh_module_private(module) ? module : NULL;
}

/* RFC 6022 <get-schema>, from the daemon's context. */
static struct nc_server_reply *op_get_schema(const struct request *req)
{
	const char *format =
		leaf_arg(req->rpc, "format", "ietf-netconf-monitoring:yang");
	const struct lys_module *module;
	LYS_OUTFORMAT outformat = LYS_OUT_YANG;
	struct lyd_node *output;
	char *text = NULL;

	if (!strcmp(format, "ietf-netconf-monitoring:yin"))
		outformat = LYS_OUT_YIN;
	else if (strcmp(format, "ietf-netconf-monitoring:yang"))
		return ncd_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_APP,
				       NULL, "the format is not supported");
	module = schema_module(leaf_arg(req->rpc, "identifier", ""),
			       leaf_arg(req->rpc, "version", NULL));
	if (!module)
		return ncd_reply_error(NC_ERR_INVALID_VALUE, NC_ERR_TYPE_APP,
				       NULL, "no such schema");
	if (lys_print_mem(&text, module, outformat, 0) ||
	    lyd_dup_single(req->rpc, NULL, 0, &output)) {
		free(text);
		return reply_yang_error("cannot print the schema");
	}
	ncd_lyd_new_any_output(output, "data", text, LYD_ANYDATA_STRING, NULL);
	return nc_server_reply_data(output, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

/* ------------------------------------------------------------------ */

typedef struct nc_server_reply *(*op_fn)(const struct request *req);

static const struct {
	const char *module, *name;
	op_fn fn;
} ops[] = {
	{"ietf-netconf", "get", op_get},
	{"ietf-netconf", "get-config", op_get_config},
	{"ietf-netconf", "edit-config", op_edit_config},
	{"ietf-netconf", "copy-config", op_copy_config},
	{"ietf-netconf", "lock", op_lock},
	{"ietf-netconf", "unlock", op_unlock},
	{"ietf-netconf", "commit", op_commit},
	{"ietf-netconf", "discard-changes", op_discard_changes},
	{"ietf-netconf", "validate", op_validate},
	{"ietf-netconf", "close-session", op_close_session},
	{"ietf-netconf", "kill-session", op_kill_session},
	{"ietf-netconf-monitoring", "get-schema", op_get_schema},
	{"notifications", "create-subscription", op_create_subscription},
};

static op_fn op_find(const struct lyd_node *rpc)
{
	for (size_t i = 0; i < NCD_ARRAY_SIZE(ops); i++)
		if (!strcmp(rpc->schema->module->name, ops[i].module) &&
		    !strcmp(rpc->schema->name, ops[i].name))
			return ops[i].fn;
	return NULL;
}

static bool rpc_allowed(const struct request *req)
{
	bool allowed;

	pthread_rwlock_rdlock(&nacm_lock);
	allowed = ncd_nacm_rpc_allowed(nacm, req->user, req->rpc);
	pthread_rwlock_unlock(&nacm_lock);
	return allowed;
}

struct nc_server_reply *ncd_ops_dispatch(struct lyd_node *rpc,
					 struct nc_session *session)
{
	struct request req = {
		.rpc = rpc,
		.session = session,
		.id = nc_session_get_id(session),
		.user = nc_session_get_username(session),
		.host = nc_session_get_host(session),
	};
	struct nc_server_reply *reply = ncd_intercept_take_error();
	op_fn fn;
	char what[128];

	if (reply) {
		ncd_server_count_bad_rpc(session);
		return reply;
	}
	fn = op_find(rpc);
	if (!fn)
		reply = ncd_reply_error(NC_ERR_OP_NOT_SUPPORTED,
					NC_ERR_TYPE_PROT, NULL,
					"this operation is not supported");
	else if (fn != op_close_session && !rpc_allowed(&req)) {
		snprintf(what, sizeof(what), "operation %s", rpc->schema->name);
		reply = reply_access_denied(&req, what, NULL);
	} else
		reply = fn(&req);
	return reply;
}

/* ------------------------------------------------------------------ */

static struct ncd_nacm *nacm_load(char *err, size_t errlen)
{
	struct ncd_nacm *loaded =
		ncd_nacm_load(ncd_ctx, ncd_cfg.nacm, err, errlen);

	if (loaded)
		ncd_log(LOG_INFO, "access control from %s", ncd_cfg.nacm);
	return loaded;
}

bool ncd_ops_init(char *err, size_t errlen)
{
	nacm = nacm_load(err, errlen);
	return nacm != NULL;
}

void ncd_ops_nacm_reload(void)
{
	struct ncd_nacm *loaded, *old;
	char err[512];

	loaded = nacm_load(err, sizeof(err));
	if (!loaded) {
		ncd_log(LOG_ERR, "access control unchanged: %s", err);
		return;
	}
	pthread_rwlock_wrlock(&nacm_lock);
	old = nacm;
	nacm = loaded;
	pthread_rwlock_unlock(&nacm_lock);
	ncd_nacm_free(old);
}

bool ncd_ops_notification_allowed(const char *user,
				  const struct lyd_node *notif)
{
	bool allowed;

	pthread_rwlock_rdlock(&nacm_lock);
	allowed = ncd_nacm_notification_allowed(nacm, user, notif);
	pthread_rwlock_unlock(&nacm_lock);
	return allowed;
}

void ncd_ops_fini(void)
{
	candidate_reset();
	ncd_nacm_free(nacm);
	nacm = NULL;
}
