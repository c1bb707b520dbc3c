/*
 * log: redacting output, GitHub Actions annotations, outputs and summaries.
 *
 * Secrets are kept in a small list; every line is redacted as a whole before it is
 * written, so a secret split across format arguments is still caught. The list is
 * sorted longest first so that a secret containing another is replaced whole.
 *
 * What we print holds names and values from outside (file names, identifiers, server
 * messages, a container's log). The Actions runner reads any output line that starts with
 * "::" as a workflow command (add-mask, stop-commands, annotations), and it splits lines
 * at CR as well as LF. So every message is made safe as a whole, after formatting: control
 * characters other than LF and TAB are written as C escapes (\r, \x1b), and a line that
 * would start with "::" (after blanks) gets its first colon written as \x3a; the runner
 * also reads its older syntax "##[name]data" anywhere in a line, so the '[' of "##[" is
 * written as \u005b (which JSON output reads back as '['). Only the commands this module means to
 * send (log_command, annotations, add-mask) start with "::", their data escaped by the runner's own
 * rules. Values for $GITHUB_OUTPUT with a line break go in the delimiter syntax, with a random
 * delimiter the value cannot hold.
 */
#include "core/log.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/err.h"

static struct {
	int verbose;
	int quiet;
	int json;
	int colour;   /* stderr is a terminal that wants colour */
	int terminal; /* stderr is a terminal where a line can be rewritten in place */
	int actions;
	buf status;       /* the status line rewritten in place (log_status), "" when none */
	int status_shown; /* it is on the terminal now */
	char **secrets;
	size_t nsecrets, cap;
} L;

void log_init(void)
{
	const char *gha = getenv("GITHUB_ACTIONS");
	L.actions = gha && strcmp(gha, "true") == 0;
	/* no-color.org: NO_COLOR set to anything non-empty turns it off; so do a dumb
	 * terminal and anything that is not a terminal (logs, pipes, GitHub). */
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
	int dumb = term && strcmp(term, "dumb") == 0;
	L.colour = isatty(STDERR_FILENO) && !(no && *no) && !dumb;
	/* A dumb terminal may not know "erase to the end of the line": plain lines there. */
	L.terminal = isatty(STDERR_FILENO) && !dumb && !L.actions;
}

/* The "error: " / "warning: " prefix, in bold red / yellow on a terminal. */
static const char *prefix_for(const char *kind)
{
	if (!L.colour)
		return strcmp(kind, "error") == 0 ? "error: " : "warning: ";
	return strcmp(kind, "error") == 0 ? "\033[1;31merror:\033[0m "
	                                  : "\033[1;33mwarning:\033[0m ";
}

void log_shutdown(void)
{
	for (size_t i = 0; i < L.nsecrets; i++) {
		OPENSSL_cleanse(L.secrets[i], strlen(L.secrets[i]));
		free(L.secrets[i]);
	}
	free(L.secrets);
	L.secrets = NULL;
	L.nsecrets = L.cap = 0;
	buf_free(&L.status);
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

/* The secret list is shared by serve's connection threads and the tenant workers, and a
 * credential refreshed in one of them is registered while others print. Recursive: adding
 * a secret prints ::add-mask::, which redacts under the same lock. */
static pthread_mutex_t secrets_mu = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static void add_secret_locked(const char *value);

void log_add_secret(const char *value)
{
	if (!value || strlen(value) < 4)
		return;
	pthread_mutex_lock(&secrets_mu);
	add_secret_locked(value);
	pthread_mutex_unlock(&secrets_mu);
}

static void add_secret_locked(const char *value)
{
	for (size_t i = 0; i < L.nsecrets; i++)
		if (strcmp(L.secrets[i], value) == 0)
			return;
	ARRAY_GROW(L.secrets, L.nsecrets + 1, L.cap);
	size_t at = L.nsecrets;
	size_t len = strlen(value);
	while (at > 0 && strlen(L.secrets[at - 1]) < len) {
		L.secrets[at] = L.secrets[at - 1];
		at--;
	}
	L.secrets[at] = xstrdup(value);
	L.nsecrets++;
	/* The runner consumes this line and masks the value in every later log line. */
	if (L.actions)
		log_command("add-mask", value);
}

void log_redact(buf *b)
{
	pthread_mutex_lock(&secrets_mu);
	for (size_t i = 0; i < L.nsecrets; i++)
		buf_replace_all(b, L.secrets[i], "***");
	pthread_mutex_unlock(&secrets_mu);
}

/* Whether s[0..n) occurs in secret, ignoring ASCII case (the server folds identifiers). */
static int occurs_nocase(const char *secret, size_t slen, const char *s, size_t n)
{
	for (size_t i = 0; i + n <= slen; i++)
		if (strncasecmp(secret + i, s, n) == 0)
			return 1;
	return 0;
}

/* Length of the longest prefix of s[0..n) that occurs somewhere in secret. */
static size_t secret_run(const char *s, size_t n, const char *secret)
{
	size_t slen = strlen(secret), best = 0;
	for (size_t l = 1; l <= n && l <= slen; l++) {
		if (!occurs_nocase(secret, slen, s, l))
			break;
		best = l;
	}
	return best;
}

void log_redact_fragments(buf *b, const char *ctx, size_t ctxlen)
{
	pthread_mutex_lock(&secrets_mu);
	log_redact(b);
	for (size_t k = 0; k < L.nsecrets; k++) {
		const char *secret = L.secrets[k];
		if (!memmem(ctx, ctxlen, secret, strlen(secret)))
			continue;
		buf out = BUF_INIT;
		char close = 0;
		for (size_t i = 0; i < b->len;) {
			char c = b->ptr[i];
			if (!close && (c == '"' || c == '\'' || c == '(')) {
				close = c == '(' ? ')' : c;
				buf_putc(&out, c);
				i++;
				continue;
			}
			if (close && c == close) {
				close = 0;
				buf_putc(&out, c);
				i++;
				continue;
			}
			size_t run = close ? secret_run(b->ptr + i, b->len - i, secret) : 0;
			if (run >= 2) {
				buf_puts(&out, "***");
				i += run;
			} else {
				buf_putc(&out, c);
				i++;
			}
		}
		if (b->len)
			OPENSSL_cleanse(b->ptr, b->len);
		buf_clear(b);
		buf_put(b, out.ptr ? out.ptr : "", out.len);
		buf_free(&out);
	}
	pthread_mutex_unlock(&secrets_mu);
}

/* Workflow command data must escape %, CR and LF (the runner's own escaping rules); other
 * control characters are written as C escapes, as in every other line. */
static void escape_data(buf *out, const char *s, int runner_rules_only)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '%': buf_puts(out, "%25"); break;
		case '\r': buf_puts(out, "%0D"); break;
		case '\n': buf_puts(out, "%0A"); break;
		default:
			if (!runner_rules_only && (c < 0x20 || c == 0x7f))
				buf_printf(out, "\\x%02x", c);
			else
				buf_putc(out, (char)c);
		}
	}
}

/* Appends s[0..n) to out so that no line of it can be a workflow command and no control
 * character reaches the terminal or the runner (see the top of the file). line_start says
 * whether s begins a line. A line break inside s (a name holding one) is followed by indent
 * spaces, so that the rest of a "warning: " or "error: " line reads as part of it. */
static void put_safe(buf *out, const char *s, size_t n, int line_start, size_t indent)
{
	buf_grow(out, n);
	for (size_t i = 0; i < n; i++) {
		/* A run of bytes that pass unchanged is copied at once (info prints megabytes
		 * through here): printable, no ':' or '[' (the two command syntaxes), and
		 * spaces only while they keep a line's start. */
		size_t j = i;
		while (j < n) {
			unsigned char b = (unsigned char)s[j];
			if (b < 0x20 || b == 0x7f || b == ':' || b == '[' ||
			    (line_start && b == ' '))
				break;
			line_start = 0;
			j++;
		}
		if (j > i) {
			buf_put(out, s + i, j - i);
			if (j == n)
				break;
			i = j;
		}
		unsigned char c = (unsigned char)s[i];
		if (c == '\n') {
			buf_putc(out, '\n');
			if (i + 1 < n)
				for (size_t k = 0; k < indent; k++)
					buf_putc(out, ' ');
			line_start = 1;
		} else if (line_start && (c == ' ' || c == '\t')) {
			buf_putc(out, (char)c);
		} else if (line_start && c == ':' && i + 1 < n && s[i + 1] == ':') {
			buf_puts(out, "\\x3a");
			line_start = 0;
		} else if (c == '[' && i >= 2 && s[i - 1] == '#' && s[i - 2] == '#') {
			/* the runner's older command syntax, "##[name]data", counts anywhere in
			 * a line */
			buf_puts(out, "\\u005b"); /* a valid escape inside a JSON string too */
			line_start = 0;
		} else {
			line_start = 0;
			if (c == '\t')
				buf_putc(out, '\t');
			else if (c == '\r')
				buf_puts(out, "\\r");
			else if (c < 0x20 || c == 0x7f)
				buf_printf(out, "\\x%02x", c);
			else
				buf_putc(out, (char)c);
		}
	}
}

static void status_hide(void)
{
	if (!L.status_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	L.status_shown = 0;
}

static void status_show(void)
{
	if (!L.status.len)
		return;
	fwrite(L.status.ptr, 1, L.status.len, stderr);
	fflush(stderr);
	L.status_shown = 1;
}

static void emit(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	buf msg = BUF_INIT;
	buf_vprintf(&msg, fmt, ap);
	log_redact(&msg);
	buf line = BUF_INIT;
	buf_puts(&line, prefix);
	/* the prefix's width on screen: its colour sequences take none */
	size_t width = 0;
	for (const char *p = prefix; *p; p++) {
		if (*p == '\033') {
			p += strcspn(p, "m");
			if (!*p)
				break;
		} else {
			width++;
		}
	}
	put_safe(&line, msg.ptr ? msg.ptr : "", msg.len, 1, width);
	if (!line.len || line.ptr[line.len - 1] != '\n')
		buf_putc(&line, '\n');
	fflush(stdout);
	/* A status line in place goes out of the way and comes back under this line. */
	int status = L.status_shown;
	status_hide();
	fwrite(line.ptr, 1, line.len, f);
	fflush(f);
	if (status)
		status_show();
	buf_free(&line);
	buf_free(&msg);
}

static void escape_command_data(buf *out, const char *s)
{
	escape_data(out, s, 0);
}

/* add-mask data keeps its bytes (the runner must mask exactly them). */
void log_command(const char *name, const char *data)
{
	buf line = BUF_INIT;
	buf_printf(&line, "::%s::", name);
	escape_data(&line, data ? data : "", strcmp(name, "add-mask") == 0);
	buf_putc(&line, '\n');
	fflush(stderr);
	fwrite(line.ptr, 1, line.len, stdout);
	fflush(stdout);
	OPENSSL_cleanse(line.ptr, line.len); /* add-mask data is a secret */
	buf_free(&line);
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
	emit(L.json ? stderr : stdout, "", fmt, ap);
	va_end(ap);
}

void log_text(int to_stderr, const char *text)
{
	buf msg = BUF_INIT;
	buf_puts(&msg, text ? text : "");
	log_redact(&msg);
	buf out = BUF_INIT;
	put_safe(&out, msg.ptr ? msg.ptr : "", msg.len, 1, 0);
	FILE *f = to_stderr ? stderr : stdout;
	fflush(to_stderr ? stdout : stderr);
	fwrite(out.ptr ? out.ptr : "", 1, out.len, f);
	fflush(f);
	buf_free(&out);
	buf_free(&msg);
}

void log_set_json(int on)
{
	L.json = on;
}

int log_is_json(void)
{
	return L.json;
}

void log_result(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(stdout, "", fmt, ap);
	va_end(ap);
}

void log_json(const cJSON *doc)
{
	char *text = cJSON_Print(doc);
	log_result("%s", text);
	cJSON_free(text);
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
		emit(stderr, prefix_for("warning"), fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (L.actions)
		emit_annotation("error", NULL, fmt, ap);
	else
		emit(stderr, prefix_for("error"), fmt, ap);
	va_end(ap);
}

/* An annotation of this kind ("error", "warning") tied to file and line in Actions; the
 * kind's prefix and the message elsewhere. */
static void emit_at(const char *kind, const char *file, int line, const char *fmt, va_list ap)
{
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
		emit_annotation(kind, buf_cstr(&props), fmt, ap);
		buf_free(&props);
	} else {
		emit(stderr, prefix_for(kind), fmt, ap);
	}
}

void log_error_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_at("error", file, line, fmt, ap);
	va_end(ap);
}

void log_warn_at(const char *file, int line, const char *fmt, ...)
{
	if (L.quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	emit_at("warning", file, line, fmt, ap);
	va_end(ap);
}

void log_group_begin(const char *title)
{
	if (!L.actions)
		return;
	buf t = BUF_INIT;
	buf_puts(&t, title);
	log_redact(&t);
	log_command("group", buf_cstr(&t));
	buf_free(&t);
}

void log_group_end(void)
{
	if (L.actions)
		log_command("endgroup", "");
}

static int append_env_file(const char *var, const buf *text)
{
	const char *path = getenv(var);
	if (!path || !*path)
		return 0;
	FILE *f = fopen(path, "a");
	if (!f)
		return ORC_EFAIL;
	int ok = fwrite(text->ptr, 1, text->len, f) == text->len;
	ok &= fclose(f) == 0;
	return ok ? ORC_OK : ORC_EFAIL;
}

int log_gha_output(const char *name, const char *value)
{
	if (!L.actions)
		return 0;
	/* A name is ours (a literal in the code): one holding '=' or a control character
	 * would write another output. */
	for (const char *p = name; *p; p++)
		if (*p == '=' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return ORC_EFAIL;
	buf text = BUF_INIT;
	if (strpbrk(value, "\r\n")) {
		/* The runner splits at CR too. The delimiter is random, so a value cannot end the
		 * block early and write outputs of its own; a collision is checked anyway. */
		unsigned char r[16];
		char delim[64];
		do {
			if (RAND_bytes(r, sizeof r) != 1)
				return ORC_EFAIL;
			buf d = BUF_INIT;
			buf_puts(&d, "ORCHESTRATOR_EOF_");
			buf_put_hex(&d, r, sizeof r);
			snprintf(delim, sizeof delim, "%s", buf_cstr(&d));
			buf_free(&d);
		} while (strstr(value, delim));
		buf_printf(&text, "%s<<%s\n%s\n%s\n", name, delim, value, delim);
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

int log_is_terminal(void)
{
	return L.terminal;
}

static const char *tone_sgr(log_tone tone)
{
	switch (tone) {
	case LOG_TONE_BUSY: return "\033[36m";  /* cyan: under way */
	case LOG_TONE_OK: return "\033[1;32m";  /* bold green: done or running well */
	case LOG_TONE_BAD: return "\033[1;31m"; /* bold red, as error: */
	case LOG_TONE_NONE: break;
	}
	return NULL;
}

/* Appends a part of a status line made safe (one line: LF becomes a blank), at most *room
 * characters of it (UTF-8 continuation bytes are not counted). */
static void put_status_part(buf *out, const char *s, size_t n, int line_start, size_t *room)
{
	buf safe = BUF_INIT;
	put_safe(&safe, s, n, line_start, 0);
	for (size_t i = 0; i < safe.len; i++) {
		unsigned char c = (unsigned char)safe.ptr[i];
		if ((c & 0xc0) != 0x80) {
			if (!*room)
				break;
			(*room)--;
		}
		buf_putc(out, c == '\n' ? ' ' : (char)c);
	}
	buf_free(&safe);
}

void log_status(int in_place, const char *head, log_tone tone, const char *state, const char *tail)
{
	if (L.quiet)
		return;
	in_place = in_place && L.terminal;
	head = head ? head : "";
	state = state ? state : "";
	tail = tail ? tail : "";
	/* Redacted as a whole: a secret across the parts is caught too. When one is there, the
	 * redacted text goes out in one piece, without colour. */
	buf whole = BUF_INIT, red = BUF_INIT;
	buf_printf(&whole, "%s%s%s", head, state, tail);
	buf_puts(&red, buf_cstr(&whole));
	log_redact(&red);
	int plain = strcmp(buf_cstr(&whole), buf_cstr(&red)) != 0;
	size_t room = (size_t)-1;
	struct winsize ws;
	if (in_place) {
		/* A line longer than the terminal would wrap and "\r" would rewrite only its last
		 * row: cut it to the width. */
		room = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 ? ws.ws_col - 1
		                                                                   : 79;
	}
	buf line = BUF_INIT;
	if (in_place)
		buf_putc(&line, '\r');
	const char *sgr = L.colour && !plain ? tone_sgr(tone) : NULL;
	if (plain) {
		put_status_part(&line, red.ptr ? red.ptr : "", red.len, 1, &room);
	} else {
		put_status_part(&line, head, strlen(head), 1, &room);
		int paint = sgr && *state && room;
		if (paint)
			buf_puts(&line, sgr);
		put_status_part(&line, state, strlen(state), !*head, &room);
		if (paint)
			buf_puts(&line, "\033[0m");
		put_status_part(&line, tail, strlen(tail), 0, &room);
	}
	fflush(stdout);
	if (in_place) {
		buf_puts(&line, "\033[K");
		buf_clear(&L.status);
		buf_put(&L.status, line.ptr, line.len);
		status_show();
	} else {
		buf_putc(&line, '\n');
		status_hide();
		fwrite(line.ptr, 1, line.len, stderr);
		fflush(stderr);
	}
	OPENSSL_cleanse(whole.ptr, whole.len);
	buf_free(&whole);
	buf_free(&red);
	buf_free(&line);
}

void log_status_clear(void)
{
	status_hide();
	buf_clear(&L.status);
}
