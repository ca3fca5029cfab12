// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd_netconf: loads the NETCONF server into bgpd,
 *
 *   bgpd -M netconf[:option=value,...]
 *
 * FRR 8.4's libfrr exports SHA256_Init, SHA256_Update and SHA256_Final of
 * its own, with its own context layout. OpenSSL's digests call their
 * namesakes through the dynamic linker, so with libfrr first in bgpd's
 * global scope every SSH key exchange and host-key signature would be
 * computed by FRR's functions and come out wrong. The server therefore
 * lives in bgpd_netconf_server.so, next to this module, loaded with
 * RTLD_DEEPBIND: the libraries it brings (libnetconf2, libssh, OpenSSL)
 * find their own symbols before bgpd's.
 */

#include <zebra.h>

#include <dlfcn.h>

#include "libfrr.h"
#include "module.h"

#include "nc_netconf.h"

#define NC_SERVER_LIBRARY "bgpd_netconf_server.so"

static void *nc_server_handle;

/* bgpd_netconf_server.so, from the directory this module came from. */
static void *nc_server_open(void)
{
	char path[PATH_MAX];
	Dl_info self;
	char *slash;

	if (!dladdr((void *)nc_server_open, &self) || !self.dli_fname)
		return NULL;
	strlcpy(path, self.dli_fname, sizeof(path));
	slash = strrchr(path, '/');
	snprintf(slash ? slash + 1 : path,
		 sizeof(path) - (slash ? slash + 1 - path : 0), "%s",
		 NC_SERVER_LIBRARY);
	return dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
}

static int nc_late_init(struct thread_master *master)
{
	nc_plugin_start_fn start;

	nc_server_handle = nc_server_open();
	start = nc_server_handle ? (nc_plugin_start_fn)dlsym(nc_server_handle,
							     "nc_plugin_start")
				 : NULL;
	if (!start) {
		zlog_err("netconf: cannot load %s: %s", NC_SERVER_LIBRARY,
			 dlerror());
		return 0;
	}
	start(master, THIS_MODULE->load_args);
	return 0;
}

static int nc_module_init(void)
{
	hook_register(frr_late_init, nc_late_init);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_netconf", .version = NC_VERSION,
		 .description = "NETCONF server for bgpd's northbound",
		 .init = nc_module_init, );
