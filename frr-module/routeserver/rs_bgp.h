// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Looking up bgpd's instances and neighbors by the keys of the
 * frr-routeserver YANG model.
 */

#ifndef _FRR_RS_BGP_H
#define _FRR_RS_BGP_H

#include <stddef.h>

struct bgp;
struct peer;

/* Key of a BGP instance in the model. */
extern const char *rs_bgp_vrf_name(const struct bgp *bgp);
extern struct bgp *rs_bgp_lookup(const char *vrf);
/*
 * Key of a neighbor in the model: the canonical form of an address, or an
 * interface name as it is.
 */
extern void rs_neighbor_key(const char *neighbor, char *key, size_t len);
/* AF_INET or AF_INET6 for an address key, AF_UNSPEC for an interface. */
extern int rs_neighbor_family(const char *key);
/* The bgpd neighbor of a key, or NULL. */
extern struct peer *rs_bgp_neighbor(struct bgp *bgp, const char *key);
/* The key of a bgpd neighbor. */
extern void rs_bgp_neighbor_key(const struct peer *peer, char *key,
				size_t len);

#endif /* _FRR_RS_BGP_H */
