// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF <edit-config> semantics (RFC 6241, section 7.2) on libyang data
 * trees: merge, replace, create, delete and remove, with the operation
 * inherited from the parent or the default-operation. Needs no FRR.
 */

#ifndef _FRR_NC_EDIT_H
#define _FRR_NC_EDIT_H

#include <stdbool.h>

#include <libyang/libyang.h>

#ifdef __cplusplus
extern "C" {
#endif

enum nc_edit_op {
	NC_EDIT_NONE = 0,
	NC_EDIT_MERGE,
	NC_EDIT_REPLACE,
	NC_EDIT_CREATE,
	NC_EDIT_DELETE,
	NC_EDIT_REMOVE,
};

/* "none", "merge", "replace", "create", "delete", "remove" */
extern const char *nc_edit_op_name(enum nc_edit_op op);
extern bool nc_edit_op_from_name(const char *name, enum nc_edit_op *op);

enum nc_edit_status {
	NC_EDIT_OK = 0,
	NC_EDIT_DATA_EXISTS,  /* create of a node that exists */
	NC_EDIT_DATA_MISSING, /* delete of a node that does not */
	NC_EDIT_FAILED,	      /* libyang could not make the change */
};

struct nc_edit_error {
	enum nc_edit_status status;
	char path[512];
	char message[256];
};

/*
 * Applies the edit (a sibling list parsed from <config>, carrying
 * ietf-netconf:operation metadata where the client set it) to the data
 * tree *config, which may be NULL. Stops at the first error and reports it
 * in *err; *config is then partly edited and must be thrown away.
 */
extern enum nc_edit_status nc_edit_apply(struct lyd_node **config,
					 const struct lyd_node *edit,
					 enum nc_edit_op default_op,
					 struct nc_edit_error *err);

/*
 * The first node of the tree (a sibling list parsed with LYD_PARSE_ONLY,
 * which lets them through) that repeats one of its siblings: a second
 * instance of a leaf or container, a list entry with the keys of another,
 * a leaf-list value twice. NULL if there is none. libyang 3 keeps list
 * entries sorted by their keys and reads past the keys of an entry that
 * has one twice: such a tree must go no further.
 */
extern const struct lyd_node *
nc_edit_find_duplicate(const struct lyd_node *tree);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_NC_EDIT_H */
