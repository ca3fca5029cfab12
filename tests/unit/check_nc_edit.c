// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of NETCONF <edit-config> and filter semantics on libyang
 * trees (frr-module/nc_edit.c, nc_filter.c).
 */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "nc_edit.h"
#include "nc_filter.h"
#include "repeated_key.h"

#define NC "xmlns:nc=\"urn:ietf:params:xml:ns:netconf:base:1.0\""
#define TOP(body) "<top xmlns=\"urn:nc-test\" " NC ">" body "</top>"

static struct ly_ctx *ctx;

static void setup(void)
{
	const char *features[] = {"*", NULL};

	ck_assert_int_eq(ly_ctx_new(NC_TEST_YANG_DIR, 0, &ctx), LY_SUCCESS);
	ly_ctx_set_searchdir(ctx, NC_YANG_DIR);
	ck_assert_ptr_nonnull(
		ly_ctx_load_module(ctx, "ietf-netconf", NULL, features));
	ck_assert_ptr_nonnull(ly_ctx_load_module(ctx, "nc-test", NULL, NULL));
}

static void teardown(void)
{
	ly_ctx_destroy(ctx);
}

static struct lyd_node *parse(const char *xml)
{
	struct lyd_node *tree = NULL;

	ck_assert_msg(lyd_parse_data_mem(ctx, xml, LYD_XML,
					 LYD_PARSE_ONLY | LYD_PARSE_STRICT, 0,
					 &tree) == LY_SUCCESS,
		      "%s: %s", xml, ly_errmsg(ctx));
	return tree;
}

/* A validated configuration: defaults in place, as FRR keeps it. */
static struct lyd_node *config(const char *xml)
{
	struct lyd_node *tree = parse(xml);

	ck_assert_int_eq(
		lyd_validate_all(&tree, ctx, LYD_VALIDATE_PRESENT, NULL),
		LY_SUCCESS);
	return tree;
}

static enum nc_edit_status edit(struct lyd_node **tree, const char *xml,
				enum nc_edit_op default_op,
				struct nc_edit_error *err)
{
	struct lyd_node *changes = parse(xml);
	enum nc_edit_status status;

	status = nc_edit_apply(tree, changes, default_op, err);
	lyd_free_all(changes);
	return status;
}

static const char *value(struct lyd_node *tree, const char *path)
{
	struct lyd_node *node = NULL;

	if (!tree || lyd_find_path(tree, path, 0, &node))
		return NULL;
	return lyd_get_value(node);
}

static bool exists(struct lyd_node *tree, const char *path)
{
	struct ly_set *set;
	bool found;

	if (!tree)
		return false;
	ck_assert_int_eq(lyd_find_xpath(tree, path, &set), LY_SUCCESS);
	found = set->count > 0;
	ly_set_free(set, NULL);
	return found;
}

START_TEST(test_merge_creates_and_changes)
{
	struct lyd_node *tree = NULL;
	struct nc_edit_error err;

	ck_assert_int_eq(
		edit(&tree, TOP("<name>a</name>"), NC_EDIT_MERGE, &err),
		NC_EDIT_OK);
	ck_assert_str_eq(value(tree, "/nc-test:top/name"), "a");
	ck_assert_int_eq(edit(&tree,
			      TOP("<name>b</name><item><id>1</id>"
				  "<value>x</value></item>"),
			      NC_EDIT_MERGE, &err),
			 NC_EDIT_OK);
	ck_assert_str_eq(value(tree, "/nc-test:top/name"), "b");
	ck_assert_str_eq(value(tree, "/nc-test:top/item[id='1']/value"), "x");
	lyd_free_all(tree);
}
END_TEST

START_TEST(test_create_refuses_what_exists_but_not_a_default)
{
	struct lyd_node *tree = config(TOP("<name>a</name>"));
	struct nc_edit_error err;

	ck_assert_int_eq(edit(&tree,
			      TOP("<name nc:operation=\"create\">b</name>"),
			      NC_EDIT_MERGE, &err),
			 NC_EDIT_DATA_EXISTS);
	ck_assert_str_eq(err.path, "/nc-test:top/name");
	ck_assert_int_eq(edit(&tree,
			      TOP("<count nc:operation=\"create\">5</count>"),
			      NC_EDIT_MERGE, &err),
			 NC_EDIT_OK);
	ck_assert_str_eq(value(tree, "/nc-test:top/count"), "5");
	lyd_free_all(tree);
}
END_TEST

START_TEST(test_delete_needs_the_data_and_remove_does_not)
{
	struct lyd_node *tree =
		config(TOP("<item><id>1</id><value>x</value></item>"));
	struct nc_edit_error err;
	const char *del =
		TOP("<item nc:operation=\"delete\"><id>1</id></item>");

	ck_assert_int_eq(edit(&tree, del, NC_EDIT_MERGE, &err), NC_EDIT_OK);
	ck_assert(!exists(tree, "/nc-test:top/item"));
	ck_assert_int_eq(edit(&tree, del, NC_EDIT_MERGE, &err),
			 NC_EDIT_DATA_MISSING);
	ck_assert_str_eq(err.path, "/nc-test:top/item[id='1']");
	ck_assert_int_eq(
		edit(&tree,
		     TOP("<item nc:operation=\"remove\"><id>1</id>"
			 "</item><count nc:operation=\"delete\">1</count>"),
		     NC_EDIT_MERGE, &err),
		NC_EDIT_DATA_MISSING);
	lyd_free_all(tree);
}
END_TEST

START_TEST(test_replace_drops_what_the_edit_leaves_out)
{
	struct lyd_node *tree =
		config(TOP("<name>a</name><item><id>1</id><value>x</value>"
			   "</item>"));
	struct nc_edit_error err;

	ck_assert_int_eq(edit(&tree,
			      TOP("<item nc:operation=\"replace\"><id>1</id>"
				  "</item>"),
			      NC_EDIT_MERGE, &err),
			 NC_EDIT_OK);
	ck_assert(exists(tree, "/nc-test:top/item[id='1']"));
	ck_assert(!exists(tree, "/nc-test:top/item/value"));
	ck_assert_str_eq(value(tree, "/nc-test:top/name"), "a");
	lyd_free_all(tree);
}
END_TEST

START_TEST(test_default_operation_none_changes_only_what_is_marked)
{
	struct lyd_node *tree = config(TOP("<name>a</name>"));
	struct nc_edit_error err;

	ck_assert_int_eq(edit(&tree,
			      TOP("<name>ignored</name><item nc:operation="
				  "\"merge\"><id>2</id></item>"),
			      NC_EDIT_NONE, &err),
			 NC_EDIT_OK);
	ck_assert_str_eq(value(tree, "/nc-test:top/name"), "a");
	ck_assert(exists(tree, "/nc-test:top/item[id='2']"));
	lyd_free_all(tree);
}
END_TEST

static char *selected(const char *config_xml, const char *filter_xml)
{
	struct lyd_node *tree = config(config_xml), *filter = NULL;
	char errmsg[256] = "", *xpath, *out = NULL;

	if (filter_xml)
		lyd_parse_data_mem(ctx, filter_xml, LYD_XML,
				   LYD_PARSE_ONLY | LYD_PARSE_OPAQ, 0, &filter);
	xpath = nc_filter_subtree_xpath(ctx, filter, errmsg, sizeof(errmsg));
	ck_assert_msg(xpath, "%s", errmsg);
	ck_assert_msg(nc_filter_select(&tree, xpath, errmsg, sizeof(errmsg)),
		      "%s: %s", xpath, errmsg);
	if (tree)
		lyd_print_mem(&out, tree, LYD_XML,
			      LYD_PRINT_SHRINK | LYD_PRINT_WITHSIBLINGS |
				      LYD_PRINT_WD_EXPLICIT);
	free(xpath);
	lyd_free_all(filter);
	lyd_free_all(tree);
	return out ? out : strdup("");
}

START_TEST(test_subtree_filters_select_and_match_content)
{
	const char *cfg =
		TOP("<name>a</name><item><id>1</id><value>x</value></item>"
		    "<item><id>2</id><value>y</value></item>");
	char *out;

	out = selected(cfg, TOP("<item><id>2</id></item>"));
	ck_assert_ptr_nonnull(strstr(out, "<value>y</value>"));
	ck_assert_ptr_null(strstr(out, "<value>x</value>"));
	ck_assert_ptr_null(strstr(out, "<name>"));
	free(out);

	out = selected(cfg, TOP("<name/>"));
	ck_assert_ptr_nonnull(strstr(out, "<name>a</name>"));
	ck_assert_ptr_null(strstr(out, "<item>"));
	free(out);

	out = selected(cfg, "<top xmlns=\"urn:unknown\"/>");
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

/* RFC 6241, section 6.2.3: an empty container selects all below it. */
START_TEST(test_an_empty_container_selects_everything_below_it)
{
	const char *cfg = TOP("<name>a</name><item><id>1</id></item>");
	char *out = selected(cfg, "<top xmlns=\"urn:nc-test\"/>");

	ck_assert_ptr_nonnull(strstr(out, "<name>a</name>"));
	ck_assert_ptr_nonnull(strstr(out, "<id>1</id>"));
	free(out);
}
END_TEST

START_TEST(test_xpath_filters_keep_ancestors)
{
	struct lyd_node *tree = config(
		TOP("<name>a</name><item><id>1</id><value>x</value></item>"));
	char errmsg[256] = "", *out = NULL;

	ck_assert(nc_filter_select(&tree, "/nc-test:top/item/value", errmsg,
				   sizeof(errmsg)));
	lyd_print_mem(&out, tree, LYD_XML, LYD_PRINT_SHRINK);
	ck_assert_ptr_nonnull(strstr(out, "<id>1</id><value>x</value>"));
	ck_assert_ptr_null(strstr(out, "<name>"));
	free(out);
	ck_assert(!nc_filter_select(&tree, "/nc-test:top[", errmsg,
				    sizeof(errmsg)));
	ck_assert(errmsg[0]);
	lyd_free_all(tree);
}
END_TEST

/* The path of the duplicate nc_edit_find_duplicate() finds, "" if none. */
static const char *duplicate_in(const char *xml)
{
	static char path[256];
	struct lyd_node *tree = parse(xml);
	const struct lyd_node *dup = nc_edit_find_duplicate(tree);

	path[0] = '\0';
	if (dup)
		lyd_path(dup, LYD_PATH_STD, path, sizeof(path));
	lyd_free_all(tree);
	return path;
}

START_TEST(test_a_repeated_node_is_found_before_it_is_applied)
{
	ck_assert_str_eq(duplicate_in(TOP("<name>a</name><item><id>1</id>"
					  "</item><item><id>2</id></item>")),
			 "");
	ck_assert_str_eq(duplicate_in(TOP("<name>a</name><name>b</name>")),
			 "/nc-test:top/name");
	ck_assert_str_eq(duplicate_in(TOP("<item><id>1</id><value>x</value>"
					  "</item><item><id>1</id></item>")),
			 "/nc-test:top/item[id='1']");
	/* libyang 3 read past the keys of such an entry when it sorted
	 * another in beside it (fuzz seed 813896735); with that other entry
	 * in the same message already its parser does */
	ck_assert_str_eq(duplicate_in(TOP("<item><id>1</id><id>1</id></item>")),
			 "/nc-test:top/item[id='1'][id='1']/id");
	ck_assert_str_eq(duplicate_in(TOP("<item><id>1</id><value>x</value>"
					  "<value>y</value></item>")),
			 "/nc-test:top/item[id='1']/value");
}
END_TEST

/* What repeated_key_screen() says of xml, "" if nothing. */
static const char *repeated_key_in(const char *xml)
{
	static char msg[128];
	struct ly_ctx *schemaless;

	ck_assert_int_eq(ly_ctx_new(NULL, LY_CTX_NO_YANGLIBRARY, &schemaless),
			 LY_SUCCESS);
	if (!repeated_key_screen(ctx, schemaless, xml, msg, sizeof(msg)))
		msg[0] = '\0';
	ly_ctx_destroy(schemaless);
	return msg;
}

START_TEST(test_a_repeated_key_is_found_without_the_schema_parser)
{
	const char *found = "the list entry \"item\" repeats its key \"id\"";

	ck_assert_str_eq(repeated_key_in(TOP("<item><id>1</id><value>x</value>"
					     "<value>y</value></item>")),
			 "");
	ck_assert_str_eq(repeated_key_in(TOP("<item><id>1</id><id>1</id>"
					     "</item>")),
			 found);
	ck_assert_str_eq(
		repeated_key_in(
			"<rpc xmlns=\"urn:ietf:params:xml:ns:netconf:"
			"base:1.0\"><edit-config><config>" TOP(
				"<item><id>2</id></item><item><id>1"
				"</id><id>2</id></item>") "</config>"
							  "</edit-config></rpc>"),
		found);
	/* left to the parser with the schema */
	ck_assert_str_eq(repeated_key_in("<top xmlns=\"urn:nc-test\"><item>"),
			 "");
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("nc_edit");
	TCase *tc = tcase_create("edit");
	SRunner *runner;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_merge_creates_and_changes);
	tcase_add_test(tc, test_create_refuses_what_exists_but_not_a_default);
	tcase_add_test(tc, test_delete_needs_the_data_and_remove_does_not);
	tcase_add_test(tc, test_replace_drops_what_the_edit_leaves_out);
	tcase_add_test(tc,
		       test_default_operation_none_changes_only_what_is_marked);
	tcase_add_test(tc, test_subtree_filters_select_and_match_content);
	tcase_add_test(tc, test_an_empty_container_selects_everything_below_it);
	tcase_add_test(tc, test_xpath_filters_keep_ancestors);
	tcase_add_test(tc, test_a_repeated_node_is_found_before_it_is_applied);
	tcase_add_test(tc,
		       test_a_repeated_key_is_found_without_the_schema_parser);
	suite_add_tcase(suite, tc);
	runner = srunner_create(suite);
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
