// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF <edit-config> semantics on libyang data trees.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc_edit.h"

static const char *const op_names[] = {
	[NC_EDIT_NONE] = "none",       [NC_EDIT_MERGE] = "merge",
	[NC_EDIT_REPLACE] = "replace", [NC_EDIT_CREATE] = "create",
	[NC_EDIT_DELETE] = "delete",   [NC_EDIT_REMOVE] = "remove",
};

const char *nc_edit_op_name(enum nc_edit_op op)
{
	return op_names[op];
}

bool nc_edit_op_from_name(const char *name, enum nc_edit_op *op)
{
	for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++) {
		if (!strcmp(name, op_names[i])) {
			*op = i;
			return true;
		}
	}
	return false;
}

/* Where the edited siblings live: under a parent, or at the top level. */
struct edit_place {
	struct lyd_node *parent;
	struct lyd_node **top;
};

static struct lyd_node *place_siblings(const struct edit_place *place)
{
	return place->parent ? lyd_child(place->parent) : *place->top;
}

static enum nc_edit_status edit_fail(struct nc_edit_error *err,
				     enum nc_edit_status status,
				     const struct lyd_node *node,
				     const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	if (!lyd_path(node, LYD_PATH_STD, err->path, sizeof(err->path)))
		err->path[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return status;
}

static enum nc_edit_op node_op(const struct lyd_node *edit,
			       enum nc_edit_op inherited)
{
	struct lyd_meta *meta;
	enum nc_edit_op op;

	meta = lyd_find_meta(edit->meta, NULL, "ietf-netconf:operation");
	if (meta && nc_edit_op_from_name(lyd_get_meta_value(meta), &op))
		return op;
	return inherited;
}

/* The first of the siblings that stands where node does: the list entry
 * of its keys, the leaf-list value of its value, else the node of its
 * name. */
static struct lyd_node *first_instance(const struct lyd_node *siblings,
				       const struct lyd_node *node)
{
	struct lyd_node *match = NULL;
	LY_ERR err;

	if (node->schema->nodetype & (LYS_LIST | LYS_LEAFLIST))
		err = lyd_find_sibling_first(siblings, node, &match);
	else
		err = lyd_find_sibling_val(siblings, node->schema, NULL, 0,
					   &match);
	return err ? NULL : match;
}

/* The node of the configuration that the edit node addresses. */
static struct lyd_node *addressed_node(const struct edit_place *place,
				       const struct lyd_node *edit)
{
	struct lyd_node *siblings = place_siblings(place);

	return siblings ? first_instance(siblings, edit) : NULL;
}

/* Children before their parent: a list entry is looked up by its keys,
 * which must be sound first. */
const struct lyd_node *nc_edit_find_duplicate(const struct lyd_node *tree)
{
	const struct lyd_node *node, *found;

	LY_LIST_FOR (tree, node) {
		found = nc_edit_find_duplicate(lyd_child(node));
		if (found)
			return found;
	}
	LY_LIST_FOR (tree, node) {
		if (node->schema && first_instance(tree, node) != node)
			return node;
	}
	return NULL;
}

/* A default leaf counts as absent: nobody set it (RFC 6243 "explicit"). */
static bool is_set(const struct lyd_node *node)
{
	return node && !(node->flags & LYD_DEFAULT);
}

static void remove_node(const struct edit_place *place, struct lyd_node *node)
{
	if (!place->parent && *place->top == node)
		*place->top = node->next;
	lyd_free_tree(node);
}

/* A copy of the edit node without its operation: its whole subtree, or
 * (for inner nodes being merged) only itself, with a list's keys. */
static enum nc_edit_status insert_copy(const struct edit_place *place,
				       const struct lyd_node *edit,
				       bool recursive, struct lyd_node **copy,
				       struct nc_edit_error *err)
{
	uint32_t options =
		LYD_DUP_NO_META | (recursive ? LYD_DUP_RECURSIVE : 0);
	LY_ERR ret;

	if (lyd_dup_single(edit, NULL, options, copy))
		return edit_fail(err, NC_EDIT_FAILED, edit, "cannot copy: %s",
				 ly_errmsg(LYD_CTX(edit)));
	if (place->parent)
		ret = lyd_insert_child(place->parent, *copy);
	else
		ret = lyd_insert_sibling(*place->top, *copy, place->top);
	if (ret) {
		lyd_free_tree(*copy);
		return edit_fail(err, NC_EDIT_FAILED, edit, "cannot insert: %s",
				 ly_errmsg(LYD_CTX(edit)));
	}
	return NC_EDIT_OK;
}

static enum nc_edit_status apply_siblings(const struct edit_place *place,
					  const struct lyd_node *edit,
					  enum nc_edit_op inherited,
					  struct nc_edit_error *err);

static bool has_own_children(const struct lyd_node *node)
{
	struct lyd_node *child;

	LY_LIST_FOR (lyd_child(node), child) {
		if (!lysc_is_key(child->schema))
			return true;
	}
	return false;
}

/* Also makes a default leaf an explicit one. */
static enum nc_edit_status change_leaf(struct lyd_node *target,
				       const struct lyd_node *edit,
				       struct nc_edit_error *err)
{
	switch (lyd_change_term(target, lyd_get_value(edit))) {
	case LY_SUCCESS:
	case LY_EEXIST:
	case LY_ENOT:
		return NC_EDIT_OK;
	default:
		return edit_fail(err, NC_EDIT_FAILED, edit, "%s",
				 ly_errmsg(LYD_CTX(edit)));
	}
}

/* merge and none: walk into inner nodes, creating them for merge. */
static enum nc_edit_status merge_node(const struct edit_place *place,
				      const struct lyd_node *edit,
				      struct lyd_node *target,
				      enum nc_edit_op op,
				      struct nc_edit_error *err)
{
	struct edit_place inner = {.top = NULL};
	bool created = false;
	enum nc_edit_status status;

	if (edit->schema->nodetype & LYD_NODE_TERM) {
		if (op == NC_EDIT_NONE)
			return NC_EDIT_OK;
		if (!target)
			return insert_copy(place, edit, true, &target, err);
		if (target->schema->nodetype == LYS_LEAF)
			return change_leaf(target, edit, err);
		return NC_EDIT_OK;
	}
	if (edit->schema->nodetype & LYD_NODE_ANY) {
		if (op == NC_EDIT_NONE)
			return NC_EDIT_OK;
		if (target)
			remove_node(place, target);
		return insert_copy(place, edit, true, &target, err);
	}

	/* Inner node: "none" creates it only if something below needs it. */
	if (!target) {
		status = insert_copy(place, edit, false, &target, err);
		if (status)
			return status;
		created = true;
	}
	inner.parent = target;
	status = apply_siblings(&inner, lyd_child(edit), op, err);
	if (!status && created && op == NC_EDIT_NONE &&
	    !has_own_children(target))
		remove_node(place, target);
	return status;
}

static enum nc_edit_status apply_node(const struct edit_place *place,
				      const struct lyd_node *edit,
				      enum nc_edit_op inherited,
				      struct nc_edit_error *err)
{
	enum nc_edit_op op = node_op(edit, inherited);
	struct lyd_node *target = addressed_node(place, edit);
	struct lyd_node *copy;

	switch (op) {
	case NC_EDIT_DELETE:
		if (!is_set(target))
			return edit_fail(err, NC_EDIT_DATA_MISSING, edit,
					 "the data to delete does not exist");
		remove_node(place, target);
		return NC_EDIT_OK;
	case NC_EDIT_REMOVE:
		if (target)
			remove_node(place, target);
		return NC_EDIT_OK;
	case NC_EDIT_CREATE:
		if (is_set(target))
			return edit_fail(err, NC_EDIT_DATA_EXISTS, edit,
					 "the data to create exists already");
		/* fallthrough */
	case NC_EDIT_REPLACE:
		if (target)
			remove_node(place, target);
		return insert_copy(place, edit, true, &copy, err);
	case NC_EDIT_MERGE:
	case NC_EDIT_NONE:
		break;
	}
	return merge_node(place, edit, target, op, err);
}

static enum nc_edit_status apply_siblings(const struct edit_place *place,
					  const struct lyd_node *edit,
					  enum nc_edit_op inherited,
					  struct nc_edit_error *err)
{
	const struct lyd_node *node;
	enum nc_edit_status status;

	LY_LIST_FOR (edit, node) {
		/* A list entry's keys were copied with the entry. */
		if (lysc_is_key(node->schema))
			continue;
		status = apply_node(place, node, inherited, err);
		if (status)
			return status;
	}
	return NC_EDIT_OK;
}

enum nc_edit_status nc_edit_apply(struct lyd_node **config,
				  const struct lyd_node *edit,
				  enum nc_edit_op default_op,
				  struct nc_edit_error *err)
{
	struct edit_place top = {.parent = NULL, .top = config};

	memset(err, 0, sizeof(*err));
	return apply_siblings(&top, edit, default_op, err);
}
