// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF access control (RFC 8341) on libyang trees, from an
 * ietf-netconf-acm configuration read from a file. Needs no FRR.
 *
 * Without a file (or with an empty one) RFC 8341's defaults apply:
 * read-default permit, write-default deny, exec-default permit, and the
 * nacm:default-deny-all / default-deny-write extensions of the schema. A
 * user that no rule names can therefore read but not write.
 *
 * As in RFC 8341, rule-lists apply only to users in a group of
 * /nacm/groups, those for all groups ("*") included: a user in no group
 * gets the defaults. Rule-lists and their rules apply in order, the first
 * rule that matches decides. A path rule matches the nodes its path selects
 * and what is below them, actions and notifications in the data included;
 * in the file, the prefixes of a path are XML namespace prefixes and must
 * be declared.
 *
 * The rules are read once; the object is then only read, by any thread.
 */

#ifndef _FRR_NCD_NACM_H
#define _FRR_NCD_NACM_H

#include <stdbool.h>
#include <stddef.h>

#include <libyang/libyang.h>

struct ncd_nacm;

/*
 * Reads the rules from path: ietf-netconf-acm data in XML (the /nacm
 * container). A missing file gives the defaults. ctx must implement
 * ietf-netconf-acm. Returns NULL with err set (naming the file) if the file
 * cannot be read or is not valid ietf-netconf-acm data.
 */
extern struct ncd_nacm *ncd_nacm_load(const struct ly_ctx *ctx,
				      const char *path, char *err,
				      size_t errlen);
extern void ncd_nacm_free(struct ncd_nacm *nacm);

/*
 * Whether user may run the operation rpc (its schema node names it): an
 * rpc, or an action with the data nodes it belongs to, which user must be
 * able to read. <close-session> is always allowed.
 */
extern bool ncd_nacm_rpc_allowed(const struct ncd_nacm *nacm, const char *user,
				 const struct lyd_node *rpc);

/*
 * Whether user may change the configuration from old to new (whole data
 * trees, either may be NULL): create, update and delete access to each
 * node that differs, each node of a created or deleted subtree included.
 * Keys and non-presence containers have no access of their own, they come
 * and go with their list entry or their contents. If not, the path of the
 * first node refused is in denied_path.
 */
extern bool ncd_nacm_write_allowed(const struct ncd_nacm *nacm,
				   const char *user, const struct lyd_node *old,
				   const struct lyd_node *new,
				   char *denied_path, size_t len);

/*
 * Removes from *data (a sibling list) what user may not read: each node
 * that is not readable, with all below it, even what a rule would let user
 * read. Keys stay with their list entry. *data is then the first sibling
 * left, or NULL.
 */
extern void ncd_nacm_filter_read(const struct ncd_nacm *nacm, const char *user,
				 struct lyd_node **data);

/*
 * Whether user may receive the notification (a notification tree, with the
 * data nodes a nested notification belongs to, which user must be able to
 * read).
 */
extern bool ncd_nacm_notification_allowed(const struct ncd_nacm *nacm,
					  const char *user,
					  const struct lyd_node *notif);

/* The groups of user, for logging: "a, b" or "" (into buf). */
extern const char *ncd_nacm_groups(const struct ncd_nacm *nacm,
				   const char *user, char *buf, size_t len);

#endif /* _FRR_NCD_NACM_H */
