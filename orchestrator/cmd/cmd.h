/*
 * The commands: one file per command in cmd/, each `int cmd_<name>(int argc, char **argv)`
 * returning an exit code (core/err.h). argv[0] is the command name; options are parsed
 * with getopt_long from a table beside the usage text. Commands stay thin: they read
 * options and config, call the library modules, and report.
 */
#ifndef ORC_CMD_H
#define ORC_CMD_H

#include "core/err.h"

#define ORC_VERSION "0.1.0"

int cmd_trigger(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_run_task(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_migrate(int argc, char **argv); /* also info, validate, baseline, repair */
int cmd_schema_docs(int argc, char **argv);
int cmd_bump_image(int argc, char **argv);
int cmd_db(int argc, char **argv); /* db compare */

/* Prints e as the single error line and returns its code (ORC_EFAIL when unset). */
int cmd_report(const err *e);
/* The usage line for a command, to stderr, and ORC_EUSAGE. */
int cmd_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
