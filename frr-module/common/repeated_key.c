// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * List entries that name a key twice, found before libyang's parser with
 * the schema sees them.
 */

#include <stdio.h>
#include <string.h>

#include "repeated_key.h"

/* The schema node libyang's parser gives an element below parent: among
 * parent's children, or, below anything that has none of its own (the
 * envelope, anyxml), at the top of the module of the element's namespace. */
static const struct lysc_node *element_schema(const struct ly_ctx *ctx,
					      const struct lysc_node *parent,
					      const struct lyd_node_opaq *el)
{
	const struct lys_module *module =
		el->name.module_ns ? ly_ctx_get_module_implemented_ns(
					     ctx, el->name.module_ns)
				   : NULL;

	if (!module)
		return NULL;
	if (parent && !(parent->nodetype & (LYS_CONTAINER | LYS_LIST | LYS_RPC |
					    LYS_ACTION | LYS_NOTIF)))
		parent = NULL;
	return lys_find_child(parent, module, el->name.name, 0, 0, 0);
}

/* The key of list that the element entry names more than once, if any. */
static const char *repeated_key(const struct lysc_node *list,
				const struct lyd_node *entry)
{
	const struct lysc_node *key = NULL;
	const struct lyd_node *child;
	unsigned int seen;

	while ((key = lys_getnext(key, list, NULL, 0)) && lysc_is_key(key)) {
		seen = 0;
		LY_LIST_FOR (lyd_child(entry), child) {
			if (!child->schema &&
			    !strcmp(((const struct lyd_node_opaq *)child)
					    ->name.name,
				    key->name) &&
			    ++seen > 1)
				return key->name;
		}
	}
	return NULL;
}

/* The first element of xml, parsed without a schema (every node opaque),
 * that ctx's schema makes a list entry naming one of its keys more than
 * once; that key in *key. */
static const struct lyd_node *find_repeated_key(const struct ly_ctx *ctx,
						const struct lysc_node *parent,
						const struct lyd_node *xml,
						const char **key)
{
	const struct lyd_node *el, *found;
	const struct lysc_node *schema;

	LY_LIST_FOR (xml, el) {
		if (el->schema)
			continue;
		schema = element_schema(ctx, parent,
					(const struct lyd_node_opaq *)el);
		if (schema && schema->nodetype == LYS_LIST &&
		    (*key = repeated_key(schema, el)))
			return el;
		found = find_repeated_key(ctx, schema, lyd_child(el), key);
		if (found)
			return found;
	}
	return NULL;
}

bool repeated_key_screen(const struct ly_ctx *ctx,
			 const struct ly_ctx *schemaless, const char *xml,
			 char *msg, size_t msg_len)
{
	struct lyd_node *opaque = NULL;
	const struct lyd_node *entry = NULL;
	const char *key = NULL;
	uint32_t silent = 0;

	ly_temp_log_options(&silent);
	if (!lyd_parse_data_mem(schemaless, xml, LYD_XML,
				LYD_PARSE_OPAQ | LYD_PARSE_ONLY, 0, &opaque))
		entry = find_repeated_key(ctx, NULL, opaque, &key);
	ly_temp_log_options(NULL);
	if (entry)
		snprintf(msg, msg_len,
			 "the list entry \"%s\" repeats its key \"%s\"",
			 ((const struct lyd_node_opaq *)entry)->name.name, key);
	lyd_free_all(opaque);
	return entry != NULL;
}
