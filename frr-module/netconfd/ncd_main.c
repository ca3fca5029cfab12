// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-netconfd: start-up, signals and shutdown.
 */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nba_frame.h"
#include "ncd.h"
#include "ncd_nacm.h"

struct ncd_config ncd_cfg;
struct ly_ctx *ncd_ctx;
static volatile bool stop;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: frr-netconfd [-f FILE] [-d] [-t] [-h] [-v]\n"
		"  -f FILE  the configuration file (default %s)\n"
		"  -d       log debugging messages\n"
		"  -t       check the configuration, key and access control files, then exit\n"
		"  -h       this help\n"
		"  -v       the version\n",
		NCD_CONFIG_FILE_DEFAULT);
}

/* ------------------------------------------------------------------ */
/* The YANG context */

/* NETCONF's own modules, from the package's directory. */
static bool load_netconf_modules(char *err, size_t errlen)
{
	static const char *const netconf_features[] = {
		"writable-running", "candidate", "rollback-on-error",
		"validate",	    "xpath",	 NULL};
	static const struct {
		const char *name, *revision;
		const char *const *features;
	} modules[] = {
		{"ietf-netconf", "2013-09-29", netconf_features},
		{"ietf-netconf-monitoring", "2010-10-04", NULL},
		{"notifications", "2008-07-14", NULL},
		{"ietf-netconf-acm", "2018-02-14", NULL},
	};

	if (ly_ctx_new(NC_YANG_DIR, 0, &ncd_ctx)) {
		snprintf(err, errlen, "cannot create a YANG context");
		return false;
	}
	for (size_t i = 0; i < NCD_ARRAY_SIZE(modules); i++) {
		if (!ly_ctx_load_module(ncd_ctx, modules[i].name,
					modules[i].revision,
					(const char **)modules[i].features)) {
			snprintf(err, errlen,
				 "cannot load YANG module %s@%s from %s: %s",
				 modules[i].name, modules[i].revision,
				 NC_YANG_DIR, ly_errmsg(ncd_ctx));
			return false;
		}
	}
	return true;
}

static void free_schema_text(void *text, void *arg)
{
	free(text);
}

/* libyang's import callback: the module's text, printed by bgpd. */
static LY_ERR schema_from_bgpd(const char *mod_name, const char *mod_rev,
			       const char *submod_name, const char *submod_rev,
			       void *arg, LYS_INFORMAT *format,
			       const char **module_data,
			       void (**free_module_data)(void *, void *))
{
	const char *args[2] = {submod_name ? submod_name : mod_name,
			       (submod_name ? submod_rev : mod_rev) ?: ""};
	struct ncd_agent_reply reply;
	char err[256];

	if (!ncd_agent_call(NBA_OP_GET_SCHEMA, 0, args, 2, &reply, err,
			    sizeof(err)) ||
	    reply.status != NBA_OK || !reply.nfields) {
		ncd_agent_reply_free(&reply);
		return LY_ENOTFOUND;
	}
	*format = LYS_IN_YANG;
	*module_data = reply.field[0];
	*free_module_data = free_schema_text;
	reply.field[0] = NULL;
	ncd_agent_reply_free(&reply);
	return LY_SUCCESS;
}

/* Loads every module bgpd implements; false (err set) if it cannot. */
static bool load_bgpd_modules(char *err, size_t errlen)
{
	struct ncd_agent_reply reply;
	bool ok = true;

	if (!ncd_agent_call(NBA_OP_MODULES, 0, NULL, 0, &reply, err, errlen))
		return false;
	ly_ctx_set_module_imp_clb(ncd_ctx, schema_from_bgpd, NULL);
	/* name, revision, namespace of each */
	for (uint32_t i = 0; ok && i + 2 < reply.nfields; i += 3) {
		const char *name = reply.field[i], *rev = reply.field[i + 1];

		if (ly_ctx_get_module_implemented(ncd_ctx, name))
			continue;
		if (!ly_ctx_load_module(ncd_ctx, name, *rev ? rev : NULL,
					NULL)) {
			snprintf(err, errlen,
				 "cannot load bgpd's YANG module %s: %s", name,
				 ly_errmsg(ncd_ctx));
			ok = false;
		}
	}
	ncd_agent_reply_free(&reply);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Signals: handled by the main thread only */

static sigset_t handled_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	return set;
}

/* Waits up to ms for a signal; true once the daemon should stop. */
static bool wait_signal(int ms)
{
	sigset_t set = handled_signals();
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	int sig = sigtimedwait(&set, NULL, &ts);

	if (sig == SIGHUP) {
		ncd_log(LOG_INFO, "SIGHUP: reading the access control again");
		ncd_ops_nacm_reload();
	} else if (sig == SIGINT || sig == SIGTERM) {
		ncd_log(LOG_NOTICE, "%s: stopping", strsignal(sig));
		stop = true;
	}
	return stop;
}

static void block_signals(void)
{
	sigset_t set = handled_signals();

	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* ------------------------------------------------------------------ */

static bool check_files(char *err, size_t errlen)
{
	FILE *key = fopen(ncd_cfg.host_key, "r");
	struct ncd_nacm *nacm;

	if (!key) {
		snprintf(err, errlen, "host key %.512s: %s", ncd_cfg.host_key,
			 strerror(errno));
		return false;
	}
	fclose(key);
	if (!ncd_auth_check_files(err, errlen) ||
	    !load_netconf_modules(err, errlen) ||
	    !ncd_ssh_prepare_ctx(ncd_ctx, err, errlen))
		return false;
	nacm = ncd_nacm_load(ncd_ctx, ncd_cfg.nacm, err, errlen);
	ncd_nacm_free(nacm);
	return nacm != NULL;
}

/* Waits for bgpd's agent, then loads its modules; false if stopped. */
static bool load_schemas_from_bgpd(void)
{
	char err[512], last[512] = "";

	while (!load_bgpd_modules(err, sizeof(err))) {
		if (strcmp(err, last))
			ncd_log(LOG_WARNING,
				"waiting for bgpd's YANG modules: %s", err);
		snprintf(last, sizeof(last), "%s", err);
		if (wait_signal(1000))
			return false;
	}
	return true;
}

static int run(void)
{
	char err[1024] = "";
	bool ok;

	block_signals();
	ncd_intercept_init();
	if (!ncd_agent_start(ncd_server_notify, ncd_ops_agent_lost, &stop)) {
		ncd_log(LOG_ERR, "cannot start the agent's thread");
		return 1;
	}
	ok = load_schemas_from_bgpd();
	if (ok && !(ncd_ops_init(err, sizeof(err)) &&
		    ncd_server_start(err, sizeof(err)))) {
		ncd_log(LOG_ERR, "%s", err);
		stop = true;
		ok = false;
	}
	while (ok && !wait_signal(1000))
		;
	stop = true;
	if (!ncd_server_stop()) {
		ncd_log(LOG_WARNING,
			"a request is still running; exiting without cleaning up");
		_exit(ok ? 0 : 1);
	}
	ncd_agent_stop();
	ncd_ops_fini();
	ncd_intercept_fini();
	return ok || !*err ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *config = NCD_CONFIG_FILE_DEFAULT;
	bool debug = false, test = false;
	char err[1024] = "";
	int opt, ret;

	while ((opt = getopt(argc, argv, "f:dthv")) != -1) {
		switch (opt) {
		case 'f':
			config = optarg;
			break;
		case 'd':
			debug = true;
			break;
		case 't':
			test = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'v':
			printf("frr-netconfd %s\n", NCD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (!ncd_config_load(&ncd_cfg, config, err, sizeof(err))) {
		fprintf(stderr, "frr-netconfd: %s\n", err);
		return 1;
	}
	ncd_log_init(debug || ncd_cfg.debug);
	if (!check_files(err, sizeof(err))) {
		fprintf(stderr, "frr-netconfd: %s\n", err);
		return 1;
	}
	if (test) {
		printf("frr-netconfd: %s is fine\n", config);
		ly_ctx_destroy(ncd_ctx);
		return 0;
	}
	ncd_log(LOG_NOTICE, "frr-netconfd %s starting", NCD_VERSION);
	ret = run();
	ly_ctx_destroy(ncd_ctx);
	return ret;
}
