// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vtysh commands of the route-server module.
 */

#ifndef _FRR_RS_CLI_H
#define _FRR_RS_CLI_H

struct bgp;
struct vty;

/* the configuration commands, over the northbound (rs_cli.c) */
extern void rs_cli_init(void);
/* the show commands (rs_show.c) */
extern void rs_show_init(void);
/* The module's lines of `router bgp`, rendered from the northbound. */
extern int rs_config_write(struct bgp *bgp, struct vty *vty);

#endif /* _FRR_RS_CLI_H */
