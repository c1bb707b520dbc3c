/*
 * log: the one output path of the program.
 *
 * Everything the program prints goes through here so that two rules hold everywhere:
 * a registered secret never reaches stdout, stderr, $GITHUB_OUTPUT or the step summary
 * (it is replaced by "***"), and inside GitHub Actions (GITHUB_ACTIONS=true) errors and
 * warnings become workflow annotations, long output can be folded into groups, and
 * results land in $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY.
 *
 * log_info writes to stdout (results a user or script reads); everything else goes to
 * stderr. Control characters in a message (other than LF and TAB) are printed as C escapes
 * and no printed line can start a workflow command ("::") or hold the runner's older
 * "##[command]" form, whatever names it quotes.
 */
#ifndef ORC_LOG_H
#define ORC_LOG_H

#include "core/buf.h"

void log_init(void);
void log_shutdown(void);
void log_set_verbose(int on);
int log_is_verbose(void);
/* --quiet: only errors and results (log_info) are printed; warnings are dropped. */
void log_set_quiet(int on);
int log_is_quiet(void);
/* True when running inside GitHub Actions. */
int log_in_actions(void);

/* Registers a value to redact (ignored when shorter than 4 bytes: it would mangle
 * ordinary text). Inside Actions it also asks the runner to mask it. */
void log_add_secret(const char *value);
/* Replaces every registered secret in b with "***". */
void log_redact(buf *b);
/*
 * For a server's message about text we built (a migration with secret placeholder values
 * substituted): a broken statement makes the server quote a piece of a secret, which
 * log_redact cannot see whole. For every registered secret that occurs in ctx (ctxlen
 * bytes), each run of 2 or more bytes of it inside a quoted part of b ("...", '...',
 * (...)) is replaced by "***".
 */
void log_redact_fragments(buf *b, const char *ctx, size_t ctxlen);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A rendered text of several lines (a table, a report, a diff, a source line with its
 * caret), written as it is to stdout (stderr when to_stderr), made safe like every line
 * above: redacted, control characters escaped, no line a workflow command. */
void log_text(int to_stderr, const char *text);

/* --output json: stdout carries only the command's JSON document (log_result, log_json);
 * what log_info would print there goes to stderr instead. */
void log_set_json(int on);
int log_is_json(void);
/* The command's machine-readable result on stdout, redacted, whatever the mode. */
void log_result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* doc, formatted, through log_result. */
struct cJSON;
void log_json(const struct cJSON *doc);
void log_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error tied to a file and line: an `::error file=..,line=..::` annotation in Actions. */
void log_error_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same for a warning: `::warning file=..,line=..::` in Actions. */
void log_warn_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Status lines, for core/progress. On a terminal (stderr is one, TERM is not "dumb", not in
 * GitHub Actions: log_is_terminal) a status line can be rewritten in place: it stays on the
 * last line of the terminal, every other line printed meanwhile goes above it, until
 * log_status_clear. Elsewhere it is one ordinary line on stderr. The line is head, state
 * and tail; the state is painted by its tone when stderr is a terminal that wants colour
 * (not NO_COLOR, not TERM=dumb). Redaction and escaping as for every line; nothing with
 * --quiet.
 */
typedef enum log_tone { LOG_TONE_NONE, LOG_TONE_BUSY, LOG_TONE_OK, LOG_TONE_BAD } log_tone;
int log_is_terminal(void);
void log_status(int in_place, const char *head, log_tone tone, const char *state, const char *tail);
void log_status_clear(void);

/* Writes the workflow command "::name::data" to stdout, data escaped by the runner's rules
 * (%, CR, LF). The only way a line we print starts with "::": every log_* line is escaped
 * so that names and values from outside cannot start one. */
void log_command(const char *name, const char *data);

/* `::group::` / `::endgroup::` in Actions, nothing elsewhere. */
void log_group_begin(const char *title);
void log_group_end(void);

/* Appends name=value to $GITHUB_OUTPUT (multi-line values use a delimiter). No-op
 * outside Actions. Returns 0, or ORC_EFAIL when the file cannot be written. */
int log_gha_output(const char *name, const char *value);
/* Appends markdown to $GITHUB_STEP_SUMMARY. No-op outside Actions. */
int log_gha_summary(const char *markdown);

#endif
