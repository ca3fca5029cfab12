// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Operational-state callbacks of the frr-routeserver YANG module.
 */

#include <zebra.h>

#include "northbound.h"

#include "rs_enforce.h"
#include "rs_inspect.h"
#include "rs_instance.h"
#include "rs_nb.h"
#include "rs_view.h"

/*
 * XPath: /frr-routeserver:route-server/state/version
 */
struct yang_data *rs_state_version_get_elem(struct nb_cb_get_elem_args *args)
{
	return yang_data_new_string(args->xpath, RS_VERSION);
}

/*
 * XPath: /frr-routeserver:route-server/instance
 */
const void *rs_instance_get_next(struct nb_cb_get_next_args *args)
{
	if (!args->list_entry)
		return rs_instance_first();
	return rs_instance_next(args->list_entry);
}

int rs_instance_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct rs_instance *rsi = args->list_entry;

	args->keys->num = 1;
	strlcpy(args->keys->key[0], rsi->vrf, sizeof(args->keys->key[0]));
	return NB_OK;
}

const void *rs_instance_lookup_entry(struct nb_cb_lookup_entry_args *args)
{
	return rs_instance_lookup(args->keys->key[0]);
}

/*
 * FRR 8.4's nb_oper_data_iterate() passes the entry an XPath names as the
 * parent entry of that entry's own list when the list sits inside another
 * (it tests the first node lyd_new_path() created, not the last): with
 * ".../instance[vrf='default']/peer[neighbor='x']" the peer list's get_next
 * gets a peer. So the parent is checked to be an instance before use.
 */
static const struct rs_instance *rs_parent_instance(const void *entry)
{
	const struct rs_instance *rsi;

	for (rsi = rs_instance_first(); rsi; rsi = rs_instance_next(rsi))
		if (rsi == entry)
			return rsi;
	return NULL;
}

/* Likewise, a state leaf of such an XPath gets no entry at all. */
static const struct rs_peer *rs_known_peer(const void *entry)
{
	const struct rs_instance *rsi;
	const struct rs_peer *rp;

	for (rsi = rs_instance_first(); rsi; rsi = rs_instance_next(rsi))
		frr_each (rs_peers_const, &rsi->peers, rp)
			if (rp == entry)
				return rp;
	return NULL;
}

/*
 * XPath: /frr-routeserver:route-server/instance/peer
 */
const void *rs_peer_get_next(struct nb_cb_get_next_args *args)
{
	const struct rs_instance *rsi =
		rs_parent_instance(args->parent_list_entry);

	if (!rsi)
		return NULL;
	if (!args->list_entry)
		return rs_peers_const_first(&rsi->peers);
	return rs_peers_const_next(&rsi->peers, args->list_entry);
}

int rs_peer_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct rs_peer *rp = args->list_entry;

	args->keys->num = 1;
	strlcpy(args->keys->key[0], rp->cfg.neighbor,
		sizeof(args->keys->key[0]));
	return NB_OK;
}

const void *rs_peer_lookup_entry(struct nb_cb_lookup_entry_args *args)
{
	struct rs_instance *rsi = (struct rs_instance *)args->parent_list_entry;

	return rs_peer_lookup(rsi, args->keys->key[0]);
}

/*
 * XPath: /frr-routeserver:route-server/instance/peer/state
 */
static bool rs_peer_view_of(const void *entry, struct rs_peer_view *view)
{
	const struct rs_peer *rp = rs_known_peer(entry);

	if (rp)
		rs_peer_view(rp, view);
	return rp != NULL;
}

struct yang_data *
rs_peer_state_session_state_get_elem(struct nb_cb_get_elem_args *args)
{
	struct rs_peer_view view;

	if (!rs_peer_view_of(args->list_entry, &view))
		return NULL;
	return yang_data_new_string(args->xpath, view.session_state);
}

struct yang_data *
rs_peer_state_routes_learned_get_elem(struct nb_cb_get_elem_args *args)
{
	struct rs_peer_view view;

	if (!rs_peer_view_of(args->list_entry, &view))
		return NULL;
	return yang_data_new_uint32(args->xpath, view.routes_learned);
}

struct yang_data *
rs_peer_state_routes_advertised_get_elem(struct nb_cb_get_elem_args *args)
{
	struct rs_peer_view view;

	if (!rs_peer_view_of(args->list_entry, &view))
		return NULL;
	return yang_data_new_uint32(args->xpath, view.routes_advertised);
}

struct yang_data *
rs_peer_state_exchange_get_elem(struct nb_cb_get_elem_args *args)
{
	struct rs_peer_view view;

	if (!rs_peer_view_of(args->list_entry, &view))
		return NULL;
	return yang_data_new_bool(args->xpath, view.exchanges);
}

struct yang_data *
rs_peer_state_outbound_policy_get_elem(struct nb_cb_get_elem_args *args)
{
	struct rs_peer_view view;

	if (!rs_peer_view_of(args->list_entry, &view))
		return NULL;
	/*
	 * By name: yang_data_new_enum() looks the path up in the schema and
	 * aborts when it is not there, and FRR 10.3's walker leaves the levels
	 * of lists queried without keys out of the path it hands over.
	 */
	return yang_data_new(args->xpath, rs_outbound_name(view.outbound));
}

struct yang_data *
rs_peer_state_outbound_route_map_get_elem(struct nb_cb_get_elem_args *args)
{
	struct rs_peer_view view;

	if (!rs_peer_view_of(args->list_entry, &view) || !view.outbound_rmap)
		return NULL;
	return yang_data_new_string(args->xpath, view.outbound_rmap);
}

struct yang_data *
rs_peer_state_limit_teardowns_get_elem(struct nb_cb_get_elem_args *args)
{
	struct rs_peer_view view;

	if (!rs_peer_view_of(args->list_entry, &view))
		return NULL;
	return yang_data_new_uint32(args->xpath, view.limit_teardowns);
}

struct yang_data *
rs_peer_state_warning_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct rs_peer *rp = rs_known_peer(args->list_entry);
	char text[RS_PROBLEM_COUNT * RS_WARNING_LEN];

	if (!rp || !rs_peer_warnings(rp, text, sizeof(text)))
		return NULL;
	return yang_data_new_string(args->xpath, text);
}

/*
 * XPath: /frr-routeserver:route-server/instance/gateway
 *
 * A gateway's entry is the first role peer listed for it.
 */
const void *rs_gateway_get_next(struct nb_cb_get_next_args *args)
{
	const struct rs_instance *rsi =
		rs_parent_instance(args->parent_list_entry);

	return rsi ? rs_gateway_next(rsi, args->list_entry) : NULL;
}

int rs_gateway_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct rs_peer *rp = args->list_entry;

	args->keys->num = 1;
	strlcpy(args->keys->key[0], rp->cfg.gateway,
		sizeof(args->keys->key[0]));
	return NB_OK;
}

const void *rs_gateway_lookup_entry(struct nb_cb_lookup_entry_args *args)
{
	const struct rs_instance *rsi = args->parent_list_entry;
	const struct rs_peer *rp;

	for (rp = rs_gateway_next(rsi, NULL); rp; rp = rs_gateway_next(rsi, rp))
		if (!strcmp(rp->cfg.gateway, args->keys->key[0]))
			return rp;
	return NULL;
}

struct yang_data *rs_gateway_name_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct rs_peer *rp = rs_known_peer(args->list_entry);

	if (!rp)
		return NULL;
	return yang_data_new_string(args->xpath, rp->cfg.gateway);
}

struct yang_data *rs_gateway_role_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct rs_peer *rp = rs_known_peer(args->list_entry);

	if (!rp)
		return NULL;
	return yang_data_new_string(args->xpath, rs_role_name(rp->cfg.role));
}

struct yang_data *rs_gateway_state_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct rs_peer *rp = rs_known_peer(args->list_entry);

	if (!rp)
		return NULL;
	return yang_data_new_string(
		args->xpath, rs_gw_state_name(rs_gateway_state(rp, NULL, 0)));
}

/*
 * XPath: /frr-routeserver:route-server/instance/state/receiver-classes
 */
struct yang_data *
rs_instance_receiver_classes_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct rs_instance *rsi = rs_parent_instance(args->list_entry);

	if (!rsi)
		return NULL;
	return yang_data_new_uint32(args->xpath, rs_enforce_class_count(rsi));
}

/*
 * XPath: /frr-routeserver:route-server/instance/state/update-groups
 */
struct yang_data *
rs_instance_update_groups_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct rs_instance *rsi = rs_parent_instance(args->list_entry);

	if (!rsi)
		return NULL;
	return yang_data_new_uint32(args->xpath,
				    rs_enforce_update_group_count(rsi));
}

struct yang_data *rs_gateway_reason_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct rs_peer *rp = rs_known_peer(args->list_entry);
	char reason[RS_REASON_LEN];

	if (!rp)
		return NULL;
	rs_gateway_state(rp, reason, sizeof(reason));
	return yang_data_new_string(args->xpath, reason);
}
