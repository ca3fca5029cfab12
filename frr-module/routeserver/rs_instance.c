// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Route-server settings of one BGP instance, as applied by the northbound.
 */

#include <zebra.h>

#include "memory.h"

#include "rs_instance.h"
#include "rs_memory.h"

DEFINE_MTYPE_STATIC(ROUTESERVER, RS_INSTANCE, "route-server instance");
DEFINE_MTYPE_STATIC(ROUTESERVER, RS_PEER, "route-server peer");

static int rs_instance_cmp(const struct rs_instance *a,
			   const struct rs_instance *b)
{
	return strcmp(a->vrf, b->vrf);
}

DECLARE_RBTREE_UNIQ(rs_instances, struct rs_instance, item, rs_instance_cmp);

static struct rs_instances_head rs_instances = INIT_RBTREE_UNIQ(rs_instances);

struct rs_instance *rs_instance_create(const char *vrf)
{
	struct rs_instance *rsi = XCALLOC(MTYPE_RS_INSTANCE, sizeof(*rsi));

	strlcpy(rsi->vrf, vrf, sizeof(rsi->vrf));
	rs_peers_init(&rsi->peers);
	rs_instances_add(&rs_instances, rsi);
	return rsi;
}

void rs_instance_delete(struct rs_instance *rsi)
{
	struct rs_peer *peer;

	while ((peer = rs_peers_first(&rsi->peers)))
		rs_peer_delete(rsi, peer);
	rs_peers_fini(&rsi->peers);
	rs_instances_del(&rs_instances, rsi);
	XFREE(MTYPE_RS_INSTANCE, rsi);
}

struct rs_instance *rs_instance_lookup(const char *vrf)
{
	struct rs_instance key = {};

	strlcpy(key.vrf, vrf, sizeof(key.vrf));
	return rs_instances_find(&rs_instances, &key);
}

const struct rs_instance *rs_instance_first(void)
{
	return rs_instances_const_first(&rs_instances);
}

const struct rs_instance *rs_instance_next(const struct rs_instance *rsi)
{
	return rs_instances_const_next(&rs_instances, rsi);
}

void rs_instance_delete_all(void)
{
	struct rs_instance *rsi;

	while ((rsi = rs_instances_first(&rs_instances)))
		rs_instance_delete(rsi);
}

struct rs_peer *rs_peer_create(struct rs_instance *rsi, const char *neighbor)
{
	static uint32_t last_peer_id;
	struct rs_peer *peer = XCALLOC(MTYPE_RS_PEER, sizeof(*peer));

	strlcpy(peer->cfg.neighbor, neighbor, sizeof(peer->cfg.neighbor));
	peer->rsi = rsi;
	/* 0 stands for "no peer" (local routes); skip it on wrap-around */
	if (++last_peer_id == 0)
		++last_peer_id;
	peer->party.peer_id = last_peer_id;
	rs_peers_add_tail(&rsi->peers, peer);
	return peer;
}

void rs_peer_delete(struct rs_instance *rsi, struct rs_peer *peer)
{
	rs_peers_del(&rsi->peers, peer);
	XFREE(MTYPE_RS_PEER, peer);
}

struct rs_peer *rs_peer_lookup(struct rs_instance *rsi, const char *neighbor)
{
	struct rs_peer *peer;

	frr_each (rs_peers, &rsi->peers, peer)
		if (!strcmp(peer->cfg.neighbor, neighbor))
			return peer;
	return NULL;
}
