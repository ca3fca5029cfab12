// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Inspection of the route server: its settings, its role peers with their
 * sessions and route counts, and the state of its gateways.
 */

#include <zebra.h>

#include "command.h"
#include "json.h"
#include "routemap.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_aspath.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"
#include "bgpd/bgp_updgrp.h"
#include "bgpd/bgp_vty.h"

#include "rs_bgp.h"
#include "rs_cli.h"
#include "rs_inspect.h"
#include "rs_instance.h"
#include "rs_nb.h"
#include "rs_policy.h"
#include "rs_view.h"

#ifndef VTYSH_EXTRACT_PL
#include "frr-module/routeserver/rs_show_clippy.c"
#endif

static void rs_show_peer(struct vty *vty, const struct rs_peer *rp,
			 json_object *json_peers)
{
	struct rs_peer_view view;
	char instance[4] = "-";

	rs_peer_view(rp, &view);
	if (rp->cfg.role == RS_ROLE_VPN)
		snprintf(instance, sizeof(instance), "%u", rp->cfg.instance);

	if (json_peers) {
		json_object *json = json_object_new_object();

		json_object_string_add(json, "role",
				       rs_role_name(rp->cfg.role));
		if (rp->cfg.gateway[0])
			json_object_string_add(json, "gateway",
					       rp->cfg.gateway);
		if (rp->cfg.role == RS_ROLE_VPN)
			json_object_int_add(json, "instance", rp->cfg.instance);
		json_object_string_add(json, "state", view.session_state);
		json_object_int_add(json, "routesLearned", view.routes_learned);
		json_object_int_add(json, "routesAdvertised",
				    view.routes_advertised);
		json_object_boolean_add(json, "exchange", view.exchanges);
		json_object_string_add(json, "outboundPolicy",
				       rs_outbound_name(view.outbound));
		if (view.outbound_rmap)
			json_object_string_add(json, "outboundRouteMap",
					       view.outbound_rmap);
		json_object_int_add(json, "limitTeardowns",
				    view.limit_teardowns);
		json_object_object_add(json_peers, rp->cfg.neighbor, json);
		return;
	}
	vty_out(vty, "  %-25s %-21s %-12s %-4s %-12s %7u %10u %-8s %-8s %u\n",
		rp->cfg.neighbor, rs_role_name(rp->cfg.role),
		rp->cfg.gateway[0] ? rp->cfg.gateway : "-", instance,
		view.session_state, view.routes_learned, view.routes_advertised,
		view.exchanges ? "yes" : "no", rs_outbound_name(view.outbound),
		view.limit_teardowns);
}

static void rs_show_warning(struct vty *vty, const char *text,
			    json_object *json_warnings)
{
	if (json_warnings)
		json_object_array_add(json_warnings,
				      json_object_new_string(text));
	else
		vty_out(vty, "  Warning: %s\n", text);
}

static void rs_show_gateway(struct vty *vty, const struct rs_peer *rp,
			    json_object *json_gws)
{
	char reason[RS_REASON_LEN];
	enum rs_gw_state state;

	state = rs_gateway_state(rp, reason, sizeof(reason));
	if (json_gws) {
		json_object *json = json_object_new_object();

		json_object_string_add(json, "role",
				       rs_role_name(rp->cfg.role));
		json_object_string_add(json, "state", rs_gw_state_name(state));
		json_object_string_add(json, "reason", reason);
		json_object_object_add(json_gws, rp->cfg.gateway, json);
		return;
	}
	if (reason[0])
		vty_out(vty, "  %-12s %-21s %-18s %s\n", rp->cfg.gateway,
			rs_role_name(rp->cfg.role), rs_gw_state_name(state),
			reason);
	else
		vty_out(vty, "  %-12s %-21s %s\n", rp->cfg.gateway,
			rs_role_name(rp->cfg.role), rs_gw_state_name(state));
}

/* A peer's problems or a gateway out of the exchange, a line each. */
static void rs_show_warnings(struct vty *vty, const struct rs_instance *rsi,
			     json_object *json_warnings)
{
	const struct rs_peer *rp;
	char text[RS_WARNING_LEN];
	enum rs_peer_problem problem;

	frr_each (rs_peers_const, &rsi->peers, rp)
		for (problem = 0; problem < RS_PROBLEM_COUNT; problem++)
			if (rs_peer_problem(rp, problem, text, sizeof(text)))
				rs_show_warning(vty, text, json_warnings);
	if (!rsi->cfg.rules.branch_to_branch)
		return;
	rp = NULL;
	while ((rp = rs_isolated_gateway_next(rsi, rp, text, sizeof(text))))
		rs_show_warning(vty, text, json_warnings);
}

static void rs_show_instance(struct vty *vty, struct bgp *bgp,
			     const struct rs_instance *rsi, json_object *json)
{
	json_object *json_peers = json ? json_object_new_object() : NULL;
	json_object *json_gws = json ? json_object_new_object() : NULL;
	const struct rs_peer *rp;

	json_object *json_warnings = json ? json_object_new_array() : NULL;

	if (json) {
		json_object_string_add(json, "vrf", rsi->vrf);
		json_object_int_add(json, "asn", bgp->as);
		json_object_boolean_add(json, "branchToBranch",
					rsi->cfg.rules.branch_to_branch);
		json_object_boolean_add(json, "allowUnclassified",
					rsi->cfg.rules.allow_unclassified);
		json_object_boolean_add(json, "strictGatewayExclusion",
					rsi->cfg.strict_gateway_exclusion);
		json_object_int_add(json, "receiverClasses",
				    rs_enforce_class_count(rsi));
		json_object_int_add(json, "updateGroups",
				    rs_enforce_update_group_count(rsi));
		json_object_string_add(json, "hubRoutingPreference",
				       rs_hub_pref_name(rsi->cfg.hub_pref));
		json_object_int_add(json, "maxPeers", rsi->cfg.max_peers);
		json_object_int_add(json, "maxRoutesPerPeer",
				    rsi->cfg.max_routes);
		json_object_int_add(json, "rolePeers",
				    rs_peers_count(&rsi->peers));
		json_object_object_add(json, "peers", json_peers);
		json_object_object_add(json, "gateways", json_gws);
		json_object_object_add(json, "warnings", json_warnings);
	} else {
		vty_out(vty, "Route server in VRF %s, AS %u\n", rsi->vrf,
			bgp->as);
		vty_out(vty, "  branch-to-branch: %s\n",
			rsi->cfg.rules.branch_to_branch ? "on" : "off");
		vty_out(vty,
			"  routes of neighbors without a role to role peers: %s\n",
			rsi->cfg.rules.allow_unclassified ? "allowed"
							  : "denied");
		vty_out(vty, "  hub routing preference: %s\n",
			rs_hub_pref_name(rsi->cfg.hub_pref));
		vty_out(vty,
			"  receiver classes: %u (one per gateway: %s), update groups: %u\n",
			rs_enforce_class_count(rsi),
			rsi->cfg.strict_gateway_exclusion ? "always"
							  : "where needed",
			rs_enforce_update_group_count(rsi));
		vty_out(vty, "  peers with a role: %zu of at most %u\n",
			rs_peers_count(&rsi->peers), rsi->cfg.max_peers);
		vty_out(vty, "  routes held per peer and family: at most %u\n",
			rsi->cfg.max_routes);
		rs_show_warnings(vty, rsi, NULL);
		vty_out(vty,
			"\n  %-25s %-21s %-12s %-4s %-12s %7s %10s %-8s %-8s %s\n",
			"Neighbor", "Role", "Gateway", "Inst", "State",
			"Learned", "Advertised", "Exchange", "Policy",
			"Limit-drops");
	}
	frr_each (rs_peers_const, &rsi->peers, rp)
		rs_show_peer(vty, rp, json_peers);

	if (!json)
		vty_out(vty, "\n  %-12s %-21s %-18s %s\n", "Gateway", "Role",
			"State", "Reason");
	for (rp = rs_gateway_next(rsi, NULL); rp; rp = rs_gateway_next(rsi, rp))
		rs_show_gateway(vty, rp, json_gws);
	if (json)
		rs_show_warnings(vty, rsi, json_warnings);
}

DEFPY(show_bgp_route_server, show_bgp_route_server_cmd,
      "show bgp [vrf NAME$vrf_name] route-server [json$uj]",
      SHOW_STR BGP_STR
      "VRF\n"
      "VRF name\n"
      "Route-server settings, peers and gateways\n" JSON_STR)
{
	const char *vrf = vrf_name ? vrf_name : VRF_DEFAULT_NAME;
	struct bgp *bgp = rs_bgp_lookup(vrf);
	const struct rs_instance *rsi = rs_instance_lookup(vrf);
	struct rs_instance defaults = {};
	json_object *json = uj ? json_object_new_object() : NULL;

	if (!bgp) {
		if (json)
			return vty_json(vty, json);
		vty_out(vty, "%% No BGP instance in VRF %s\n", vrf);
		return CMD_WARNING;
	}
	if (!rsi) {
		/* Nothing configured yet: the model's defaults apply. */
		strlcpy(defaults.vrf, vrf, sizeof(defaults.vrf));
		rs_hub_pref_from_name(
			yang_get_default_string(
				RS_XPATH_ROOT
				"/instance/hub-routing-preference"),
			&defaults.cfg.hub_pref);
		defaults.cfg.max_peers = yang_get_default_uint16(
			RS_XPATH_ROOT "/instance/max-peers");
		defaults.cfg.max_routes = yang_get_default_uint32(
			RS_XPATH_ROOT "/instance/max-routes-per-peer");
		rs_peers_init(&defaults.peers);
		rsi = &defaults;
	}
	rs_show_instance(vty, bgp, rsi, json);
	if (json)
		return vty_json(vty, json);
	return CMD_SUCCESS;
}

static void rs_show_route(struct vty *vty, const struct prefix *p,
			  const struct attr *attr, json_object *json_routes)
{
	const char *aspath = attr->aspath ? attr->aspath->str : "";
	char key[PREFIX_STRLEN];
	json_object *json;

	if (!json_routes) {
		vty_out(vty, "  %-43pFX %s\n", p, aspath);
		return;
	}
	json = json_object_new_object();
	json_object_string_add(json, "asPath", aspath);
	json_object_object_add(json_routes, prefix2str(p, key, sizeof(key)),
			       json);
}

/* The paths bgpd holds from the peer, after its inbound policy. */
static unsigned int rs_show_learned(struct vty *vty, struct bgp *bgp,
				    struct peer *peer, afi_t afi,
				    json_object *json_routes)
{
	struct bgp_dest *dest;
	struct bgp_path_info *pi;
	unsigned int count = 0;

	for (dest = bgp_table_top(bgp->rib[afi][SAFI_UNICAST]); dest;
	     dest = bgp_route_next(dest))
		for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next) {
			if (pi->peer != peer ||
			    CHECK_FLAG(pi->flags,
				       BGP_PATH_REMOVED | BGP_PATH_HISTORY))
				continue;
			rs_show_route(vty, bgp_dest_get_prefix(dest), pi->attr,
				      json_routes);
			count++;
		}
	return count;
}

/* What bgpd has advertised to the peer: its update subgroup's adj-out. */
static unsigned int rs_show_advertised(struct vty *vty, struct bgp *bgp,
				       struct peer *peer, afi_t afi,
				       json_object *json_routes)
{
	struct peer_af *paf = peer_af_find(peer, afi, SAFI_UNICAST);
	struct bgp_dest *dest;
	struct bgp_adj_out *adj;
	unsigned int count = 0;

	if (!paf || !PAF_SUBGRP(paf))
		return 0;
	for (dest = bgp_table_top(bgp->rib[afi][SAFI_UNICAST]); dest;
	     dest = bgp_route_next(dest))
		RB_FOREACH (adj, bgp_adj_out_rb, &dest->adj_out) {
			if (adj->subgroup != PAF_SUBGRP(paf) || !adj->attr)
				continue;
			rs_show_route(vty, bgp_dest_get_prefix(dest), adj->attr,
				      json_routes);
			count++;
		}
	return count;
}

DEFPY(show_bgp_route_server_neighbor_routes,
      show_bgp_route_server_neighbor_routes_cmd,
      "show bgp [vrf NAME$vrf_name] route-server neighbor <A.B.C.D|X:X::X:X|WORD>$neighbor <learned-routes$learned|advertised-routes> [json$uj]",
      SHOW_STR BGP_STR
      "VRF\n"
      "VRF name\n"
      "Route-server settings, peers and gateways\n"
      "A peer with a route-server role\n"
      "Neighbor address\n"
      "Neighbor IPv6 address\n"
      "Neighbor on an interface\n"
      "Routes learned from the peer\n"
      "Routes advertised to the peer\n" JSON_STR)
{
	const char *vrf = vrf_name ? vrf_name : VRF_DEFAULT_NAME;
	struct bgp *bgp = rs_bgp_lookup(vrf);
	json_object *json = uj ? json_object_new_object() : NULL;
	json_object *json_routes = uj ? json_object_new_object() : NULL;
	struct rs_instance *rsi = rs_instance_lookup(vrf);
	char key[RS_NEIGHBOR_LEN];
	struct peer *peer;
	unsigned int count = 0;
	afi_t afi;

	rs_neighbor_key(neighbor, key, sizeof(key));
	peer = bgp ? rs_bgp_neighbor(bgp, key) : NULL;
	if (!peer || !rsi || !rs_peer_lookup(rsi, key)) {
		json_object_free(json_routes);
		if (json)
			return vty_json(vty, json);
		vty_out(vty,
			"%% Neighbor %s has no route-server role in VRF %s\n",
			key, vrf);
		return CMD_WARNING;
	}
	for (afi = AFI_IP; afi <= AFI_IP6; afi++)
		count += learned ? rs_show_learned(vty, bgp, peer, afi,
						   json_routes)
				 : rs_show_advertised(vty, bgp, peer, afi,
						      json_routes);
	if (json) {
		json_object_object_add(json, "routes", json_routes);
		json_object_int_add(json, "count", count);
		return vty_json(vty, json);
	}
	vty_out(vty, "\nTotal: %u\n", count);
	return CMD_SUCCESS;
}

void rs_show_init(void)
{
	install_element(VIEW_NODE, &show_bgp_route_server_cmd);
	install_element(VIEW_NODE, &show_bgp_route_server_neighbor_routes_cmd);
}
