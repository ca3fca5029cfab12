// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enforcement of the route-server policy inside bgpd.
 *
 * bgpd 8.4 has no hook on outbound advertisement, so role peers get an
 * outbound route-map of the module's own with one entry: "permit 10"
 * matching the module's rule "route-server-exchange".  The rule asks
 * rs_policy_permits() whether the route's source may reach the receiver;
 * it reads the toggle and the roles live, so a change of either needs no
 * edit of the map (an edit would make bgpd re-send every route after its
 * 5 s route-map delay), only an outbound refresh of the role peers.
 *
 * bgpd builds updates once per update group, and peers share a group only
 * with the same outbound route-map.  So a map serves a class of receivers
 * whose policy is the same, and there are as few classes as the policy
 * allows: all NVAs of an instance ("rs-exchange:nva:<vrf>"); the gateways
 * whose own routes BGP's loop prevention drops at the gateway, which may
 * be sent them ("rs-exchange:gateways:<vrf>", see rs_gw_class_shared()),
 * and which while branch-to-branch is on are sent what the NVAs are and
 * so receive in their class (rs_gw_class_joins_nvas()); and each other
 * gateway, whose instances must not get each other's routes
 * ("rs-exchange:<kind>:<gateway>:<vrf>").  A gateway's name has no
 * colon, so no two classes share a name, whatever the VRFs are called.  The
 * maps live in bgpd's route-map namespace, where the northbound refuses any
 * route-map of the module's prefix (rs_nb.c): the module alone edits or
 * deletes them, and holds no pointer to them.  bgpd applies outbound maps to
 * the group's template peer, so the rule learns its receiving class from
 * its compiled argument.  Within a class nothing tells peers apart: an NVA
 * may get its own routes back, and drops them (AS-path loop), as from any
 * route server; a gateway never gets routes of its own gateway.
 *
 * Hub routing preference is each role peer's weight; the route limit is
 * the module's own check after each route is held.  Neither touches the
 * neighbor's configured weight or maximum-prefix (see rs_weight_apply and
 * rs_route_received), so a role given back leaves the operator's own.
 */

#include <zebra.h>

#include "frr_compat.h"

#include "jhash.h"
#include "log.h"
#include "routemap.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_community.h"
#include "bgpd/bgp_mpath.h"
#include "bgpd/bgp_packet.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_updgrp.h"

#include "rs_bgp.h"
#include "rs_enforce.h"
#include "rs_inspect.h"
#include "rs_memory.h"

DEFINE_MTYPE_STATIC(ROUTESERVER, RS_CLASS, "route-server receiver class");

PREDECL_DLIST(rs_classes);

enum rs_class_kind {
	/* the NVAs, and while branch-to-branch is on the shared gateways */
	RS_CLASS_NVAS,
	/* the gateways of rs_gw_class_shared() */
	RS_CLASS_GATEWAYS,
	/* one gateway */
	RS_CLASS_GATEWAY,
};

/* Receivers sharing an outbound policy, and its route-map. */
struct rs_class {
	struct rs_classes_item item;
	/* also the route-map's name */
	char name[RMAP_NAME_MAXLEN];
	const struct rs_instance *rsi;
	/* the receiving end of rs_policy_permits(); peer_id 0, and
	 * gateway_id 0 in the class of several gateways */
	struct rs_party party;
	enum rs_class_kind kind;
	unsigned int members;
};

DECLARE_DLIST(rs_classes, struct rs_class, item);

static struct rs_classes_head rs_classes = INIT_DLIST(rs_classes);

#define RS_EXCHANGE_RULE "route-server-exchange"
#define RS_EXCHANGE_SEQ 10
/* seconds between checks of the role peers' outbound slots */
#define RS_WATCH_INTERVAL 1

bool rs_debug;

/*
 * Whether the role peers the exchange rules point to exist: bgpd may still
 * run route-maps after the module freed them at shutdown (frr_early_fini).
 */
static bool rs_enforcing;

static struct event *rs_watch_thread;
static struct event *rs_refresh_thread;

static const char *const rs_outbound_names[] = {
	[RS_OUTBOUND_ENFORCED] = "enforced",
	[RS_OUTBOUND_COMPOSED] = "composed",
	[RS_OUTBOUND_CONFLICT] = "conflict",
	[RS_OUTBOUND_NONE] = "none",
};

const char *rs_outbound_name(enum rs_outbound outbound)
{
	return rs_outbound_names[outbound];
}

/* Role peers by their bgpd neighbor: the source of a route in O(1). */
static uint32_t rs_bgp_peer_hash(const struct rs_peer *rp)
{
	return jhash(&rp->bgp_peer, sizeof(rp->bgp_peer), 0);
}

static int rs_bgp_peer_cmp(const struct rs_peer *a, const struct rs_peer *b)
{
	return numcmp((uintptr_t)a->bgp_peer, (uintptr_t)b->bgp_peer);
}

DECLARE_HASH(rs_bgp_peers, struct rs_peer, bgp_item, rs_bgp_peer_cmp,
	     rs_bgp_peer_hash);

static struct rs_bgp_peers_head rs_bgp_peers = INIT_HASH(rs_bgp_peers);

/*
 * The last lookup and its answer, NULL included.  bgpd reads a neighbor's
 * updates in batches and runs the exchange rule once per route and update
 * group, so the same source is asked for over and over.  Forgotten whenever
 * rs_bgp_peers changes.
 */
static struct {
	const struct peer *peer;
	struct rs_peer *role_peer;
} rs_last_lookup;

static void rs_last_lookup_forget(void)
{
	memset(&rs_last_lookup, 0, sizeof(rs_last_lookup));
}

struct rs_peer *rs_role_peer_of(struct peer *peer)
{
	if (peer != rs_last_lookup.peer) {
		/* a whole role peer's worth of zeroes: not on every route */
		struct rs_peer key = {.bgp_peer = peer};

		rs_last_lookup.peer = peer;
		rs_last_lookup.role_peer =
			rs_bgp_peers_find(&rs_bgp_peers, &key);
	}
	return rs_last_lookup.role_peer;
}

/*
 * A bgpd neighbor stands for one role peer.  Canonical keys and the lookup
 * by key (rs_bgp_neighbor) make a second one impossible; should one still
 * name it, it stays unbound rather than leave a pointer behind.
 */
static void rs_peer_bind(struct rs_peer *rp, struct peer *peer)
{
	struct rs_peer *holder = peer ? rs_role_peer_of(peer) : NULL;

	if (holder && holder != rp) {
		if (rs_debug)
			zlog_debug(
				"route-server: %s: neighbor %s is already the role peer %s; role not applied",
				rp->rsi->vrf, rp->cfg.neighbor,
				holder->cfg.neighbor);
		peer = NULL;
	}
	rs_last_lookup_forget();
	if (rp->bgp_peer)
		rs_bgp_peers_del(&rs_bgp_peers, rp);
	if (peer != rp->bgp_peer)
		memset(rp->client_flags_set, 0, sizeof(rp->client_flags_set));
	rp->bgp_peer = peer;
	if (peer)
		rs_bgp_peers_add(&rs_bgp_peers, rp);
}

/* ------------------------------------------------------------------ */
/* The exchange rule, run for every route bgpd considers for a role peer */

static const struct rs_party rs_party_local = {.role = RS_ROLE_LOCAL};
static const struct rs_party rs_party_other = {.role = RS_ROLE_NONE};

/*
 * The path bgpd is advertising.  bgpd hands route-maps a copy; the copy
 * keeps the original's multipath link, else the original is the selected
 * path of its prefix (a role peer gets no add-path, so bgpd advertises
 * that one).  A copy of a path that is not selected has no original to
 * find: NULL, and the route is not advertised.
 */
static struct bgp_path_info *rs_selected_path(struct bgp_dest *dest)
{
	struct bgp_path_info *pi;

	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		if (CHECK_FLAG(pi->flags, BGP_PATH_SELECTED))
			return pi;
	return NULL;
}

static struct bgp_path_info *rs_advertised_path(struct bgp_path_info *copy)
{
	if (copy->mpath && copy->mpath->mp_info)
		return copy->mpath->mp_info;
	if (!copy->net || !CHECK_FLAG(copy->flags, BGP_PATH_SELECTED))
		return NULL;
	return rs_selected_path(copy->net);
}

static const struct rs_party *rs_source_party(const struct bgp_path_info *pi,
					      const struct rs_instance *rsi)
{
	const struct rs_peer *from;

	if (pi->peer == pi->peer->bgp->peer_self)
		return &rs_party_local;
	from = rs_role_peer_of(pi->peer);
	return from && from->rsi == rsi ? &from->party : &rs_party_other;
}

/*
 * bgpd skips its own NO_ADVERTISE filter between two route-server clients
 * ("transparent"), which role peers are: the rule applies it.
 */
static bool rs_no_advertise(const struct attr *attr)
{
	struct community *comm = bgp_attr_get_community(attr);

	return comm && community_include(comm, COMMUNITY_NO_ADVERTISE);
}

static enum route_map_cmd_result_t
rs_exchange_match(void *rule, const struct prefix *prefix, void *object)
{
	const struct rs_class *to = rule;
	struct bgp_path_info *copy = object;
	const struct bgp_path_info *source;

	/* the rule means nothing in an inbound or any other map */
	if (!rs_enforcing ||
	    !CHECK_FLAG(copy->peer->rmap_type, PEER_RMAP_TYPE_OUT))
		return RMAP_NOMATCH;
	if (rs_no_advertise(copy->attr))
		return RMAP_NOMATCH;
	source = rs_advertised_path(copy);
	if (!source)
		return RMAP_NOMATCH;
	return rs_policy_permits(rs_source_party(source, to->rsi), &to->party,
				 &to->rsi->cfg.rules)
		       ? RMAP_MATCH
		       : RMAP_NOMATCH;
}

/* The argument is the class's name. */
static void *rs_exchange_compile(const char *arg)
{
	struct rs_class *cls;

	frr_each (rs_classes, &rs_classes, cls)
		if (!strcmp(cls->name, arg))
			return cls;
	return NULL;
}

/* The compiled rule is the class itself, which outlives its map. */
static void rs_exchange_free(void *rule)
{
}

static const struct route_map_rule_cmd rs_exchange_rule_cmd = {
	RS_EXCHANGE_RULE, rs_exchange_match, rs_exchange_compile,
	rs_exchange_free};

/* ------------------------------------------------------------------ */
/* Refreshing what bgpd advertises */

/*
 * A new outbound route-map or client flag (a role given or taken back)
 * moves the peer to another update group.  bgpd's split copies what the
 * old subgroup advertised but leaves behind the withdrawals still queued
 * there (not yet written, or held by the advertisement interval): the
 * peer would keep those routes for good, since a refresh walks only the
 * prefixes that still have a path.  They are withdrawn here.
 */
static void rs_withdraw_orphans(struct update_subgroup *subgrp)
{
	struct bgp_adj_out *adj, *next;

	SUBGRP_FOREACH_ADJ_SAFE (subgrp, adj, next)
		if (adj->attr && !rs_selected_path(adj->dest))
			bgp_adj_out_unset_subgroup(adj->dest, subgrp, 1,
						   adj->addpath_tx_id);
}

/*
 * Re-sends a peer's routes as its outbound policy now says, as
 * `clear bgp X soft out` does.
 *
 * bgpd fills the update subgroup of a session that just came up when the
 * subgroup's coalesce timer fires, about a second later, and skips
 * withdrawals for the subgroup until then.  An announcement in between
 * (subgroup_announce_route does not wait for the timer) could leave a
 * route withdrawn meanwhile in the subgroup's adj-out, and at the peer.
 * While the timer runs, a pending announcement is cancelled instead: the
 * timer's own covers the whole table with the policy as it is then.
 */
static void rs_outbound_refresh_af(struct peer *peer, afi_t afi)
{
	struct peer_af *paf = peer_af_find(peer, afi, SAFI_UNICAST);

	if (!paf || !paf->subgroup)
		return;
	rs_withdraw_orphans(paf->subgroup);
	if (paf->subgroup->t_coalesce) {
		bgp_stop_announce_route_timer(paf);
		return;
	}
	bgp_announce_route(peer, afi, SAFI_UNICAST, false);
}

/* ------------------------------------------------------------------ */
/* The module's outbound route-map of a role peer */

#define RS_AS_PATH_REWRITES                                                    \
	(PEER_FLAG_AS_OVERRIDE | PEER_FLAG_REMOVE_PRIVATE_AS |                 \
	 PEER_FLAG_REMOVE_PRIVATE_AS_ALL |                                     \
	 PEER_FLAG_REMOVE_PRIVATE_AS_REPLACE |                                 \
	 PEER_FLAG_REMOVE_PRIVATE_AS_ALL_REPLACE)

static bool rs_same_gateway_config(const struct rs_peer *a,
				   const struct rs_peer *b)
{
	return a->cfg.role == b->cfg.role &&
	       !strcmp(a->cfg.gateway, b->cfg.gateway);
}

static bool rs_af_configured(const struct peer *peer, afi_t afi)
{
	return peer->afc[afi][SAFI_UNICAST];
}

static const char *rs_outbound_slot(const struct peer *peer, afi_t afi)
{
	return peer->filter[afi][SAFI_UNICAST].map[RMAP_OUT].name;
}

static bool rs_as_path_kept(const struct peer *peer)
{
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		if (CHECK_FLAG(peer->af_flags[afi][SAFI_UNICAST],
			       RS_AS_PATH_REWRITES))
			return false;
	return true;
}

/* A gateway member's session as rs_gw_class_shared() sees it. */
static void rs_gw_member_facts(const struct peer *peer, as_t *asn,
			       struct rs_gw_class_facts *facts)
{
	if (!peer) {
		/* not bound yet: nothing is known, share nothing */
		facts->ebgp = false;
		return;
	}
	facts->ebgp &= peer_sort_lookup((struct peer *)peer) == BGP_PEER_EBGP;
	facts->as_path_kept &= rs_as_path_kept(peer);
	if (!peer->as || (*asn && *asn != peer->as))
		facts->own_asn = false;
	*asn = peer->as;
}

static void rs_gw_class_facts_get(const struct rs_peer *rp,
				  struct rs_gw_class_facts *facts)
{
	const struct rs_instance *rsi = rp->rsi;
	const struct rs_peer *other;
	unsigned int members = 0;
	as_t asn = 0;

	*facts = (struct rs_gw_class_facts){
		.strict = rsi->cfg.strict_gateway_exclusion,
		.exchanges = rp->party.exchanges,
		.ebgp = true,
		.as_path_kept = true,
		.own_asn = true,
	};
	frr_each (rs_peers_const, &rsi->peers, other)
		if (rs_same_gateway_config(other, rp)) {
			rs_gw_member_facts(other->bgp_peer, &asn, facts);
			members++;
		}
	facts->one_member = members == 1;
	frr_each (rs_peers_const, &rsi->peers, other)
		if (!rs_same_gateway_config(other, rp) && other->bgp_peer &&
		    other->bgp_peer->as == asn)
			facts->own_asn = false;
}

/*
 * Whether every outbound slot of the peer is empty or holds a map of the
 * module's: a peer with an operator's map stays in a class whose name does
 * not follow the toggle, since the operator's map calls it by that name.
 */
static bool rs_outbound_slots_module_owned(const struct peer *peer)
{
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		const char *slot = rs_outbound_slot(peer, afi);

		if (rs_af_configured(peer, afi) && slot &&
		    strncmp(slot, RS_EXCHANGE_MAP_PREFIX,
			    strlen(RS_EXCHANGE_MAP_PREFIX)))
			return false;
	}
	return true;
}

/* The peer's class, and its name. */
static enum rs_class_kind rs_class_name(const struct rs_peer *rp, char *name,
					size_t len)
{
	const char *vrf = rp->rsi->vrf;
	struct rs_gw_class_facts facts;

	if (rp->cfg.role != RS_ROLE_NVA)
		rs_gw_class_facts_get(rp, &facts);
	if (rp->cfg.role == RS_ROLE_NVA ||
	    (rs_gw_class_joins_nvas(&facts, &rp->rsi->cfg.rules) &&
	     rs_outbound_slots_module_owned(rp->bgp_peer))) {
		snprintf(name, len, RS_EXCHANGE_MAP_PREFIX "nva:%s", vrf);
		return RS_CLASS_NVAS;
	}
	if (rs_gw_class_shared(&facts)) {
		snprintf(name, len, RS_EXCHANGE_MAP_PREFIX "gateways:%s", vrf);
		return RS_CLASS_GATEWAYS;
	}
	snprintf(name, len, RS_EXCHANGE_MAP_PREFIX "%s:%s:%s",
		 rp->cfg.role == RS_ROLE_VPN ? "vpn" : "expressroute",
		 rp->cfg.gateway, vrf);
	return RS_CLASS_GATEWAY;
}

/*
 * Creating or editing a map marks it for bgpd's route-map update, which
 * re-sends every route to every peer using the map after the update
 * timer (5 s): the map's peers are new to it and the module refreshes them
 * itself (rs_exchange_map_bind), so the mark is cleared.
 */
static void rs_exchange_map_create(const char *name)
{
	struct route_map *map = route_map_get(name);
	struct route_map_index *index;

	index = route_map_index_get(map, RMAP_PERMIT, RS_EXCHANGE_SEQ);
	if (route_map_add_match(index, RS_EXCHANGE_RULE, name,
				RMAP_EVENT_MATCH_ADDED) !=
	    RMAP_COMPILE_SUCCESS) {
		/* an empty map denies all, a "permit 10" alone would not */
		route_map_index_delete(index, 0);
		zlog_err(
			"route-server: cannot compile the exchange rule of %s; nothing is advertised to its peers",
			name);
	}
	map->to_be_processed = false;
}

static void rs_class_set_party(struct rs_class *cls, const struct rs_peer *rp)
{
	switch (cls->kind) {
	case RS_CLASS_NVAS:
		cls->party = rs_nva_class_party;
		break;
	case RS_CLASS_GATEWAYS:
		cls->party = rs_shared_gw_class_party(rp->cfg.role);
		break;
	case RS_CLASS_GATEWAY:
		cls->party = rp->party;
		cls->party.peer_id = 0;
		break;
	}
}

static void rs_class_join(struct rs_peer *rp, const char *name,
			  enum rs_class_kind kind)
{
	struct rs_class *cls;

	frr_each (rs_classes, &rs_classes, cls)
		if (!strcmp(cls->name, name))
			break;
	if (!cls) {
		cls = XCALLOC(MTYPE_RS_CLASS, sizeof(*cls));
		strlcpy(cls->name, name, sizeof(cls->name));
		cls->rsi = rp->rsi;
		cls->kind = kind;
		rs_class_set_party(cls, rp);
		rs_classes_add_tail(&rs_classes, cls);
		/* after the class is listed: compiling the rule looks it up */
		rs_exchange_map_create(name);
	}
	cls->members++;
	rp->cls = cls;
}

static void rs_class_release(struct rs_class *cls)
{
	struct route_map *map;

	if (!cls || --cls->members)
		return;
	map = route_map_lookup_by_name(cls->name);
	if (map)
		route_map_delete(map);
	rs_classes_del(&rs_classes, cls);
	XFREE(MTYPE_RS_CLASS, cls);
}

static void rs_class_leave(struct rs_peer *rp)
{
	struct rs_class *cls = rp->cls;

	rp->cls = NULL;
	rs_class_release(cls);
}

unsigned int rs_enforce_class_count(const struct rs_instance *rsi)
{
	const struct rs_class *cls;
	unsigned int count = 0;

	frr_each (rs_classes_const, &rs_classes, cls)
		count += cls->rsi == rsi;
	return count;
}

/* The update subgroups the instance's role peers are in, each once. */
struct rs_subgroups {
	struct update_subgroup **subgrp;
	size_t count;
};

static void rs_subgroups_collect(const struct rs_instance *rsi,
				 struct rs_subgroups *sg)
{
	const struct rs_peer *rp;
	afi_t afi;

	sg->count = 0;
	sg->subgrp = XCALLOC(MTYPE_TMP, (2 * rs_peers_count(&rsi->peers) + 1) *
						sizeof(*sg->subgrp));
	frr_each (rs_peers_const, &rsi->peers, rp)
		for (afi = AFI_IP; rp->bgp_peer && afi <= AFI_IP6; afi++) {
			struct peer_af *paf =
				peer_af_find(rp->bgp_peer, afi, SAFI_UNICAST);
			size_t i;

			if (!paf || !paf->subgroup)
				continue;
			for (i = 0; i < sg->count; i++)
				if (sg->subgrp[i] == paf->subgroup)
					break;
			if (i == sg->count)
				sg->subgrp[sg->count++] = paf->subgroup;
		}
}

unsigned int rs_enforce_update_group_count(const struct rs_instance *rsi)
{
	struct rs_subgroups sg;
	unsigned int groups = 0;

	rs_subgroups_collect(rsi, &sg);
	for (size_t i = 0; i < sg.count; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (sg.subgrp[j]->update_group ==
			    sg.subgrp[i]->update_group)
				break;
		groups += j == i;
	}
	XFREE(MTYPE_TMP, sg.subgrp);
	return groups;
}

/*
 * A change of the policy (a flip, a role) re-evaluates what every role
 * peer is sent, once per update subgroup and at once: bgp_announce_route()
 * would wait 500 ms for a subgroup of several peers, and each peer's call
 * would walk the table again.  Only what changed is sent (adj-out keeps
 * what was).  A subgroup whose coalesce timer runs is left to it, as in
 * rs_outbound_refresh_af().
 */
static void rs_outbound_refresh_instance(const struct rs_instance *rsi)
{
	struct rs_subgroups sg;

	rs_subgroups_collect(rsi, &sg);
	for (size_t i = 0; i < sg.count; i++) {
		rs_withdraw_orphans(sg.subgrp[i]);
		if (!sg.subgrp[i]->t_coalesce)
			subgroup_announce_route(sg.subgrp[i]);
	}
	XFREE(MTYPE_TMP, sg.subgrp);
}

/* The commit returns first: the refresh runs as the next event. */
static void rs_refresh_run(struct event *thread)
{
	const struct rs_instance *rsi;

	for (rsi = rs_instance_first(); rsi; rsi = rs_instance_next(rsi)) {
		struct rs_instance *pending = rs_instance_lookup(rsi->vrf);

		if (!pending->refresh_pending)
			continue;
		pending->refresh_pending = false;
		rs_outbound_refresh_instance(pending);
	}
}

static void rs_refresh_schedule(struct rs_instance *rsi)
{
	rsi->refresh_pending = true;
	event_add_event(bm->master, rs_refresh_run, NULL, 0,
			&rs_refresh_thread);
}

bool rs_enforce_conflict(const struct rs_peer *rp, char *text, size_t text_len)
{
	const char *rmap;

	if (rs_enforce_outbound(rp, &rmap) != RS_OUTBOUND_CONFLICT)
		return false;
	snprintf(
		text, text_len,
		"neighbor %s: outbound route-map %s replaces the route-server policy; add \"call %s\" to it",
		rp->cfg.neighbor, rmap ? rmap : "(none)", rp->cls->name);
	return true;
}

/* Whether one of map's entries calls the module's map. */
static bool rs_map_calls(const struct route_map *map, const char *name)
{
	const struct route_map_index *index;

	for (index = map->head; index; index = index->next)
		if (index->nextrm && !strcmp(index->nextrm, name))
			return true;
	return false;
}

static enum rs_outbound rs_outbound_af(const struct rs_peer *rp, afi_t afi,
				       const char **rmap)
{
	const struct bgp_filter *filter =
		&rp->bgp_peer->filter[afi][SAFI_UNICAST];
	const char *slot = filter->map[RMAP_OUT].name;
	const struct route_map *map;

	if (slot && !strcmp(slot, rp->cls->name))
		return RS_OUTBOUND_ENFORCED;
	*rmap = slot;
	map = slot ? route_map_lookup_by_name(slot) : NULL;
	if (map && rs_map_calls(map, rp->cls->name))
		return RS_OUTBOUND_COMPOSED;
	return RS_OUTBOUND_CONFLICT;
}

enum rs_outbound rs_enforce_outbound(const struct rs_peer *rp,
				     const char **rmap)
{
	enum rs_outbound worst = RS_OUTBOUND_NONE;
	afi_t afi;

	*rmap = NULL;
	if (!rp->bgp_peer || !rp->cls)
		return RS_OUTBOUND_NONE;
	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		enum rs_outbound outbound;
		const char *name = NULL;

		if (!rs_af_configured(rp->bgp_peer, afi))
			continue;
		outbound = rs_outbound_af(rp, afi, &name);
		if (worst == RS_OUTBOUND_NONE || outbound > worst) {
			worst = outbound;
			*rmap = name;
		}
	}
	return worst;
}

/*
 * A role peer given the module's map is refreshed with its instance, not by
 * the announcement bgpd schedules on any outbound map change: that one
 * fires 500 ms later, once per peer, and each peer after the first of a
 * subgroup is split into a subgroup of its own and sent the whole table
 * (peer_af_announce_route).  Binding many peers at once, at start-up or in
 * one commit, would so re-send the table to every peer and split every
 * group, in the midst of the routes' arrival.
 */
static void rs_outbound_refresh_with_instance(struct rs_peer *rp, afi_t afi)
{
	struct peer_af *paf = peer_af_find(rp->bgp_peer, afi, SAFI_UNICAST);

	if (paf)
		bgp_stop_announce_route_timer(paf);
	rs_refresh_schedule(rs_instance_lookup(rp->rsi->vrf));
}

static void rs_outbound_map_set(struct peer *peer, afi_t afi, const char *name)
{
	peer_route_map_set(peer, afi, SAFI_UNICAST, RMAP_OUT, name,
			   route_map_lookup_by_name(name));
}

/*
 * Puts the module's map in an empty outbound slot.  A slot holding the
 * map's name without the map is what bgpd leaves after reading a saved
 * `neighbor X route-map rs-exchange-... out` before the module made the
 * map; bgpd ignores setting the same name again, so it is unset first.
 * A slot holding an operator's map is left alone (see rs_watch_peer).
 */
static void rs_exchange_map_bind(struct rs_peer *rp, afi_t afi)
{
	struct peer *peer = rp->bgp_peer;
	struct bgp_filter *filter = &peer->filter[afi][SAFI_UNICAST];
	const char *name = rp->cls->name;
	const char *slot = filter->map[RMAP_OUT].name;

	if (slot && !strcmp(slot, name) &&
	    filter->map[RMAP_OUT].map != route_map_lookup_by_name(name)) {
		peer_route_map_unset(peer, afi, SAFI_UNICAST, RMAP_OUT);
		slot = NULL;
	}
	if (slot)
		return;
	rs_outbound_map_set(peer, afi, name);
	rs_outbound_refresh_with_instance(rp, afi);
}

static void rs_exchange_map_unbind(struct rs_peer *rp, afi_t afi)
{
	struct bgp_filter *filter = &rp->bgp_peer->filter[afi][SAFI_UNICAST];
	const char *slot = filter->map[RMAP_OUT].name;

	if (!slot || strcmp(slot, rp->cls->name))
		return;
	peer_route_map_unset(rp->bgp_peer, afi, SAFI_UNICAST, RMAP_OUT);
	rs_outbound_refresh_af(rp->bgp_peer, afi);
}

/*
 * Moving role peers between classes, as a flip does with the gateways.
 *
 * bgpd moves a peer to another update group by splitting it off its
 * subgroup into one of its own, with a copy of all that the old subgroup
 * advertised (update_subgroup_split_peer), and merges such subgroups only
 * after each has been refreshed on its own.  A flip moving G gateways out
 * of a subgroup holding N routes would so copy N adj-out entries G times
 * and build every update G times.  Instead the first peer moved out of a
 * subgroup into a class is split off as bgpd does (the lead), and each
 * next one from that subgroup into that class joins the lead's subgroup:
 * it has been sent what the lead has (both have every packet of the old
 * subgroup, nothing happened since the split), so the copy holds its
 * state as well.  It joins the way bgpd places a peer without a subgroup
 * (update_group_adjust_peer, update_subgroup_find): into the first
 * subgroup of the group at version 0 that needs no refresh.  The lead's
 * copy is at version 0 and marked as needing one; the mark is lifted
 * meanwhile, and put on every other candidate, so that the lead's is the
 * only one.
 */

/* A peer's address family moved to another class. */
struct rs_move {
	/* the update subgroup it left, and the class it went to */
	uint64_t from;
	const struct rs_class *to;
	struct peer_af *paf;
};

/* The moves of one application of the roles. */
struct rs_moves {
	struct rs_move *move;
	size_t count;
};

static const struct rs_move *rs_move_lead(const struct rs_moves *moves,
					  uint64_t from,
					  const struct rs_class *to)
{
	for (size_t i = 0; i < moves->count; i++)
		if (moves->move[i].from == from && moves->move[i].to == to)
			return &moves->move[i];
	return NULL;
}

/* The peer has been sent every packet of its subgroup. */
static bool rs_paf_caught_up(const struct peer_af *paf)
{
	return paf->next_pkt_to_send && !paf->next_pkt_to_send->buffer;
}

/* What the lead's subgroup must be for a peer to join it as described. */
static bool rs_lead_joinable(struct update_subgroup *lead)
{
	return lead && update_subgroup_needs_refresh(lead) && !lead->version &&
	       !CHECK_FLAG(lead->sflags, SUBGRP_STATUS_DEFAULT_ORIGINATE) &&
	       bpacket_queue_is_empty(SUBGRP_PKTQ(lead));
}

/* Marks the group's subgroups needing no refresh but keep; returns them. */
static size_t rs_subgroups_bar(struct update_group *updgrp,
			       struct update_subgroup *keep,
			       struct update_subgroup ***barred)
{
	struct update_subgroup *subgrp;
	size_t count = 0;

	UPDGRP_FOREACH_SUBGRP (updgrp, subgrp)
		count++;
	*barred = XCALLOC(MTYPE_TMP, count * sizeof(**barred));
	count = 0;
	UPDGRP_FOREACH_SUBGRP (updgrp, subgrp)
		if (subgrp != keep && !update_subgroup_needs_refresh(subgrp)) {
			update_subgroup_set_needs_refresh(subgrp, 1);
			(*barred)[count++] = subgrp;
		}
	return count;
}

static void rs_subgroups_unbar(struct update_subgroup **barred, size_t count)
{
	while (count--)
		update_subgroup_set_needs_refresh(barred[count], 0);
	XFREE(MTYPE_TMP, barred);
}

static void rs_peer_join_lead(struct peer_af *paf, struct update_subgroup *lead,
			      const char *name)
{
	struct update_subgroup **barred;
	size_t count = rs_subgroups_bar(lead->update_group, lead, &barred);

	update_subgroup_set_needs_refresh(lead, 0);
	update_subgroup_remove_peer(paf->subgroup, paf);
	rs_outbound_map_set(paf->peer, paf->afi, name);
	update_subgroup_set_needs_refresh(lead, 1);
	rs_subgroups_unbar(barred, count);
	/* peers of one subgroup with one new map share the new group */
	if (paf->subgroup != lead)
		zlog_err(
			"route-server: %s did not join the subgroup of its class %s; what it was sent may be stale until its session is reset",
			paf->peer->host, name);
}

/* The peer's outbound map of the af is the old class's: the new one's. */
static void rs_peer_af_move(struct rs_peer *rp, afi_t afi,
			    struct rs_moves *moves)
{
	struct peer_af *paf = peer_af_find(rp->bgp_peer, afi, SAFI_UNICAST);
	uint64_t from = paf && paf->subgroup ? paf->subgroup->id : 0;
	const struct rs_move *lead =
		from ? rs_move_lead(moves, from, rp->cls) : NULL;

	if (lead && rs_paf_caught_up(paf) &&
	    rs_lead_joinable(lead->paf->subgroup))
		rs_peer_join_lead(paf, lead->paf->subgroup, rp->cls->name);
	else {
		rs_outbound_map_set(rp->bgp_peer, afi, rp->cls->name);
		if (from && paf->subgroup)
			moves->move[moves->count++] = (struct rs_move){
				.from = from, .to = rp->cls, .paf = paf};
	}
	rs_outbound_refresh_with_instance(rp, afi);
}

/*
 * Moves the peer to another class.  A slot holding the old class's map gets
 * the new one in one step: bgpd moves the peer to the other update group
 * once, where unsetting the old map first would move it through the group
 * of peers without an outbound map.
 */
static void rs_peer_move_class(struct rs_peer *rp, const char *name,
			       enum rs_class_kind kind, struct rs_moves *moves)
{
	struct rs_class *old = rp->cls;
	afi_t afi;

	rs_class_join(rp, name, kind);
	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		const char *slot = rs_outbound_slot(rp->bgp_peer, afi);

		if (slot && !strcmp(slot, old->name))
			rs_peer_af_move(rp, afi, moves);
	}
	rs_class_release(old);
}

/* ------------------------------------------------------------------ */
/* Session flags, preference and limit of a role peer */

/*
 * Role peers are route-server clients (AS path, next hop and communities
 * pass unchanged), and iBGP ones also route-reflector clients (else bgpd
 * sends no iBGP-learned route to them).
 *
 * FRR 8.4 resets the session when either flag changes
 * (peer_af_flag_modify), although both only change what is sent.  A role
 * must not reset a session, so the flag is changed the way that function
 * changes it and the peer's outbound is rebuilt the way its
 * peer_change_reset_out action does; the caller refreshes the outbound
 * afterwards.
 *
 * bgpd saves the flags with the neighbor's configuration, so a role saved
 * and read back at start-up finds them set and leaves them when it goes.
 */
static void rs_client_flag_modify(struct peer *peer, afi_t afi, uint64_t flag,
				  bool set)
{
	struct peer_af *paf;

	COND_FLAG(peer->af_flags[afi][SAFI_UNICAST], flag, set);
	COND_FLAG(peer->af_flags_override[afi][SAFI_UNICAST], flag, set);
	if (flag == PEER_FLAG_RSERVER_CLIENT)
		COND_FLAG(peer->af_flags[afi][SAFI_UNICAST],
			  PEER_FLAG_NEXTHOP_UNCHANGED, set);
	paf = peer_af_find(peer, afi, SAFI_UNICAST);
	if (!paf)
		return;
	if (paf->subgroup)
		SET_FLAG(paf->subgroup->sflags, SUBGRP_STATUS_FORCE_UPDATES);
	update_group_adjust_peer(paf);
}

static void rs_client_flag_set(struct rs_peer *rp, afi_t afi, uint64_t flag)
{
	if (CHECK_FLAG(rp->bgp_peer->af_flags[afi][SAFI_UNICAST], flag))
		return;
	rs_client_flag_modify(rp->bgp_peer, afi, flag, true);
	SET_FLAG(rp->client_flags_set[afi], flag);
}

static void rs_client_flags_apply(struct rs_peer *rp, afi_t afi)
{
	rs_client_flag_set(rp, afi, PEER_FLAG_RSERVER_CLIENT);
	if (peer_sort_lookup(rp->bgp_peer) == BGP_PEER_IBGP)
		rs_client_flag_set(rp, afi, PEER_FLAG_REFLECTOR_CLIENT);
}

static void rs_client_flags_release(struct rs_peer *rp, afi_t afi)
{
	uint64_t flags[] = {PEER_FLAG_RSERVER_CLIENT,
			    PEER_FLAG_REFLECTOR_CLIENT};

	for (size_t i = 0; i < array_size(flags); i++)
		if (CHECK_FLAG(rp->client_flags_set[afi], flags[i]))
			rs_client_flag_modify(rp->bgp_peer, afi, flags[i],
					      false);
	rp->client_flags_set[afi] = 0;
}

/*
 * The hub routing preference is the weight of what a role peer sends.
 * bgpd applies a neighbor's weight whether or not it is configured, and
 * saves it only when it is: so the module sets the value alone and an
 * operator's configured `neighbor X weight` is never overwritten (it wins,
 * with a warning, see rs_enforce_weight_overridden).  A weight changed on a
 * session that holds routes takes a soft inbound refresh, as bgpd's own
 * command.  One that holds none is not asked: FRR 8.4 treats the peer's
 * answer (BoRR, EoRR) as a request of its own and re-sends it the whole
 * table half a second later, in a subgroup of its own
 * (bgp_route_refresh_receive).
 */
static void rs_weight_set(struct peer *peer, afi_t afi, uint16_t weight)
{
	if (peer->weight[afi][SAFI_UNICAST] == weight)
		return;
	peer->weight[afi][SAFI_UNICAST] = weight;
	if (rs_peer_established(peer) && peer->pcount[afi][SAFI_UNICAST])
		peer_clear_soft(peer, afi, SAFI_UNICAST, BGP_CLEAR_SOFT_IN);
}

static bool rs_weight_configured(const struct peer *peer, afi_t afi)
{
	return CHECK_FLAG(peer->af_flags[afi][SAFI_UNICAST], PEER_FLAG_WEIGHT);
}

static void rs_weight_apply(struct rs_peer *rp, afi_t afi)
{
	if (rs_weight_configured(rp->bgp_peer, afi))
		return;
	rs_weight_set(
		rp->bgp_peer, afi,
		rs_preference_weight(rp->rsi->cfg.hub_pref, rp->cfg.role));
}

static void rs_weight_release(struct peer *peer, afi_t afi)
{
	if (!rs_weight_configured(peer, afi))
		rs_weight_set(peer, afi, 0);
}

bool rs_enforce_weight_overridden(const struct rs_peer *rp, char *text,
				  size_t text_len)
{
	struct peer *peer = rp->bgp_peer;
	afi_t afi;

	if (!peer)
		return false;
	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		if (rs_af_configured(peer, afi) &&
		    rs_weight_configured(peer, afi)) {
			snprintf(
				text, text_len,
				"neighbor %s: its own weight %lu replaces the hub routing preference",
				rp->cfg.neighbor,
				peer->weight[afi][SAFI_UNICAST]);
			return true;
		}
	return false;
}

/*
 * The route limit, checked right after each route is held, so it is exact
 * (bgpd's own maximum-prefix checks before it counts the route being
 * received, and its warning threshold overflows above about 57 million).
 * Withdrawals and re-announcements do not raise the count.  Past the limit
 * the session is torn down with bgpd's Cease/Maximum-Number-of-Prefixes
 * notification and stays down until `clear bgp`, as bgpd's own
 * maximum-prefix does; the neighbor's configured maximum-prefix, if any,
 * applies besides.
 */
static void rs_limit_teardown(struct rs_peer *rp, struct peer *peer, afi_t afi)
{
	uint32_t limit = rp->rsi->cfg.max_routes;
	iana_afi_t pkt_afi = afi_int2iana(afi);
	uint8_t data[7] = {
		pkt_afi >> 8, pkt_afi,	   safi_int2iana(SAFI_UNICAST),
		limit >> 24,  limit >> 16, limit >> 8,
		limit};

	rp->limit_teardowns++;
	zlog_warn(
		"route-server: %s %s held %u %s routes, more than %u; session torn down (%u times)",
		rp->rsi->vrf, rp->cfg.neighbor, peer->pcount[afi][SAFI_UNICAST],
		afi2str(afi), limit, rp->limit_teardowns);
	SET_FLAG(peer->sflags, PEER_STATUS_PREFIX_OVERFLOW);
	rs_notify_send_with_data(peer, BGP_NOTIFY_CEASE,
				 BGP_NOTIFY_CEASE_MAX_PREFIX, data,
				 sizeof(data));
}

static bool rs_over_limit(const struct rs_peer *rp, struct peer *peer,
			  afi_t afi)
{
	return peer->pcount[afi][SAFI_UNICAST] > rp->rsi->cfg.max_routes &&
	       !CHECK_FLAG(peer->sflags, PEER_STATUS_PREFIX_OVERFLOW);
}

static int rs_route_received(struct bgp *bgp, afi_t afi, safi_t safi,
			     struct bgp_dest *dest, struct peer *peer,
			     bool withdraw)
{
	struct rs_peer *rp;

	if (withdraw || safi != SAFI_UNICAST)
		return 0;
	rp = rs_role_peer_of(peer);
	if (rp && rs_over_limit(rp, peer, afi))
		rs_limit_teardown(rp, peer, afi);
	return 0;
}

/* A lower limit applies to the routes already held, too. */
static void rs_limit_apply(struct rs_peer *rp, afi_t afi)
{
	if (rs_peer_established(rp->bgp_peer) &&
	    rs_over_limit(rp, rp->bgp_peer, afi))
		rs_limit_teardown(rp, rp->bgp_peer, afi);
}

static void rs_peer_apply_af(struct rs_peer *rp, afi_t afi)
{
	rs_client_flags_apply(rp, afi);
	rs_exchange_map_bind(rp, afi);
	rs_weight_apply(rp, afi);
	rs_limit_apply(rp, afi);
}

/* Out of its class (a role going, or a gateway renamed): its map too. */
static void rs_peer_leave_class(struct rs_peer *rp)
{
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		rs_exchange_map_unbind(rp, afi);
	rs_class_leave(rp);
}

/* Binds the role to bgpd's neighbor of its address, or to none. */
static void rs_peer_bind_neighbor(struct bgp *bgp, struct rs_peer *rp)
{
	struct peer *peer = bgp ? rs_bgp_neighbor(bgp, rp->cfg.neighbor) : NULL;

	if (peer != rp->bgp_peer)
		rs_peer_bind(rp, peer);
}

static void rs_peer_apply(struct rs_peer *rp, struct rs_moves *moves)
{
	struct peer *peer = rp->bgp_peer;
	char name[RMAP_NAME_MAXLEN];
	enum rs_class_kind kind;
	afi_t afi;

	if (!peer)
		return;
	kind = rs_class_name(rp, name, sizeof(name));
	if (!rp->cls)
		rs_class_join(rp, name, kind);
	else if (strcmp(rp->cls->name, name))
		rs_peer_move_class(rp, name, kind, moves);
	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		if (rs_af_configured(peer, afi))
			rs_peer_apply_af(rp, afi);
}

static uint32_t rs_instance_facts(struct bgp *bgp,
				  const struct rs_instance *rsi);

/*
 * Every role of the instance is bound before any is applied: a gateway's
 * class depends on its siblings' and the other role peers' neighbors, and
 * a class decided before they are bound would move the peer (and re-send
 * it the table) a second later.
 */
static void rs_instance_apply(struct bgp *bgp, struct rs_instance *rsi)
{
	struct rs_moves moves = {};
	struct rs_peer *rp;

	frr_each (rs_peers, &rsi->peers, rp)
		rs_peer_bind_neighbor(bgp, rp);
	moves.move = XCALLOC(MTYPE_TMP, (2 * rs_peers_count(&rsi->peers) + 1) *
						sizeof(*moves.move));
	frr_each (rs_peers, &rsi->peers, rp)
		rs_peer_apply(rp, &moves);
	XFREE(MTYPE_TMP, moves.move);
	/* as applied: the module's own flags and map are facts too */
	rsi->watched_facts = rs_instance_facts(bgp, rsi);
}

/* ------------------------------------------------------------------ */
/* An instance after a commit */

static void rs_party_update(struct rs_peer *rp)
{
	rp->party.role = rp->cfg.role;
	if (rp->cfg.role == RS_ROLE_NVA) {
		rp->party.gateway_id = 0;
		rp->party.exchanges = true;
		return;
	}
	/* a gateway's identity is the peer id of its leader */
	rp->party.gateway_id = rs_gateway_leader(rp)->party.peer_id;
	rp->party.exchanges =
		rs_gw_state_exchanges(rs_gateway_state(rp, NULL, 0));
}

/*
 * Equal candidates from different neighbor ASes and from iBGP and eBGP
 * peers alike stay multipath: the hub routing preference makes them equal
 * by weight, bgpd must not tell them apart again.
 */
static void rs_multipath_relax(struct bgp *bgp)
{
	uint64_t flags = BGP_FLAG_ASPATH_MULTIPATH_RELAX |
			 BGP_FLAG_PEERTYPE_MULTIPATH_RELAX;

	if ((bgp->flags & flags) == flags)
		return;
	SET_FLAG(bgp->flags, flags);
	bgp_recalculate_all_bestpaths(bgp);
}

/*
 * What the role peers' outbound depends on: the rules, and each peer as a
 * source and as a receiver.  A commit that leaves it as it was (the hub
 * routing preference, a limit) needs no refresh; one that moved a peer to
 * another class refreshed that peer as it bound it.
 */
static uint32_t rs_policy_digest(const struct rs_instance *rsi)
{
	const struct rs_peer *rp;
	uint32_t digest = jhash_2words(rsi->cfg.rules.branch_to_branch,
				       rsi->cfg.rules.allow_unclassified, 0);

	frr_each (rs_peers_const, &rsi->peers, rp) {
		digest = jhash(&rp->party, sizeof(rp->party), digest);
		digest = jhash(&rp->bgp_peer, sizeof(rp->bgp_peer), digest);
		digest = jhash(&rp->cls, sizeof(rp->cls), digest);
	}
	return digest;
}

static void rs_outbound_refresh(struct rs_peer *rp)
{
	afi_t afi;

	if (!rp->bgp_peer || !rs_peer_established(rp->bgp_peer))
		return;
	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		rs_outbound_refresh_af(rp->bgp_peer, afi);
}

/* Northbound clients other than vtysh see this warning in the log. */
static void rs_warn_isolated(const struct rs_instance *rsi)
{
	const struct rs_peer *rp = NULL;
	char text[RS_WARNING_LEN];

	while ((rp = rs_isolated_gateway_next(rsi, rp, text, sizeof(text))))
		zlog_warn("route-server: %s: branch-to-branch is on, but %s",
			  rsi->vrf, text);
}

void rs_enforce_instance(struct rs_instance *rsi)
{
	struct bgp *bgp = rs_bgp_lookup(rsi->vrf);
	struct rs_peer *rp;
	uint32_t policy;

	if (bgp)
		rs_multipath_relax(bgp);
	frr_each (rs_peers, &rsi->peers, rp)
		rs_party_update(rp);
	rs_instance_apply(bgp, rsi);
	frr_each (rs_peers, &rsi->peers, rp)
		if (rp->cls)
			rs_class_set_party(rp->cls, rp);
	policy = rs_policy_digest(rsi);
	if (policy != rsi->refreshed_policy)
		rs_refresh_schedule(rsi);
	rsi->refreshed_policy = policy;
	if (rsi->cfg.rules.branch_to_branch)
		rs_warn_isolated(rsi);
	if (rs_debug)
		zlog_debug(
			"route-server: %s: applied %zu role peers, branch-to-branch %s, preference %s, limit %u",
			rsi->vrf, rs_peers_count(&rsi->peers),
			rsi->cfg.rules.branch_to_branch ? "on" : "off",
			rs_hub_pref_name(rsi->cfg.hub_pref),
			rsi->cfg.max_routes);
}

void rs_enforce_peer_release(struct rs_peer *rp)
{
	struct peer *peer = rp->bgp_peer;
	afi_t afi;

	if (!peer) {
		rs_class_leave(rp);
		return;
	}
	rs_peer_leave_class(rp);
	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		rs_client_flags_release(rp, afi);
		rs_weight_release(peer, afi);
	}
	rs_outbound_refresh(rp);
	rs_peer_bind(rp, NULL);
}

/*
 * bgpd is deleting the neighbor and frees its filters itself, without
 * touching the maps they point to.
 */
void rs_enforce_neighbor_deleted(struct peer *peer)
{
	struct rs_peer *rp = rs_role_peer_of(peer);

	if (!rp)
		return;
	rs_peer_bind(rp, NULL);
	rs_class_leave(rp);
}

/* ------------------------------------------------------------------ */
/* The watch over what bgpd's own commands change under a role */

/*
 * No hook tells a module that `neighbor X route-map ... out`, `activate`,
 * `remote-as` or a flag changed, so the role peers' bgpd facts are checked
 * every second: when any of an instance's changed, its roles are applied
 * again (an address family activated later gets the role's settings, an
 * emptied outbound slot gets the module's map back, a gateway changes
 * class). An operator's map that replaced the module's without calling it
 * is logged once (and shown by the show commands).
 */
static uint32_t rs_peer_facts(struct bgp *bgp, const struct rs_peer *rp,
			      uint32_t digest)
{
	struct peer *peer = NULL;
	afi_t afi;

	/*
	 * The bound neighbor (unbound when bgpd deletes it), else one
	 * configured since: peer_lookup() zeroes a whole struct peer, too
	 * much for every role peer every second.
	 */
	if (bgp)
		peer = rp->bgp_peer ? rp->bgp_peer
				    : rs_bgp_neighbor(bgp, rp->cfg.neighbor);
	digest = jhash(&peer, sizeof(peer), digest);
	if (!peer)
		return digest;
	digest = jhash_2words(peer->as, peer_sort_lookup(peer), digest);
	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		const struct bgp_filter *filter =
			&peer->filter[afi][SAFI_UNICAST];
		const char *slot = filter->map[RMAP_OUT].name;

		digest = jhash(&peer->af_flags[afi][SAFI_UNICAST],
			       sizeof(peer->af_flags[afi][SAFI_UNICAST]),
			       digest);
		digest = jhash_3words(peer->afc[afi][SAFI_UNICAST],
				      peer->weight[afi][SAFI_UNICAST],
				      slot ? jhash(slot, strlen(slot), 0) : 0,
				      digest);
		digest = jhash(&filter->map[RMAP_OUT].map,
			       sizeof(filter->map[RMAP_OUT].map), digest);
	}
	return digest;
}

static uint32_t rs_instance_facts(struct bgp *bgp,
				  const struct rs_instance *rsi)
{
	const struct rs_peer *rp;
	uint32_t digest = 0;

	frr_each (rs_peers_const, &rsi->peers, rp)
		digest = rs_peer_facts(bgp, rp, digest);
	return digest;
}

static void rs_watch_conflict(struct rs_peer *rp)
{
	char text[RS_WARNING_LEN];
	bool conflict = rs_enforce_conflict(rp, text, sizeof(text));

	if (conflict && !rp->conflict_logged)
		zlog_warn("route-server: %s: %s", rp->rsi->vrf, text);
	rp->conflict_logged = conflict;
}

static void rs_watch_instance(struct rs_instance *rsi)
{
	struct bgp *bgp = rs_bgp_lookup(rsi->vrf);
	struct rs_peer *rp;

	if (rs_instance_facts(bgp, rsi) != rsi->watched_facts) {
		if (rs_debug)
			zlog_debug(
				"route-server: %s: bgpd's settings of the role peers changed; roles applied again",
				rsi->vrf);
		rs_instance_apply(bgp, rsi);
	}
	frr_each (rs_peers, &rsi->peers, rp)
		rs_watch_conflict(rp);
}

static void rs_watch(struct event *thread)
{
	const struct rs_instance *it;

	for (it = rs_instance_first(); it; it = rs_instance_next(it))
		rs_watch_instance(rs_instance_lookup(it->vrf));
	event_add_timer(bm->master, rs_watch, NULL, RS_WATCH_INTERVAL,
			&rs_watch_thread);
}

void rs_enforce_init(void)
{
	route_map_install_match(&rs_exchange_rule_cmd);
	rs_enforcing = true;
	hook_register(bgp_process, rs_route_received);
	event_add_timer(bm->master, rs_watch, NULL, RS_WATCH_INTERVAL,
			&rs_watch_thread);
}

void rs_enforce_fini(void)
{
	struct rs_peer *rp;
	struct rs_class *cls;

	rs_enforcing = false;
	EVENT_OFF(rs_watch_thread);
	EVENT_OFF(rs_refresh_thread);
	rs_last_lookup_forget();
	while ((rp = rs_bgp_peers_pop(&rs_bgp_peers)))
		rp->bgp_peer = NULL;
	rs_bgp_peers_fini(&rs_bgp_peers);
	/* their maps go with bgpd's route-maps; the rules no longer run */
	while ((cls = rs_classes_pop(&rs_classes)))
		XFREE(MTYPE_RS_CLASS, cls);
	rs_classes_fini(&rs_classes);
}
