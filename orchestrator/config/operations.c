/*
 * operations: the verb table and what each verb needs from config.json. Needs are named
 * by JSON path so that a problem reads exactly like the key the user has to edit; the
 * paths map to model fields through one small table below.
 */
#include "config/operations.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const needs_run_migration[] = {
    "infrastructure[R].flywayTask.taskDefinitionFamily",
    "infrastructure[R].flywayTask.taskCluster",
    "infrastructure[R].flywayTask.taskSubnets",
    "infrastructure[R].flywayTask.taskSecurityGroups",
    NULL,
};
static const char *const needs_create_snapshot[] = {
    "infrastructure[R].auroraDB.dbClusterName",
    NULL,
};
static const char *const needs_restore_snapshot[] = {
    "infrastructure[R].auroraDB.dbClusterName",
    "infrastructure[R].auroraDB.dbSubnetGroup",
    "infrastructure[R].auroraDB.vpcSecurityGroups",
    NULL,
};
static const char *const needs_terraform[] = {
    "infrastructure[R].terraformBucket",
    NULL,
};
static const char *const needs_build_image[] = {
    "dockerRegistry",
    "dockerOwner",
    "dockerRepo",
    NULL,
};
static const char *const needs_nothing[] = {NULL};

static const config_operation operations[] = {
    {"run-migration", "run_migration", "apply the migrations of a branch (ECS task)",
     OP_REGION | OP_BRANCH, needs_run_migration},
    {"create-snapshot", "create_snapshot", "snapshot the Aurora cluster", OP_REGION | OP_SNAPSHOT,
     needs_create_snapshot},
    {"restore-snapshot", "restore_snapshot", "restore the Aurora cluster from a snapshot",
     OP_REGION | OP_SNAPSHOT, needs_restore_snapshot,
     "the cluster is replaced by one restored from the snapshot: every change since the "
     "snapshot is lost, and the old cluster is deleted (after a final snapshot)"},
    {"generate-markdown", "generate_markdown", "regenerate the schema docs in README.md", 0,
     needs_nothing},
    {"deploy-infrastructure", "deploy_infrastructure", "terraform apply one folder",
     OP_REGION | OP_FOLDER, needs_terraform},
    {"destroy-infrastructure", "destroy_infrastructure", "terraform destroy one folder",
     OP_REGION | OP_FOLDER, needs_terraform,
     "terraform destroy deletes every resource of the folder in that region"},
    {"build-image", "build_image", "build and push the migration image", 0, needs_build_image},
    {"compare-databases", "compare_databases",
     "compare two databases table by table (ECS task: db compare)",
     OP_REGION | OP_SOURCE | OP_TARGET, needs_run_migration},
};

const config_operation *config_operations(size_t *n)
{
	*n = sizeof operations / sizeof *operations;
	return operations;
}

const config_operation *config_operation_find(const char *name)
{
	for (size_t i = 0; i < sizeof operations / sizeof *operations; i++)
		if (strcmp(name, operations[i].verb) == 0 || strcmp(name, operations[i].alias) == 0)
			return &operations[i];
	return NULL;
}

const char *config_operation_key_name(unsigned bit)
{
	switch (bit) {
	case OP_REGION: return "region";
	case OP_BRANCH: return "branch";
	case OP_SNAPSHOT: return "snapshot";
	case OP_FOLDER: return "folder";
	case OP_SOURCE: return "source";
	case OP_TARGET: return "target";
	}
	return NULL;
}

/* JSON path (region part written as "R") -> model field. */
static const struct {
	const char *path;
	int in_region;
	size_t offset;
} values[] = {
    {"githubOwner", 0, offsetof(config, github_owner)},
    {"githubRepo", 0, offsetof(config, github_repo)},
    {"dockerRegistry", 0, offsetof(config, docker_registry)},
    {"dockerOwner", 0, offsetof(config, docker_owner)},
    {"dockerRepo", 0, offsetof(config, docker_repo)},
    {"flywayVersion", 0, offsetof(config, flyway_version)},
    {"infrastructure[R].terraformBucket", 1, offsetof(config_region, terraform_bucket)},
    {"infrastructure[R].auroraDB.dbClusterName", 1, offsetof(config_region, db_cluster_name)},
    {"infrastructure[R].auroraDB.dbSubnetGroup", 1, offsetof(config_region, db_subnet_group)},
    {"infrastructure[R].auroraDB.vpcSecurityGroups", 1,
     offsetof(config_region, db_security_groups)},
    {"infrastructure[R].flywayTask.taskDefinitionFamily", 1, offsetof(config_region, task_family)},
    {"infrastructure[R].flywayTask.taskCluster", 1, offsetof(config_region, task_cluster)},
    {"infrastructure[R].flywayTask.taskSubnets", 1, offsetof(config_region, task_subnets)},
    {"infrastructure[R].flywayTask.taskSecurityGroups", 1,
     offsetof(config_region, task_security_groups)},
    {"infrastructure[R].bastion.privateKeyBucket", 1, offsetof(config_region, bastion_key_bucket)},
};

static const char *value_at(const config *c, const config_region *r, const char *path)
{
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		if (strcmp(values[i].path, path) != 0)
			continue;
		const void *base = values[i].in_region ? (const void *)r : (const void *)c;
		return base ? *(char *const *)((const char *)base + values[i].offset) : NULL;
	}
	return NULL;
}

static void check_one(const config *c, const config_region *r, const char *path, const char *verb,
                      config_problems *p, size_t *added)
{
	const char *v = value_at(c, r, path);
	if (!config_is_unset(v))
		return;
	buf shown = BUF_INIT;
	buf_puts(&shown, path);
	if (r) {
		char *quoted = xasprintf("[\"%s\"]", r->name);
		buf_replace_all(&shown, "[R]", quoted);
		free(quoted);
	}
	config_problem_add(p, "%s: still %s%s%s, and %s needs a real value (set it in %s)",
	                   buf_cstr(&shown), v && *v ? "\"" : "", v && *v ? v : "empty",
	                   v && *v ? "\"" : "", verb, c->path ? c->path : CONFIG_DEFAULT_PATH);
	buf_free(&shown);
	(*added)++;
}

size_t config_operation_check(const config *c, const config_operation *op, const char *region,
                              int for_dispatch, config_problems *p)
{
	size_t added = 0;
	const char *verb = for_dispatch ? "trigger_workflow" : op->verb;
	if (for_dispatch) {
		check_one(c, NULL, "githubOwner", verb, p, &added);
		check_one(c, NULL, "githubRepo", verb, p, &added);
	}
	for (const char *const *need = op->needs; *need; need++) {
		int in_region = strncmp(*need, "infrastructure[R]", 17) == 0;
		if (!in_region) {
			check_one(c, NULL, *need, op->verb, p, &added);
			continue;
		}
		for (size_t i = 0; i < c->nregions; i++)
			if (!region || strcmp(region, c->regions[i].name) == 0)
				check_one(c, &c->regions[i], *need, op->verb, p, &added);
	}
	return added;
}

size_t config_operation_unset_all(const config *c, config_problems *p)
{
	size_t nops, added = 0;
	const config_operation *ops = config_operations(&nops);
	/* Every path any operation needs, once, with the operations that need it. */
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		const char *path = values[i].path;
		buf users = BUF_INIT;
		if (strcmp(path, "githubOwner") == 0 || strcmp(path, "githubRepo") == 0)
			buf_puts(&users, "trigger_workflow");
		for (size_t k = 0; k < nops; k++)
			for (const char *const *need = ops[k].needs; *need; need++)
				if (strcmp(*need, path) == 0)
					buf_printf(&users, "%s%s", users.len ? ", " : "",
					           ops[k].verb);
		if (!users.len && strcmp(path, "infrastructure[R].bastion.privateKeyBucket") == 0)
			buf_puts(&users, "bastion access");
		if (!users.len) {
			buf_free(&users);
			continue;
		}
		size_t nr = values[i].in_region ? c->nregions : 1;
		for (size_t r = 0; r < nr; r++) {
			const config_region *reg = values[i].in_region ? &c->regions[r] : NULL;
			if (!config_is_unset(value_at(c, reg, path)))
				continue;
			buf shown = BUF_INIT;
			buf_puts(&shown, path);
			if (reg) {
				char *quoted = xasprintf("[\"%s\"]", reg->name);
				buf_replace_all(&shown, "[R]", quoted);
				free(quoted);
			}
			config_problem_add(p, "%s: still CHANGE ME; set it before %s",
			                   buf_cstr(&shown), buf_cstr(&users));
			buf_free(&shown);
			added++;
		}
		buf_free(&users);
	}
	return added;
}
