// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enforcement of the route-server policy inside bgpd: the exchange table
 * on outbound advertisement, hub routing preference, the route limit.
 */

#ifndef _FRR_RS_ENFORCE_H
#define _FRR_RS_ENFORCE_H

#include "rs_instance.h"

struct peer;

/*
 * The names of the module's own route-maps start with this; the
 * northbound refuses route-maps of such a name.
 */
#define RS_EXCHANGE_MAP_PREFIX "rs-exchange:"

/* How a role peer's outbound route-map slot relates to the module's map. */
enum rs_outbound {
	/* the module's map is in the slot */
	RS_OUTBOUND_ENFORCED = 0,
	/* an operator's map is in the slot and calls the module's map */
	RS_OUTBOUND_COMPOSED,
	/* an operator's map replaced the module's map: the policy is off */
	RS_OUTBOUND_CONFLICT,
	/* the role is not applied to a bgpd neighbor */
	RS_OUTBOUND_NONE,
};

extern const char *rs_outbound_name(enum rs_outbound outbound);

extern void rs_enforce_init(void);
extern void rs_enforce_fini(void);

/*
 * Applies an instance's settings and roles to bgpd after a commit, and
 * refreshes what is advertised to its role peers.
 */
extern void rs_enforce_instance(struct rs_instance *rsi);
/* Receiving classes of the instance's role peers, and the update groups
 * their sessions are in (over IPv4 and IPv6 unicast). */
extern unsigned int rs_enforce_class_count(const struct rs_instance *rsi);
extern unsigned int
rs_enforce_update_group_count(const struct rs_instance *rsi);
/* Takes back what was applied for a peer whose role goes. */
extern void rs_enforce_peer_release(struct rs_peer *rp);
/* The role peer a bgpd neighbor stands for, NULL if none is applied. */
extern struct rs_peer *rs_role_peer_of(struct peer *peer);
/* bgpd deletes its neighbor: forget it without touching it. */
extern void rs_enforce_neighbor_deleted(struct peer *peer);

/*
 * The outbound policy of a role peer: the worst of its IPv4 and IPv6
 * unicast; when an operator's map is involved, its name goes to *rmap.
 */
extern enum rs_outbound rs_enforce_outbound(const struct rs_peer *rp,
					    const char **rmap);
/*
 * Whether an operator's outbound route-map replaced the module's on a role
 * peer without calling it; the warning to show goes into text.
 */
extern bool rs_enforce_conflict(const struct rs_peer *rp, char *text,
				size_t text_len);
/*
 * Whether the neighbor's configured weight takes the place of the hub
 * routing preference; the warning to show goes into text.
 */
extern bool rs_enforce_weight_overridden(const struct rs_peer *rp, char *text,
					 size_t text_len);

extern bool rs_debug;

#endif /* _FRR_RS_ENFORCE_H */
