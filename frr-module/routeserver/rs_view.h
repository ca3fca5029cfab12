// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the route server shows of a role peer, read live from bgpd: for the
 * show commands and the YANG operational state alike.
 */

#ifndef _FRR_RS_VIEW_H
#define _FRR_RS_VIEW_H

#include "rs_enforce.h"
#include "rs_instance.h"

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

#endif /* _FRR_RS_VIEW_H */
