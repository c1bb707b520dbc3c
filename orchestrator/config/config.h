/*
 * config: config.json as the template defines it (shared/design/config.md), loaded into
 * a typed model with the template's defaults.
 *
 * Loading checks every key against one table of known keys (config.c), so that all
 * problems are reported at once, each with its JSON path and the fix, and an unknown
 * key gets a did-you-mean. Values are never taken from anywhere but this file: a
 * workflow payload names a region, config.json says what that region is.
 */
#ifndef ORC_CONFIG_H
#define ORC_CONFIG_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

#define CONFIG_CHANGE_ME "CHANGE ME"
#define CONFIG_DEFAULT_PATH "config.json"

typedef struct config_region {
	char *name; /* the key under "infrastructure": the AWS region */
	char *terraform_bucket;
	/* auroraDB */
	char *db_cluster_name;
	char *db_subnet_group;
	char *db_security_groups;                /* comma-separated names */
	double v1_min_capacity, v1_max_capacity; /* 0 when absent */
	double v2_min_capacity, v2_max_capacity; /* 0 when absent */
	/* flywayTask */
	char *task_family;
	char *task_launch_type; /* FARGATE or EC2 */
	char *task_cluster;
	char *task_subnets;         /* comma-separated Name tags or subnet-... IDs */
	char *task_security_groups; /* comma-separated names or sg-... IDs */
	int task_public_ip;
	char **task_command; /* flywayTask.taskCommand, NULL when absent; {branch} unexpanded */
	size_t task_command_len;
	/* bastion */
	char *bastion_host_name;
	char *bastion_key_bucket;
	char *bastion_key_path;
} config_region;

typedef struct config {
	char *path;
	char *flyway_version;
	char *github_owner;
	char *github_repo;
	char *gitbot_email;
	char *gitbot_name;
	char *github_token_name;
	char *docker_registry;
	char *docker_owner;
	char *docker_repo;
	config_region *regions; /* in file order */
	size_t nregions;
	/* lint.rules: a severity ("off", "warning", "error") per lint rule id, in file order */
	struct config_lint_rule {
		char *rule, *severity;
	} * lint_rules;
	size_t n_lint_rules, lint_rules_cap;
} config;

/* Problems found while loading, one line each: "<json path>: <what> (<fix>)". */
typedef struct config_problems {
	char **lines;
	size_t n, cap;
} config_problems;

/*
 * Loads and checks path. Returns 0 with *out set, or ORC_EUSAGE with every problem in
 * problems (when non-NULL) and a one-line summary in e. A missing file is ORC_EUSAGE
 * naming the path and `--config`.
 */
int config_load(const char *path, config **out, config_problems *problems, err *e);
void config_free(config *c);
void config_problems_free(config_problems *p);
/* Adds a problem line to p (the one way problems are collected). */
void config_problem_add(config_problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints each problem as one error line "path: problem" (a file annotation in Actions). */
void config_problems_print(const char *path, const config_problems *p);

const config_region *config_region_find(const config *c, const char *name);

/* A comma-separated config value split into trimmed, non-empty items (heap array of heap
 * strings, NULL-terminated); *n gets the count. */
char **config_split_list(const char *value, size_t *n);
void config_free_list(char **items);

/* True when name looks like an AWS region ("us-west-2", "us-gov-west-1"). */
int config_region_name_ok(const char *name);

/* True when the value still says CHANGE ME (or is empty). */
int config_is_unset(const char *value);

#endif
