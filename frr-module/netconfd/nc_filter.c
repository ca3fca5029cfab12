// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF subtree and XPath filters on libyang data trees.
 */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nc_filter.h"

struct strbuf {
	char *text;
	size_t len;
	size_t size;
	bool failed;
};

static void strbuf_add(struct strbuf *buf, const char *fmt, ...)
{
	va_list ap;
	int needed;

	if (buf->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		needed = vsnprintf(buf->text + buf->len, buf->size - buf->len,
				   fmt, ap);
		va_end(ap);
		if (needed < 0) {
			buf->failed = true;
			return;
		}
		if ((size_t)needed < buf->size - buf->len) {
			buf->len += needed;
			return;
		}
		buf->size = 2 * buf->size + needed + 1;
		buf->text = realloc(buf->text, buf->size);
		if (!buf->text) {
			buf->failed = true;
			return;
		}
	}
}

/* One element of a subtree filter, whatever libyang made of it. */
struct filter_elem {
	const char *module;
	const char *name;
	const char *value; /* NULL or "" for containment and selection nodes */
};

static bool blank(const char *text)
{
	if (!text)
		return true;
	while (isspace((unsigned char)*text))
		text++;
	return *text == '\0';
}

/* false for an element in a namespace the server does not know */
static bool filter_elem_read(const struct ly_ctx *ctx,
			     const struct lyd_node *node,
			     struct filter_elem *elem)
{
	const struct lyd_node_opaq *opaq;
	const struct lys_module *module;

	if (node->schema) {
		elem->module = node->schema->module->name;
		elem->name = node->schema->name;
		elem->value = (node->schema->nodetype & LYD_NODE_TERM)
				      ? lyd_get_value(node)
				      : NULL;
	} else {
		opaq = (const struct lyd_node_opaq *)node;
		module = opaq->name.module_ns
				 ? ly_ctx_get_module_implemented_ns(
					   ctx, opaq->name.module_ns)
				 : NULL;
		if (!module)
			return false;
		elem->module = module->name;
		elem->name = opaq->name.name;
		elem->value = opaq->value;
	}
	if (blank(elem->value))
		elem->value = NULL;
	return true;
}

/* A leaf with a value: *elem is then that leaf. */
static bool content_match(const struct ly_ctx *ctx, const struct lyd_node *node,
			  struct filter_elem *elem)
{
	return !lyd_child(node) && filter_elem_read(ctx, node, elem) &&
	       elem->value;
}

static void add_predicate(struct strbuf *buf, const struct filter_elem *elem,
			  char *errmsg, size_t errmsg_len)
{
	char quote = strchr(elem->value, '\'') ? '"' : '\'';

	if (quote == '"' && strchr(elem->value, '"')) {
		snprintf(
			errmsg, errmsg_len,
			"content match value of %s holds both quote characters",
			elem->name);
		buf->failed = true;
		return;
	}
	strbuf_add(buf, "[%s:%s=%c%s%c]", elem->module, elem->name, quote,
		   elem->value, quote);
}

/* path, or the leaf elem below it, as one more alternative of out */
static void add_selection(struct strbuf *out, const char *path,
			  const struct filter_elem *elem)
{
	strbuf_add(out, "%s%s", out->len ? " | " : "", path);
	if (elem)
		strbuf_add(out, "/%s:%s", elem->module, elem->name);
}

/*
 * A default leaf libyang added, not the client. An empty non-presence
 * container carries LYD_DEFAULT too, but in a filter the client wrote it:
 * it selects everything below it (RFC 6241, section 6.2.3).
 */
static bool implicit(const struct lyd_node *node)
{
	return (node->flags & LYD_DEFAULT) && node->schema &&
	       (node->schema->nodetype & LYD_NODE_TERM);
}

/*
 * Content match nodes become predicates of their parent's step; the
 * parent is selected whole unless it also has containment or selection
 * nodes, which then each select below it (RFC 6241, section 6.2).
 */
static void subtree_to_xpath(const struct ly_ctx *ctx,
			     const struct lyd_node *node, const char *base,
			     struct strbuf *out, char *errmsg,
			     size_t errmsg_len)
{
	struct filter_elem elem, child_elem;
	struct strbuf path = {};
	const struct lyd_node *child;
	bool selects_below = false;

	if (implicit(node) || !filter_elem_read(ctx, node, &elem))
		return;
	strbuf_add(&path, "%s/%s:%s", base, elem.module, elem.name);
	LY_LIST_FOR (lyd_child(node), child) {
		if (content_match(ctx, child, &child_elem))
			add_predicate(&path, &child_elem, errmsg, errmsg_len);
		else if (!implicit(child))
			selects_below = true;
	}
	if (path.failed) {
		out->failed = true;
		free(path.text);
		return;
	}
	if (!selects_below) {
		add_selection(out, path.text, NULL);
		free(path.text);
		return;
	}
	LY_LIST_FOR (lyd_child(node), child) {
		/* The matched leaves are part of the answer too. */
		if (content_match(ctx, child, &child_elem))
			add_selection(out, path.text, &child_elem);
		else
			subtree_to_xpath(ctx, child, path.text, out, errmsg,
					 errmsg_len);
	}
	free(path.text);
}

char *nc_filter_subtree_xpath(const struct ly_ctx *ctx,
			      const struct lyd_node *filter, char *errmsg,
			      size_t errmsg_len)
{
	struct strbuf out = {};
	const struct lyd_node *node;

	strbuf_add(&out, "%s", "");
	LY_LIST_FOR (filter, node)
		subtree_to_xpath(ctx, node, "", &out, errmsg, errmsg_len);
	if (out.failed) {
		if (!errmsg[0])
			snprintf(errmsg, errmsg_len, "out of memory");
		free(out.text);
		return NULL;
	}
	return out.text;
}

bool nc_filter_select(struct lyd_node **data, const char *xpath, char *errmsg,
		      size_t errmsg_len)
{
	struct lyd_node *result = NULL, *copy;
	struct ly_set *set;

	if (!*data || !*xpath) {
		lyd_free_siblings(*data);
		*data = NULL;
		return true;
	}
	if (lyd_find_xpath(*data, xpath, &set)) {
		snprintf(errmsg, errmsg_len, "%s", ly_errmsg(LYD_CTX(*data)));
		return false;
	}
	for (uint32_t i = 0; i < set->count; i++) {
		if (lyd_dup_single(set->dnodes[i], NULL,
				   LYD_DUP_RECURSIVE | LYD_DUP_WITH_PARENTS,
				   &copy))
			continue;
		while (lyd_parent(copy))
			copy = lyd_parent(copy);
		lyd_merge_siblings(&result, copy, LYD_MERGE_DESTRUCT);
	}
	ly_set_free(set, NULL);
	lyd_free_siblings(*data);
	*data = result;
	return true;
}
