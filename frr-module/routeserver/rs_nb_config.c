// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration callbacks of the frr-routeserver YANG module.
 */

#include <zebra.h>

#include "northbound.h"

#include "rs_enforce.h"
#include "rs_instance.h"
#include "rs_nb.h"
#include "rs_notify.h"

/*
 * XPath: /frr-routeserver:route-server/instance
 */
int rs_instance_nb_create(struct nb_cb_create_args *args)
{
	struct rs_instance *rsi;

	if (args->event == NB_EV_VALIDATE)
		return rs_instance_nb_validate_create(args);
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	rsi = rs_instance_create(yang_dnode_get_string(args->dnode, "./vrf"));
	/* A leaf created with its default gets no modify callback. */
	rs_hub_pref_from_name(
		yang_dnode_get_string(args->dnode, "./hub-routing-preference"),
		&rsi->cfg.hub_pref);
	rsi->cfg.max_peers = yang_dnode_get_uint16(args->dnode, "./max-peers");
	rsi->cfg.max_routes =
		yang_dnode_get_uint32(args->dnode, "./max-routes-per-peer");
	nb_running_set_entry(args->dnode, rsi);
	return NB_OK;
}

int rs_instance_nb_destroy(struct nb_cb_destroy_args *args)
{
	struct rs_instance *rsi;
	struct rs_peer *peer;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	rsi = nb_running_unset_entry(args->dnode);
	frr_each (rs_peers, &rsi->peers, peer)
		rs_enforce_peer_release(peer);
	rs_instance_delete(rsi);
	return NB_OK;
}

/* Every change of an instance reaches bgpd once, after the whole commit. */
void rs_instance_nb_apply_finish(struct nb_cb_apply_finish_args *args)
{
	struct rs_instance *rsi = nb_running_get_entry(args->dnode, NULL, true);

	rs_enforce_instance(rsi);
	rs_notify_gateways(rsi);
}

/*
 * XPath: /frr-routeserver:route-server/instance/branch-to-branch
 */
int rs_instance_branch_to_branch_modify(struct nb_cb_modify_args *args)
{
	struct rs_instance *rsi;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	rsi = nb_running_get_entry(args->dnode, NULL, true);
	rsi->cfg.rules.branch_to_branch =
		yang_dnode_get_bool(args->dnode, NULL);
	return NB_OK;
}

/*
 * XPath: /frr-routeserver:route-server/instance/allow-unclassified
 */
int rs_instance_allow_unclassified_modify(struct nb_cb_modify_args *args)
{
	struct rs_instance *rsi;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	rsi = nb_running_get_entry(args->dnode, NULL, true);
	rsi->cfg.rules.allow_unclassified =
		yang_dnode_get_bool(args->dnode, NULL);
	return NB_OK;
}

/*
 * XPath: /frr-routeserver:route-server/instance/strict-gateway-exclusion
 */
int rs_instance_strict_gateway_exclusion_modify(struct nb_cb_modify_args *args)
{
	struct rs_instance *rsi;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	rsi = nb_running_get_entry(args->dnode, NULL, true);
	rsi->cfg.strict_gateway_exclusion =
		yang_dnode_get_bool(args->dnode, NULL);
	return NB_OK;
}

/*
 * XPath: /frr-routeserver:route-server/instance/hub-routing-preference
 */
int rs_instance_hub_routing_preference_modify(struct nb_cb_modify_args *args)
{
	struct rs_instance *rsi;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	rsi = nb_running_get_entry(args->dnode, NULL, true);
	rs_hub_pref_from_name(yang_dnode_get_string(args->dnode, NULL),
			      &rsi->cfg.hub_pref);
	return NB_OK;
}

/*
 * XPath: /frr-routeserver:route-server/instance/max-routes-per-peer
 */
int rs_instance_max_routes_per_peer_modify(struct nb_cb_modify_args *args)
{
	struct rs_instance *rsi;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	rsi = nb_running_get_entry(args->dnode, NULL, true);
	rsi->cfg.max_routes = yang_dnode_get_uint32(args->dnode, NULL);
	return NB_OK;
}

/*
 * XPath: /frr-routeserver:route-server/instance/max-peers
 */
int rs_instance_max_peers_modify(struct nb_cb_modify_args *args)
{
	struct rs_instance *rsi;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	rsi = nb_running_get_entry(args->dnode, NULL, true);
	rsi->cfg.max_peers = yang_dnode_get_uint16(args->dnode, NULL);
	return NB_OK;
}

/*
 * XPath: /frr-routeserver:route-server/instance/peer
 */
int rs_peer_nb_create(struct nb_cb_create_args *args)
{
	struct rs_instance *rsi;
	struct rs_peer *peer;

	if (args->event == NB_EV_VALIDATE)
		return rs_peer_nb_validate_create(args);
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	rsi = nb_running_get_entry(args->dnode, NULL, true);
	peer = rs_peer_create(rsi,
			      yang_dnode_get_string(args->dnode, "./neighbor"));
	nb_running_set_entry(args->dnode, peer);
	return NB_OK;
}

int rs_peer_nb_destroy(struct nb_cb_destroy_args *args)
{
	struct rs_peer *peer;
	struct rs_instance *rsi;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = nb_running_unset_entry(args->dnode);
	rsi = nb_running_get_entry(args->dnode, NULL, true);
	rs_enforce_peer_release(peer);
	rs_peer_delete(rsi, peer);
	return NB_OK;
}

/*
 * XPath: /frr-routeserver:route-server/instance/peer/role
 */
int rs_peer_role_modify(struct nb_cb_modify_args *args)
{
	struct rs_peer *peer;

	if (args->event == NB_EV_VALIDATE)
		return rs_peer_nb_validate_role(args);
	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = nb_running_get_entry(args->dnode, NULL, true);
	rs_role_from_name(yang_dnode_get_string(args->dnode, NULL),
			  &peer->cfg.role);
	return NB_OK;
}

/*
 * XPath: /frr-routeserver:route-server/instance/peer/gateway
 */
int rs_peer_gateway_modify(struct nb_cb_modify_args *args)
{
	struct rs_peer *peer;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = nb_running_get_entry(args->dnode, NULL, true);
	strlcpy(peer->cfg.gateway, yang_dnode_get_string(args->dnode, NULL),
		sizeof(peer->cfg.gateway));
	return NB_OK;
}

int rs_peer_gateway_destroy(struct nb_cb_destroy_args *args)
{
	struct rs_peer *peer;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = nb_running_get_entry(args->dnode, NULL, true);
	peer->cfg.gateway[0] = '\0';
	return NB_OK;
}

/*
 * XPath: /frr-routeserver:route-server/instance/peer/instance
 */
int rs_peer_instance_modify(struct nb_cb_modify_args *args)
{
	struct rs_peer *peer;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = nb_running_get_entry(args->dnode, NULL, true);
	peer->cfg.instance = yang_dnode_get_uint8(args->dnode, NULL);
	return NB_OK;
}

int rs_peer_instance_destroy(struct nb_cb_destroy_args *args)
{
	struct rs_peer *peer;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	peer = nb_running_get_entry(args->dnode, NULL, true);
	peer->cfg.instance = 0;
	return NB_OK;
}
