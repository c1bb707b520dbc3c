/*
 * The commands: one file per command in cmd/, each `int cmd_<name>(int argc, char **argv)`
 * returning an exit code (core/err.h). argv[0] is the command name; options are parsed
 * through core/opt from one table beside the usage lines, which also gives --help, the
 * one-line usage errors, completions and the man page. Commands stay thin: they read
 * options and config, call the library modules, and report.
 */
#ifndef ORC_CMD_H
#define ORC_CMD_H

#include <stddef.h>

#include "core/err.h"
#include "core/opt.h"
#include "core/version.h"

int cmd_trigger(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_run_task(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_migrate(int argc, char **argv); /* also info, validate, baseline, repair, clean */
int cmd_schema_docs(int argc, char **argv);
int cmd_bump_image(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_db(int argc, char **argv); /* db compare */
int cmd_lint(int argc, char **argv);
int cmd_completion(int argc, char **argv); /* completion bash|zsh */
int cmd_manpage(int argc, char **argv);

/* The command table main.c dispatches from, and completion and the man page read. */
extern const opt_subcommand cmd_commands[];
extern const size_t cmd_ncommands;

/* --locations DIR[,DIR...] as an OPT_CALLBACK whose value is a cmd_locations: every
 * occurrence appended, split at commas; *given (when not NULL) set. */
typedef struct cmd_locations {
	char ***v;
	size_t *n;
	int *given;
	size_t cap; /* of *v, from 0: the callback's own (the array may be filled before) */
} cmd_locations;
int cmd_opt_locations(const opt_option *opt, const char *arg, err *e);
/* --placeholder NAME=VALUE into a placeholder_set (the OPT_CALLBACK's value); the value is
 * registered as a secret (it may be a password). */
int cmd_opt_placeholder(const opt_option *opt, const char *arg, err *e);
/* --placeholders-file FILE: NAME=VALUE lines (.env style) for names no other source
 * gave (opt->value is the placeholder_set). */
int cmd_opt_placeholders_file(const opt_option *opt, const char *arg, err *e);

/* Prints e as the single error line and returns its code (ORC_EFAIL when unset). */
int cmd_report(const err *e);

#endif
