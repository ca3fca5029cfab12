// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The gateways of an instance's role peers and their state, read live
 * from bgpd's sessions; the decisions are rs_policy.c's.
 */

#ifndef _FRR_RS_INSPECT_H
#define _FRR_RS_INSPECT_H

#include "rs_instance.h"
#include "rs_policy.h"

#define RS_REASON_LEN 64

struct bgp;
struct peer;

/* bgpd's neighbor of a role peer, looked up now; NULL if there is none. */
extern struct peer *rs_peer_neighbor(const struct rs_peer *rp);

/*
 * The role peer that represents rp's gateway: the first one listed for it
 * (rp itself for an nva).
 */
extern const struct rs_peer *rs_gateway_leader(const struct rs_peer *rp);

/*
 * The gateway after prev (the first with prev NULL), each represented by
 * its leader.
 */
extern const struct rs_peer *rs_gateway_next(const struct rs_instance *rsi,
					     const struct rs_peer *prev);
extern enum rs_gw_state rs_gateway_state(const struct rs_peer *rp, char *reason,
					 size_t reason_len);

#define RS_WARNING_LEN 256

/*
 * What bgpd's configuration says against giving neighbor this role now
 * (it is not configured, or an nva's AS is not allowed), into text; false
 * if nothing.
 */
extern bool rs_role_problem(struct bgp *bgp, const char *neighbor,
			    enum rs_role role, char *text, size_t text_len);

/*
 * The warning about the next gateway after prev that is out of the exchange
 * (a VPN gateway not active-active) into text; the gateway, or NULL.
 */
extern const struct rs_peer *
rs_isolated_gateway_next(const struct rs_instance *rsi,
			 const struct rs_peer *prev, char *text,
			 size_t text_len);

#endif /* _FRR_RS_INSPECT_H */
