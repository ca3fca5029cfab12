// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF access control (RFC 8341) on libyang trees, see ncd_nacm.h.
 *
 * The rules point into the validated ietf-netconf-acm tree, which is kept
 * until ncd_nacm_free() and never changed. Each check keeps what it works
 * out (which rule-lists apply, which nodes a path selects) in a request of
 * its own, so that any number of threads can check at once.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ncd_compat.h"
#include "ncd_nacm.h"

#define NACM_MODULE "ietf-netconf-acm"

/* The bits of access-operations, in the order of their YANG type */
enum nacm_access {
	NACM_CREATE = 1 << 0,
	NACM_READ = 1 << 1,
	NACM_UPDATE = 1 << 2,
	NACM_DELETE = 1 << 3,
	NACM_EXEC = 1 << 4,
};
#define NACM_ANY_ACCESS 0x1f
#define NACM_WRITE (NACM_CREATE | NACM_UPDATE | NACM_DELETE)

/* Which case of the rule-type choice a rule has (RULE_ANY: none) */
enum nacm_rule_type {
	RULE_ANY,
	RULE_RPC,
	RULE_NOTIFICATION,
	RULE_PATH,
};

struct nacm_rule {
	size_t id;	    /* index of the rule's selections in a request */
	const char *module; /* NULL for "*" */
	enum nacm_rule_type type;
	const char *target; /* the operation's name (NULL for "*"), the path */
	unsigned int access;
	bool permit;
};

struct nacm_rule_list {
	bool all_groups;
	const char **groups;
	size_t ngroups;
	struct nacm_rule *rules;
	size_t nrules;
};

struct nacm_group {
	const char *name;
	const char **users;
	size_t nusers;
};

struct ncd_nacm {
	struct lyd_node *tree;
	bool enabled;
	bool read_permit, write_permit, exec_permit;
	struct nacm_group *groups;
	size_t ngroups;
	struct nacm_rule_list *lists;
	size_t nlists;
	size_t nrules;
};

/* The nodes a path rule selects in one tree, sorted by address */
struct nacm_selection {
	bool evaluated;
	const struct lyd_node **nodes;
	size_t count;
};

/* A data tree that path rules are evaluated on, once per rule */
struct nacm_tree {
	const struct lyd_node *root;
	struct nacm_selection *selections; /* one per rule */
};

/* One check for one user; failed refuses the result (no memory, ...) */
struct nacm_request {
	const struct ncd_nacm *nacm;
	bool *applies; /* per rule-list: whether it is for the user */
	bool failed;
};

/*
 * Loading
 */

static bool matches_all(const char *value)
{
	return !strcmp(value, "*");
}

static bool is_child(const struct lyd_node *node, const char *name)
{
	return node->schema && !strcmp(node->schema->name, name);
}

static size_t count_children(const struct lyd_node *parent, const char *name)
{
	const struct lyd_node *child;
	size_t count = 0;

	LY_LIST_FOR (lyd_child(parent), child)
		if (is_child(child, name))
			count++;
	return count;
}

static const char *child_value(const struct lyd_node *parent, const char *name)
{
	const struct lyd_node *child;

	LY_LIST_FOR (lyd_child(parent), child)
		if (is_child(child, name))
			return lyd_get_value(child);
	return NULL;
}

/* The values of the leaf-list name under parent, in a new array */
static const char **child_values(const struct lyd_node *parent,
				 const char *name, size_t *count)
{
	const struct lyd_node *child;
	const char **values;

	*count = 0;
	values = calloc(count_children(parent, name) + 1, sizeof(*values));
	if (!values)
		return NULL;
	LY_LIST_FOR (lyd_child(parent), child)
		if (is_child(child, name))
			values[(*count)++] = lyd_get_value(child);
	return values;
}

static unsigned int access_bits(const char *value)
{
	static const char *const names[] = {"create", "read", "update",
					    "delete", "exec"};
	unsigned int bits = 0;
	size_t i, len;

	if (matches_all(value))
		return NACM_ANY_ACCESS;
	while (*value) {
		value += strspn(value, " ");
		len = strcspn(value, " ");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == len &&
			    !strncmp(value, names[i], len))
				bits |= 1U << i;
		value += len;
	}
	return bits;
}

static void load_rule(struct nacm_rule *rule, const struct lyd_node *entry)
{
	const struct lyd_node *leaf;
	const char *value;

	rule->access = NACM_ANY_ACCESS;
	LY_LIST_FOR (lyd_child(entry), leaf) {
		value = lyd_get_value(leaf);
		if (is_child(leaf, "module-name")) {
			rule->module = matches_all(value) ? NULL : value;
		} else if (is_child(leaf, "rpc-name")) {
			rule->type = RULE_RPC;
			rule->target = matches_all(value) ? NULL : value;
		} else if (is_child(leaf, "notification-name")) {
			rule->type = RULE_NOTIFICATION;
			rule->target = matches_all(value) ? NULL : value;
		} else if (is_child(leaf, "path")) {
			rule->type = RULE_PATH;
			rule->target = value;
		} else if (is_child(leaf, "access-operations")) {
			rule->access = access_bits(value);
		} else if (is_child(leaf, "action")) {
			rule->permit = !strcmp(value, "permit");
		}
	}
}

static bool load_rule_list(struct ncd_nacm *nacm, struct nacm_rule_list *list,
			   const struct lyd_node *entry)
{
	const struct lyd_node *child;
	size_t i;

	list->groups = child_values(entry, "group", &list->ngroups);
	list->rules =
		calloc(count_children(entry, "rule") + 1, sizeof(*list->rules));
	if (!list->groups || !list->rules)
		return false;
	for (i = 0; i < list->ngroups; i++)
		if (matches_all(list->groups[i]))
			list->all_groups = true;
	LY_LIST_FOR (lyd_child(entry), child) {
		if (!is_child(child, "rule"))
			continue;
		load_rule(&list->rules[list->nrules], child);
		list->rules[list->nrules++].id = nacm->nrules++;
	}
	return true;
}

static bool load_groups(struct ncd_nacm *nacm, const struct lyd_node *groups)
{
	const struct lyd_node *entry;
	struct nacm_group *group;

	nacm->groups = calloc(count_children(groups, "group") + 1,
			      sizeof(*nacm->groups));
	if (!nacm->groups)
		return false;
	LY_LIST_FOR (lyd_child(groups), entry) {
		if (!is_child(entry, "group"))
			continue;
		group = &nacm->groups[nacm->ngroups++];
		group->name = child_value(entry, "name");
		group->users = child_values(entry, "user-name", &group->nusers);
		if (!group->users)
			return false;
	}
	return true;
}

static void load_default(struct ncd_nacm *nacm, const struct lyd_node *leaf)
{
	const char *value = lyd_get_value(leaf);

	if (is_child(leaf, "enable-nacm"))
		nacm->enabled = !strcmp(value, "true");
	else if (is_child(leaf, "read-default"))
		nacm->read_permit = !strcmp(value, "permit");
	else if (is_child(leaf, "write-default"))
		nacm->write_permit = !strcmp(value, "permit");
	else if (is_child(leaf, "exec-default"))
		nacm->exec_permit = !strcmp(value, "permit");
}

static bool load_nacm(struct ncd_nacm *nacm, const struct lyd_node *top)
{
	const struct lyd_node *child;
	bool loaded = true;

	nacm->lists = calloc(count_children(top, "rule-list") + 1,
			     sizeof(*nacm->lists));
	if (!nacm->lists)
		return false;
	LY_LIST_FOR (lyd_child(top), child) {
		if (is_child(child, "groups"))
			loaded = load_groups(nacm, child);
		else if (is_child(child, "rule-list"))
			loaded = load_rule_list(
				nacm, &nacm->lists[nacm->nlists++], child);
		else
			load_default(nacm, child);
		if (!loaded)
			return false;
	}
	return true;
}

/* The contents of path, NULL if there is no such file. */
static bool read_file(const char *path, char **text, char *err, size_t errlen)
{
	FILE *file = fopen(path, "r");
	size_t len = 0, size = 4096;
	char *grown;

	*text = NULL;
	if (!file) {
		if (errno == ENOENT)
			return true;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	while ((grown = realloc(*text, size + 1))) {
		*text = grown;
		len += fread(*text + len, 1, size - len, file);
		if (len < size)
			break;
		size *= 2;
	}
	if (!grown || ferror(file)) {
		snprintf(err, errlen, "%s: %s", path,
			 grown ? strerror(errno) : "out of memory");
		free(*text);
		*text = NULL;
		fclose(file);
		return false;
	}
	(*text)[len] = '\0';
	fclose(file);
	return true;
}

/* Parses path into *tree (NULL if there is no such file). */
static bool parse_file(const struct ly_ctx *ctx, const char *path,
		       struct lyd_node **tree, char *err, size_t errlen)
{
	const char *msg, *where;
	char *text;
	LY_ERR ret;

	*tree = NULL;
	if (!read_file(path, &text, err, errlen))
		return false;
	if (!text)
		return true;
	ret = lyd_parse_data_mem(
		ctx, text, LYD_XML, LYD_PARSE_STRICT | LYD_PARSE_NO_STATE,
		LYD_VALIDATE_NO_STATE | LYD_VALIDATE_PRESENT, tree);
	free(text);
	if (ret == LY_SUCCESS)
		return true;
	msg = ly_errmsg(ctx);
	where = ly_errpath(ctx);
	if (!msg || !*msg)
		msg = "unknown error";
	if (where && *where)
		snprintf(err, errlen,
			 "%s: invalid " NACM_MODULE " data: %s (%s)", path, msg,
			 where);
	else
		snprintf(err, errlen, "%s: invalid " NACM_MODULE " data: %s",
			 path, msg);
	*tree = NULL;
	return false;
}

struct ncd_nacm *ncd_nacm_load(const struct ly_ctx *ctx, const char *path,
			       char *err, size_t errlen)
{
	struct ncd_nacm *nacm;
	struct lyd_node *tree, *top;

	if (!ly_ctx_get_module_implemented(ctx, NACM_MODULE)) {
		snprintf(err, errlen, "%s: %s is not loaded", path,
			 NACM_MODULE);
		return NULL;
	}
	if (!parse_file(ctx, path, &tree, err, errlen))
		return NULL;
	LY_LIST_FOR (tree, top) {
		if (strcmp(top->schema->module->name, NACM_MODULE)) {
			snprintf(err, errlen,
				 "%s: %s:%s is not " NACM_MODULE " data", path,
				 top->schema->module->name, top->schema->name);
			lyd_free_all(tree);
			return NULL;
		}
	}
	nacm = calloc(1, sizeof(*nacm));
	if (!nacm) {
		lyd_free_all(tree);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	nacm->tree = tree;
	nacm->enabled = true;
	nacm->read_permit = true;
	nacm->exec_permit = true;
	if (tree && !load_nacm(nacm, tree)) {
		ncd_nacm_free(nacm);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	return nacm;
}

void ncd_nacm_free(struct ncd_nacm *nacm)
{
	size_t i;

	if (!nacm)
		return;
	for (i = 0; i < nacm->ngroups; i++)
		free(nacm->groups[i].users);
	free(nacm->groups);
	for (i = 0; i < nacm->nlists; i++) {
		free(nacm->lists[i].groups);
		free(nacm->lists[i].rules);
	}
	free(nacm->lists);
	lyd_free_all(nacm->tree);
	free(nacm);
}

/*
 * Groups
 */

static bool group_has_user(const struct nacm_group *group, const char *user)
{
	size_t i;

	for (i = 0; i < group->nusers; i++)
		if (!strcmp(group->users[i], user))
			return true;
	return false;
}

static bool user_in_group(const struct ncd_nacm *nacm, const char *user,
			  const char *name)
{
	size_t i;

	for (i = 0; i < nacm->ngroups; i++)
		if (!strcmp(nacm->groups[i].name, name))
			return group_has_user(&nacm->groups[i], user);
	return false;
}

static bool user_has_groups(const struct ncd_nacm *nacm, const char *user)
{
	size_t i;

	for (i = 0; i < nacm->ngroups; i++)
		if (group_has_user(&nacm->groups[i], user))
			return true;
	return false;
}

/*
 * RFC 8341 3.4.4 steps 4 to 6: a user in no group gets the defaults only,
 * even from rule-lists for all groups ("*").
 */
static bool list_applies(const struct ncd_nacm *nacm,
			 const struct nacm_rule_list *list, const char *user)
{
	size_t i;

	if (list->all_groups)
		return true;
	for (i = 0; i < list->ngroups; i++)
		if (user_in_group(nacm, user, list->groups[i]))
			return true;
	return false;
}

const char *ncd_nacm_groups(const struct ncd_nacm *nacm, const char *user,
			    char *buf, size_t len)
{
	size_t i, used = 0;
	int n;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; user && i < nacm->ngroups; i++) {
		if (!group_has_user(&nacm->groups[i], user))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     nacm->groups[i].name);
		if (n < 0 || (size_t)n >= len - used) {
			buf[used] = '\0';
			break;
		}
		used += n;
	}
	return buf;
}

/*
 * Requests
 */

static bool request_init(struct nacm_request *req, const struct ncd_nacm *nacm,
			 const char *user)
{
	size_t i;
	bool grouped = user && user_has_groups(nacm, user);

	req->nacm = nacm;
	req->failed = false;
	req->applies = calloc(nacm->nlists + 1, sizeof(*req->applies));
	if (!req->applies) {
		req->failed = true;
		return false;
	}
	for (i = 0; grouped && i < nacm->nlists; i++)
		req->applies[i] = list_applies(nacm, &nacm->lists[i], user);
	return true;
}

static void request_clear(struct nacm_request *req)
{
	free(req->applies);
}

static bool tree_init(struct nacm_request *req, struct nacm_tree *tree,
		      const struct lyd_node *node)
{
	while (node && lyd_parent(node))
		node = lyd_parent(node);
	tree->root = node ? lyd_first_sibling(node) : NULL;
	tree->selections =
		calloc(req->nacm->nrules + 1, sizeof(*tree->selections));
	if (!tree->selections)
		req->failed = true;
	return tree->selections;
}

static void tree_clear(const struct nacm_request *req, struct nacm_tree *tree)
{
	size_t i;

	for (i = 0; tree->selections && i < req->nacm->nrules; i++)
		free(tree->selections[i].nodes);
	free(tree->selections);
}

static int compare_addresses(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)(*(const struct lyd_node *const *)a);
	uintptr_t y = (uintptr_t)(*(const struct lyd_node *const *)b);

	return x < y ? -1 : x > y;
}

static void select_nodes(struct nacm_request *req, const struct nacm_tree *tree,
			 const char *path, struct nacm_selection *selection)
{
	struct ly_set *set = NULL;

	selection->evaluated = true;
	if (!tree->root)
		return;
	if (ncd_lyd_find_xpath3(NULL, tree->root, path, NULL, &set)) {
		req->failed = true;
		return;
	}
	if (set->count) {
		selection->nodes = malloc(set->count * sizeof(*set->dnodes));
		if (selection->nodes) {
			memcpy(selection->nodes, set->dnodes,
			       set->count * sizeof(*set->dnodes));
			selection->count = set->count;
			qsort(selection->nodes, selection->count,
			      sizeof(*selection->nodes), compare_addresses);
		} else {
			req->failed = true;
		}
	}
	ly_set_free(set, NULL);
}

/* Whether the rule's path selects node or one of its ancestors. */
static bool path_selects(struct nacm_request *req, struct nacm_tree *tree,
			 const struct nacm_rule *rule,
			 const struct lyd_node *node)
{
	struct nacm_selection *selection = &tree->selections[rule->id];

	if (!strcmp(rule->target, "/"))
		return true;
	if (!selection->evaluated)
		select_nodes(req, tree, rule->target, selection);
	for (; node && selection->count; node = lyd_parent(node))
		if (bsearch(&node, selection->nodes, selection->count,
			    sizeof(*selection->nodes), compare_addresses))
			return true;
	return false;
}

static bool names_match(const char *target, const char *name)
{
	return !target || !strcmp(target, name);
}

static bool is_top_level(const struct lyd_node *node, uint16_t nodetype)
{
	return node->schema && node->schema->nodetype == nodetype &&
	       !node->schema->parent;
}

static bool rule_matches(struct nacm_request *req, struct nacm_tree *tree,
			 const struct nacm_rule *rule,
			 const struct lyd_node *node, unsigned int access)
{
	if (!(rule->access & access))
		return false;
	if (rule->module &&
	    (!node->schema || strcmp(rule->module, node->schema->module->name)))
		return false;
	switch (rule->type) {
	case RULE_ANY:
		return true;
	case RULE_RPC:
		return is_top_level(node, LYS_RPC) &&
		       names_match(rule->target, node->schema->name);
	case RULE_NOTIFICATION:
		return is_top_level(node, LYS_NOTIF) &&
		       names_match(rule->target, node->schema->name);
	case RULE_PATH:
		return !is_top_level(node, LYS_RPC) &&
		       !is_top_level(node, LYS_NOTIF) &&
		       path_selects(req, tree, rule, node);
	}
	return false;
}

static const struct nacm_rule *first_rule(struct nacm_request *req,
					  struct nacm_tree *tree,
					  const struct lyd_node *node,
					  unsigned int access)
{
	const struct nacm_rule_list *list;
	size_t i, j;

	for (i = 0; i < req->nacm->nlists; i++) {
		if (!req->applies[i])
			continue;
		list = &req->nacm->lists[i];
		for (j = 0; j < list->nrules; j++)
			if (rule_matches(req, tree, &list->rules[j], node,
					 access))
				return &list->rules[j];
	}
	return NULL;
}

static bool has_extension(const struct lysc_node *snode, const char *name)
{
	LY_ARRAY_COUNT_TYPE i;

	for (i = 0; i < LY_ARRAY_COUNT(snode->exts); i++)
		if (!strcmp(snode->exts[i].def->name, name) &&
		    !strcmp(snode->exts[i].def->module->name, NACM_MODULE))
			return true;
	return false;
}

/* nacm:default-deny-all or -write on the node's schema or an ancestor's */
static bool schema_denies(const struct lyd_node *node, unsigned int access)
{
	const struct lysc_node *snode;

	while (node && !node->schema)
		node = lyd_parent(node);
	for (snode = node ? node->schema : NULL; snode; snode = snode->parent)
		if (has_extension(snode, "default-deny-all") ||
		    ((access & NACM_WRITE) &&
		     has_extension(snode, "default-deny-write")))
			return true;
	return false;
}

static bool default_permits(const struct ncd_nacm *nacm, unsigned int access)
{
	if (access == NACM_READ)
		return nacm->read_permit;
	if (access == NACM_EXEC)
		return nacm->exec_permit;
	return nacm->write_permit;
}

/* RFC 8341 3.4.4 steps 7 to 12, 3.4.5 and 3.4.6 for one node */
static bool node_allowed(struct nacm_request *req, struct nacm_tree *tree,
			 const struct lyd_node *node, unsigned int access)
{
	const struct nacm_rule *rule = first_rule(req, tree, node, access);

	if (rule)
		return rule->permit;
	if (schema_denies(node, access))
		return false;
	return default_permits(req->nacm, access);
}

/*
 * Reading
 */

/* Keys stay with their list entry, a list entry cannot be without them. */
static void collect_unreadable(struct nacm_request *req, struct nacm_tree *tree,
			       struct lyd_node *first,
			       struct ly_set *unreadable)
{
	struct lyd_node *node;

	LY_LIST_FOR (first, node) {
		if (lysc_is_key(node->schema))
			continue;
		if (!node_allowed(req, tree, node, NACM_READ)) {
			if (ly_set_add(unreadable, node, true, NULL))
				req->failed = true;
			continue;
		}
		collect_unreadable(req, tree, lyd_child(node), unreadable);
	}
}

void ncd_nacm_filter_read(const struct ncd_nacm *nacm, const char *user,
			  struct lyd_node **data)
{
	struct nacm_request req;
	struct nacm_tree tree = {};
	struct ly_set *unreadable = NULL;
	struct lyd_node *node;
	uint32_t i;

	if (!*data || !nacm->enabled)
		return;
	*data = lyd_first_sibling(*data);
	if (request_init(&req, nacm, user) && tree_init(&req, &tree, *data)) {
		if (ly_set_new(&unreadable))
			req.failed = true;
		else
			collect_unreadable(&req, &tree, *data, unreadable);
	}
	if (req.failed) {
		lyd_free_siblings(*data);
		*data = NULL;
	} else {
		for (i = 0; i < unreadable->count; i++) {
			node = unreadable->dnodes[i];
			if (node == *data)
				*data = node->next;
			lyd_free_tree(node);
		}
	}
	ly_set_free(unreadable, NULL);
	tree_clear(&req, &tree);
	request_clear(&req);
}

/*
 * Writing: the nodes in the diff of old and new
 */

enum nacm_change {
	CHANGE_NONE,
	CHANGE_CREATE,
	CHANGE_DELETE,
	CHANGE_REPLACE,
};

struct nacm_write {
	struct nacm_request req;
	struct nacm_tree old, new;
};

static enum nacm_change diff_change(const struct lyd_node *diff,
				    enum nacm_change inherited)
{
	struct lyd_meta *meta =
		lyd_find_meta(diff->meta, NULL, "yang:operation");
	const char *op;

	if (!meta)
		return inherited;
	op = lyd_get_meta_value(meta);
	if (!strcmp(op, "create"))
		return CHANGE_CREATE;
	if (!strcmp(op, "delete"))
		return CHANGE_DELETE;
	if (!strcmp(op, "replace"))
		return CHANGE_REPLACE;
	return CHANGE_NONE;
}

/* The node among siblings that diff stands for */
static const struct lyd_node *counterpart(const struct lyd_node *siblings,
					  const struct lyd_node *diff)
{
	struct lyd_node *match = NULL;

	if (!siblings)
		return NULL;
	if (diff->schema->nodetype & (LYS_LIST | LYS_LEAFLIST))
		lyd_find_sibling_first(siblings, diff, &match);
	else
		lyd_find_sibling_val(siblings, diff->schema, NULL, 0, &match);
	return match;
}

/*
 * A value changed or an ordered-by user entry moved: update. Path rules
 * are evaluated on the tree that holds the node.
 */
static bool change_allowed(struct nacm_write *w, const struct lyd_node *old,
			   const struct lyd_node *new, enum nacm_change change)
{
	switch (change) {
	case CHANGE_NONE:
		return true;
	case CHANGE_CREATE:
		return new &&node_allowed(&w->req, &w->new, new, NACM_CREATE);
	case CHANGE_DELETE:
		return old && node_allowed(&w->req, &w->old, old, NACM_DELETE);
	case CHANGE_REPLACE:
		return new &&node_allowed(&w->req, &w->new, new, NACM_UPDATE);
	}
	return false;
}

/*
 * Every node of a created or deleted subtree needs create or delete access
 * of its own. Keys come and go with their entry; a non-presence container
 * holds no data of its own and comes and goes with what is in it.
 */
static const struct lyd_node *first_denied(struct nacm_write *w,
					   const struct lyd_node *diff,
					   const struct lyd_node *old,
					   const struct lyd_node *new,
					   enum nacm_change inherited)
{
	const struct lyd_node *node, *old_node, *new_node, *denied;
	enum nacm_change change;

	LY_LIST_FOR (diff, node) {
		if (!node->schema)
			return node;
		change = diff_change(node, inherited);
		old_node = counterpart(old, node);
		new_node = counterpart(new, node);
		if (!lysc_is_key(node->schema) &&
		    !lysc_is_np_cont(node->schema) &&
		    !change_allowed(w, old_node, new_node, change))
			return node;
		denied = first_denied(w, lyd_child(node), lyd_child(old_node),
				      lyd_child(new_node), change);
		if (denied)
			return denied;
	}
	return NULL;
}

static void print_path(const struct lyd_node *node, char *buf, size_t len)
{
	char *path = node ? lyd_path(node, LYD_PATH_STD, NULL, 0) : NULL;

	snprintf(buf, len, "%s", path ? path : "/");
	free(path);
}

bool ncd_nacm_write_allowed(const struct ncd_nacm *nacm, const char *user,
			    const struct lyd_node *old,
			    const struct lyd_node *new, char *denied_path,
			    size_t len)
{
	struct nacm_write w = {};
	struct lyd_node *diff = NULL;
	const struct lyd_node *denied = NULL;
	bool allowed = false;

	if (len)
		denied_path[0] = '\0';
	if (!nacm->enabled)
		return true;
	old = old ? lyd_first_sibling(old) : NULL;
	new = new ? lyd_first_sibling(new) : NULL;
	if (lyd_diff_siblings(old, new, 0, &diff) == LY_SUCCESS &&
	    request_init(&w.req, nacm, user) &&
	    tree_init(&w.req, &w.old, old) && tree_init(&w.req, &w.new, new)) {
		denied = first_denied(&w, diff, old, new, CHANGE_NONE);
		allowed = !denied && !w.req.failed;
	}
	if (!allowed)
		print_path(denied, denied_path, len);
	tree_clear(&w.req, &w.old);
	tree_clear(&w.req, &w.new);
	request_clear(&w.req);
	lyd_free_all(diff);
	return allowed;
}

/*
 * Operations and notifications
 */

static const struct lyd_node *find_operation(const struct lyd_node *node,
					     uint16_t nodetypes)
{
	const struct lyd_node *child, *found;

	if (node->schema && (node->schema->nodetype & nodetypes))
		return node;
	LY_LIST_FOR (lyd_child(node), child) {
		found = find_operation(child, nodetypes);
		if (found)
			return found;
	}
	return NULL;
}

static bool is_from(const struct lyd_node *node, const char *module,
		    const char *name)
{
	return !strcmp(node->schema->module->name, module) &&
	       !strcmp(node->schema->name, name);
}

/*
 * An action or a notification in the data also needs read access to the
 * nodes it belongs to.
 */
static bool operation_allowed(const struct ncd_nacm *nacm, const char *user,
			      const struct lyd_node *op, unsigned int access)
{
	struct nacm_request req;
	struct nacm_tree tree = {};
	const struct lyd_node *parent;
	bool allowed = false;

	if (request_init(&req, nacm, user) && tree_init(&req, &tree, op)) {
		allowed = node_allowed(&req, &tree, op, access);
		for (parent = lyd_parent(op); allowed && parent;
		     parent = lyd_parent(parent))
			allowed = node_allowed(&req, &tree, parent, NACM_READ);
	}
	allowed = allowed && !req.failed;
	tree_clear(&req, &tree);
	request_clear(&req);
	return allowed;
}

bool ncd_nacm_rpc_allowed(const struct ncd_nacm *nacm, const char *user,
			  const struct lyd_node *rpc)
{
	const struct lyd_node *op;

	if (!nacm->enabled)
		return true;
	op = rpc ? find_operation(rpc, LYS_RPC | LYS_ACTION) : NULL;
	if (!op)
		return false;
	if (is_from(op, "ietf-netconf", "close-session"))
		return true;
	return operation_allowed(nacm, user, op, NACM_EXEC);
}

bool ncd_nacm_notification_allowed(const struct ncd_nacm *nacm,
				   const char *user,
				   const struct lyd_node *notif)
{
	const struct lyd_node *op;

	if (!nacm->enabled)
		return true;
	op = notif ? find_operation(notif, LYS_NOTIF) : NULL;
	if (!op)
		return false;
	if (is_from(op, "nc-notifications", "replayComplete") ||
	    is_from(op, "nc-notifications", "notificationComplete"))
		return true;
	return operation_allowed(nacm, user, op, NACM_READ);
}
