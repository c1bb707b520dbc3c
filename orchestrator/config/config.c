/*
 * config: one table per JSON object describes its keys (type, default, where the value
 * goes in the model, what to write instead). A single walk over the document checks the
 * keys that are there against the table and fills the model; keys absent from the file
 * take the template's defaults. Every problem is collected, none stops the walk.
 */
#include "config/config.h"

#include <cjson/cJSON.h>
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/log.h"
#include "core/opt.h"
#include "lint/lint.h"

/* K_NOTE: accepted and checked for type, not kept (the editor's "$schema" reference). */
/* K_LINT_RULES: lint.rules, an object of lint rule id -> "off" | "warning" | "error". */
enum kind { K_STRING, K_LIST, K_BOOL, K_ARGV, K_OBJECT, K_NOTE, K_NUMBER, K_LINT_RULES };

struct field {
	const char *key;
	enum kind kind;
	size_t offset;           /* into config or config_region */
	const char *def;         /* default for strings; "true"/"false" for bools */
	const struct field *sub; /* K_OBJECT: its keys, ending with a NULL key */
	const char *expect;      /* what a valid value looks like, for messages */
};

#define RF(member) offsetof(config_region, member)
#define CF(member) offsetof(config, member)

static const struct field aurora_fields[] = {
    {"dbClusterName", K_STRING, RF(db_cluster_name), "auroradb-cluster", NULL,
     "a string naming the Aurora cluster identifier"},
    {"dbSubnetGroup", K_STRING, RF(db_subnet_group), "auroradb-subnet-group", NULL,
     "a string naming the DB subnet group"},
    {"vpcSecurityGroups", K_LIST, RF(db_security_groups), "auroradb-sg", NULL,
     "a comma-separated string of security group names"},
    /* Capacity of a restored cluster (snapshot restore); absent: RDS's defaults. */
    {"serverlessV1MinCapacity", K_NUMBER, RF(v1_min_capacity), "0", NULL,
     "a number of Aurora capacity units (Serverless v1)"},
    {"serverlessV1MaxCapacity", K_NUMBER, RF(v1_max_capacity), "0", NULL,
     "a number of Aurora capacity units (Serverless v1)"},
    {"serverlessV2MinCapacity", K_NUMBER, RF(v2_min_capacity), "0", NULL,
     "a number of Aurora capacity units (Serverless v2, 0 to 256 in steps of 0.5)"},
    {"serverlessV2MaxCapacity", K_NUMBER, RF(v2_max_capacity), "0", NULL,
     "a number of Aurora capacity units (Serverless v2, 1 to 256 in steps of 0.5)"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const struct field task_fields[] = {
    {"taskDefinitionFamily", K_STRING, RF(task_family), "flyway-migration-family", NULL,
     "a string naming the ECS task definition family"},
    {"taskLaunchType", K_STRING, RF(task_launch_type), "FARGATE", NULL, "\"FARGATE\" or \"EC2\""},
    {"taskCluster", K_STRING, RF(task_cluster), "ecs-cluster", NULL,
     "a string naming the ECS cluster"},
    {"taskSubnets", K_LIST, RF(task_subnets),
     "default-us-west-2a,default-us-west-2b,default-us-west-2c", NULL,
     "a comma-separated string of subnet names"},
    {"taskSecurityGroups", K_LIST, RF(task_security_groups), "flyway-fargate-sg,auroradb-sg", NULL,
     "a comma-separated string of security group names"},
    {"isPublicSubnet", K_BOOL, RF(task_public_ip), "true", NULL, "true or false"},
    {"taskCommand", K_ARGV, RF(task_command), NULL, NULL,
     "an array of strings, the container command, with {branch} for the branch"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const struct field bastion_fields[] = {
    {"bastionHostName", K_STRING, RF(bastion_host_name), "bastion-host", NULL,
     "a string naming the bastion EC2 instance"},
    {"privateKeyBucket", K_STRING, RF(bastion_key_bucket), CONFIG_CHANGE_ME, NULL,
     "a string naming the S3 bucket of the bastion key"},
    {"privateKeyPath", K_STRING, RF(bastion_key_path), "private/bastion-host-key", NULL,
     "a string with the key's path in that bucket"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const struct field region_fields[] = {
    {"terraformBucket", K_STRING, RF(terraform_bucket), CONFIG_CHANGE_ME, NULL,
     "a string naming the S3 bucket of the Terraform state"},
    {"auroraDB", K_OBJECT, 0, NULL, aurora_fields, "an object"},
    {"flywayTask", K_OBJECT, 0, NULL, task_fields, "an object"},
    {"bastion", K_OBJECT, 0, NULL, bastion_fields, "an object"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const struct field lint_fields[] = {
    {"rules", K_LINT_RULES, 0, NULL, NULL,
     "an object mapping lint rule ids to \"off\", \"warning\" or \"error\""},
    {NULL, 0, 0, NULL, NULL, NULL},
};

static const struct field top_fields[] = {
    {"$schema", K_NOTE, 0, NULL, NULL, "a string naming the JSON Schema (config.schema.json)"},
    {"flywayVersion", K_STRING, CF(flyway_version), "0.0.0", NULL,
     "a string with the migration image tag"},
    {"githubOwner", K_STRING, CF(github_owner), CONFIG_CHANGE_ME, NULL,
     "a string naming the GitHub user or organization"},
    {"githubRepo", K_STRING, CF(github_repo), CONFIG_CHANGE_ME, NULL,
     "a string naming the repository, without owner"},
    {"gitbotEmail", K_STRING, CF(gitbot_email), "aurora.gitbot@example.com", NULL,
     "a string with the e-mail of automated commits"},
    {"gitbotName", K_STRING, CF(gitbot_name), "aurora-gitbot", NULL,
     "a string with the name of automated commits"},
    {"githubTokenName", K_STRING, CF(github_token_name), "GITHUB_AURORA_ACTIONS_TOKEN", NULL,
     "a string naming the environment variable that holds the token"},
    {"dockerRegistry", K_STRING, CF(docker_registry), "ghcr.io", NULL,
     "a string with the registry host"},
    {"dockerOwner", K_STRING, CF(docker_owner), CONFIG_CHANGE_ME, NULL,
     "a string naming the registry owner"},
    {"dockerRepo", K_STRING, CF(docker_repo), CONFIG_CHANGE_ME, NULL,
     "a string with the repository path in the registry"},
    {"infrastructure", K_OBJECT, 0, NULL, NULL, "an object with one key per AWS region"},
    {"lint", K_OBJECT, 0, NULL, lint_fields, "an object"},
    {NULL, 0, 0, NULL, NULL, NULL},
};

void config_problem_add(config_problems *p, const char *fmt, ...)
{
	buf line = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	ARRAY_GROW(p->lines, p->n + 1, p->cap);
	p->lines[p->n++] = buf_detach(&line);
}

static const char *closest_key(const struct field *fields, const char *key)
{
	size_t n = 0;
	while (fields[n].key)
		n++;
	const char **names = xcalloc(n + 1, sizeof *names);
	for (size_t i = 0; i < n; i++)
		names[i] = fields[i].key;
	const char *best = opt_suggest(key, names, n);
	free(names);
	return best;
}

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "an invalid value";
}

static char **slot_str(void *base, size_t off)
{
	return (char **)((char *)base + off);
}

static void apply_defaults(void *base, const struct field *fields)
{
	for (const struct field *f = fields; f->key; f++) {
		if (f->kind == K_STRING || f->kind == K_LIST) {
			if (!*slot_str(base, f->offset))
				*slot_str(base, f->offset) = xstrdup(f->def);
		} else if (f->kind == K_OBJECT && f->sub) {
			apply_defaults(base, f->sub);
		}
	}
}

static void set_bool_defaults(void *base, const struct field *fields)
{
	for (const struct field *f = fields; f->key; f++) {
		if (f->kind == K_BOOL)
			*(int *)((char *)base + f->offset) = strcmp(f->def, "true") == 0;
		else if (f->kind == K_OBJECT && f->sub)
			set_bool_defaults(base, f->sub);
	}
}

static void walk(const cJSON *obj, const struct field *fields, void *base, const char *path,
                 config_problems *p);

/* The workflows write config values to $GITHUB_OUTPUT and $GITHUB_ENV, where a newline or
 * CR starts another entry: no value may hold a control character. */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

#define CONTROL_PROBLEM                                                                            \
	"%s: holds a control character (newline, CR, tab...); the workflows write config values "  \
	"to $GITHUB_OUTPUT and $GITHUB_ENV, where it would start another entry: remove it"

static void read_field(const cJSON *v, const struct field *f, void *base, const char *path,
                       config_problems *p)
{
	switch (f->kind) {
	case K_STRING:
	case K_LIST:
		if (!cJSON_IsString(v)) {
			config_problem_add(p, "%s: expected %s, got %s", path, f->expect,
			                   json_type_name(v));
			return;
		}
		if (has_control(v->valuestring)) {
			config_problem_add(p, CONTROL_PROBLEM, path);
			return;
		}
		if (strcmp(f->key, "taskLaunchType") == 0 &&
		    strcmp(v->valuestring, "FARGATE") != 0 && strcmp(v->valuestring, "EC2") != 0) {
			config_problem_add(p, "%s: expected %s, got \"%s\"", path, f->expect,
			                   v->valuestring);
			return;
		}
		if (f->kind == K_LIST) {
			size_t n;
			char **items = config_split_list(v->valuestring, &n);
			config_free_list(items);
			if (n == 0) {
				config_problem_add(p, "%s: expected %s, got an empty string", path,
				                   f->expect);
				return;
			}
		}
		free(*slot_str(base, f->offset));
		*slot_str(base, f->offset) = xstrdup(v->valuestring);
		return;
	case K_NOTE:
		if (!cJSON_IsString(v))
			config_problem_add(p, "%s: expected %s, got %s", path, f->expect,
			                   json_type_name(v));
		return;
	case K_BOOL:
		if (!cJSON_IsBool(v)) {
			config_problem_add(p, "%s: expected %s, got %s", path, f->expect,
			                   json_type_name(v));
			return;
		}
		*(int *)((char *)base + f->offset) = cJSON_IsTrue(v);
		return;
	case K_NUMBER:
		if (!cJSON_IsNumber(v) || v->valuedouble < 0) {
			config_problem_add(p, "%s: expected %s, got %s", path, f->expect,
			                   cJSON_IsNumber(v) ? "a negative number"
			                                     : json_type_name(v));
			return;
		}
		*(double *)((char *)base + f->offset) = v->valuedouble;
		return;
	case K_ARGV: {
		int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
		const cJSON *item;
		if (n <= 0) {
			config_problem_add(p, "%s: expected %s, got %s", path, f->expect,
			                   n == 0 ? "an empty array" : json_type_name(v));
			return;
		}
		int at = 0, bad = 0;
		cJSON_ArrayForEach(item, v)
		{
			if (!bad && !cJSON_IsString(item)) {
				config_problem_add(p, "%s[%d]: expected a string (%s), got %s",
				                   path, at, f->expect, json_type_name(item));
				bad = 1;
			} else if (!bad && has_control(item->valuestring)) {
				char *at_path = xasprintf("%s[%d]", path, at);
				config_problem_add(p, CONTROL_PROBLEM, at_path);
				free(at_path);
				bad = 1;
			}
			at++;
		}
		if (bad)
			return;
		config_region *r = base;
		r->task_command = xcalloc((size_t)n + 1, sizeof *r->task_command);
		r->task_command_len = 0;
		cJSON_ArrayForEach(item, v) r->task_command[r->task_command_len++] =
		    xstrdup(item->valuestring);
		return;
	}
	case K_LINT_RULES: {
		if (!cJSON_IsObject(v)) {
			config_problem_add(p, "%s: expected %s, got %s", path, f->expect,
			                   json_type_name(v));
			return;
		}
		config *c = base;
		size_t n;
		const lint_rule *all = lint_rules(&n);
		const char **ids = xcalloc(n, sizeof *ids);
		for (size_t i = 0; i < n; i++)
			ids[i] = all[i].id;
		const cJSON *r;
		cJSON_ArrayForEach(r, v)
		{
			if (!lint_rule_find(r->string)) {
				const char *best = opt_suggest(r->string, ids, n);
				if (best)
					config_problem_add(
					    p, "%s.%s: unknown lint rule (did you mean \"%s\"?)",
					    path, r->string, best);
				else
					config_problem_add(
					    p,
					    "%s.%s: unknown lint rule (orchestrator lint "
					    "--rules lists them)",
					    path, r->string);
			} else if (!cJSON_IsString(r) || lint_severity_parse(r->valuestring) < 0) {
				config_problem_add(
				    p, "%s.%s: expected \"off\", \"warning\" or \"error\"", path,
				    r->string);
			} else {
				ARRAY_GROW(c->lint_rules, c->n_lint_rules + 1, c->lint_rules_cap);
				c->lint_rules[c->n_lint_rules].rule = xstrdup(r->string);
				c->lint_rules[c->n_lint_rules++].severity = xstrdup(r->valuestring);
			}
		}
		free(ids);
		return;
	}
	case K_OBJECT:
		if (!cJSON_IsObject(v)) {
			config_problem_add(p, "%s: expected %s, got %s", path, f->expect,
			                   json_type_name(v));
			return;
		}
		walk(v, f->sub, base, path, p);
		return;
	}
}

static void walk(const cJSON *obj, const struct field *fields, void *base, const char *path,
                 config_problems *p)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, obj)
	{
		char *child = path[0] ? xasprintf("%s.%s", path, v->string) : xstrdup(v->string);
		const struct field *f = fields;
		while (f->key && strcmp(f->key, v->string) != 0)
			f++;
		/* cJSON keeps both copies of a repeated key; silently taking one would hide
		 * which value the user meant. */
		const cJSON *prev = obj->child;
		while (prev != v && strcmp(prev->string, v->string) != 0)
			prev = prev->next;
		if (prev != v) {
			config_problem_add(p, "%s: key appears twice in the same object (keep one)",
			                   child);
		} else if (!f->key) {
			const char *guess = closest_key(fields, v->string);
			if (guess)
				config_problem_add(p, "%s: unknown key (did you mean \"%s\"?)",
				                   child, guess);
			else
				config_problem_add(
				    p, "%s: unknown key (remove it, or check its spelling)", child);
		} else if (f->sub || f->kind != K_OBJECT) {
			read_field(v, f, base, child, p);
		}
		free(child);
	}
}

static void read_regions(const cJSON *infra, config *c, config_problems *p)
{
	if (!cJSON_IsObject(infra)) {
		config_problem_add(
		    p, "infrastructure: expected an object with one key per AWS region, got %s",
		    json_type_name(infra));
		return;
	}
	int n = cJSON_GetArraySize(infra);
	c->regions = xcalloc((size_t)(n > 0 ? n : 1), sizeof *c->regions);
	const cJSON *rv;
	cJSON_ArrayForEach(rv, infra)
	{
		const cJSON *prev = infra->child;
		while (prev != rv && strcmp(prev->string, rv->string) != 0)
			prev = prev->next;
		if (prev != rv) {
			config_problem_add(
			    p, "infrastructure[\"%s\"]: region appears twice (keep one)",
			    rv->string);
			continue;
		}
		config_region *r = &c->regions[c->nregions++];
		r->name = xstrdup(rv->string);
		set_bool_defaults(r, region_fields);
		char *path = xasprintf("infrastructure[\"%s\"]", rv->string);
		if (!config_region_name_ok(rv->string))
			config_problem_add(
			    p, "%s: \"%s\" is not an AWS region name (expected e.g. \"us-west-2\")",
			    path, rv->string);
		if (!cJSON_IsObject(rv))
			config_problem_add(p,
			                   "%s: expected an object describing the region, got %s",
			                   path, json_type_name(rv));
		else
			walk(rv, region_fields, r, path, p);
		apply_defaults(r, region_fields);
		free(path);
	}
	if (n == 0)
		config_problem_add(
		    p, "infrastructure: no region configured (add an object keyed by the AWS "
		       "region, e.g. \"us-west-2\")");
}

static void position_of(const char *text, const char *at, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; p < at && *p; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int config_load(const char *path, config **out, config_problems *problems, err *e)
{
	config_problems local = {NULL, 0};
	config_problems *p = problems ? problems : &local;
	buf text = BUF_INIT;
	*out = NULL;
	if (!fs_exists(path)) {
		buf_free(&text);
		return err_set(
		    e, ORC_EUSAGE,
		    "%s: no such file (run from the repository root or pass --config PATH)", path);
	}
	if (fs_read_file(path, &text, e) != 0) {
		buf_free(&text);
		return e->code;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text.ptr, text.len, &end, 0);
	if (!root) {
		int line, col;
		position_of(text.ptr, end ? end : cJSON_GetErrorPtr(), &line, &col);
		buf_free(&text);
		return err_set(e, ORC_EUSAGE, "%s:%d:%d: invalid JSON (fix the syntax near there)",
		               path, line, col);
	}
	buf_free(&text);

	config *c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	if (!cJSON_IsObject(root)) {
		config_problem_add(p, "(top level): expected an object, got %s",
		                   json_type_name(root));
	} else {
		walk(root, top_fields, c, "", p);
		const cJSON *infra = cJSON_GetObjectItemCaseSensitive(root, "infrastructure");
		if (infra)
			read_regions(infra, c, p);
	}
	apply_defaults(c, top_fields);
	if (c->nregions == 0 && !cJSON_GetObjectItemCaseSensitive(root, "infrastructure")) {
		/* The template's default: one us-west-2 region with every default. */
		c->regions = xcalloc(1, sizeof *c->regions);
		c->regions[0].name = xstrdup("us-west-2");
		set_bool_defaults(&c->regions[0], region_fields);
		apply_defaults(&c->regions[0], region_fields);
		c->nregions = 1;
	}
	cJSON_Delete(root);

	if (p->n) {
		err_set(e, ORC_EUSAGE, "%s: %zu problem%s found (first: %s)", path, p->n,
		        p->n == 1 ? "" : "s", p->lines[0]);
		config_problems_free(&local);
		config_free(c);
		return ORC_EUSAGE;
	}
	*out = c;
	return 0;
}

static void free_region(config_region *r)
{
	char **strs[] = {&r->name,
	                 &r->terraform_bucket,
	                 &r->db_cluster_name,
	                 &r->db_subnet_group,
	                 &r->db_security_groups,
	                 &r->task_family,
	                 &r->task_launch_type,
	                 &r->task_cluster,
	                 &r->task_subnets,
	                 &r->task_security_groups,
	                 &r->bastion_host_name,
	                 &r->bastion_key_bucket,
	                 &r->bastion_key_path};
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
		free(*strs[i]);
	for (size_t i = 0; i < r->task_command_len; i++)
		free(r->task_command[i]);
	free(r->task_command);
}

void config_free(config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nregions; i++)
		free_region(&c->regions[i]);
	free(c->regions);
	char **strs[] = {
	    &c->path,         &c->flyway_version, &c->github_owner,      &c->github_repo,
	    &c->gitbot_email, &c->gitbot_name,    &c->github_token_name, &c->docker_registry,
	    &c->docker_owner, &c->docker_repo};
	for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
		free(*strs[i]);
	for (size_t i = 0; i < c->n_lint_rules; i++) {
		free(c->lint_rules[i].rule);
		free(c->lint_rules[i].severity);
	}
	free(c->lint_rules);
	free(c);
}

void config_problems_free(config_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i]);
	free(p->lines);
	p->lines = NULL;
	p->n = p->cap = 0;
}

void config_problems_print(const char *path, const config_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		log_error_at(path, 0, "%s: %s", path, p->lines[i]);
}

const config_region *config_region_find(const config *c, const char *name)
{
	for (size_t i = 0; i < c->nregions; i++)
		if (strcmp(c->regions[i].name, name) == 0)
			return &c->regions[i];
	return NULL;
}

char **config_split_list(const char *value, size_t *n)
{
	size_t cap = 1;
	for (const char *s = value; *s; s++)
		cap += *s == ',';
	char **items = xcalloc(cap + 1, sizeof *items);
	*n = 0;
	const char *p = value;
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		const char *a = p, *b = end;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > a)
			items[(*n)++] = xstrndup(a, (size_t)(b - a));
		if (!comma)
			break;
		p = comma + 1;
	}
	return items;
}

void config_free_list(char **items)
{
	if (!items)
		return;
	for (char **p = items; *p; p++)
		free(*p);
	free(items);
}

int config_region_name_ok(const char *name)
{
	/* Region names: a two-letter area, one or more words, a number (us-gov-west-1). */
	regex_t re;
	if (regcomp(&re, "^[a-z]{2}(-[a-z]+)+-[0-9]+$", REG_EXTENDED | REG_NOSUB) != 0)
		return 1;
	int ok = regexec(&re, name, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

int config_is_unset(const char *value)
{
	return !value || !*value || strcmp(value, CONFIG_CHANGE_ME) == 0;
}
