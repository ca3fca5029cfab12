// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Route-server settings of one BGP instance, as applied by the northbound.
 */

#ifndef _FRR_RS_INSTANCE_H
#define _FRR_RS_INSTANCE_H

#include "typesafe.h"
#include "vrf.h"

#include "rs_policy.h"

PREDECL_RBTREE_UNIQ(rs_instances);
PREDECL_DLIST(rs_peers);
PREDECL_HASH(rs_bgp_peers);

#define RS_NEIGHBOR_LEN 65
#define RS_GATEWAY_LEN 64

struct rs_instance;
struct rs_class;
struct peer;

/* A peer's role as configured: its entry in the model. */
struct rs_role_config {
	char neighbor[RS_NEIGHBOR_LEN];
	enum rs_role role;
	char gateway[RS_GATEWAY_LEN];
	uint8_t instance;
};

/* A BGP neighbor with a route-server role. */
struct rs_peer {
	struct rs_peers_item item;
	const struct rs_instance *rsi;
	/* as the northbound applied it */
	struct rs_role_config cfg;

	/* Runtime state.  What rs_enforce.c applied to bgpd for this peer: */
	struct rs_bgp_peers_item bgp_item;
	/* bgpd's neighbor; NULL while the role is not applied */
	struct peer *bgp_peer;
	/* the receivers sharing its outbound policy, see rs_enforce.c */
	struct rs_class *cls;
	/* route-server and route-reflector client flags the module set, by
	 * address family: they go with the role, the operator's own stay */
	uint64_t client_flags_set[AFI_MAX];
	/* this peer as an end of rs_policy_permits() */
	struct rs_party party;
	/* sessions torn down for holding more than max-routes-per-peer */
	uint32_t limit_teardowns;
	/* an operator's outbound route-map replacing the module's is logged */
	bool conflict_logged;
	/* a gateway leader: the state last notified, see rs_notify.c */
	bool gw_state_known;
	enum rs_gw_state gw_state;
};

/* An instance's settings as configured: the leaves of its entry. */
struct rs_settings {
	struct rs_rules rules;
	/* one receiving class per gateway, see rs_gw_class_shared() */
	bool strict_gateway_exclusion;
	enum rs_hub_pref hub_pref;
	uint16_t max_peers;
	uint32_t max_routes;
};

struct rs_instance {
	struct rs_instances_item item;
	char vrf[VRF_NAMSIZ + 1];
	/* as the northbound applied them */
	struct rs_settings cfg;
	/* its role peers, in the order they were configured */
	struct rs_peers_head peers;

	/* Runtime state: a digest of the exchange policy the role peers'
	 * outbound was last refreshed for, see rs_enforce_instance() */
	uint32_t refreshed_policy;
	bool refresh_pending;
	/* a digest of the bgpd facts the watch last applied the roles to */
	uint32_t watched_facts;
};

DECLARE_DLIST(rs_peers, struct rs_peer, item);

extern struct rs_instance *rs_instance_create(const char *vrf);
extern void rs_instance_delete(struct rs_instance *rsi);
extern struct rs_instance *rs_instance_lookup(const char *vrf);
extern const struct rs_instance *rs_instance_first(void);
extern const struct rs_instance *
rs_instance_next(const struct rs_instance *rsi);
extern struct rs_peer *rs_peer_lookup(struct rs_instance *rsi,
				      const char *neighbor);
extern void rs_instance_delete_all(void);

extern struct rs_peer *rs_peer_create(struct rs_instance *rsi,
				      const char *neighbor);
extern void rs_peer_delete(struct rs_instance *rsi, struct rs_peer *peer);

#endif /* _FRR_RS_INSTANCE_H */
