// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-netconfd's configuration file: "key = value" lines, '#' comments,
 * blank lines. Plain C, no FRR, no libyang.
 */

#ifndef _FRR_NCD_CONFIG_H
#define _FRR_NCD_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NCD_CONF_DIR_DEFAULT "/etc/frr-netconfd"
#define NCD_CONFIG_FILE_DEFAULT NCD_CONF_DIR_DEFAULT "/frr-netconfd.conf"

struct ncd_config {
	char address[64];	    /* address = 127.0.0.1 (IPv4 or IPv6) */
	uint16_t port;		    /* port = 830 (1..65535) */
	char host_key[PATH_MAX];    /* host-key = .../ssh_host_ecdsa_key */
	char users_dir[PATH_MAX];   /* users = .../users (one keys file per
				     * user, named after the user) */
	char nacm[PATH_MAX];	    /* nacm = .../nacm.xml */
	char agent[PATH_MAX];	    /* agent = /run/frr/bgpd_nbagent.sock */
	unsigned int max_sessions;  /* max-sessions = 16 (1..1024) */
	unsigned int hello_timeout; /* hello-timeout = 10 s (1..600): SSH
				     * handshake, authentication and hello */
	unsigned int idle_timeout;  /* idle-timeout = 3600 s (0 = none,
				     * ..65535) */
	unsigned int max_message;   /* max-message = 16777216 bytes
				     * (4096..16777216) */
	unsigned int agent_timeout; /* agent-timeout = 60 s (1..3600) */
	bool debug;		    /* debug = no (yes/no) */
};

extern void ncd_config_defaults(struct ncd_config *cfg);

/*
 * Parses a configuration file's text (len bytes, not NUL-terminated) over
 * cfg. Every key may appear at most once. On any error (unknown key,
 * duplicate, value out of range or too long, missing '=', a NUL byte)
 * returns false with "line N: what is wrong" in err; cfg is then
 * unspecified.
 */
extern bool ncd_config_parse(struct ncd_config *cfg, const char *text,
			     size_t len, char *err, size_t errlen);

/*
 * Defaults, then the file at path (read whole, at most 64 KiB). Every
 * message in err names the path.
 */
extern bool ncd_config_load(struct ncd_config *cfg, const char *path, char *err,
			    size_t errlen);

#endif /* _FRR_NCD_CONFIG_H */
