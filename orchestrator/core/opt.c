/*
 * opt: parsing, help, errors and descriptions from one option table (see opt.h).
 *
 * The parser walks argv once, permuting positional arguments to the front as GNU getopt
 * does, so options may follow them. A value is the rest of the word (`--region=x`, `-rx`)
 * or else the next word, whatever it looks like (`--branch -x` gives "-x", as getopt
 * does); only the end of argv makes a value missing. Long names may be shortened to a
 * unique prefix, as getopt_long allows. -h/--help is built in on every table.
 *
 * Every error is one line through log_error (an annotation inside GitHub Actions) that
 * names the command and ends with where the help is; the help itself goes to stdout only
 * when asked for.
 */
#include "core/opt.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"

const char *const opt_output_choices[] = {"text", "json", NULL};

static enum opt_describe describe_mode;
static buf *describe_out;

void opt_set_describe(enum opt_describe mode, buf *out)
{
	describe_mode = mode;
	describe_out = out;
}

void opt_strings_push(opt_strings *l, const char *s)
{
	ARRAY_GROW(l->v, l->n + 1, l->cap);
	l->v[l->n++] = s;
}

void opt_strings_free(opt_strings *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *d = xcalloc((la + 1) * (lb + 1), sizeof *d);
#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < best)
				best = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + cost < best)
				best = D(i - 1, j - 1) + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    D(i - 2, j - 2) + 1 < best)
				best = D(i - 2, j - 2) + 1;
			D(i, j) = best;
		}
	size_t r = D(la, lb);
#undef D
	free(d);
	return r;
}

const char *opt_suggest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		if (!names[i])
			continue;
		size_t limit = strlen(word) / 3 + 1 > 2 ? strlen(word) / 3 + 1 : 2;
		size_t d = distance(word, names[i]);
		if (d <= limit && d < best_d) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

static void verror(const opt_command *cmd, const char *fmt, va_list ap)
{
	buf msg = BUF_INIT;
	buf_vprintf(&msg, fmt, ap);
	log_error("%s: %s; see '%s --help'", cmd->name, buf_cstr(&msg), cmd->name);
	buf_free(&msg);
}

int opt_error(const opt_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror(cmd, fmt, ap);
	va_end(ap);
	return ORC_EUSAGE;
}

static int takes_arg(const opt_option *o)
{
	switch (o->kind) {
	case OPT_KIND_STRING:
	case OPT_KIND_INTEGER:
	case OPT_KIND_STRING_LIST:
	case OPT_KIND_CHOICE: return 1;
	case OPT_KIND_CALLBACK: return !(o->flags & OPT_NOARG);
	default: return 0;
	}
}

static int is_option(const opt_option *o)
{
	return o->kind != OPT_KIND_GROUP && o->kind != OPT_KIND_END;
}

/* The name an error calls the option by: its long form when it has one. */
static void option_name(const opt_option *o, char *out, size_t n)
{
	if (o->long_name)
		snprintf(out, n, "--%s", o->long_name);
	else
		snprintf(out, n, "-%c", o->short_name);
}

static int set_value(const opt_command *cmd, const opt_option *o, const char *arg)
{
	char name[128];
	option_name(o, name, sizeof name);
	switch (o->kind) {
	case OPT_KIND_BOOL: *(int *)o->value = 1; return 0;
	case OPT_KIND_SET_INT: *(int *)o->value = (int)o->defval; return 0;
	case OPT_KIND_STRING: *(const char **)o->value = arg; return 0;
	case OPT_KIND_STRING_LIST: opt_strings_push(o->value, arg); return 0;
	case OPT_KIND_VERBOSE: log_set_verbose(1); return 0;
	case OPT_KIND_QUIET: log_set_quiet(1); return 0;
	case OPT_KIND_INTEGER: {
		char *end;
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (*arg && !*end && errno == 0 && v >= o->min && v <= o->max) {
			*(long *)o->value = v;
			return 0;
		}
		if (o->max == LONG_MAX)
			return opt_error(cmd, "%s '%s': expected a whole number of at least %ld",
			                 name, arg, o->min);
		return opt_error(cmd, "%s '%s': expected a whole number from %ld to %ld", name, arg,
		                 o->min, o->max);
	}
	case OPT_KIND_CHOICE: {
		buf list = BUF_INIT;
		for (size_t i = 0; o->choices[i]; i++) {
			if (strcmp(arg, o->choices[i]) == 0) {
				*(int *)o->value = (int)i;
				buf_free(&list);
				return 0;
			}
			buf_printf(&list, "%s%s", i ? ", " : "", o->choices[i]);
		}
		int rc = opt_error(cmd, "%s '%s': expected one of %s", name, arg, buf_cstr(&list));
		buf_free(&list);
		return rc;
	}
	case OPT_KIND_CALLBACK: {
		err e = ERR_INIT;
		if (o->callback(o, arg, &e) == 0)
			return 0;
		return opt_error(cmd, "%s", e.msg[0] ? e.msg : name);
	}
	default: return ORC_EFAIL;
	}
}

/* Finds a long option by exact name or unique prefix; reports unknown and ambiguous. */
static const opt_option *find_long(const opt_command *cmd, const char *name, size_t len,
                                   int *is_help, int *rc)
{
	const opt_option *exact = NULL, *prefix = NULL;
	size_t nprefix = 0;
	buf candidates = BUF_INIT;
	*is_help = 0;
	if (len == 4 && strncmp(name, "help", 4) == 0) {
		*is_help = 1;
		return NULL;
	}
	for (const opt_option *o = cmd->options; o->kind != OPT_KIND_END; o++) {
		if (!is_option(o) || !o->long_name)
			continue;
		if (strlen(o->long_name) == len && strncmp(o->long_name, name, len) == 0) {
			exact = o;
			break;
		}
		if (strncmp(o->long_name, name, len) == 0) {
			prefix = o;
			nprefix++;
			buf_printf(&candidates, "%s--%s", candidates.len ? ", " : "", o->long_name);
		}
	}
	if (exact || nprefix == 1) {
		buf_free(&candidates);
		return exact ? exact : prefix;
	}
	if (nprefix == 0 && len > 0 && strncmp("help", name, len) == 0) {
		buf_free(&candidates);
		*is_help = 1;
		return NULL;
	}
	char *word = xstrndup(name, len);
	if (nprefix > 1) {
		*rc = opt_error(cmd, "ambiguous option '--%s' (could be %s)", word,
		                buf_cstr(&candidates));
	} else {
		size_t n = 0;
		for (const opt_option *o = cmd->options; o->kind != OPT_KIND_END; o++)
			n++;
		const char **names = xcalloc(n + 1, sizeof *names);
		size_t k = 0;
		for (const opt_option *o = cmd->options; o->kind != OPT_KIND_END; o++)
			if (is_option(o) && !(o->flags & OPT_HIDDEN))
				names[k++] = o->long_name;
		names[k++] = "help";
		const char *close = opt_suggest(word, names, k);
		if (close)
			*rc = opt_error(cmd, "unknown option '--%s' (did you mean '--%s'?)", word,
			                close);
		else
			*rc = opt_error(cmd, "unknown option '--%s'", word);
		free(names);
	}
	free(word);
	buf_free(&candidates);
	return NULL;
}

static const opt_option *find_short(const opt_command *cmd, int c)
{
	for (const opt_option *o = cmd->options; o->kind != OPT_KIND_END; o++)
		if (is_option(o) && o->short_name == c)
			return o;
	return NULL;
}

static void describe(const opt_command *cmd);

int opt_parse(const opt_command *cmd, int *argc, char **argv, int *exit_code)
{
	int out = 1, only_args = 0;
	*exit_code = ORC_OK;
	if (describe_mode != OPT_DESCRIBE_NONE) {
		describe(cmd);
		return 1;
	}
	for (int i = 1; i < *argc; i++) {
		char *a = argv[i];
		if (only_args || a[0] != '-' || a[1] == '\0') {
			argv[out++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			int is_help, rc = ORC_EUSAGE;
			const opt_option *o = find_long(cmd, name, len, &is_help, &rc);
			if (is_help) {
				opt_help(cmd);
				return 1;
			}
			if (!o) {
				*exit_code = rc;
				return 1;
			}
			const char *arg = NULL;
			if (takes_arg(o)) {
				if (eq)
					arg = eq + 1;
				else if (i + 1 < *argc)
					arg = argv[++i];
				else {
					*exit_code =
					    opt_error(cmd, "--%s needs a value", o->long_name);
					return 1;
				}
			} else if (eq) {
				*exit_code = opt_error(cmd, "--%s takes no value", o->long_name);
				return 1;
			}
			if ((*exit_code = set_value(cmd, o, arg)) != 0)
				return 1;
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			if (*p == 'h') {
				opt_help(cmd);
				return 1;
			}
			const opt_option *o = find_short(cmd, *p);
			if (!o) {
				*exit_code = opt_error(cmd, "unknown option '-%c'", *p);
				return 1;
			}
			const char *arg = NULL;
			if (takes_arg(o)) {
				if (p[1])
					arg = p + 1;
				else if (i + 1 < *argc)
					arg = argv[++i];
				else {
					char name[128];
					option_name(o, name, sizeof name);
					*exit_code = opt_error(cmd, "%s needs a value", name);
					return 1;
				}
			}
			if ((*exit_code = set_value(cmd, o, arg)) != 0)
				return 1;
			if (arg)
				break;
		}
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

/* "-r, --region R" as help and the man page show it. */
static void option_label(const opt_option *o, buf *b)
{
	if (o->short_name)
		buf_printf(b, "-%c%s", o->short_name, o->long_name ? ", " : "");
	else
		buf_puts(b, "    ");
	if (o->long_name)
		buf_printf(b, "--%s", o->long_name);
	if (takes_arg(o) && o->argh)
		buf_printf(b, " %s", o->argh);
}

enum { HELP_INDENT = 2, HELP_COLUMN = 28 };

static void help_entry(buf *out, const char *label, const char *help)
{
	buf_printf(out, "%*s%s", HELP_INDENT, "", label);
	int used = HELP_INDENT + (int)strlen(label);
	if (used + 2 > HELP_COLUMN) {
		buf_putc(out, '\n');
		used = 0;
	}
	const char *line = help ? help : "";
	for (;;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		buf_printf(out, "%*s%.*s\n", HELP_COLUMN - used, "", (int)len, line);
		if (!nl)
			break;
		line = nl + 1;
		used = 0;
	}
}

void opt_help(const opt_command *cmd)
{
	buf out = BUF_INIT;
	for (size_t i = 0; cmd->usage && cmd->usage[i]; i++)
		buf_printf(&out, "%s%s\n", i ? "   or: " : "usage: ", cmd->usage[i]);
	buf_putc(&out, '\n');
	for (const opt_option *o = cmd->options; o->kind != OPT_KIND_END; o++) {
		if (o->kind == OPT_KIND_GROUP) {
			buf_printf(&out, "\n%s\n", o->help);
			continue;
		}
		if (o->flags & OPT_HIDDEN)
			continue;
		buf label = BUF_INIT;
		option_label(o, &label);
		help_entry(&out, buf_cstr(&label), o->help);
		buf_free(&label);
	}
	help_entry(&out, "-h, --help", "show this help");
	if (cmd->footer)
		buf_printf(&out, "\n%s%s", cmd->footer,
		           cmd->footer[0] && cmd->footer[strlen(cmd->footer) - 1] == '\n' ? ""
		                                                                          : "\n");
	fputs(buf_cstr(&out), stdout);
	buf_free(&out);
}

/* roff: a leading dot or quote would be a request; backslashes and dashes escaped. */
static void roff_text(buf *b, const char *s)
{
	if (*s == '.' || *s == '\'')
		buf_puts(b, "\\&");
	for (; *s; s++) {
		if (*s == '\\')
			buf_puts(b, "\\e");
		else if (*s == '-')
			buf_puts(b, "\\-");
		else if (*s == '\n') {
			buf_putc(b, '\n');
			if (s[1] == '.' || s[1] == '\'')
				buf_puts(b, "\\&");
		} else
			buf_putc(b, *s);
	}
}

/*
 * WORDS: one line per option for shell completion, "-r --region=" (a trailing '=' when it
 * takes a value), then "=CHOICES a b" for a choice. MAN: a roff section for the command.
 */
static void describe(const opt_command *cmd)
{
	buf *out = describe_out;
	if (describe_mode == OPT_DESCRIBE_MAN) {
		buf_puts(out, ".SS \"");
		roff_text(out, cmd->name);
		buf_puts(out, "\"\n");
		for (size_t i = 0; cmd->usage && cmd->usage[i]; i++) {
			buf_puts(out, i ? ".br\n" : ".nf\n");
			roff_text(out, cmd->usage[i]);
			buf_putc(out, '\n');
		}
		buf_puts(out, ".fi\n");
	}
	for (const opt_option *o = cmd->options; o->kind != OPT_KIND_END; o++) {
		if (o->kind == OPT_KIND_GROUP) {
			if (describe_mode == OPT_DESCRIBE_MAN) {
				buf_puts(out, ".PP\n");
				roff_text(out, o->help);
				buf_putc(out, '\n');
			}
			continue;
		}
		if (o->flags & OPT_HIDDEN)
			continue;
		if (describe_mode == OPT_DESCRIBE_MAN) {
			buf label = BUF_INIT;
			option_label(o, &label);
			buf_puts(out, ".TP\n.B ");
			const char *l = buf_cstr(&label);
			while (*l == ' ')
				l++;
			roff_text(out, l);
			buf_putc(out, '\n');
			roff_text(out, o->help ? o->help : "");
			buf_putc(out, '\n');
			buf_free(&label);
			continue;
		}
		if (o->short_name)
			buf_printf(out, "-%c%s", o->short_name, o->long_name ? " " : "");
		if (o->long_name)
			buf_printf(out, "--%s%s", o->long_name, takes_arg(o) ? "=" : "");
		const char *help = o->help ? o->help : "";
		buf_printf(out, "\t%.*s\n", (int)strcspn(help, "\n"), help);
		if (o->kind == OPT_KIND_CHOICE) {
			buf_puts(out, " =CHOICES");
			for (size_t i = 0; o->choices[i]; i++)
				buf_printf(out, " %s", o->choices[i]);
			buf_putc(out, '\n');
		}
	}
	if (describe_mode == OPT_DESCRIBE_MAN) {
		buf_puts(out, ".TP\n.B \\-h, \\-\\-help\nshow this help\n");
		if (cmd->footer) {
			buf_puts(out, ".PP\n.nf\n");
			roff_text(out, cmd->footer);
			buf_puts(out, "\n.fi\n");
		}
	} else {
		buf_puts(out, "-h --help\tshow this help\n");
	}
}

/* "command" for the program's own table, "verb" for a command's. */
static const char *word_for(const char *prog)
{
	return strchr(prog, ' ') ? "verb" : "command";
}

static void list_verbs(FILE *f, const char *prog, const opt_subcommand *subs, size_t n)
{
	const char *w = word_for(prog);
	fprintf(f, "usage: %s <%s> [options]   (%s <%s> --help)\n\n", prog, w, prog, w);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-12s %s\n", subs[i].name, subs[i].summary);
}

int opt_dispatch(const char *prog, const opt_subcommand *subs, size_t n, int argc, char **argv)
{
	if (describe_mode != OPT_DESCRIBE_NONE) {
		/* Each verb describes its own table, headed by its name. */
		for (size_t i = 0; i < n; i++) {
			char *args[] = {(char *)subs[i].name, NULL};
			if (describe_mode == OPT_DESCRIBE_WORDS)
				buf_printf(describe_out, "VERB %s\t%s\n", subs[i].name,
				           subs[i].summary);
			subs[i].fn(1, args);
		}
		return ORC_OK;
	}
	if (argc < 2) {
		list_verbs(stderr, prog, subs, n);
		return ORC_EUSAGE;
	}
	const char *verb = argv[1];
	if (strcmp(verb, "help") == 0 || strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0) {
		if (strcmp(verb, "help") == 0 && argc > 2) {
			for (size_t i = 0; i < n; i++)
				if (strcmp(argv[2], subs[i].name) == 0) {
					char *args[] = {(char *)subs[i].name, "--help", NULL};
					return subs[i].fn(2, args);
				}
			verb = argv[2];
		} else {
			list_verbs(stdout, prog, subs, n);
			return ORC_OK;
		}
	} else {
		for (size_t i = 0; i < n; i++)
			if (strcmp(verb, subs[i].name) == 0)
				return subs[i].fn(argc - 1, argv + 1);
	}
	const char **names = xcalloc(n, sizeof *names);
	buf all = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		names[i] = subs[i].name;
		buf_printf(&all, "%s%s", i ? ", " : "", subs[i].name);
	}
	const char *close = opt_suggest(verb, names, n);
	if (close)
		log_error("%s: unknown %s '%s' (did you mean '%s'?); see '%s --help'", prog,
		          word_for(prog), verb, close, prog);
	else
		log_error("%s: unknown %s '%s' (one of %s); see '%s --help'", prog, word_for(prog),
		          verb, buf_cstr(&all), prog);
	buf_free(&all);
	free(names);
	return ORC_EUSAGE;
}
