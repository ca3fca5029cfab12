// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What differs between the FRR releases the bgpd modules are built against
 * (RS_FRR_MAJOR 8: 8.4, 10: 10.3) and, for nbagent, the libyang releases
 * (LIBYANG_MAJOR). The code uses FRR 10's names: for 8.4 they are mapped to
 * the old ones, and the calls whose arguments changed have wrappers here.
 *
 * Include it after <zebra.h> and before any other FRR header: on 8.4 "event"
 * becomes "thread", also in the FRR headers read after it (northbound.h's
 * args->event), so a header read before it would name a member differently
 * from the code.
 */

#ifndef _FRR_COMPAT_H
#define _FRR_COMPAT_H

#ifndef RS_FRR_MAJOR
#error "RS_FRR_MAJOR is not defined"
#endif

#if RS_FRR_MAJOR >= 10
#include "frrevent.h"
#else
#include "thread.h"

#define event thread
#define event_loop thread_master /* also frr_late_init's argument */
#define EVENT_ARG THREAD_ARG
#define EVENT_OFF THREAD_OFF
#define event_add_read thread_add_read
#define event_add_write thread_add_write
#define event_add_timer thread_add_timer
#define event_add_event thread_add_event

#define frr_runstatedir frr_vtydir
#endif

#include "libfrr.h"
#include "northbound.h"
#include "yang.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_packet.h"

/* A peer's session state: in the peer on 8.4, in its connection on 10. */
#if RS_FRR_MAJOR >= 10
#define RS_PEER_CONNECTION(peer) ((peer)->connection)
#else
#define RS_PEER_CONNECTION(peer) (peer)
#endif

static inline enum bgp_fsm_status rs_peer_status(const struct peer *peer)
{
	return RS_PEER_CONNECTION(peer)->status;
}

static inline enum bgp_fsm_status rs_peer_ostatus(const struct peer *peer)
{
	return RS_PEER_CONNECTION(peer)->ostatus;
}

static inline const union sockunion *rs_peer_su(const struct peer *peer)
{
	return &RS_PEER_CONNECTION(peer)->su;
}

static inline bool rs_peer_established(struct peer *peer)
{
	return peer_established(RS_PEER_CONNECTION(peer));
}

static inline void rs_notify_send_with_data(struct peer *peer, uint8_t code,
					    uint8_t sub_code, uint8_t *data,
					    size_t datalen)
{
	bgp_notify_send_with_data(RS_PEER_CONNECTION(peer), code, sub_code,
				  data, datalen);
}

/* The northbound */

static inline struct yang_module *rs_yang_module_load(const char *name)
{
#if RS_FRR_MAJOR >= 10
	return yang_module_load(name, NULL); /* NULL: features as on 8.4 */
#else
	return yang_module_load(name);
#endif
}

static inline int rs_nb_candidate_commit(struct nb_context context,
					 struct nb_config *candidate,
					 bool save_transaction,
					 const char *comment,
					 uint32_t *transaction_id, char *errmsg,
					 size_t errmsg_len)
{
#if RS_FRR_MAJOR >= 10
	return nb_candidate_commit(context, candidate, save_transaction,
				   comment, transaction_id, errmsg, errmsg_len);
#else
	return nb_candidate_commit(&context, candidate, save_transaction,
				   comment, transaction_id, errmsg, errmsg_len);
#endif
}

/*
 * The state at xpath as a data tree from the root, in *tree (NULL when
 * there is none). FRR 10's walker builds the tree itself (the paths it
 * hands leaf callbacks for a query without list keys need not name the
 * leaf's list entries); 8.4's hands out each leaf with its path and
 * leaves freeing it to the callback.
 */
#if RS_FRR_MAJOR < 10
static inline int rs_nb_oper_add_leaf(const struct lysc_node *snode,
				      struct yang_translator *translator,
				      struct yang_data *data, void *arg)
{
	struct lyd_node **tree = arg, *node;
	LY_ERR err = lyd_new_path(*tree, ly_native_ctx, data->xpath,
				  data->value, LYD_NEW_PATH_UPDATE, &node);

	if (!err && !*tree)
		*tree = node;
	yang_data_free(data);
	return err ? NB_ERR : NB_OK;
}
#endif

static inline int rs_nb_oper_tree(const char *xpath, struct lyd_node **tree)
{
#if RS_FRR_MAJOR >= 10
	return nb_oper_iterate_legacy(xpath, NULL, 0, NULL, NULL, tree);
#else
	int ret;

	*tree = NULL;
	ret = nb_oper_data_iterate(xpath, NULL, 0, rs_nb_oper_add_leaf, tree);
	if (ret != NB_OK && *tree) {
		yang_dnode_free(*tree);
		*tree = NULL;
	}
	return ret;
#endif
}

#endif /* _FRR_COMPAT_H */
