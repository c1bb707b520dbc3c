/*
 * completion, manpage: `orchestrator completion bash|zsh` and `orchestrator manpage`, both
 * generated from the option tables, so they cannot drift from what the parser accepts.
 *
 * Every command of cmd_commands runs once in core/opt's describe mode, which makes its
 * opt_parse (or opt_dispatch, for commands with verbs) write its table instead of parsing.
 * The scripts are static: completing a word never runs the program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/operations.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/opt.h"

/* One option as the describe mode tells it. */
struct copt {
	char *names;   /* "-r --region" */
	char *longest; /* "--region" (or "-x" when it has no long name) */
	char *help;
	char *choices; /* "text json", or NULL */
	int value;     /* takes a value */
};

/* A completion key: "run-task", or "snapshot create" for a verb. */
struct ckey {
	char *key;
	struct copt *opts;
	size_t n, cap;
};

struct model {
	struct ckey *keys;
	size_t n, cap;
	buf verbs[64]; /* per command of cmd_commands: "name\tsummary\n" lines */
};

static struct ckey *add_key(struct model *m, const char *key)
{
	ARRAY_GROW(m->keys, m->n + 1, m->cap);
	struct ckey *k = &m->keys[m->n++];
	memset(k, 0, sizeof *k);
	k->key = xstrdup(key);
	return k;
}

/* Reads one option line "-r --region=<TAB>help". */
static void add_option(struct ckey *k, const char *line)
{
	const char *tab = strchr(line, '\t');
	size_t len = tab ? (size_t)(tab - line) : strlen(line);
	char *names = xstrndup(line, len);
	struct copt o = {0};
	o.value = len > 0 && names[len - 1] == '=';
	if (o.value)
		names[len - 1] = '\0';
	o.names = names;
	const char *sp = strrchr(names, ' ');
	o.longest = xstrdup(sp ? sp + 1 : names);
	o.help = xstrdup(tab ? tab + 1 : "");
	ARRAY_GROW(k->opts, k->n + 1, k->cap);
	k->opts[k->n++] = o;
}

static void describe_all(struct model *m)
{
	memset(m, 0, sizeof *m);
	for (size_t c = 0; c < cmd_ncommands && c < 64; c++) {
		buf out = BUF_INIT;
		char *args[] = {(char *)cmd_commands[c].name, NULL};
		opt_set_describe(OPT_DESCRIBE_WORDS, &out);
		cmd_commands[c].fn(1, args);
		opt_set_describe(OPT_DESCRIBE_NONE, NULL);
		struct ckey *k = add_key(m, cmd_commands[c].name);
		size_t at = 0;
		const char *text = buf_cstr(&out);
		while (text[at]) {
			size_t len = strcspn(text + at, "\n");
			char *line = xstrndup(text + at, len);
			at += len + (text[at + len] == '\n');
			if (strncmp(line, "VERB ", 5) == 0) {
				buf_printf(&m->verbs[c], "%s\n", line + 5);
				char *key = xasprintf("%s %.*s", cmd_commands[c].name,
				                      (int)strcspn(line + 5, "\t"), line + 5);
				k = add_key(m, key);
				free(key);
			} else if (strncmp(line, " =CHOICES ", 10) == 0 && k->n) {
				k->opts[k->n - 1].choices = xstrdup(line + 10);
			} else if (line[0] == '-') {
				add_option(k, line);
			}
			free(line);
		}
		buf_free(&out);
	}
	/* trigger's one positional argument is the operation. */
	size_t n;
	const config_operation *ops = config_operations(&n);
	for (size_t c = 0; c < cmd_ncommands; c++)
		if (strcmp(cmd_commands[c].name, "trigger") == 0)
			for (size_t i = 0; i < n; i++)
				buf_printf(&m->verbs[c], "%s\t%s\n", ops[i].verb, ops[i].summary);
	for (size_t c = 0; c < cmd_ncommands; c++)
		if (strcmp(cmd_commands[c].name, "completion") == 0)
			buf_puts(&m->verbs[c], "bash\tbash completion\nzsh\tzsh completion\n");
}

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->n; i++) {
		for (size_t j = 0; j < m->keys[i].n; j++) {
			free(m->keys[i].opts[j].names);
			free(m->keys[i].opts[j].longest);
			free(m->keys[i].opts[j].help);
			free(m->keys[i].opts[j].choices);
		}
		free(m->keys[i].opts);
		free(m->keys[i].key);
	}
	free(m->keys);
	for (size_t c = 0; c < 64; c++)
		buf_free(&m->verbs[c]);
}

/* s inside single quotes. */
static void squote(buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

/* The names of a verbs buffer ("name\tsummary\n"...), space-separated. */
static void verb_names(buf *out, const buf *verbs)
{
	const char *p = buf_cstr(verbs);
	int first = 1;
	while (*p) {
		size_t len = strcspn(p, "\t\n");
		buf_printf(out, "%s%.*s", first ? "" : " ", (int)len, p);
		first = 0;
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
}

/* The distinct choices of every option, by option name, for a `case`. */
static void choice_cases(buf *out, const struct model *m, int zsh)
{
	buf seen = BUF_INIT;
	for (size_t i = 0; i < m->n; i++)
		for (size_t j = 0; j < m->keys[i].n; j++) {
			const struct copt *o = &m->keys[i].opts[j];
			if (!o->choices)
				continue;
			char *tag = xasprintf("|%s|", o->longest);
			if (!strstr(buf_cstr(&seen), tag)) {
				buf_puts(&seen, tag);
				buf_printf(out, "\t%s) %s%s%s ;;\n", o->longest,
				           zsh ? "reply=(" : "echo '", o->choices, zsh ? ")" : "'");
			}
			free(tag);
		}
	buf_free(&seen);
}

static void bash_script(buf *out, struct model *m)
{
	buf_puts(out,
	         "# bash completion for orchestrator and trigger_workflow, generated from the\n"
	         "# option tables by `orchestrator completion bash`.\n\n"
	         "_orchestrator_options() {\n\tcase $1 in\n");
	for (size_t i = 0; i < m->n; i++) {
		buf words = BUF_INIT;
		for (size_t j = 0; j < m->keys[i].n; j++) {
			const struct copt *o = &m->keys[i].opts[j];
			const char *p = o->names;
			while (*p) {
				size_t len = strcspn(p, " ");
				int is_long = len > 2 && p[1] == '-';
				buf_printf(&words, "%s%.*s%s", words.len ? " " : "", (int)len, p,
				           is_long && o->value ? "=" : "");
				p += len + (p[len] == ' ');
			}
		}
		buf_puts(out, "\t");
		squote(out, m->keys[i].key);
		buf_printf(out, ") echo '%s' ;;\n", buf_cstr(&words));
		buf_free(&words);
	}
	buf_puts(out, "\tesac\n}\n\n_orchestrator_valued() {\n\tcase $1 in\n");
	for (size_t i = 0; i < m->n; i++) {
		buf words = BUF_INIT;
		for (size_t j = 0; j < m->keys[i].n; j++)
			if (m->keys[i].opts[j].value)
				buf_printf(&words, " %s", m->keys[i].opts[j].names);
		buf_puts(out, "\t");
		squote(out, m->keys[i].key);
		buf_printf(out, ") echo '%s ' ;;\n", buf_cstr(&words));
		buf_free(&words);
	}
	buf_puts(out, "\tesac\n}\n\n_orchestrator_verbs() {\n\tcase $1 in\n");
	for (size_t c = 0; c < cmd_ncommands; c++) {
		if (!m->verbs[c].len)
			continue;
		buf names = BUF_INIT;
		verb_names(&names, &m->verbs[c]);
		buf_printf(out, "\t%s) echo '%s' ;;\n", cmd_commands[c].name, buf_cstr(&names));
		buf_free(&names);
	}
	buf_puts(out, "\tesac\n}\n\n_orchestrator_choices() {\n\tcase $1 in\n");
	choice_cases(out, m, 0);
	buf_puts(out, "\tesac\n}\n\n");
	buf commands = BUF_INIT;
	for (size_t c = 0; c < cmd_ncommands; c++)
		buf_printf(&commands, "%s ", cmd_commands[c].name);
	buf_printf(
	    out,
	    "_orchestrator() {\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} key i=2\n"
	    "\tCOMPREPLY=()\n"
	    "\tif [[ ${COMP_WORDS[0]##*/} == trigger_workflow ]]; then\n"
	    "\t\tkey=trigger i=1\n"
	    "\telse\n"
	    "\t\tif ((COMP_CWORD == 1)); then\n"
	    "\t\t\tCOMPREPLY=($(compgen -W '%shelp --version --help' -- \"$cur\"))\n"
	    "\t\t\treturn\n"
	    "\t\tfi\n"
	    "\t\tkey=${COMP_WORDS[1]}\n"
	    "\t\tif [[ $key == help ]]; then\n"
	    "\t\t\t((COMP_CWORD == 2)) && COMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n"
	    "\t\t\treturn\n"
	    "\t\tfi\n"
	    "\tfi\n"
	    "\tlocal verbs\n"
	    "\tverbs=$(_orchestrator_verbs \"$key\")\n"
	    "\tif [[ -n $verbs && $key != trigger ]]; then\n"
	    "\t\tif ((COMP_CWORD == i)); then\n"
	    "\t\t\tCOMPREPLY=($(compgen -W \"$verbs help\" -- \"$cur\"))\n"
	    "\t\t\treturn\n"
	    "\t\tfi\n"
	    "\t\tkey=\"$key ${COMP_WORDS[i]}\"\n"
	    "\tfi\n"
	    "\tif [[ $cur == --*=* ]]; then\n"
	    "\t\tprev=${cur%%%%=*} cur=${cur#*=}\n"
	    "\telif [[ \" $(_orchestrator_valued \"$key\") \" != *\" $prev \"* ]]; then\n"
	    "\t\tprev=\n"
	    "\tfi\n"
	    "\tif [[ -n $prev ]]; then\n"
	    "\t\tlocal choices\n"
	    "\t\tchoices=$(_orchestrator_choices \"$prev\")\n"
	    "\t\tif [[ -n $choices ]]; then\n"
	    "\t\t\tCOMPREPLY=($(compgen -W \"$choices\" -- \"$cur\"))\n"
	    "\t\telse\n"
	    "\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	    "\t\tfi\n"
	    "\telif [[ $cur == -* ]]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$(_orchestrator_options \"$key\")\" -- "
	    "\"$cur\"))\n"
	    "\t\t[[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2>/dev/null\n"
	    "\telif [[ $key == trigger ]]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$verbs\" -- \"$cur\"))\n"
	    "\telse\n"
	    "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	    "\tfi\n"
	    "}\n"
	    "complete -F _orchestrator orchestrator trigger_workflow\n",
	    buf_cstr(&commands), buf_cstr(&commands));
	buf_free(&commands);
}

/* One _describe item, 'name:help', quoted for zsh. */
static void zsh_item(buf *out, const char *name, const char *help)
{
	buf item = BUF_INIT;
	for (const char *p = name; *p; p++) {
		if (*p == ':')
			buf_putc(&item, '\\');
		buf_putc(&item, *p);
	}
	buf_printf(&item, ":%s", help);
	buf_putc(out, ' ');
	squote(out, buf_cstr(&item));
	buf_free(&item);
}

static void zsh_script(buf *out, struct model *m)
{
	buf_puts(out, "#compdef orchestrator trigger_workflow\n"
	              "# zsh completion for orchestrator and trigger_workflow, generated from the\n"
	              "# option tables by `orchestrator completion zsh`.\n\n"
	              "_orchestrator_options() {\n\tcase $1 in\n");
	for (size_t i = 0; i < m->n; i++) {
		buf_puts(out, "\t");
		squote(out, m->keys[i].key);
		buf_puts(out, ") reply=(");
		for (size_t j = 0; j < m->keys[i].n; j++) {
			const struct copt *o = &m->keys[i].opts[j];
			const char *p = o->names;
			while (*p) {
				size_t len = strcspn(p, " ");
				char *name = xstrndup(p, len);
				zsh_item(out, name, o->help);
				free(name);
				p += len + (p[len] == ' ');
			}
		}
		buf_puts(out, " ) ;;\n");
	}
	buf_puts(out, "\tesac\n}\n\n_orchestrator_valued() {\n\tcase $1 in\n");
	for (size_t i = 0; i < m->n; i++) {
		buf_puts(out, "\t");
		squote(out, m->keys[i].key);
		buf_puts(out, ") reply=(");
		for (size_t j = 0; j < m->keys[i].n; j++)
			if (m->keys[i].opts[j].value)
				buf_printf(out, " %s", m->keys[i].opts[j].names);
		buf_puts(out, " ) ;;\n");
	}
	buf_puts(out, "\tesac\n}\n\n_orchestrator_verbs() {\n\treply=()\n\tcase $1 in\n");
	for (size_t c = 0; c < cmd_ncommands; c++) {
		if (!m->verbs[c].len)
			continue;
		buf_printf(out, "\t%s) reply=(", cmd_commands[c].name);
		const char *p = buf_cstr(&m->verbs[c]);
		while (*p) {
			size_t len = strcspn(p, "\n");
			char *line = xstrndup(p, len);
			char *tab = strchr(line, '\t');
			if (tab)
				*tab = '\0';
			zsh_item(out, line, tab ? tab + 1 : "");
			free(line);
			p += len + (p[len] == '\n');
		}
		buf_puts(out, " ) ;;\n");
	}
	buf_puts(out, "\tesac\n}\n\n_orchestrator_choices() {\n\treply=()\n\tcase $1 in\n");
	choice_cases(out, m, 1);
	buf_puts(out, "\tesac\n}\n\n_orchestrator_commands() {\n\treply=(");
	for (size_t c = 0; c < cmd_ncommands; c++)
		zsh_item(out, cmd_commands[c].name, cmd_commands[c].summary);
	buf_puts(out,
	         " )\n}\n\n"
	         "_orchestrator() {\n"
	         "\tlocal key i=3 prev cur=$PREFIX\n"
	         "\tlocal -a reply\n"
	         "\tif [[ ${words[1]:t} == trigger_workflow ]]; then\n"
	         "\t\tkey=trigger i=2\n"
	         "\telse\n"
	         "\t\tif ((CURRENT == 2)); then\n"
	         "\t\t\t_orchestrator_commands\n"
	         "\t\t\t_describe -t commands 'orchestrator command' reply\n"
	         "\t\t\treturn\n"
	         "\t\tfi\n"
	         "\t\tkey=$words[2]\n"
	         "\t\tif [[ $key == help ]]; then\n"
	         "\t\t\t_orchestrator_commands\n"
	         "\t\t\t((CURRENT == 3)) && _describe -t commands 'orchestrator command' reply\n"
	         "\t\t\treturn\n"
	         "\t\tfi\n"
	         "\tfi\n"
	         "\t_orchestrator_verbs $key\n"
	         "\tlocal -a verbs=(\"${reply[@]}\")\n"
	         "\tif ((${#verbs})) && [[ $key != trigger ]]; then\n"
	         "\t\tif ((CURRENT == i)); then\n"
	         "\t\t\t_describe -t verbs 'verb' verbs\n"
	         "\t\t\treturn\n"
	         "\t\tfi\n"
	         "\t\tkey=\"$key $words[i]\"\n"
	         "\tfi\n"
	         "\tprev=$words[CURRENT-1]\n"
	         "\t_orchestrator_valued $key\n"
	         "\tif ((${reply[(Ie)$prev]})); then\n"
	         "\t\t_orchestrator_choices $prev\n"
	         "\t\tif ((${#reply})); then\n"
	         "\t\t\tcompadd -a reply\n"
	         "\t\telse\n"
	         "\t\t\t_files\n"
	         "\t\tfi\n"
	         "\telif [[ $cur == -* ]]; then\n"
	         "\t\t_orchestrator_options $key\n"
	         "\t\treply+=('--help:show this help')\n"
	         "\t\t_describe -t options 'option' reply\n"
	         "\telif [[ $key == trigger ]]; then\n"
	         "\t\t_describe -t verbs 'verb' verbs\n"
	         "\telse\n"
	         "\t\t_files\n"
	         "\tfi\n"
	         "}\n\n"
	         "_orchestrator \"$@\"\n");
}

static const char *const completion_usage[] = {"orchestrator completion bash|zsh", NULL};

int cmd_completion(int argc, char **argv)
{
	int rc;
	const opt_option options[] = {OPT_END()};
	const opt_command cmd = {
	    "orchestrator completion", completion_usage, options,
	    "bash: add `source <(orchestrator completion bash)` to ~/.bashrc, or install the\n"
	    "output as /usr/share/bash-completion/completions/orchestrator (make install does).\n"
	    "zsh: install the output as _orchestrator in a directory of $fpath (make install\n"
	    "puts it in $(PREFIX)/share/zsh/site-functions)."};
	if (opt_parse(&cmd, &argc, argv, &rc))
		return rc;
	if (argc != 2 || (strcmp(argv[1], "bash") != 0 && strcmp(argv[1], "zsh") != 0))
		return opt_error(&cmd, "expected one shell: bash or zsh");
	struct model m;
	describe_all(&m);
	buf out = BUF_INIT;
	if (strcmp(argv[1], "bash") == 0)
		bash_script(&out, &m);
	else
		zsh_script(&out, &m);
	fputs(buf_cstr(&out), stdout);
	buf_free(&out);
	model_free(&m);
	return ORC_OK;
}

static const char *const manpage_usage[] = {"orchestrator manpage", NULL};

int cmd_manpage(int argc, char **argv)
{
	int rc;
	const opt_option options[] = {OPT_END()};
	const opt_command cmd = {"orchestrator manpage", manpage_usage, options,
	                         "make man writes it to build/orchestrator.1; make install "
	                         "installs it."};
	if (opt_parse(&cmd, &argc, argv, &rc))
		return rc;
	if (argc > 1)
		return opt_error(&cmd, "unexpected argument '%s'", argv[1]);
	buf out = BUF_INIT;
	buf_printf(&out,
	           ".TH ORCHESTRATOR 1 \"\" \"orchestrator %s\" \"User Commands\"\n"
	           ".SH NAME\norchestrator, trigger_workflow \\- run every operation on a "
	           "PostgreSQL/Aurora database from GitHub Actions and AWS\n"
	           ".SH SYNOPSIS\n.B orchestrator\n.I command\n[\\fIoptions\\fR]\n.br\n"
	           ".B trigger_workflow\n[\\fIVERB\\fR] [\\fIoptions\\fR]\n"
	           ".SH DESCRIPTION\nOne program for every operation; \\fBtrigger_workflow\\fR "
	           "is \\fBorchestrator trigger\\fR under its own name. Every command takes "
	           "\\fB\\-h\\fR/\\fB\\-\\-help\\fR; \\fBorchestrator help\\fR \\fIcommand\\fR "
	           "shows the same.\n.SH COMMANDS\n",
	           ORC_VERSION);
	for (size_t c = 0; c < cmd_ncommands; c++) {
		buf_printf(&out, ".TP\n.B %s\n%s\n", cmd_commands[c].name, cmd_commands[c].summary);
	}
	buf_puts(&out, ".SH OPTIONS\n");
	for (size_t c = 0; c < cmd_ncommands; c++) {
		if (cmd_commands[c].fn == cmd_manpage)
			continue;
		/* info, validate, baseline and repair share migrate's table. */
		if (c > 0 && cmd_commands[c].fn == cmd_commands[c - 1].fn)
			continue;
		char *args[] = {(char *)cmd_commands[c].name, NULL};
		opt_set_describe(OPT_DESCRIBE_MAN, &out);
		cmd_commands[c].fn(1, args);
		opt_set_describe(OPT_DESCRIBE_NONE, NULL);
	}
	buf_puts(&out, ".SH EXIT STATUS\n0 success; 1 the operation failed; 2 usage or "
	               "configuration error; 3 the remote refused (authentication, permission, not "
	               "found).\n.SH SEE ALSO\nREADME.md in the repository.\n");
	fputs(buf_cstr(&out), stdout);
	buf_free(&out);
	return ORC_OK;
}
