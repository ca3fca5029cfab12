// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Northbound callbacks of the frr-routeserver YANG module.
 */

#ifndef _FRR_RS_NB_H
#define _FRR_RS_NB_H

#include "northbound.h"

#define RS_XPATH_ROOT "/frr-routeserver:route-server"
#define RS_XPATH_INSTANCE RS_XPATH_ROOT "/instance[vrf='%s']"
#define RS_XPATH_PEER RS_XPATH_INSTANCE "/peer[neighbor='%s']"

extern const struct frr_yang_module_info frr_routeserver_info;

/* Registration with the northbound; see rs_nb.c for why it is manual. */
extern void rs_nb_register(void);
extern void rs_nb_remove_config(const char *xpath);

/* rs_nb_config.c */
int rs_instance_nb_create(struct nb_cb_create_args *args);
int rs_instance_nb_destroy(struct nb_cb_destroy_args *args);
void rs_instance_nb_apply_finish(struct nb_cb_apply_finish_args *args);
int rs_instance_branch_to_branch_modify(struct nb_cb_modify_args *args);
int rs_instance_allow_unclassified_modify(struct nb_cb_modify_args *args);
int rs_instance_strict_gateway_exclusion_modify(struct nb_cb_modify_args *args);
int rs_instance_hub_routing_preference_modify(struct nb_cb_modify_args *args);
int rs_instance_max_peers_modify(struct nb_cb_modify_args *args);
int rs_instance_max_routes_per_peer_modify(struct nb_cb_modify_args *args);
int rs_peer_nb_create(struct nb_cb_create_args *args);
int rs_peer_nb_destroy(struct nb_cb_destroy_args *args);
int rs_peer_role_modify(struct nb_cb_modify_args *args);
int rs_peer_gateway_modify(struct nb_cb_modify_args *args);
int rs_peer_gateway_destroy(struct nb_cb_destroy_args *args);
int rs_peer_instance_modify(struct nb_cb_modify_args *args);
int rs_peer_instance_destroy(struct nb_cb_destroy_args *args);

/* rs_nb_validate.c */
int rs_instance_nb_pre_validate(struct nb_cb_pre_validate_args *args);
int rs_instance_nb_validate_create(struct nb_cb_create_args *args);
int rs_peer_nb_validate_create(struct nb_cb_create_args *args);
int rs_peer_nb_validate_role(struct nb_cb_modify_args *args);

/* rs_nb_state.c */
struct yang_data *rs_state_version_get_elem(struct nb_cb_get_elem_args *args);
const void *rs_instance_get_next(struct nb_cb_get_next_args *args);
int rs_instance_get_keys(struct nb_cb_get_keys_args *args);
const void *rs_instance_lookup_entry(struct nb_cb_lookup_entry_args *args);
const void *rs_peer_get_next(struct nb_cb_get_next_args *args);
int rs_peer_get_keys(struct nb_cb_get_keys_args *args);
const void *rs_peer_lookup_entry(struct nb_cb_lookup_entry_args *args);
struct yang_data *
rs_peer_state_session_state_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
rs_peer_state_routes_learned_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
rs_peer_state_routes_advertised_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
rs_peer_state_exchange_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
rs_peer_state_outbound_policy_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
rs_peer_state_outbound_route_map_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
rs_peer_state_limit_teardowns_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
rs_peer_state_warning_get_elem(struct nb_cb_get_elem_args *args);
const void *rs_gateway_get_next(struct nb_cb_get_next_args *args);
int rs_gateway_get_keys(struct nb_cb_get_keys_args *args);
const void *rs_gateway_lookup_entry(struct nb_cb_lookup_entry_args *args);
struct yang_data *rs_gateway_name_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *rs_gateway_role_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *rs_gateway_state_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *rs_gateway_reason_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
rs_instance_receiver_classes_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *
rs_instance_update_groups_get_elem(struct nb_cb_get_elem_args *args);

/* rs_cli.c */
void rs_cli_show_branch_to_branch(struct vty *vty, const struct lyd_node *dnode,
				  bool show_defaults);
void rs_cli_show_strict_gateway_exclusion(struct vty *vty,
					  const struct lyd_node *dnode,
					  bool show_defaults);
void rs_cli_show_allow_unclassified(struct vty *vty,
				    const struct lyd_node *dnode,
				    bool show_defaults);
void rs_cli_show_instance_leaf(struct vty *vty, const struct lyd_node *dnode,
			       bool show_defaults);
void rs_cli_show_peer(struct vty *vty, const struct lyd_node *dnode,
		      bool show_defaults);

#endif /* _FRR_RS_NB_H */
