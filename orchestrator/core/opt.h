/*
 * opt: the command line, one declarative table per command (git's parse-options is the
 * model).
 *
 * A command declares its options once, as an array of opt_option ending in OPT_END(),
 * beside its usage lines in an opt_command. From that one table come the parsing
 * (long and short names, `--name=value`, `--name value`, bundled shorts `-nv`, unique
 * prefixes of long names, `--` ending the options), `--help` (generated, to stdout, exit
 * 0), the error for a bad flag (ONE line on stderr naming the command, what is wrong, a
 * did-you-mean and "see 'orchestrator CMD --help'", exit 2; never the whole help), and
 * the shell completions and man page (opt_describe). A command reads:
 *
 *	static const char *const usage[] = {"orchestrator run-task --region R [options]", NULL};
 *	const char *region = NULL, *config = CONFIG_DEFAULT_PATH;
 *	long timeout = 1800;
 *	const opt_option options[] = {
 *	    OPT_REGION(&region, "AWS region, a key of config.json \"infrastructure\""),
 *	    OPT_CONFIG(&config),
 *	    OPT_INTEGER('t', "timeout", &timeout, "S", 1, 86400, "seconds to wait"),
 *	    OPT_VERBOSE("log each AWS call"),
 *	    OPT_END(),
 *	};
 *	const opt_command cmd = {"orchestrator run-task", usage, options, NULL};
 *	int rc;
 *	if (opt_parse(&cmd, &argc, argv, &rc))
 *		return rc;            // help printed (0) or a bad flag reported (2)
 *	// argv[1..argc-1] are the positional arguments, argv[0] the command name
 *
 * The same flags mean the same thing everywhere: -h/--help is always recognised (never
 * declared), and OPT_VERBOSE, OPT_QUIET, OPT_CONFIG, OPT_REGION and OPT_OUTPUT give
 * -v/--verbose, -q/--quiet, -c/--config PATH, -r/--region R and --output json|text (with
 * --json as its alias) one spelling and one help line.
 *
 * Values point into argv (strings are not copied); lists grow with opt_strings and are
 * freed with opt_strings_free. Commands with verbs (snapshot create|restore|list|share)
 * dispatch once through an opt_subcommand table with opt_dispatch.
 */
#ifndef ORC_OPT_H
#define ORC_OPT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

enum opt_kind {
	OPT_KIND_END,
	OPT_KIND_GROUP,       /* a section title in --help */
	OPT_KIND_BOOL,        /* int *: set to 1 */
	OPT_KIND_SET_INT,     /* int *: set to defval */
	OPT_KIND_STRING,      /* const char **: the argument (last one wins) */
	OPT_KIND_INTEGER,     /* long *: a whole number within [min, max] */
	OPT_KIND_STRING_LIST, /* opt_strings *: every occurrence, in order */
	OPT_KIND_CHOICE,      /* int *: index of the argument in choices */
	OPT_KIND_CALLBACK,    /* callback(opt, arg, e); arg NULL when OPT_NOARG */
	OPT_KIND_VERBOSE,     /* log_set_verbose(1) */
	OPT_KIND_QUIET,       /* log_set_quiet(1) */
};

/* opt_option.flags */
enum {
	OPT_NOARG = 1,  /* a callback that takes no argument */
	OPT_HIDDEN = 2, /* parsed, but left out of --help, completions and the man page */
};

/* The values --output takes. */
enum { OPT_OUTPUT_TEXT = 0, OPT_OUTPUT_JSON = 1 };

typedef struct opt_option opt_option;

/* A callback option: handles arg (NULL for OPT_NOARG) for opt->value. Returns 0, or sets
 * e (code ORC_EUSAGE, a message such as "--placeholder takes NAME=VALUE") and returns
 * e->code; the parser prints it as the command's one error line. */
typedef int (*opt_callback_fn)(const opt_option *opt, const char *arg, err *e);

struct opt_option {
	enum opt_kind kind;
	int short_name;        /* 0: none */
	const char *long_name; /* without the dashes; NULL: none */
	void *value;
	const char *argh; /* the argument's name in --help ("PATH"); NULL for flags */
	const char *help; /* one line; '\n' starts an indented continuation line */
	unsigned flags;
	long min, max;              /* OPT_INTEGER's inclusive range */
	long defval;                /* OPT_SET_INT's value */
	const char *const *choices; /* OPT_CHOICE's NULL-terminated values */
	opt_callback_fn callback;   /* OPT_CALLBACK */
};

/* A growable list of strings for OPT_STRING_LIST (they point into argv). */
typedef struct opt_strings {
	const char **v;
	size_t n, cap;
} opt_strings;

#define OPT_END()                                                                                  \
	{                                                                                          \
		OPT_KIND_END                                                                       \
	}
#define OPT_GROUP(title)                                                                           \
	{                                                                                          \
		OPT_KIND_GROUP, 0, NULL, NULL, NULL, (title)                                       \
	}
#define OPT_BOOL(s, l, v, h)                                                                       \
	{                                                                                          \
		OPT_KIND_BOOL, (s), (l), (v), NULL, (h)                                            \
	}
#define OPT_SET_INT(s, l, v, val, h)                                                               \
	{                                                                                          \
		OPT_KIND_SET_INT, (s), (l), (v), NULL, (h), 0, 0, 0, (val)                         \
	}
#define OPT_STRING(s, l, v, a, h)                                                                  \
	{                                                                                          \
		OPT_KIND_STRING, (s), (l), (v), (a), (h)                                           \
	}
#define OPT_INTEGER(s, l, v, a, lo, hi, h)                                                         \
	{                                                                                          \
		OPT_KIND_INTEGER, (s), (l), (v), (a), (h), 0, (lo), (hi)                           \
	}
#define OPT_STRING_LIST(s, l, v, a, h)                                                             \
	{                                                                                          \
		OPT_KIND_STRING_LIST, (s), (l), (v), (a), (h)                                      \
	}
#define OPT_CHOICE(s, l, v, a, list, h)                                                            \
	{                                                                                          \
		OPT_KIND_CHOICE, (s), (l), (v), (a), (h), 0, 0, 0, 0, (list)                       \
	}
#define OPT_CALLBACK(s, l, v, a, h, fn)                                                            \
	{                                                                                          \
		OPT_KIND_CALLBACK, (s), (l), (v), (a), (h), 0, 0, 0, 0, NULL, (fn)                 \
	}
#define OPT_CALLBACK_NOARG(s, l, v, h, fn)                                                         \
	{                                                                                          \
		OPT_KIND_CALLBACK, (s), (l), (v), NULL, (h), OPT_NOARG, 0, 0, 0, NULL, (fn)        \
	}
/* A string option that is parsed but not shown (internal plumbing between workflow steps). */
#define OPT_HIDDEN_STRING(l, v, a)                                                                 \
	{                                                                                          \
		OPT_KIND_STRING, 0, (l), (v), (a), NULL, OPT_HIDDEN                                \
	}

/* The common entries: one spelling and meaning on every command. */
#define OPT_VERBOSE(h)                                                                             \
	{                                                                                          \
		OPT_KIND_VERBOSE, 'v', "verbose", NULL, NULL, (h)                                  \
	}
#define OPT_QUIET()                                                                                \
	{                                                                                          \
		OPT_KIND_QUIET, 'q', "quiet", NULL, NULL, "print only errors and the result"       \
	}
#define OPT_CONFIG(v)                                                                              \
	OPT_STRING('c', "config", (v), "PATH", "config.json to read (default: config.json)")
#define OPT_REGION(v, h) OPT_STRING('r', "region", (v), "R", (h))
/* Two entries: --output json|text and its alias --json. v is an int * (OPT_OUTPUT_*). */
#define OPT_OUTPUT(v)                                                                              \
	OPT_CHOICE(0, "output", (v), "json|text", opt_output_choices,                              \
	           "json: one JSON document on stdout for scripts; text (default)"),               \
	    OPT_SET_INT(0, "json", (v), OPT_OUTPUT_JSON, "the same as --output json")

extern const char *const opt_output_choices[]; /* {"text", "json", NULL} */

/* A command: its name as the user types it (used in every message), its usage lines
 * (NULL-terminated; "usage: " and "   or: " are added), its table, and text printed after
 * the options in --help (notes, exit codes, environment; NULL for none). */
typedef struct opt_command {
	const char *name; /* "orchestrator snapshot create", "trigger_workflow" */
	const char *const *usage;
	const opt_option *options;
	const char *footer;
} opt_command;

/*
 * Parses argv[1..*argc-1] against cmd->options. Options and positional arguments may be
 * mixed; `--` ends the options. On success returns 0 and rewrites argv in place so that
 * argv[1..*argc-1] are the positional arguments in order (argv[0] is kept).
 * Otherwise returns 1 and sets *exit_code: ORC_OK after printing --help to stdout,
 * ORC_EUSAGE after printing one line to stderr:
 *   orchestrator CMD: unknown option '--regoin' (did you mean '--region'?); see
 *   'orchestrator CMD --help'
 *   orchestrator CMD: --region needs a value; see 'orchestrator CMD --help'
 *   orchestrator CMD: --timeout 'abc': expected a whole number from 1 to 86400; see ...
 * In describe mode (opt_set_describe) it prints the table instead and returns 1, ORC_OK.
 */
int opt_parse(const opt_command *cmd, int *argc, char **argv, int *exit_code);

/* Prints the generated help of cmd (usage lines, options by group, footer) to stdout. */
void opt_help(const opt_command *cmd);

/* The one-line usage error every command uses for what the table cannot check (a missing
 * required flag, two flags that exclude each other, an unexpected argument): prints
 * "CMD: MESSAGE; see 'CMD --help'" to stderr and returns ORC_EUSAGE. */
int opt_error(const opt_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s to the list. */
void opt_strings_push(opt_strings *l, const char *s);
/* Frees the list's array (the strings belong to argv). */
void opt_strings_free(opt_strings *l);

/* A verb of a command with several (snapshot create|restore|list|share). */
typedef struct opt_subcommand {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the verb */
	const char *summary;              /* one line for the command's --help */
} opt_subcommand;

/*
 * Runs the verb argv[1] names from subs (n entries) with argv+1, and returns its exit code.
 * `prog --help`, `-h` or `help` list the verbs (stdout, 0); `help VERB` runs VERB --help;
 * no verb or an unknown one is one error line with a did-you-mean (exit 2).
 */
int opt_dispatch(const char *prog, const opt_subcommand *subs, size_t n, int argc, char **argv);

/*
 * Describe mode, for `orchestrator completion` and the man page: while set, opt_parse and
 * opt_dispatch append the command's table (or verbs) to out in that format and stop with
 * ORC_OK instead of parsing. WORDS: one line per option, "-r --region=<TAB>help" (a
 * trailing '=' when it takes a value, the help's first line), then " =CHOICES a b" lines
 * for a choice; a dispatcher writes "VERB name<TAB>summary" before each verb's table.
 * MAN: a roff subsection per command.
 */
enum opt_describe { OPT_DESCRIBE_NONE, OPT_DESCRIBE_WORDS, OPT_DESCRIBE_MAN };
void opt_set_describe(enum opt_describe mode, buf *out);

/* The closest name to `word` among `names` (n entries; NULL entries skipped) for a
 * did-you-mean, or NULL when none is close: an edit distance (adjacent transpositions
 * count one) of at most a third of the word plus one, and at least 2. config.json's unknown
 * keys use it too. */
const char *opt_suggest(const char *word, const char *const *names, size_t n);

#endif
