/*
 * infra_check: one table of rules says which tfvars variable of which component must agree
 * with which config.json key (or with which variable of another component), and how:
 * equal, a member of a comma-separated config list, or the repository a git URL names.
 * A walk over the regions applies every rule whose both sides are present; adding a name
 * that must agree is one line in the table.
 */
#include "config/infra_check.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/tfvars.h"
#include "core/buf.h"
#include "core/fs.h"

const char *const infra_components[] = {"aurora-db",         "ecs-cluster", "iam", "migration-task",
                                        "migration-service", "bastion",     NULL};
#define NCOMP 6

enum how {
	SAME,       /* equal strings */
	SAME_ICASE, /* equal ignoring case: RDS stores identifiers lowercase */
	MEMBER,     /* the tfvars name is one of the config list's items */
	REPO_URL,   /* the git URL names githubOwner/githubRepo */
};

enum side { REGION, TOP };

struct rule {
	const char *component;
	const char *var;
	enum how how;
	enum side side;
	size_t offset;   /* of the char * in config_region or config */
	const char *key; /* JSON path after infrastructure["R"]. or from the top */
	const char *why; /* the fix, or why it matters */
};

#define R(m) REGION, offsetof(config_region, m)
#define T(m) TOP, offsetof(config, m)

static const struct rule rules[] = {
    {"aurora-db", "cluster_name", SAME_ICASE, R(db_cluster_name), "auroraDB.dbClusterName",
     "orchestrator would snapshot and restore another cluster than Terraform creates"},
    {"aurora-db", "db_subnet_group_name", SAME_ICASE, R(db_subnet_group), "auroraDB.dbSubnetGroup",
     "a restore would use another subnet group"},
    {"aurora-db", "security_group_name", MEMBER, R(db_security_groups),
     "auroraDB.vpcSecurityGroups", "a restored cluster would lose its security group"},
    {"aurora-db", "security_group_name", MEMBER, R(task_security_groups),
     "flywayTask.taskSecurityGroups",
     "the cluster admits only members of its group: the task must join it"},
    {"ecs-cluster", "cluster_name", SAME, R(task_cluster), "flywayTask.taskCluster",
     "run-task would start the task in another cluster"},
    {"iam", "db_cluster_name", SAME_ICASE, R(db_cluster_name), "auroraDB.dbClusterName",
     "the workflow role may snapshot and restore only this cluster"},
    {"iam", "db_subnet_group_name", SAME_ICASE, R(db_subnet_group), "auroraDB.dbSubnetGroup",
     "the workflow role may restore only into this subnet group"},
    {"iam", "ecs_cluster_name", SAME, R(task_cluster), "flywayTask.taskCluster",
     "the workflow role may run the task only in this cluster"},
    {"iam", "task_family", SAME, R(task_family), "flywayTask.taskDefinitionFamily",
     "the workflow role may run only this family"},
    {"iam", "github_owner", SAME, T(github_owner), "githubOwner",
     "only this repository's workflows may assume the roles"},
    {"iam", "github_repo", SAME, T(github_repo), "githubRepo",
     "only this repository's workflows may assume the roles"},
    {"migration-task", "task_family", SAME, R(task_family), "flywayTask.taskDefinitionFamily",
     "run-task would start a family Terraform does not create"},
    {"migration-task", "launch_type", SAME, R(task_launch_type), "flywayTask.taskLaunchType",
     "RunTask refuses a launch type the task definition is not compatible with"},
    {"migration-task", "db_cluster_name", SAME_ICASE, R(db_cluster_name), "auroraDB.dbClusterName",
     "the task would read another cluster's master secret"},
    {"migration-task", "security_group_name", MEMBER, R(task_security_groups),
     "flywayTask.taskSecurityGroups", "run-task would not attach the task's own group"},
    {"migration-task", "docker_registry", SAME, T(docker_registry), "dockerRegistry",
     "the task would run an image build-image does not push"},
    {"migration-task", "docker_owner", SAME, T(docker_owner), "dockerOwner",
     "the task would run an image build-image does not push"},
    {"migration-task", "docker_repo", SAME, T(docker_repo), "dockerRepo",
     "the task would run an image build-image does not push"},
    {"migration-task", "repository_url", REPO_URL, T(github_owner), "githubOwner/githubRepo",
     "the task would clone another repository"},
    {"migration-service", "ecs_cluster_name", SAME, R(task_cluster), "flywayTask.taskCluster",
     "the service would be placed in a cluster Terraform does not create"},
    {"migration-service", "db_cluster_name", SAME_ICASE, R(db_cluster_name),
     "auroraDB.dbClusterName", "the service would migrate another cluster"},
    {"migration-service", "db_security_group_name", MEMBER, R(db_security_groups),
     "auroraDB.vpcSecurityGroups", "the service would not reach the cluster"},
    {"migration-service", "docker_registry", SAME, T(docker_registry), "dockerRegistry",
     "the service would run an image build-image does not push"},
    {"migration-service", "docker_owner", SAME, T(docker_owner), "dockerOwner",
     "the service would run an image build-image does not push"},
    {"migration-service", "docker_repo", SAME, T(docker_repo), "dockerRepo",
     "the service would run an image build-image does not push"},
    {"bastion", "bastion_host_name", SAME, R(bastion_host_name), "bastion.bastionHostName",
     "the bastion would not be found under its configured name"},
    {"bastion", "private_key_bucket", SAME, R(bastion_key_bucket), "bastion.privateKeyBucket",
     "the bastion's key would be written where nobody looks"},
    {"bastion", "private_key_path", SAME, R(bastion_key_path), "bastion.privateKeyPath",
     "the bastion's key would be written where nobody looks"},
    {"bastion", "db_security_group_name", MEMBER, R(db_security_groups),
     "auroraDB.vpcSecurityGroups", "the bastion would not reach the cluster"},
};

/* Names two components must share. */
struct pair {
	const char *a_component, *a_var, *b_component, *b_var;
	const char *why;
};

static const struct pair pairs[] = {
    {"migration-task", "log_group_name", "iam", "log_group_name",
     "the workflow role could not read the task's log lines"},
    {"migration-task", "task_role_name", "iam", "task_role_name",
     "the task would run with a role iam does not create"},
    {"migration-task", "execution_role_name", "iam", "execution_role_name",
     "the task would run with a role iam does not create"},
    {"migration-task", "repository_token_secret_name", "iam", "repository_token_secret_name",
     "the task role could not read the repository token"},
    {"migration-task", "repository_deploy_key_secret_name", "iam",
     "repository_deploy_key_secret_name", "the task role could not read the deploy key"},
};

struct ctx {
	const config *c;
	const config_region *r;
	config_problems *out;
	const char *cfg; /* config.json as given */
	tfvars *tf[NCOMP];
	char *rel[NCOMP]; /* infrastructure/<component>/var-files/<region>.tfvars */
};

static int comp_index(const char *name)
{
	for (int i = 0; infra_components[i]; i++)
		if (!strcmp(infra_components[i], name))
			return i;
	return -1;
}

/* The string value of var in component i, NULL when the file or the variable is absent
 * or null; a non-string value is reported once and also gives NULL. */
static const char *tf_string(struct ctx *x, int i, const char *var, const tfvars_entry **en)
{
	*en = x->tf[i] ? tfvars_get(x->tf[i], var) : NULL;
	if (!*en || (*en)->kind == TFVARS_NULL)
		return NULL;
	if ((*en)->kind != TFVARS_STRING)
		return NULL;
	return (*en)->value;
}

/* "R", the tail of a git URL with ".git" and slashes trimmed: "owner/repo". */
static int url_names_repo(const char *url, const char *owner, const char *repo)
{
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	if (n >= 4 && !strncmp(url + n - 4, ".git", 4))
		n -= 4;
	buf want = BUF_INIT;
	buf_printf(&want, "%s/%s", owner, repo);
	int ok = 0;
	if (n >= want.len && !strncasecmp(url + n - want.len, want.ptr, want.len)) {
		/* the owner must start a path segment: after '/' or ':' (scp-like SSH URLs) */
		size_t at = n - want.len;
		ok = at > 0 && (url[at - 1] == '/' || url[at - 1] == ':');
	}
	buf_free(&want);
	return ok;
}

static int is_member(const char *list, const char *name)
{
	size_t n = 0;
	char **items = config_split_list(list, &n);
	int found = 0;
	for (size_t i = 0; i < n && !found; i++)
		found = !strcmp(items[i], name);
	config_free_list(items);
	return found;
}

static void apply_rule(struct ctx *x, const struct rule *ru)
{
	int i = comp_index(ru->component);
	const tfvars_entry *en;
	const char *tv = tf_string(x, i, ru->var, &en);
	if (!en)
		return; /* not set: the variable's default applies, or the file is reported */
	if (!tv) {
		if (en->kind != TFVARS_NULL)
			config_problem_add(x->out,
			                   "%s:%d: %s: expected a string (config.json %s is one)",
			                   x->rel[i], en->line, ru->var, ru->key);
		return;
	}
	const void *base = ru->side == REGION ? (const void *)x->r : (const void *)x->c;
	const char *cv = *(char *const *)((const char *)base + ru->offset);
	if (!cv)
		cv = "";
	buf key = BUF_INIT;
	if (ru->side == REGION)
		buf_printf(&key, "infrastructure[\"%s\"].%s", x->r->name, ru->key);
	else
		buf_puts(&key, ru->key);

	switch (ru->how) {
	case SAME:
	case SAME_ICASE:
		if (ru->how == SAME ? strcmp(tv, cv) : strcasecmp(tv, cv))
			config_problem_add(
			    x->out,
			    "%s:%d: %s = \"%s\" but %s: %s = \"%s\" (%s: make them the same, then "
			    "deploy %s)",
			    x->rel[i], en->line, ru->var, tv, x->cfg, key.ptr, cv, ru->why,
			    ru->component);
		break;
	case MEMBER:
		if (!is_member(cv, tv))
			config_problem_add(
			    x->out,
			    "%s:%d: %s = \"%s\" is not among %s: %s = \"%s\" (%s: add it there or "
			    "rename it here)",
			    x->rel[i], en->line, ru->var, tv, x->cfg, key.ptr, cv, ru->why);
		break;
	case REPO_URL: {
		const char *owner = x->c->github_owner ? x->c->github_owner : "";
		const char *repo = x->c->github_repo ? x->c->github_repo : "";
		if (!url_names_repo(tv, owner, repo))
			config_problem_add(
			    x->out,
			    "%s:%d: %s = \"%s\" does not name %s: githubOwner/githubRepo = "
			    "\"%s/%s\" (%s: write https://github.com/%s/%s.git or its SSH form)",
			    x->rel[i], en->line, ru->var, tv, x->cfg, owner, repo, ru->why, owner,
			    repo);
		break;
	}
	}
	buf_free(&key);
}

/* "<file>:<line>: <var> = "<value>"", or "<file>: <var> not set" */
static void describe(buf *out, const char *file, const char *var, const tfvars_entry *en,
                     const char *value)
{
	if (!en)
		buf_printf(out, "%s: %s not set", file, var);
	else if (!value)
		buf_printf(out, "%s:%d: %s = null", file, en->line, var);
	else
		buf_printf(out, "%s:%d: %s = \"%s\"", file, en->line, var, value);
}

static void apply_pair(struct ctx *x, const struct pair *p)
{
	int a = comp_index(p->a_component), b = comp_index(p->b_component);
	if (!x->tf[a] || !x->tf[b])
		return;
	const tfvars_entry *ea, *eb;
	const char *va = tf_string(x, a, p->a_var, &ea);
	const char *vb = tf_string(x, b, p->b_var, &eb);
	if (!ea && !eb)
		return;
	if (va && vb && !strcmp(va, vb))
		return;
	if (!va && !vb)
		return; /* both null or absent */
	buf sa = BUF_INIT, sb = BUF_INIT;
	describe(&sa, x->rel[a], p->a_var, ea, va);
	describe(&sb, x->rel[b], p->b_var, eb, vb);
	config_problem_add(x->out, "%s but %s (%s: make them the same)", sa.ptr, sb.ptr, p->why);
	buf_free(&sa);
	buf_free(&sb);
}

/* Reads path, naming it rel in messages. */
static int load(const char *path, const char *rel, tfvars **out, err *e)
{
	buf text = BUF_INIT;
	int rc = fs_read_file(path, &text, e);
	if (!rc)
		rc = tfvars_parse(rel, buf_cstr(&text), text.len, out, e);
	buf_free(&text);
	return rc;
}

static void check_region(const config *c, const config_region *r, const char *repo_root,
                         config_problems *out)
{
	struct ctx x = {c, r, out, c->path ? c->path : CONFIG_DEFAULT_PATH, {NULL}, {NULL}};
	for (int i = 0; infra_components[i]; i++) {
		buf rel = BUF_INIT;
		buf_printf(&rel, "infrastructure/%s", infra_components[i]);
		char *dir = fs_join(repo_root, rel.ptr);
		buf_printf(&rel, "/var-files/%s.tfvars", r->name);
		x.rel[i] = buf_detach(&rel);
		if (fs_is_dir(dir)) {
			char *file = fs_join(repo_root, x.rel[i]);
			err e = ERR_INIT;
			if (!fs_exists(file))
				config_problem_add(
				    out,
				    "%s: missing, but %s has region %s (copy another region's file "
				    "and "
				    "set its names to those of infrastructure[\"%s\"])",
				    x.rel[i], x.cfg, r->name, r->name);
			else if (load(file, x.rel[i], &x.tf[i], &e))
				config_problem_add(out, "%s", e.msg);
			free(file);
		}
		free(dir);
		if (x.tf[i]) {
			const tfvars_entry *en = tfvars_get(x.tf[i], "region");
			if (en && (en->kind != TFVARS_STRING || strcmp(en->value, r->name)))
				config_problem_add(
				    out,
				    "%s:%d: region = %s%s%s in the file of region %s (set region = "
				    "\"%s\")",
				    x.rel[i], en->line, en->kind == TFVARS_STRING ? "\"" : "",
				    en->value ? en->value : "[...]",
				    en->kind == TFVARS_STRING ? "\"" : "", r->name, r->name);
		}
	}
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		apply_rule(&x, &rules[i]);
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		apply_pair(&x, &pairs[i]);
	for (int i = 0; i < NCOMP; i++) {
		tfvars_free(x.tf[i]);
		free(x.rel[i]);
	}
}

int config_check_infrastructure(const config *c, const char *repo_root, config_problems *out,
                                err *e)
{
	char *infra = fs_join(repo_root, "infrastructure");
	int present = fs_is_dir(infra);
	free(infra);
	if (!present)
		return err_set(
		    e, ORC_EUSAGE,
		    "%s/infrastructure: no such directory (run from the repository root, "
		    "or give --config of the repository's config.json)",
		    repo_root);
	size_t before = out->n;
	for (size_t i = 0; i < c->nregions; i++)
		check_region(c, &c->regions[i], repo_root, out);
	size_t found = out->n - before;
	if (found)
		return err_set(
		    e, ORC_EUSAGE,
		    "%s and infrastructure/ disagree in %zu place%s (each listed above): "
		    "make both say the same, then deploy the component",
		    c->path ? c->path : CONFIG_DEFAULT_PATH, found, found == 1 ? "" : "s");
	return 0;
}
