// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ietf-netconf-monitoring (RFC 6022): /netconf-state, built for each <get>.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ncd.h"

#define NS_STATE "/ietf-netconf-monitoring:netconf-state"

struct builder {
	struct lyd_node *tree;
	LY_ERR err;
};

static void add(struct builder *b, const char *value, const char *fmt, ...)
	NCD_PRINTF(3, 4);

static void add(struct builder *b, const char *value, const char *fmt, ...)
{
	char path[1024];
	va_list ap;

	if (b->err)
		return;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	b->err = lyd_new_path(b->tree, ncd_ctx, path, value,
			      LYD_NEW_PATH_UPDATE, b->tree ? NULL : &b->tree);
}

static void add_u32(struct builder *b, uint32_t value, const char *path)
{
	char text[16];

	snprintf(text, sizeof(text), "%u", value);
	add(b, text, "%s", path);
}

static void add_time(struct builder *b, time_t when, const char *path)
{
	char *text = NULL;

	if (ly_time_time2str(when, NULL, &text)) {
		b->err = LY_EMEM;
		return;
	}
	add(b, text, "%s", path);
	free(text);
}

/* Whether a capability names a module of the SSH server's own. */
static bool capability_private(const char *capability)
{
	const char *name = strstr(capability, "?module=");
	const struct lys_module *module;
	char buf[256];

	if (!name)
		return false;
	name += strlen("?module=");
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(name, "&"), name);
	module = ly_ctx_get_module_implemented(ncd_ctx, buf);
	return module && ncd_ssh_module_private(module);
}

static void add_capabilities(struct builder *b)
{
	char **capabilities = ncd_nc_server_get_cpblts(ncd_ctx);

	for (size_t i = 0; capabilities && capabilities[i]; i++) {
		/* leaf-list entries are added by value */
		if (!b->err && !capability_private(capabilities[i]))
			b->err = lyd_new_path(
				b->tree, ncd_ctx,
				NS_STATE "/capabilities/capability",
				capabilities[i], LYD_NEW_PATH_UPDATE,
				b->tree ? NULL : &b->tree);
	}
	ncd_nc_cpblts_free(ncd_ctx, capabilities);
}

static void add_datastore(struct builder *b, const char *name, uint32_t owner)
{
	add(b, NULL, NS_STATE "/datastores/datastore[name='%s']", name);
	if (owner)
		add_u32(b, owner,
			name[0] == 'r' ? NS_STATE
				"/datastores/datastore[name='running']/locks/global-lock/locked-by-session"
				       : NS_STATE
				"/datastores/datastore[name='candidate']/locks/global-lock/locked-by-session");
}

static void add_schemas(struct builder *b)
{
	const struct lys_module *module;
	uint32_t index = 0;

	while ((module = ly_ctx_get_module_iter(ncd_ctx, &index))) {
		if (!module->implemented || ncd_ssh_module_private(module))
			continue;
		for (int yin = 0; yin < 2; yin++) {
			const char *format = yin ? "yin" : "yang";
			const char *rev =
				module->revision ? module->revision : "";

			add(b, module->ns,
			    NS_STATE
			    "/schemas/schema[identifier='%s'][version='%s'][format='ietf-netconf-monitoring:%s']/namespace",
			    module->name, rev, format);
			add(b, "NETCONF",
			    NS_STATE
			    "/schemas/schema[identifier='%s'][version='%s'][format='ietf-netconf-monitoring:%s']/location",
			    module->name, rev, format);
		}
	}
}

#define SESSION NS_STATE "/sessions/session[session-id='%u']"

static void add_session(const struct ncd_session_info *s, void *arg)
{
	struct builder *b = arg;
	char base[128], path[192];
	const struct {
		const char *name;
		uint32_t value;
	} counters[] = {
		{"in-rpcs", s->in_rpcs},
		{"in-bad-rpcs", s->in_bad_rpcs},
		{"out-rpc-errors", s->out_rpc_errors},
		{"out-notifications", s->out_notifications},
	};

	snprintf(base, sizeof(base), SESSION, s->id);
	add(b, "ietf-netconf-monitoring:netconf-ssh", "%s/transport", base);
	add(b, s->user, "%s/username", base);
	add(b, s->host, "%s/source-host", base);
	snprintf(path, sizeof(path), "%s/login-time", base);
	add_time(b, s->login, path);
	for (size_t i = 0; i < NCD_ARRAY_SIZE(counters); i++) {
		snprintf(path, sizeof(path), "%s/%s", base, counters[i].name);
		add_u32(b, counters[i].value, path);
	}
}

static void add_statistics(struct builder *b)
{
	struct ncd_statistics st;

	ncd_server_statistics(&st);
	add_time(b, st.start, NS_STATE "/statistics/netconf-start-time");
	add_u32(b, st.in_bad_hellos, NS_STATE "/statistics/in-bad-hellos");
	add_u32(b, st.in_sessions, NS_STATE "/statistics/in-sessions");
	add_u32(b, st.dropped_sessions,
		NS_STATE "/statistics/dropped-sessions");
	add_u32(b, st.in_rpcs, NS_STATE "/statistics/in-rpcs");
	add_u32(b, st.in_bad_rpcs, NS_STATE "/statistics/in-bad-rpcs");
	add_u32(b, st.out_rpc_errors, NS_STATE "/statistics/out-rpc-errors");
	add_u32(b, st.out_notifications,
		NS_STATE "/statistics/out-notifications");
}

struct lyd_node *ncd_monitoring_state(void)
{
	struct builder b = {};
	uint32_t running, candidate;

	ncd_ops_lock_owners(&running, &candidate);
	add_capabilities(&b);
	add_datastore(&b, "running", running);
	add_datastore(&b, "candidate", candidate);
	add_schemas(&b);
	ncd_server_sessions(add_session, &b);
	add_statistics(&b);
	if (b.err) {
		ncd_log(LOG_ERR, "cannot build /netconf-state: %s",
			ly_errmsg(ncd_ctx));
		lyd_free_all(b.tree);
		return NULL;
	}
	return b.tree;
}
