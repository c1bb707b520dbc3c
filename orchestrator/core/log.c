/*
 * log: redacting output, GitHub Actions annotations, outputs and summaries.
 *
 * Secrets are kept in a small list; every line is redacted as a whole before it is
 * written, so a secret split across format arguments is still caught. The list is
 * sorted longest first so that a secret containing another is replaced whole.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
	int verbose;
	int quiet;
	int actions;
	char **secrets;
	size_t nsecrets;
} L;

void log_init(void)
{
	const char *gha = getenv("GITHUB_ACTIONS");
	L.actions = gha && strcmp(gha, "true") == 0;
}

void log_shutdown(void)
{
	for (size_t i = 0; i < L.nsecrets; i++) {
		memset(L.secrets[i], 0, strlen(L.secrets[i]));
		free(L.secrets[i]);
	}
	free(L.secrets);
	L.secrets = NULL;
	L.nsecrets = 0;
}

void log_set_verbose(int on)
{
	L.verbose = on;
}

int log_is_verbose(void)
{
	return L.verbose;
}

void log_set_quiet(int on)
{
	L.quiet = on;
}

int log_is_quiet(void)
{
	return L.quiet;
}

int log_in_actions(void)
{
	return L.actions;
}

void log_add_secret(const char *value)
{
	if (!value || strlen(value) < 4)
		return;
	for (size_t i = 0; i < L.nsecrets; i++)
		if (strcmp(L.secrets[i], value) == 0)
			return;
	L.secrets = xrealloc(L.secrets, (L.nsecrets + 1) * sizeof *L.secrets);
	size_t at = L.nsecrets;
	size_t len = strlen(value);
	while (at > 0 && strlen(L.secrets[at - 1]) < len) {
		L.secrets[at] = L.secrets[at - 1];
		at--;
	}
	L.secrets[at] = xstrdup(value);
	L.nsecrets++;
	if (L.actions) {
		/* The runner consumes this line and masks the value in every later log line. */
		buf line = BUF_INIT;
		for (const char *p = value; *p; p++) {
			if (*p == '\n') {
				buf_puts(&line, "%0A");
			} else if (*p == '\r') {
				buf_puts(&line, "%0D");
			} else if (*p == '%') {
				buf_puts(&line, "%25");
			} else {
				buf_putc(&line, *p);
			}
		}
		fprintf(stdout, "::add-mask::%s\n", buf_cstr(&line));
		fflush(stdout);
		memset(line.ptr, 0, line.len);
		buf_free(&line);
	}
}

void log_redact(buf *b)
{
	for (size_t i = 0; i < L.nsecrets; i++)
		buf_replace_all(b, L.secrets[i], "***");
}

/* Workflow command data must escape %, CR and LF (the runner's own escaping rules). */
static void escape_command_data(buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '%': buf_puts(out, "%25"); break;
		case '\r': buf_puts(out, "%0D"); break;
		case '\n': buf_puts(out, "%0A"); break;
		default: buf_putc(out, *s);
		}
	}
}

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	buf msg = BUF_INIT;
	buf_vprintf(&msg, fmt, ap);
	log_redact(&msg);
	buf line = BUF_INIT;
	buf_puts(&line, prefix);
	buf_put(&line, msg.ptr ? msg.ptr : "", msg.len);
	if (!line.len || line.ptr[line.len - 1] != '\n')
		buf_putc(&line, '\n');
	fflush(stdout);
	fwrite(line.ptr, 1, line.len, f);
	fflush(f);
	buf_free(&line);
	buf_free(&msg);
}

static void emit_annotation(const char *kind, const char *props, const char *fmt, va_list ap)
{
	buf msg = BUF_INIT;
	buf_vprintf(&msg, fmt, ap);
	log_redact(&msg);
	buf line = BUF_INIT;
	buf_printf(&line, "::%s%s%s::", kind, props ? " " : "", props ? props : "");
	escape_command_data(&line, buf_cstr(&msg));
	buf_putc(&line, '\n');
	fflush(stderr);
	fwrite(line.ptr, 1, line.len, stdout);
	fflush(stdout);
	buf_free(&line);
	buf_free(&msg);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(stdout, "", fmt, ap);
	va_end(ap);
}

void log_verbose(const char *fmt, ...)
{
	if (!L.verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	emit(stderr, "", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	if (L.quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (L.actions)
		emit_annotation("warning", NULL, fmt, ap);
	else
		emit(stderr, "warning: ", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (L.actions)
		emit_annotation("error", NULL, fmt, ap);
	else
		emit(stderr, "error: ", fmt, ap);
	va_end(ap);
}

void log_error_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (L.actions) {
		/* Property values escape ',' and ':' as well. */
		buf props = BUF_INIT;
		buf_puts(&props, "file=");
		for (const char *p = file; *p; p++) {
			if (*p == ',')
				buf_puts(&props, "%2C");
			else if (*p == ':')
				buf_puts(&props, "%3A");
			else
				escape_command_data(&props, (char[]){*p, 0});
		}
		if (line > 0)
			buf_printf(&props, ",line=%d", line);
		emit_annotation("error", buf_cstr(&props), fmt, ap);
		buf_free(&props);
	} else {
		emit(stderr, "error: ", fmt, ap);
	}
	va_end(ap);
}

void log_group_begin(const char *title)
{
	if (L.actions)
		log_info("::group::%s", title);
}

void log_group_end(void)
{
	if (L.actions)
		log_info("::endgroup::");
}

static int append_env_file(const char *var, const buf *text)
{
	const char *path = getenv(var);
	if (!path || !*path)
		return 0;
	FILE *f = fopen(path, "a");
	if (!f)
		return -1;
	int ok = fwrite(text->ptr, 1, text->len, f) == text->len;
	ok &= fclose(f) == 0;
	return ok ? 0 : -1;
}

int log_gha_output(const char *name, const char *value)
{
	if (!L.actions)
		return 0;
	buf text = BUF_INIT;
	if (strchr(value, '\n')) {
		buf_printf(&text, "%s<<ORCHESTRATOR_EOF_%ld\n%s\nORCHESTRATOR_EOF_%ld\n", name,
		           (long)getpid(), value, (long)getpid());
	} else {
		buf_printf(&text, "%s=%s\n", name, value);
	}
	log_redact(&text);
	int rc = append_env_file("GITHUB_OUTPUT", &text);
	buf_free(&text);
	return rc;
}

int log_gha_summary(const char *markdown)
{
	if (!L.actions)
		return 0;
	buf text = BUF_INIT;
	buf_puts(&text, markdown);
	if (!text.len || text.ptr[text.len - 1] != '\n')
		buf_putc(&text, '\n');
	log_redact(&text);
	int rc = append_env_file("GITHUB_STEP_SUMMARY", &text);
	buf_free(&text);
	return rc;
}
