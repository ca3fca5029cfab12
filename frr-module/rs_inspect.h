// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the route server shows of its role peers and gateways, read live
 * from bgpd: for the show commands and the YANG operational state alike.
 */

#ifndef _FRR_RS_INSPECT_H
#define _FRR_RS_INSPECT_H

#include "rs_enforce.h"
#include "rs_instance.h"
#include "rs_policy.h"

#define RS_REASON_LEN 64

struct rs_peer_view {
	const char *session_state;
	uint32_t routes_learned;
	uint32_t routes_advertised;
	/* Whether the peer's routes take part in the exchange now. */
	bool exchanges;
	enum rs_outbound outbound;
	/* the operator's outbound route-map, or NULL */
	const char *outbound_rmap;
	uint32_t limit_teardowns;
};

extern void rs_peer_view(const struct rs_peer *rp, struct rs_peer_view *view);

/*
 * The first role peer listed for rp's gateway, which represents it (rp
 * itself for a gateway of one peer).
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
 * The warning about the next gateway after prev that is out of the exchange
 * (a VPN gateway not active-active) into text; the gateway, or NULL.
 */
extern const struct rs_peer *
rs_isolated_gateway_next(const struct rs_instance *rsi,
			 const struct rs_peer *prev, char *text,
			 size_t text_len);

#endif /* _FRR_RS_INSPECT_H */
