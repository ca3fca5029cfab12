// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-routeserver: route-server semantics for bgpd, shared declarations
 * of the module's FRR glue.
 */

#ifndef _FRR_ROUTESERVER_H
#define _FRR_ROUTESERVER_H

#include "memory.h"

DECLARE_MGROUP(ROUTESERVER);

struct bgp;
struct peer;
struct vty;

/* Key of a BGP instance in the frr-routeserver YANG model. */
extern const char *rs_bgp_vrf_name(const struct bgp *bgp);
extern struct bgp *rs_bgp_lookup(const char *vrf);
/* Key of a neighbor in the model: a canonical address, or an interface. */
extern void rs_neighbor_key(const char *neighbor, char *key, size_t len);
/* AF_INET or AF_INET6 for an address key, AF_UNSPEC for an interface. */
extern int rs_neighbor_family(const char *key);
/* The bgpd neighbor of a key, or NULL. */
extern struct peer *rs_bgp_neighbor(struct bgp *bgp, const char *key);

extern void rs_cli_init(void);
extern void rs_show_init(void);
extern int rs_config_write(struct bgp *bgp, struct vty *vty);

#endif /* _FRR_ROUTESERVER_H */
