/* infra_check: config.json against infrastructure/<component>/var-files/<region>.tfvars.
 * Runs from the project root (tests/run does): the shipped config.json and infrastructure/
 * must agree; changed copies in temp directories must be reported with both places. */
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "config/infra_check.h"
#include "core/buf.h"
#include "core/fs.h"

static char *tmp;

static void write_file(const char *rel, const char *text)
{
	char *path = fs_join(tmp, rel);
	for (char *p = path + strlen(tmp) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0700);
			*p = '/';
		}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* config.json of the project with one substitution */
static config *load_config_with(const char *from, const char *to)
{
	buf text = BUF_INIT;
	err e = ERR_INIT;
	assert_int_equal(fs_read_file("config.json", &text, &e), 0);
	if (from)
		buf_replace_all(&text, from, to);
	write_file("config.json", buf_cstr(&text));
	buf_free(&text);
	char *path = fs_join(tmp, "config.json");
	config *c = NULL;
	config_problems p = {0};
	int rc = config_load(path, &c, &p, &e);
	if (rc)
		fail_msg("config_load: %s", e.msg);
	config_problems_free(&p);
	free(path);
	return c;
}

static int setup(void **state)
{
	(void)state;
	err e = ERR_INIT;
	return fs_mkdtemp("infra-check", &tmp, &e);
}

static int teardown(void **state)
{
	(void)state;
	fs_remove_tree(tmp);
	free(tmp);
	tmp = NULL;
	return 0;
}

static int has_line(const config_problems *p, const char *a, const char *b)
{
	for (size_t i = 0; i < p->n; i++)
		if (strstr(p->lines[i], a) && (!b || strstr(p->lines[i], b)))
			return 1;
	return 0;
}

static void dump(const config_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		print_message("# %s\n", p->lines[i]);
}

static void test_shipped_files_agree(void **state)
{
	(void)state;
	config *c = NULL;
	config_problems p = {0};
	err e = ERR_INIT;
	assert_int_equal(config_load("config.json", &c, &p, &e), 0);
	int rc = config_check_infrastructure(c, ".", &p, &e);
	dump(&p);
	assert_int_equal(rc, 0);
	assert_int_equal(p.n, 0);
	config_problems_free(&p);
	config_free(c);
}

static void test_changed_cluster_name_reported_in_both_places(void **state)
{
	(void)state;
	config *c = load_config_with("\"auroradb-cluster\"", "\"orders-db\"");
	config_problems p = {0};
	err e = ERR_INIT;
	int rc = config_check_infrastructure(c, ".", &p, &e);
	dump(&p);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_int_equal(p.n, 4); /* aurora-db, iam, migration-task, migration-service */
	assert_true(
	    has_line(&p,
	             "infrastructure/aurora-db/var-files/us-west-2.tfvars:4: cluster_name = "
	             "\"auroradb-cluster\" but ",
	             "config.json: infrastructure[\"us-west-2\"].auroraDB.dbClusterName = "
	             "\"orders-db\""));
	assert_true(
	    has_line(&p, "infrastructure/iam/var-files/us-west-2.tfvars:", "db_cluster_name"));
	assert_true(has_line(
	    &p, "infrastructure/migration-task/var-files/us-west-2.tfvars:", "db_cluster_name"));
	assert_non_null(strstr(e.msg, "disagree in 4 places"));
	config_problems_free(&p);
	config_free(c);
}

static void test_each_name_checked(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to, *file, *key;
	} cases[] = {
	    {"\"auroradb-subnet-group\"", "\"other-subnets\"", "aurora-db/",
	     "auroraDB.dbSubnetGroup"},
	    {"\"flyway-migration-family\"", "\"fam\"", "migration-task/",
	     "flywayTask.taskDefinitionFamily"},
	    {"\"ecs-cluster\"", "\"jobs\"", "ecs-cluster/", "flywayTask.taskCluster"},
	    {"\"flyway-fargate-sg,auroradb-sg\"", "\"flyway-fargate-sg\"", "aurora-db/",
	     "flywayTask.taskSecurityGroups"},
	    {"\"auroradb-sg\"", "\"db-sg\"", "bastion/", "auroraDB.vpcSecurityGroups"},
	    {"\"FARGATE\"", "\"EC2\"", "migration-task/", "flywayTask.taskLaunchType"},
	    {"\"dockerRegistry\": \"ghcr.io\"", "\"dockerRegistry\": \"quay.io\"",
	     "migration-task/", "dockerRegistry"},
	    {"\"githubRepo\": \"CHANGE ME\"", "\"githubRepo\": \"db\"", "migration-task/",
	     "repository_url"},
	    {"\"bastion-host\"", "\"jump\"", "bastion/", "bastion.bastionHostName"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		config *c = load_config_with(cases[i].from, cases[i].to);
		config_problems p = {0};
		err e = ERR_INIT;
		int rc = config_check_infrastructure(c, ".", &p, &e);
		if (rc != ORC_EUSAGE || !has_line(&p, cases[i].file, cases[i].key)) {
			dump(&p);
			fail_msg("%s -> %s: no problem naming %s and %s", cases[i].from,
			         cases[i].to, cases[i].file, cases[i].key);
		}
		config_problems_free(&p);
		config_free(c);
	}
}

static void test_tfvars_faults(void **state)
{
	(void)state;
	config *c = load_config_with(NULL, NULL);
	/* a repository of our own: iam and migration-task disagree on the log group, aurora-db
	 * has no var-file for the region, ecs-cluster's cannot be read, bastion is absent */
	write_file("infrastructure/iam/var-files/us-west-2.tfvars",
	           "region = \"us-west-2\"\nlog_group_name = \"/ecs/a\"\n"
	           "repository_token_secret_name = \"repo-token\"\n");
	write_file("infrastructure/migration-task/var-files/us-west-2.tfvars",
	           "region = \"us-east-1\"\n\nlog_group_name = \"/ecs/b\"\n");
	write_file("infrastructure/aurora-db/var-files/eu-west-1.tfvars",
	           "region = \"eu-west-1\"\n");
	write_file("infrastructure/ecs-cluster/var-files/us-west-2.tfvars",
	           "cluster_name = <<EOF\necs-cluster\nEOF\n");
	config_problems p = {0};
	err e = ERR_INIT;
	int rc = config_check_infrastructure(c, tmp, &p, &e);
	dump(&p);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_true(has_line(&p,
	                     "infrastructure/migration-task/var-files/us-west-2.tfvars:3: "
	                     "log_group_name = \"/ecs/b\" but "
	                     "infrastructure/iam/var-files/us-west-2.tfvars:2: log_group_name = "
	                     "\"/ecs/a\"",
	                     NULL));
	assert_true(has_line(
	    &p,
	    "migration-task/var-files/us-west-2.tfvars: repository_token_secret_name not set but ",
	    "repository_token_secret_name = \"repo-token\""));
	assert_true(
	    has_line(&p, "infrastructure/aurora-db/var-files/us-west-2.tfvars: missing", NULL));
	assert_true(has_line(
	    &p, "infrastructure/ecs-cluster/var-files/us-west-2.tfvars:1: cluster_name: heredoc",
	    NULL));
	char *abs_infra = fs_join(tmp, "infrastructure");
	assert_false(has_line(&p, abs_infra, NULL)); /* named from the repository root */
	free(abs_infra);
	assert_true(
	    has_line(&p,
	             "migration-task/var-files/us-west-2.tfvars:1: region = \"us-east-1\" in "
	             "the file of region us-west-2",
	             NULL));
	assert_false(has_line(&p, "bastion", NULL));
	config_problems_free(&p);

	/* no infrastructure/ at all */
	char *empty = fs_join(tmp, "empty");
	mkdir(empty, 0700);
	rc = config_check_infrastructure(c, empty, &p, &e);
	assert_int_equal(rc, ORC_EUSAGE);
	assert_non_null(strstr(e.msg, "infrastructure: no such directory"));
	free(empty);
	config_free(c);
}

/* The component table matches the folders of infrastructure/ (examples/ holds no component). */
static void test_components_are_the_folders(void **state)
{
	(void)state;
	size_t n = 0;
	for (const char *const *c = infra_components; *c; c++, n++) {
		char *dir = fs_join("infrastructure", *c);
		if (!fs_is_dir(dir))
			fail_msg(
			    "infra_components names %s, which is not a folder of infrastructure/",
			    *c);
		free(dir);
	}
	FILE *p = popen(
	    "find infrastructure -mindepth 1 -maxdepth 1 -type d ! -name examples | wc -l", "r");
	assert_non_null(p);
	size_t folders = 0;
	assert_int_equal(fscanf(p, "%zu", &folders), 1);
	pclose(p);
	assert_int_equal(folders, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_components_are_the_folders),
	    cmocka_unit_test_setup_teardown(test_shipped_files_agree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_changed_cluster_name_reported_in_both_places,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_each_name_checked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tfvars_faults, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
