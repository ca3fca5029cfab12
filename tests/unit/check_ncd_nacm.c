// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of NETCONF access control (frr-module/netconfd/ncd_nacm.c) on
 * nc-test.yang and nc-nacm-test.yang.
 */

#include <check.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ncd_nacm.h"

#define NACM_NS "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
#define NACM(body) "<nacm xmlns=\"" NACM_NS "\">" body "</nacm>"
#define GROUPS(body) "<groups>" body "</groups>"
#define GROUP(name, users) "<group><name>" name "</name>" users "</group>"
#define USER(name) "<user-name>" name "</user-name>"
#define RULE_LIST(name, groups, rules)                                         \
	"<rule-list><name>" name "</name>" groups rules "</rule-list>"
#define IN(group) "<group>" group "</group>"
#define RULE(name, body, action)                                               \
	"<rule><name>" name "</name>" body "<action>" action "</action></rule>"
#define MODULE(name) "<module-name>" name "</module-name>"
#define OPS(ops) "<access-operations>" ops "</access-operations>"
#define PATH(path)                                                             \
	"<path xmlns:nc-test=\"urn:nc-test\" "                                 \
	"xmlns:nc-nacm-test=\"urn:nc-nacm-test\">" path "</path>"

#define TOP(body) "<top xmlns=\"urn:nc-test\">" body "</top>"
#define NAME(v) "<name>" v "</name>"
#define ITEM(id, value) "<item><id>" id "</id><value>" value "</value></item>"
#define SETTINGS(body)                                                         \
	"<settings xmlns=\"urn:nc-nacm-test\">" body "</settings>"
#define PEER(name, body) "<peer><name>" name "</name>" body "</peer>"

#define NC_NS "urn:ietf:params:xml:ns:netconf:base:1.0"
#define GET_CONFIG                                                             \
	"<get-config xmlns=\"" NC_NS                                           \
	"\"><source><running/></source>"                                       \
	"</get-config>"
#define KILL_SESSION                                                           \
	"<kill-session xmlns=\"" NC_NS                                         \
	"\"><session-id>7</session-id>"                                        \
	"</kill-session>"
#define DELETE_CONFIG                                                          \
	"<delete-config xmlns=\"" NC_NS                                        \
	"\"><target><startup/></target>"                                       \
	"</delete-config>"
#define CLOSE_SESSION "<close-session xmlns=\"" NC_NS "\"/>"
#define RESTART "<restart xmlns=\"urn:nc-nacm-test\"/>"
#define WIPE "<wipe xmlns=\"urn:nc-nacm-test\"/>"
#define RESET(peer) SETTINGS(PEER(peer, "<reset/>"))
#define ALARM "<alarm xmlns=\"urn:nc-nacm-test\"><text>hot</text></alarm>"
#define AUDIT "<audit xmlns=\"urn:nc-nacm-test\"/>"
#define WENT_DOWN(peer) SETTINGS(PEER(peer, "<went-down/>"))

static struct ly_ctx *ctx;

static void setup(void)
{
	const char *features[] = {"*", NULL};

	ly_log_options(LY_LOSTORE_LAST);
	ck_assert_int_eq(ly_ctx_new(NC_TEST_YANG_DIR, 0, &ctx), LY_SUCCESS);
	ly_ctx_set_searchdir(ctx, NC_YANG_DIR);
	ck_assert_ptr_nonnull(
		ly_ctx_load_module(ctx, "ietf-netconf", NULL, features));
	ck_assert_ptr_nonnull(
		ly_ctx_load_module(ctx, "ietf-netconf-acm", NULL, NULL));
	ck_assert_ptr_nonnull(ly_ctx_load_module(ctx, "nc-test", NULL, NULL));
	ck_assert_ptr_nonnull(
		ly_ctx_load_module(ctx, "nc-nacm-test", NULL, NULL));
}

static void teardown(void)
{
	ly_ctx_destroy(ctx);
}

/* A new file holding content; the caller unlinks and frees the name. */
static char *temp_file(const char *content)
{
	char *path = strdup("/tmp/check_ncd_nacm.XXXXXX");
	int fd;

	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, strlen(content)),
			 (ssize_t)strlen(content));
	close(fd);
	return path;
}

/* Loads content, or returns NULL with the message in err. */
static struct ncd_nacm *try_load(const char *content, char *err, size_t errlen,
				 char **path)
{
	struct ncd_nacm *nacm;

	*path = temp_file(content);
	err[0] = '\0';
	nacm = ncd_nacm_load(ctx, *path, err, errlen);
	unlink(*path);
	return nacm;
}

static struct ncd_nacm *load(const char *content)
{
	struct ncd_nacm *nacm;
	char err[1024], *path;

	nacm = try_load(content, err, sizeof(err), &path);
	ck_assert_msg(nacm, "%s: %s", content, err);
	free(path);
	return nacm;
}

static struct lyd_node *data(const char *xml)
{
	struct lyd_node *tree = NULL;

	ck_assert_msg(lyd_parse_data_mem(ctx, xml, LYD_XML,
					 LYD_PARSE_ONLY | LYD_PARSE_STRICT, 0,
					 &tree) == LY_SUCCESS,
		      "%s: %s", xml, ly_errmsg(ctx));
	return tree;
}

static struct lyd_node *operation(const char *xml, enum lyd_type type)
{
	struct lyd_node *tree = NULL;
	struct ly_in *in;

	ck_assert_int_eq(ly_in_new_memory(xml, &in), LY_SUCCESS);
	ck_assert_msg(lyd_parse_op(ctx, NULL, in, LYD_XML, type, &tree, NULL) ==
			      LY_SUCCESS,
		      "%s: %s", xml, ly_errmsg(ctx));
	ly_in_free(in, false);
	return tree;
}

static char *print(const struct lyd_node *tree)
{
	char *out = NULL;

	if (tree)
		lyd_print_mem(&out, tree, LYD_XML,
			      LYD_PRINT_SHRINK | LYD_PRINT_WITHSIBLINGS);
	return out ? out : strdup("");
}

/* What user reads of xml, printed */
static char *read_as(const struct ncd_nacm *nacm, const char *user,
		     const char *xml)
{
	struct lyd_node *tree = data(xml);
	char *out;

	ncd_nacm_filter_read(nacm, user, &tree);
	out = print(tree);
	lyd_free_all(tree);
	return out;
}

#define ck_reads(nacm, user, xml, expected_xml)                                \
	do {                                                                   \
		char *actual_ = read_as(nacm, user, xml);                      \
		struct lyd_node *expected_tree_ = data(expected_xml);          \
		char *expected_ = print(expected_tree_);                       \
		ck_assert_str_eq(actual_, expected_);                          \
		free(actual_);                                                 \
		free(expected_);                                               \
		lyd_free_all(expected_tree_);                                  \
	} while (0)

/* Whether user may change old_xml to new_xml; the path refused in denied */
static bool writes(const struct ncd_nacm *nacm, const char *user,
		   const char *old_xml, const char *new_xml, char *denied,
		   size_t len)
{
	struct lyd_node *old = old_xml ? data(old_xml) : NULL;
	struct lyd_node *new = new_xml ? data(new_xml) : NULL;
	bool allowed;

	allowed = ncd_nacm_write_allowed(nacm, user, old, new, denied, len);
	lyd_free_all(old);
	lyd_free_all(new);
	return allowed;
}

#define ck_writes(nacm, user, old_xml, new_xml)                                \
	do {                                                                   \
		char denied_[256];                                             \
		ck_assert_msg(writes(nacm, user, old_xml, new_xml, denied_,    \
				     sizeof(denied_)),                         \
			      "%s refused at %s", user, denied_);              \
	} while (0)

#define ck_refuses(nacm, user, old_xml, new_xml, path)                         \
	do {                                                                   \
		char denied_[256];                                             \
		ck_assert(!writes(nacm, user, old_xml, new_xml, denied_,       \
				  sizeof(denied_)));                           \
		ck_assert_str_eq(denied_, path);                               \
	} while (0)

static bool runs(const struct ncd_nacm *nacm, const char *user, const char *xml)
{
	struct lyd_node *tree = operation(xml, LYD_TYPE_RPC_YANG);
	bool allowed = ncd_nacm_rpc_allowed(nacm, user, tree);

	lyd_free_all(tree);
	return allowed;
}

static bool receives(const struct ncd_nacm *nacm, const char *user,
		     const char *xml)
{
	struct lyd_node *tree = operation(xml, LYD_TYPE_NOTIF_YANG);
	bool allowed = ncd_nacm_notification_allowed(nacm, user, tree);

	lyd_free_all(tree);
	return allowed;
}

static const char *groups_of(const struct ncd_nacm *nacm, const char *user)
{
	static char buf[128];

	return ncd_nacm_groups(nacm, user, buf, sizeof(buf));
}

/* Someone no rule names, under RFC 8341's defaults */
static void ck_defaults(const struct ncd_nacm *nacm, const char *user)
{
	ck_reads(nacm, user,
		 TOP(NAME("a")) SETTINGS("<mode>m</mode><secret>s</secret>"
					 "<locked>l</locked>")
			 NACM("<enable-nacm>true</enable-nacm>"),
		 TOP(NAME("a")) SETTINGS("<mode>m</mode><locked>l</locked>"));
	ck_refuses(nacm, user, NULL, TOP(NAME("a")), "/nc-test:top/name");
	ck_refuses(nacm, user, TOP(NAME("a")), TOP(NAME("b")),
		   "/nc-test:top/name");
	ck_refuses(nacm, user, TOP(NAME("a")), NULL, "/nc-test:top/name");
	ck_writes(nacm, user, TOP(NAME("a")), TOP(NAME("a")));
	ck_assert(runs(nacm, user, GET_CONFIG));
	ck_assert(runs(nacm, user, RESTART));
	ck_assert(runs(nacm, user, RESET("a")));
	ck_assert(runs(nacm, user, CLOSE_SESSION));
	ck_assert(!runs(nacm, user, KILL_SESSION));
	ck_assert(!runs(nacm, user, DELETE_CONFIG));
	ck_assert(!runs(nacm, user, WIPE));
	ck_assert(receives(nacm, user, ALARM));
	ck_assert(receives(nacm, user, WENT_DOWN("a")));
	ck_assert(!receives(nacm, user, AUDIT));
}

START_TEST(test_defaults_without_a_file)
{
	char err[256] = "";
	struct ncd_nacm *nacm =
		ncd_nacm_load(ctx, "/nonexistent/nacm.xml", err, sizeof(err));

	ck_assert_msg(nacm, "%s", err);
	ck_defaults(nacm, "joe");
	ck_assert_str_eq(groups_of(nacm, "joe"), "");
	ck_assert(!writes(nacm, NULL, NULL, TOP(NAME("a")), err, sizeof(err)));
	ck_assert(runs(nacm, NULL, GET_CONFIG));
	ck_assert_str_eq(groups_of(nacm, NULL), "");
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_defaults_from_an_empty_file)
{
	struct ncd_nacm *nacm = load("");

	ck_defaults(nacm, "joe");
	ncd_nacm_free(nacm);
	nacm = load(NACM(""));
	ck_defaults(nacm, "joe");
	ncd_nacm_free(nacm);
}
END_TEST

#define ADMINS                                                                 \
	RULE_LIST("admin", IN("admin"),                                        \
		  RULE("permit-all", MODULE("*") OPS("*"), "permit"))

START_TEST(test_a_read_write_group)
{
	struct ncd_nacm *nacm =
		load(NACM(GROUPS(GROUP("admin", USER("alice"))) ADMINS));
	const char *all = TOP(NAME("a")) SETTINGS("<secret>s</secret>")
		NACM(GROUPS(GROUP("x", USER("y"))));

	ck_reads(nacm, "alice", all, all);
	ck_writes(nacm, "alice", NULL, TOP(NAME("a")));
	ck_writes(nacm, "alice", TOP(NAME("a")), TOP(NAME("b")));
	ck_writes(nacm, "alice", TOP(NAME("a")), NULL);
	ck_writes(nacm, "alice", SETTINGS("<locked>a</locked>"),
		  SETTINGS("<secret>s</secret><locked>b</locked>"));
	ck_writes(nacm, "alice", NULL,
		  NACM("<read-default>deny</read-default>"));
	ck_assert(runs(nacm, "alice", KILL_SESSION));
	ck_assert(runs(nacm, "alice", WIPE));
	ck_assert(receives(nacm, "alice", AUDIT));
	ck_assert_str_eq(groups_of(nacm, "alice"), "admin");
	ck_defaults(nacm, "bob");
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_a_read_only_user_among_rules)
{
	struct ncd_nacm *nacm = load(NACM(
		GROUPS(GROUP("admin", USER("alice"))
			       GROUP("ops", USER("carol") USER("dave")) GROUP(
				       "viewers", USER("dave") USER("erin")))
			ADMINS RULE_LIST("ops", IN("ops"),
					 RULE("top",
					      PATH("/nc-test:top") OPS(
						      "create update delete"),
					      "permit"))));

	ck_defaults(nacm, "erin");
	ck_writes(nacm, "carol", NULL, TOP(NAME("a") ITEM("1", "x")));
	ck_refuses(nacm, "carol", NULL, SETTINGS("<mode>m</mode>"),
		   "/nc-nacm-test:settings/mode");
	ck_assert(!runs(nacm, "carol", KILL_SESSION));
	ck_assert_str_eq(groups_of(nacm, "dave"), "ops, viewers");
	ck_assert_str_eq(groups_of(nacm, "erin"), "viewers");
	ncd_nacm_free(nacm);
}
END_TEST

/* carol may change items, but neither read nor change item 2 */
#define ITEM_RULES                                                             \
	NACM(GROUPS(GROUP("ops", USER("carol"))) RULE_LIST(                    \
		"ops", IN("ops"),                                              \
		RULE("hide-2",                                                 \
		     PATH("/nc-test:top/nc-test:item"                          \
			  "[nc-test:id='2']") OPS("read update"),              \
		     "deny") RULE("items",                                     \
				  PATH("/nc-test:top/nc-test:item")            \
					  OPS("create update "                 \
					      "delete"),                       \
				  "permit")))
#define ITEMS TOP(NAME("a") ITEM("1", "x") ITEM("2", "y"))

START_TEST(test_path_rules_for_a_subtree)
{
	struct ncd_nacm *nacm = load(ITEM_RULES);
	const char *items = ITEMS;

	ck_reads(nacm, "carol", items, TOP(NAME("a") ITEM("1", "x")));
	ck_reads(nacm, "other", items, items);
	ck_writes(nacm, "carol", items,
		  TOP(NAME("a") ITEM("1", "z") ITEM("2", "y") ITEM("3", "w")));
	ck_writes(nacm, "carol", items, TOP(NAME("a") ITEM("2", "y")));
	ck_refuses(nacm, "carol", items,
		   TOP(NAME("a") ITEM("1", "x") ITEM("2", "z")),
		   "/nc-test:top/item[id='2']/value");
	ck_refuses(nacm, "carol", items,
		   TOP(NAME("b") ITEM("1", "x") ITEM("2", "y")),
		   "/nc-test:top/name");
	ck_writes(nacm, "carol", NULL, TOP(ITEM("1", "x")));
	ck_refuses(nacm, "carol", NULL, TOP(NAME("a")), "/nc-test:top/name");
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_module_name_rules)
{
	struct ncd_nacm *nacm =
		load(NACM(GROUPS(GROUP("g", USER("u"))) RULE_LIST(
			"g", IN("g"),
			RULE("no-settings", MODULE("nc-nacm-test") OPS("read"),
			     "deny") RULE("top",
					  MODULE("nc-test") OPS("create update "
								"delete"),
					  "permit")
				RULE("no-netconf",
				     MODULE("ietf-netconf") "<rpc-name>*"
							    "</rpc-name>",
				     "deny"))));

	ck_reads(nacm, "u", TOP(NAME("a")) SETTINGS("<mode>m</mode>"),
		 TOP(NAME("a")));
	ck_writes(nacm, "u", NULL, TOP(NAME("a") ITEM("1", "x")));
	ck_refuses(nacm, "u", NULL, SETTINGS("<mode>m</mode>"),
		   "/nc-nacm-test:settings/mode");
	ck_assert(!runs(nacm, "u", GET_CONFIG));
	ck_assert(runs(nacm, "u", CLOSE_SESSION));
	ck_assert(runs(nacm, "u", RESTART));
	ck_assert(!receives(nacm, "u", ALARM));
	ck_assert(!receives(nacm, "u", WENT_DOWN("a")));
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_the_first_matching_rule_wins)
{
	const char *top = TOP(NAME("a") ITEM("1", "x"));
	struct ncd_nacm *nacm =
		load(NACM(GROUPS(GROUP("g", USER("u"))) RULE_LIST(
			"g", IN("g"),
			RULE("name", PATH("/nc-test:top/nc-test:name"), "deny")
				RULE("top", PATH("/nc-test:top"), "permit"))));

	ck_reads(nacm, "u", top, TOP(ITEM("1", "x")));
	ncd_nacm_free(nacm);

	nacm = load(NACM(GROUPS(GROUP("g", USER("u"))) RULE_LIST(
		"g", IN("g"),
		RULE("top", PATH("/nc-test:top"), "permit")
			RULE("name",
			     PATH("/nc-test:top/"
				  "nc-test:name"),
			     "deny"))));
	ck_reads(nacm, "u", top, top);
	ncd_nacm_free(nacm);

	nacm = load(NACM(
		GROUPS(GROUP("g1", USER("u")) GROUP(
			"g2",
			USER("u") USER(
				"v"))) RULE_LIST("l1", IN("g1"),
						 RULE("r",
						      "<rpc-name>restart</rpc-name>",
						      "deny"))
			RULE_LIST(
				"l2", IN("g2"),
				RULE("r", "<rpc-name>restart</rpc-name>",
				     "permit")) "<exec-default>deny</exec-default>"));
	ck_assert(!runs(nacm, "u", RESTART));
	ck_assert(runs(nacm, "v", RESTART));
	ck_assert(!runs(nacm, "w", RESTART));
	ck_assert(runs(nacm, "w", CLOSE_SESSION));
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_rule_lists_for_all_groups)
{
	struct ncd_nacm *nacm =
		load(NACM(GROUPS(GROUP("g", USER("u"))) RULE_LIST(
			"all", IN("*"),
			RULE("top", PATH("/nc-test:top") OPS("read"),
			     "deny"))));
	const char *xml = TOP(NAME("a")) SETTINGS("<mode>m</mode>");

	ck_reads(nacm, "u", xml, SETTINGS("<mode>m</mode>"));
	/* RFC 8341 3.4.4 step 5: no group, no rule-list */
	ck_reads(nacm, "nobody", xml, xml);
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_nacm_disabled)
{
	struct ncd_nacm *nacm = load(NACM(
		"<enable-nacm>false</enable-nacm>"
		"<read-default>deny</read-default>"
		"<exec-default>deny</exec-default>" GROUPS(
			GROUP("g", USER("u")))
			RULE_LIST("all", IN("*"), RULE("none", "", "deny"))));
	const char *all = TOP(NAME("a")) SETTINGS("<secret>s</secret>")
		NACM(GROUPS(GROUP("x", USER("y"))));
	const char *users[] = {"u", "nobody"};
	size_t i;

	for (i = 0; i < 2; i++) {
		ck_reads(nacm, users[i], all, all);
		ck_writes(nacm, users[i], NULL, all);
		ck_writes(nacm, users[i], all, NULL);
		ck_assert(runs(nacm, users[i], KILL_SESSION));
		ck_assert(runs(nacm, users[i], RESTART));
		ck_assert(receives(nacm, users[i], AUDIT));
	}
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_read_default_deny)
{
	struct ncd_nacm *nacm = load(NACM(
		"<read-default>deny</read-default>" GROUPS(
			GROUP("g", USER("u")))
			RULE_LIST(
				"g", IN("g"),
				RULE("settings", PATH("/nc-nacm-test:settings"),
				     "permit")
					RULE("deep",
					     PATH("/nc-test:top/nc-test:name"),
					     "permit"))));
	const char *xml = TOP(NAME("a")) SETTINGS("<mode>m</mode>");

	/* /top itself is not readable: what is under it is not either */
	ck_reads(nacm, "u", xml, SETTINGS("<mode>m</mode>"));
	ck_reads(nacm, "nobody", xml, "");
	ck_assert(!receives(nacm, "u", ALARM));
	ck_assert(receives(nacm, "u", WENT_DOWN("a")));
	ck_assert(!receives(nacm, "nobody", WENT_DOWN("a")));
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_notifications)
{
	struct ncd_nacm *nacm =
		load(NACM(GROUPS(GROUP("g", USER("u"))) RULE_LIST(
			"g", IN("g"),
			RULE("no-alarm",
			     "<notification-name>alarm"
			     "</notification-name>",
			     "deny") RULE("audit",
					  "<notification-name>audit"
					  "</notification-name>" OPS("read"),
					  "permit")
				RULE("no-b",
				     PATH("/nc-nacm-test:settings"
					  "/nc-nacm-test:peer"
					  "[nc-nacm-test:name"
					  "='b']"),
				     "deny"))));

	ck_assert(!receives(nacm, "u", ALARM));
	ck_assert(receives(nacm, "u", AUDIT));
	ck_assert(receives(nacm, "u", WENT_DOWN("a")));
	ck_assert(!receives(nacm, "u", WENT_DOWN("b")));
	ck_assert(receives(nacm, "v", ALARM));
	ck_assert(!receives(nacm, "v", AUDIT));
	ck_assert(receives(nacm, "v", WENT_DOWN("b")));
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_actions)
{
	struct ncd_nacm *nacm =
		load(NACM(GROUPS(GROUP("g", USER("u"))) RULE_LIST(
			"g", IN("g"),
			RULE("reset-b",
			     PATH("/nc-nacm-test:settings/"
				  "nc-nacm-test:peer[nc-nacm-test:"
				  "name='b']/nc-nacm-test:reset") OPS("exec"),
			     "deny") RULE("hide-c",
					  PATH("/nc-nacm-test:settings/"
					       "nc-nacm-test:peer[nc-nacm-"
					       "test:name='c']") OPS("read"),
					  "deny"))));

	ck_assert(runs(nacm, "u", RESET("a")));
	ck_assert(!runs(nacm, "u", RESET("b")));
	ck_assert(!runs(nacm, "u", RESET("c")));
	ck_assert(runs(nacm, "v", RESET("b")));
	ncd_nacm_free(nacm);

	/* path rules are for the data tree, not for a top-level rpc */
	nacm = load(NACM(GROUPS(GROUP("g", USER("u"))) RULE_LIST(
		"g", IN("g"), RULE("all", PATH("/"), "deny"))));
	ck_assert(runs(nacm, "u", RESTART));
	ck_assert(!runs(nacm, "u", RESET("a")));
	ck_reads(nacm, "u", TOP(NAME("a")), "");
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_create_update_and_delete_access)
{
	struct ncd_nacm *nacm =
		load(NACM(GROUPS(GROUP("g", USER("u"))) RULE_LIST(
			"g", IN("g"),
			RULE("update",
			     PATH("/nc-nacm-test:settings") OPS("update"),
			     "permit")
				RULE("peers",
				     PATH("/nc-nacm-test:settings/"
					  "nc-nacm-test:peer") OPS("create"),
				     "permit"))));
	const char *old = SETTINGS(
		"<mode>a</mode><locked>a</locked>" PEER("a", "<note>n</note>"));

	ck_writes(nacm, "u", old,
		  SETTINGS("<mode>b</mode><locked>b</locked>" PEER(
			  "a", "<note>m</note>") PEER("b", "<note>n</note>")));
	ck_refuses(nacm, "u", old,
		   SETTINGS("<mode>a</mode><locked>a</locked>"
			    "<secret>s</secret>" PEER("a", "<note>n</note>")),
		   "/nc-nacm-test:settings/secret");
	ck_refuses(nacm, "u", old, SETTINGS("<mode>a</mode><locked>a</locked>"),
		   "/nc-nacm-test:settings/peer[name='a']");
	ck_refuses(nacm, "u", old,
		   SETTINGS("<mode>a</mode><locked>a</locked>" PEER("a", "")),
		   "/nc-nacm-test:settings/peer[name='a']/note");
	ncd_nacm_free(nacm);

	nacm = load(NACM("<write-default>permit</write-default>"));
	ck_writes(nacm, "u", old, SETTINGS("<mode>b</mode><locked>a</locked>"));
	ck_refuses(nacm, "u", old,
		   SETTINGS("<mode>a</mode><locked>b</locked>" PEER(
			   "a", "<note>n</note>")),
		   "/nc-nacm-test:settings/locked");
	ck_refuses(nacm, "u", NULL, SETTINGS("<secret>s</secret>"),
		   "/nc-nacm-test:settings/secret");
	ck_refuses(nacm, "u", old, NULL, "/nc-nacm-test:settings/locked");
	ck_refuses(nacm, "u", NULL, NACM("<read-default>deny</read-default>"),
		   "/ietf-netconf-acm:nacm/read-default");
	ncd_nacm_free(nacm);
}
END_TEST

static void ck_refused_file(const char *content, const char *reason)
{
	char err[1024], *path;

	ck_assert_ptr_null(try_load(content, err, sizeof(err), &path));
	ck_assert_msg(strstr(err, path), "%s lacks the file name", err);
	ck_assert_msg(strstr(err, reason), "%s lacks %s", err, reason);
	free(path);
}

START_TEST(test_malformed_files_are_refused)
{
	char err[256];

	ck_refused_file(NACM("<enable-nacm>true</enable-nacm"), "invalid");
	ck_refused_file("<nacm xmlns=\"" NACM_NS "\">", "invalid");
	ck_refused_file(NACM("<read-default>maybe</read-default>"), "maybe");
	ck_refused_file(NACM("<colour>blue</colour>"), "colour");
	ck_refused_file(NACM("<denied-operations>1</denied-operations>"),
			"invalid");
	ck_refused_file(NACM(RULE_LIST("l", IN("*"), RULE("r", "", "maybe"))),
			"maybe");
	ck_refused_file(NACM(RULE_LIST("l", IN("*"), RULE("r", "", ""))),
			"invalid");
	/* XML needs the prefixes of a path declared */
	ck_refused_file(
		NACM(RULE_LIST("l", IN("*"),
			       RULE("r", "<path>/nc-test:top</path>", "deny"))),
		"invalid");
	ck_refused_file(TOP(NAME("a")), "nc-test:top is not");

	ck_assert_ptr_null(ncd_nacm_load(ctx, "/", err, sizeof(err)));
	ck_assert_msg(!strncmp(err, "/: ", 3), "%s", err);
}
END_TEST

START_TEST(test_groups_are_listed_within_the_buffer)
{
	struct ncd_nacm *nacm = load(NACM(GROUPS(
		GROUP("first", USER("u")) GROUP("second", USER("u"))
			GROUP("other", USER("v")) GROUP("third", USER("u")))));
	char small[12], none[1] = "x";

	ck_assert_str_eq(groups_of(nacm, "u"), "first, second, third");
	ck_assert_str_eq(ncd_nacm_groups(nacm, "u", small, sizeof(small)),
			 "first");
	ncd_nacm_groups(nacm, "u", none, 0);
	ck_assert_int_eq(none[0], 'x');
	ncd_nacm_free(nacm);
}
END_TEST

START_TEST(test_trees_without_operations)
{
	struct ncd_nacm *nacm = load("");
	struct lyd_node *tree = data(TOP(NAME("a")));

	ck_assert(!ncd_nacm_rpc_allowed(nacm, "u", NULL));
	ck_assert(!ncd_nacm_rpc_allowed(nacm, "u", tree));
	ck_assert(!ncd_nacm_notification_allowed(nacm, "u", NULL));
	ck_assert(!ncd_nacm_notification_allowed(nacm, "u", tree));
	ncd_nacm_filter_read(nacm, "u", &tree);
	ck_assert_ptr_nonnull(tree);
	lyd_free_all(tree);
	tree = NULL;
	ncd_nacm_filter_read(nacm, "u", &tree);
	ck_assert_ptr_null(tree);
	ck_assert(ncd_nacm_write_allowed(nacm, "u", NULL, NULL, NULL, 0));
	ncd_nacm_free(nacm);
}
END_TEST

struct worker {
	pthread_t thread;
	const struct ncd_nacm *nacm;
	const struct lyd_node *data, *old, *new;
	const char *readable;
	bool ok;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct lyd_node *copy;
	char *out, denied[256];
	int i;

	w->ok = true;
	for (i = 0; i < 100 && w->ok; i++) {
		copy = NULL;
		lyd_dup_siblings(w->data, NULL, LYD_DUP_RECURSIVE, &copy);
		ncd_nacm_filter_read(w->nacm, "carol", &copy);
		out = print(copy);
		w->ok = !strcmp(out, w->readable) &&
			ncd_nacm_write_allowed(w->nacm, "carol", w->old, w->new,
					       denied, sizeof(denied)) &&
			!ncd_nacm_write_allowed(w->nacm, "dave", w->old, w->new,
						denied, sizeof(denied));
		free(out);
		lyd_free_all(copy);
	}
	return NULL;
}

START_TEST(test_threads_share_the_rules)
{
	struct ncd_nacm *nacm = load(ITEM_RULES);
	struct lyd_node *items = data(ITEMS);
	struct lyd_node *new =
		data(TOP(NAME("a") ITEM("2", "y") ITEM("3", "z")));
	struct lyd_node *readable = data(TOP(NAME("a") ITEM("1", "x")));
	char *expected = print(readable);
	struct worker workers[4];
	size_t i;

	for (i = 0; i < 4; i++) {
		workers[i] = (struct worker){.nacm = nacm,
					     .data = items,
					     .old = items,
					     .new = new,
					     .readable = expected};
		ck_assert_int_eq(pthread_create(&workers[i].thread, NULL, work,
						&workers[i]),
				 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(workers[i].thread, NULL);
		ck_assert(workers[i].ok);
	}
	free(expected);
	lyd_free_all(readable);
	lyd_free_all(new);
	lyd_free_all(items);
	ncd_nacm_free(nacm);
}
END_TEST

/*
 * Random rule sets, checked against a plain model of RFC 8341: what
 * filter_read leaves is what the model lets the user read, and writes and
 * operations are allowed exactly when the model allows each change.
 */

#define NGROUPS 3
#define ALL_GROUPS (1U << NGROUPS)
#define NUSERS 4
#define MAX_LISTS 3
#define MAX_RULES 4

enum model_type { TYPE_ANY, TYPE_RPC, TYPE_NOTIFICATION, TYPE_PATH };

struct model_rule {
	const char *module; /* NULL: any */
	enum model_type type;
	const char *target; /* NULL: any */
	unsigned int access;
	bool permit;
};

struct model_list {
	unsigned int groups; /* bits of the groups, ALL_GROUPS for "*" */
	struct model_rule rules[MAX_RULES];
	size_t nrules;
};

struct model {
	bool enabled, read_permit, write_permit, exec_permit;
	unsigned int members[NUSERS]; /* bits of the groups of each user */
	struct model_list lists[MAX_LISTS];
	size_t nlists;
};

enum model_access {
	CREATE = 1,
	READ = 2,
	UPDATE = 4,
	DELETE = 8,
	EXEC = 16,
	ANY_ACCESS = 31,
};

static const char *const users[NUSERS] = {"u0", "u1", "u2", "u3"};
static const char *const access_names[] = {"create", "read", "update", "delete",
					   "exec"};
static const char *const modules[] = {"nc-test", "nc-nacm-test", "ietf-netconf",
				      "ietf-netconf-acm"};
static const char *const rpcs[] = {"restart", "wipe", "get-config",
				   "kill-session"};
static const char *const notifications[] = {"alarm", "audit"};
static const char *const paths[] = {
	"/",
	"/nc-test:top",
	"/nc-test:top/nc-test:name",
	"/nc-test:top/nc-test:item",
	"/nc-test:top/nc-test:item[nc-test:id='1']",
	"/nc-test:top/nc-test:item/nc-test:value",
	"/nc-test:top/nc-test:item/nc-test:id",
	"/nc-nacm-test:settings",
	"/nc-nacm-test:settings/nc-nacm-test:mode",
	"/nc-nacm-test:settings/nc-nacm-test:secret",
	"/nc-nacm-test:settings/nc-nacm-test:locked",
	"/nc-nacm-test:settings/nc-nacm-test:peer[nc-nacm-test:name='a']",
	"/nc-nacm-test:settings/nc-nacm-test:peer/nc-nacm-test:name",
	"/nc-nacm-test:settings/nc-nacm-test:peer/nc-nacm-test:note",
	"/nc-nacm-test:settings/nc-nacm-test:peer/nc-nacm-test:reset",
	"/nc-nacm-test:settings/nc-nacm-test:peer/nc-nacm-test:went-down",
	"/ietf-netconf-acm:nacm/ietf-netconf-acm:groups",
};

#define ELEMENTS(array) (sizeof(array) / sizeof((array)[0]))

static unsigned int seed;
static uint32_t random_state;

static uint32_t random_next(void)
{
	random_state ^= random_state << 13;
	random_state ^= random_state >> 17;
	random_state ^= random_state << 5;
	return random_state;
}

static unsigned int below(unsigned int n)
{
	return random_next() % n;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

struct text {
	char buf[16384];
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
add(struct text *text, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text->buf + text->len, sizeof(text->buf) - text->len, fmt,
		      ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < sizeof(text->buf) - text->len);
	text->len += n;
}

static void random_rule(struct model_rule *rule)
{
	size_t i;

	rule->module = chance(60) ? NULL : modules[below(ELEMENTS(modules))];
	rule->type = below(4);
	rule->target = NULL;
	if (rule->type == TYPE_RPC && chance(70))
		rule->target = rpcs[below(ELEMENTS(rpcs))];
	else if (rule->type == TYPE_NOTIFICATION && chance(70))
		rule->target = notifications[below(ELEMENTS(notifications))];
	else if (rule->type == TYPE_PATH)
		rule->target = paths[below(ELEMENTS(paths))];
	rule->access = ANY_ACCESS;
	if (chance(70)) {
		rule->access = 0;
		for (i = 0; i < ELEMENTS(access_names); i++)
			if (chance(40))
				rule->access |= 1U << i;
	}
	rule->permit = chance(50);
}

static void random_model(struct model *m)
{
	size_t i, j;

	memset(m, 0, sizeof(*m));
	m->enabled = !chance(10);
	m->read_permit = !chance(30);
	m->write_permit = chance(30);
	m->exec_permit = !chance(30);
	for (i = 0; i < NUSERS; i++)
		m->members[i] = chance(25) ? 0 : below(ALL_GROUPS);
	m->nlists = below(MAX_LISTS + 1);
	for (i = 0; i < m->nlists; i++) {
		m->lists[i].groups = below(2 * ALL_GROUPS);
		m->lists[i].nrules = below(MAX_RULES + 1);
		for (j = 0; j < m->lists[i].nrules; j++)
			random_rule(&m->lists[i].rules[j]);
	}
}

static void print_rule(struct text *t, const struct model_rule *rule, size_t n)
{
	static const char *const elements[] = {"", "rpc-name",
					       "notification-name", "path"};
	size_t i;

	add(t, "<rule><name>r%zu</name>", n);
	if (rule->module || chance(50))
		add(t, "<module-name>%s</module-name>",
		    rule->module ? rule->module : "*");
	if (rule->type == TYPE_PATH)
		add(t,
		    "<path xmlns:nc-test=\"urn:nc-test\" xmlns:nc-nacm-test="
		    "\"urn:nc-nacm-test\" xmlns:ietf-netconf-acm=\"" NACM_NS
		    "\">%s</path>",
		    rule->target);
	else if (rule->type != TYPE_ANY)
		add(t, "<%s>%s</%s>", elements[rule->type],
		    rule->target ? rule->target : "*", elements[rule->type]);
	if (rule->access != ANY_ACCESS) {
		add(t, "<access-operations>");
		for (i = 0; i < ELEMENTS(access_names); i++)
			if (rule->access & (1U << i))
				add(t, "%s ", access_names[i]);
		add(t, "</access-operations>");
	} else if (chance(50)) {
		add(t, "<access-operations>*</access-operations>");
	}
	add(t, "<action>%s</action></rule>", rule->permit ? "permit" : "deny");
}

static void print_model(struct text *t, const struct model *m)
{
	size_t i, j;

	add(t, "<nacm xmlns=\"" NACM_NS "\"><enable-nacm>%s</enable-nacm>",
	    m->enabled ? "true" : "false");
	add(t, "<read-default>%s</read-default>",
	    m->read_permit ? "permit" : "deny");
	add(t, "<write-default>%s</write-default>",
	    m->write_permit ? "permit" : "deny");
	add(t, "<exec-default>%s</exec-default><groups>",
	    m->exec_permit ? "permit" : "deny");
	for (i = 0; i < NGROUPS; i++) {
		add(t, "<group><name>g%zu</name>", i);
		for (j = 0; j < NUSERS; j++)
			if (m->members[j] & (1U << i))
				add(t, "<user-name>%s</user-name>", users[j]);
		add(t, "</group>");
	}
	add(t, "</groups>");
	for (i = 0; i < m->nlists; i++) {
		add(t, "<rule-list><name>l%zu</name>", i);
		for (j = 0; j < NGROUPS; j++)
			if (m->lists[i].groups & (1U << j))
				add(t, "<group>g%zu</group>", j);
		if (m->lists[i].groups & ALL_GROUPS)
			add(t, "<group>*</group>");
		for (j = 0; j < m->lists[i].nrules; j++)
			print_rule(t, &m->lists[i].rules[j], j);
		add(t, "</rule-list>");
	}
	add(t, "</nacm>");
}

static void random_data(struct text *t, bool with_nacm)
{
	static const char *const values[] = {"x", "y"};
	size_t i;

	if (chance(80)) {
		add(t, "<top xmlns=\"urn:nc-test\">");
		if (chance(50))
			add(t, "<name>%s</name>", values[below(2)]);
		for (i = 1; i <= 3; i++) {
			if (!chance(50))
				continue;
			add(t, "<item><id>%zu</id>", i);
			if (chance(70))
				add(t, "<value>%s</value>", values[below(2)]);
			add(t, "</item>");
		}
		add(t, "</top>");
	}
	if (chance(80)) {
		add(t, "<settings xmlns=\"urn:nc-nacm-test\">");
		if (chance(50))
			add(t, "<mode>%s</mode>", values[below(2)]);
		if (chance(50))
			add(t, "<secret>%s</secret>", values[below(2)]);
		if (chance(50))
			add(t, "<locked>%s</locked>", values[below(2)]);
		for (i = 0; i < 2; i++)
			if (chance(50))
				add(t, "<peer><name>%c</name>%s</peer>",
				    'a' + (int)i,
				    chance(50) ? "" : "<note>n</note>");
		add(t, "</settings>");
	}
	if (with_nacm && chance(30))
		add(t,
		    "<nacm xmlns=\"" NACM_NS
		    "\"><read-default>%s"
		    "</read-default></nacm>",
		    chance(50) ? "deny" : "permit");
}

/* The model's parts: RFC 8341 3.4.4 steps 4 to 12 for one node */

static bool model_selects(const char *path, const struct lyd_node *node)
{
	struct ly_set *set;
	bool selected = false;

	if (!strcmp(path, "/"))
		return true;
	ck_assert_int_eq(lyd_find_xpath(node, path, &set), LY_SUCCESS);
	for (; node && !selected; node = lyd_parent(node))
		selected = ly_set_contains(set, node, NULL);
	ly_set_free(set, NULL);
	return selected;
}

static bool model_rule_matches(const struct model_rule *rule,
			       const struct lyd_node *node, unsigned int access)
{
	const struct lysc_node *s = node->schema;
	bool top_rpc = s->nodetype == LYS_RPC;
	bool top_notif = s->nodetype == LYS_NOTIF && !lyd_parent(node);

	if (!(rule->access & access) ||
	    (rule->module && strcmp(rule->module, s->module->name)))
		return false;
	switch (rule->type) {
	case TYPE_ANY:
		return true;
	case TYPE_RPC:
		return top_rpc &&
		       (!rule->target || !strcmp(rule->target, s->name));
	case TYPE_NOTIFICATION:
		return top_notif &&
		       (!rule->target || !strcmp(rule->target, s->name));
	case TYPE_PATH:
		return !top_rpc && !top_notif &&
		       model_selects(rule->target, node);
	}
	return false;
}

/* Whether the data path of node lies under prefix */
static bool under(const struct lyd_node *node, const char *prefix)
{
	char *path = lyd_path(node, LYD_PATH_STD, NULL, 0);
	size_t len = strlen(prefix);
	bool inside = !strncmp(path, prefix, len) &&
		      (!path[len] || path[len] == '/' || path[len] == '[');

	free(path);
	return inside;
}

/* The nodes nc-nacm-test.yang and RFC 8341 mark default-deny-* */
static bool model_schema_denies(const struct lyd_node *node,
				unsigned int access)
{
	const char *name = node->schema->name;

	if (node->schema->nodetype & (LYS_RPC | LYS_NOTIF))
		return !strcmp(name, "kill-session") ||
		       !strcmp(name, "delete-config") ||
		       !strcmp(name, "wipe") || !strcmp(name, "audit");
	if (under(node, "/ietf-netconf-acm:nacm") ||
	    under(node, "/nc-nacm-test:settings/secret"))
		return true;
	return access != READ && access != EXEC &&
	       under(node, "/nc-nacm-test:settings/locked");
}

static bool model_allows(const struct model *m, size_t user,
			 const struct lyd_node *node, unsigned int access)
{
	const struct model_list *list;
	size_t i, j;

	if (!m->enabled)
		return true;
	for (i = 0; m->members[user] && i < m->nlists; i++) {
		list = &m->lists[i];
		if (!(list->groups & (m->members[user] | ALL_GROUPS)))
			continue;
		for (j = 0; j < list->nrules; j++)
			if (model_rule_matches(&list->rules[j], node, access))
				return list->rules[j].permit;
	}
	if (model_schema_denies(node, access))
		return false;
	if (access == READ)
		return m->read_permit;
	if (access == EXEC)
		return m->exec_permit;
	return m->write_permit;
}

static void model_filter(const struct model *m, size_t user,
			 struct lyd_node *first, struct ly_set *unreadable)
{
	struct lyd_node *node;

	LY_LIST_FOR (first, node) {
		if (lysc_is_key(node->schema))
			continue;
		if (!model_allows(m, user, node, READ))
			ly_set_add(unreadable, node, true, NULL);
		else
			model_filter(m, user, lyd_child(node), unreadable);
	}
}

static char *model_read(const struct model *m, size_t user,
			const struct lyd_node *tree)
{
	struct lyd_node *copy = NULL;
	struct ly_set *unreadable;
	char *out;
	uint32_t i;

	if (tree)
		ck_assert_int_eq(
			lyd_dup_siblings(tree, NULL, LYD_DUP_RECURSIVE, &copy),
			LY_SUCCESS);
	ly_set_new(&unreadable);
	model_filter(m, user, copy, unreadable);
	for (i = 0; i < unreadable->count; i++) {
		if (unreadable->dnodes[i] == copy)
			copy = copy->next;
		lyd_free_tree(unreadable->dnodes[i]);
	}
	ly_set_free(unreadable, NULL);
	out = print(copy);
	lyd_free_all(copy);
	return out;
}

static struct lyd_node *find(const struct lyd_node *tree, const char *path)
{
	struct lyd_node *match = NULL;

	if (!tree || lyd_find_path(tree, path, false, &match) != LY_SUCCESS)
		return NULL;
	return match;
}

/*
 * The changes from the nodes of one tree: those missing in the other are
 * created (or deleted), leaves with another value there are updated.
 * Returns whether all are allowed; the paths refused go to refused.
 */
static bool model_changes(const struct model *m, size_t user,
			  const struct lyd_node *tree,
			  const struct lyd_node *other, unsigned int missing,
			  struct ly_set *refused)
{
	const struct lyd_node *top, *node, *match;
	unsigned int access;
	bool allowed = true;
	char *path;

	LY_LIST_FOR (tree, top) {
		LYD_TREE_DFS_BEGIN (top, node) {
			path = lyd_path(node, LYD_PATH_STD, NULL, 0);
			match = find(other, path);
			access = 0;
			if (!match)
				access = missing;
			else if (missing == CREATE &&
				 node->schema->nodetype == LYS_LEAF &&
				 strcmp(lyd_get_value(node),
					lyd_get_value(match)))
				access = UPDATE;
			if (access && !lysc_is_key(node->schema) &&
			    !lysc_is_np_cont(node->schema) &&
			    !model_allows(m, user, node, access)) {
				allowed = false;
				ly_set_add(refused, path, true, NULL);
			} else {
				free(path);
			}
			LYD_TREE_DFS_END(top, node);
		}
	}
	return allowed;
}

static void ck_random_write(const struct model *m, size_t user,
			    const struct ncd_nacm *nacm, const char *config,
			    const char *old_xml, const char *new_xml)
{
	struct lyd_node *old = data(old_xml), *new = data(new_xml);
	struct ly_set *refused;
	char denied[512];
	bool expected, allowed, listed = false;
	uint32_t i;

	ly_set_new(&refused);
	expected = model_changes(m, user, new, old, CREATE, refused);
	expected =
		model_changes(m, user, old, new, DELETE, refused) && expected;
	allowed = ncd_nacm_write_allowed(nacm, users[user], old, new, denied,
					 sizeof(denied));
	for (i = 0; i < refused->count; i++)
		listed = listed || !strcmp(refused->objs[i], denied);
	ck_assert_msg(allowed == expected && (allowed || listed),
		      "seed %u: %s from %s to %s: %s (%s), expected %s\n"
		      "rules: %s",
		      seed, users[user], old_xml, new_xml,
		      allowed ? "allowed" : "refused", denied,
		      expected ? "allowed" : "refused", config);
	ly_set_free(refused, free);
	lyd_free_all(old);
	lyd_free_all(new);
}

static void ck_random_read(const struct model *m, size_t user,
			   const struct ncd_nacm *nacm, const char *config,
			   const char *xml)
{
	struct lyd_node *tree = data(xml);
	char *expected = model_read(m, user, tree), *actual;

	ncd_nacm_filter_read(nacm, users[user], &tree);
	actual = print(tree);
	ck_assert_msg(!strcmp(actual, expected),
		      "seed %u: %s reads %s\nas %s\nexpected %s\nrules: %s",
		      seed, users[user], xml, actual, expected, config);
	free(actual);
	free(expected);
	lyd_free_all(tree);
}

static const struct lyd_node *find_op(const struct lyd_node *node)
{
	const struct lyd_node *child, *found;

	if (node->schema->nodetype & (LYS_RPC | LYS_ACTION | LYS_NOTIF))
		return node;
	LY_LIST_FOR (lyd_child(node), child) {
		found = find_op(child);
		if (found)
			return found;
	}
	return NULL;
}

static bool model_op_allowed(const struct model *m, size_t user,
			     const struct lyd_node *op)
{
	bool notif = op->schema->nodetype == LYS_NOTIF;
	const struct lyd_node *parent;

	if (!m->enabled || !strcmp(op->schema->name, "close-session"))
		return true;
	if (!model_allows(m, user, op, notif ? READ : EXEC))
		return false;
	for (parent = lyd_parent(op); parent; parent = lyd_parent(parent))
		if (!model_allows(m, user, parent, READ))
			return false;
	return true;
}

static void ck_random_operations(const struct model *m, size_t user,
				 const struct ncd_nacm *nacm,
				 const char *config)
{
	static const char *const rpc_xml[] = {
		GET_CONFIG, KILL_SESSION, DELETE_CONFIG, CLOSE_SESSION,
		RESTART,    WIPE,	  RESET("a"),	 RESET("b")};
	static const char *const notif_xml[] = {ALARM, AUDIT, WENT_DOWN("a"),
						WENT_DOWN("b")};
	struct lyd_node *tree;
	bool expected, allowed;
	size_t i;

	for (i = 0; i < ELEMENTS(rpc_xml) + ELEMENTS(notif_xml); i++) {
		if (i < ELEMENTS(rpc_xml)) {
			tree = operation(rpc_xml[i], LYD_TYPE_RPC_YANG);
			allowed = ncd_nacm_rpc_allowed(nacm, users[user], tree);
		} else {
			tree = operation(notif_xml[i - ELEMENTS(rpc_xml)],
					 LYD_TYPE_NOTIF_YANG);
			allowed = ncd_nacm_notification_allowed(
				nacm, users[user], tree);
		}
		expected = model_op_allowed(m, user, find_op(tree));
		ck_assert_msg(allowed == expected,
			      "seed %u: %s %s %s, expected otherwise\n"
			      "rules: %s",
			      seed, users[user],
			      allowed ? "may use" : "may not use",
			      find_op(tree)->schema->name, config);
		lyd_free_all(tree);
	}
}

static void ck_random_rule_set(void)
{
	struct model m;
	struct text config = {}, read = {}, old = {}, new = {};
	struct ncd_nacm *nacm;
	size_t user;

	random_model(&m);
	print_model(&config, &m);
	nacm = load(config.buf);
	random_data(&read, true);
	random_data(&old, true);
	random_data(&new, true);
	for (user = 0; user < NUSERS; user++) {
		ck_random_read(&m, user, nacm, config.buf, read.buf);
		ck_random_operations(&m, user, nacm, config.buf);
		ck_random_write(&m, user, nacm, config.buf, old.buf, new.buf);
		ck_random_write(&m, user, nacm, config.buf, old.buf, old.buf);
	}
	ncd_nacm_free(nacm);
}

START_TEST(test_random_rule_sets)
{
	const char *env = getenv("NCD_NACM_SEED");
	int i;

	seed = env ? strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	random_state = seed ? seed : 1;
	for (i = 0; i < 300; i++)
		ck_random_rule_set();
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("ncd_nacm");
	TCase *tc = tcase_create("nacm");
	TCase *random = tcase_create("random");
	SRunner *runner;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults_without_a_file);
	tcase_add_test(tc, test_defaults_from_an_empty_file);
	tcase_add_test(tc, test_a_read_write_group);
	tcase_add_test(tc, test_a_read_only_user_among_rules);
	tcase_add_test(tc, test_path_rules_for_a_subtree);
	tcase_add_test(tc, test_module_name_rules);
	tcase_add_test(tc, test_the_first_matching_rule_wins);
	tcase_add_test(tc, test_rule_lists_for_all_groups);
	tcase_add_test(tc, test_nacm_disabled);
	tcase_add_test(tc, test_read_default_deny);
	tcase_add_test(tc, test_notifications);
	tcase_add_test(tc, test_actions);
	tcase_add_test(tc, test_create_update_and_delete_access);
	tcase_add_test(tc, test_malformed_files_are_refused);
	tcase_add_test(tc, test_groups_are_listed_within_the_buffer);
	tcase_add_test(tc, test_trees_without_operations);
	tcase_add_test(tc, test_threads_share_the_rules);
	suite_add_tcase(suite, tc);
	tcase_add_checked_fixture(random, setup, teardown);
	tcase_set_timeout(random, 300);
	tcase_add_test(random, test_random_rule_sets);
	suite_add_tcase(suite, random);
	runner = srunner_create(suite);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
