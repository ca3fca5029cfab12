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

/* What can be wrong with a role peer now, each shown as a warning. */
enum rs_peer_problem {
	/* bgpd's configuration changed under the role, see rs_role_problem */
	RS_PROBLEM_STALE = 0,
	/* an operator's outbound route-map replaced the module's */
	RS_PROBLEM_OUTBOUND,
	/* the neighbor's own weight replaces the hub routing preference */
	RS_PROBLEM_WEIGHT,
	RS_PROBLEM_COUNT,
};

/* Whether the role peer has that problem; its warning goes into text. */
extern bool rs_peer_problem(const struct rs_peer *rp,
			    enum rs_peer_problem problem, char *text,
			    size_t text_len);
/* All of the role peer's warnings, joined by "; "; false if none. */
extern bool rs_peer_warnings(const struct rs_peer *rp, char *text,
			     size_t text_len);

#endif /* _FRR_RS_VIEW_H */
