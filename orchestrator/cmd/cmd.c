/*
 * cmd: the command table (main.c dispatches from it; completion and the man page walk it)
 * and what every command shares once its options are parsed: reporting the error that
 * ends it.
 */
#include "cmd/cmd.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "pg/placeholder.h"

const opt_subcommand cmd_commands[] = {
    {"trigger", cmd_trigger, "fire a repository_dispatch event (the trigger_workflow entry)"},
    {"config", cmd_config, "check config.json"},
    {"run-task", cmd_run_task, "run the migration task on ECS and wait for its exit code"},
    {"snapshot", cmd_snapshot, "create, restore, list or share RDS cluster snapshots"},
    {"migrate", cmd_migrate, "apply pending migrations"},
    {"info", cmd_migrate, "show every migration and its state"},
    {"validate", cmd_migrate, "check applied migrations against the files"},
    {"baseline", cmd_migrate, "mark an existing database as migrated up to a version"},
    {"repair", cmd_migrate, "remove failed entries and realign checksums"},
    {"clean", cmd_migrate, "drop every object in the schema (off unless --clean-disabled=false)"},
    {"lint", cmd_lint, "find dangerous operations in migrations before they run"},
    {"schema-docs", cmd_schema_docs, "render the schema as markdown into README.md"},
    {"db", cmd_db, "compare two databases: row counts and checksums per table"},
    {"bump-image", cmd_bump_image, "set the migration image version in every region's tfvars"},
    {"serve", cmd_serve, "the migration service: HTTP API for CI behind a load balancer"},
    {"completion", cmd_completion, "print shell completion for bash or zsh"},
    {"manpage", cmd_manpage, "print the manual page (roff), generated from the option tables"},
};
const size_t cmd_ncommands = sizeof cmd_commands / sizeof *cmd_commands;

int cmd_report(const err *e)
{
	int code = e->code ? e->code : ORC_EFAIL;
	log_error("%s", e->msg[0] ? e->msg : "failed");
	return code;
}

int cmd_opt_locations(const opt_option *opt, const char *arg, err *e)
{
	(void)e;
	cmd_locations *l = opt->value;
	char *copy = xstrdup(arg), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		ARRAY_GROW(*l->v, *l->n + 1, l->cap);
		(*l->v)[(*l->n)++] = xstrdup(t);
	}
	free(copy);
	if (l->given)
		*l->given = 1;
	return 0;
}

int cmd_opt_placeholders_file(const opt_option *opt, const char *arg, err *e)
{
	return placeholder_set_load_env_file(opt->value, arg, e);
}

int cmd_opt_placeholder(const opt_option *opt, const char *arg, err *e)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return err_set(e, ORC_EUSAGE, "--placeholder takes NAME=VALUE");
	char *name = xstrndup(arg, (size_t)(eq - arg));
	log_add_secret(eq + 1);
	placeholder_set_put(opt->value, name, eq + 1);
	free(name);
	return 0;
}
