/*
 * err: the one error type, carried up the stack.
 *
 * Functions that can fail return an int result code (0 on success, else one of the
 * exit codes below) and fill an err the caller passed in. The message is built once,
 * where the facts are known, and callers only add context in front of it
 * ("config.json: infrastructure[...]: ..."). The message is a single line that says what
 * went wrong and what to do; main prints it and exits with err.code.
 */
#ifndef ORC_ERR_H
#define ORC_ERR_H

/* Exit codes, the same for every command (product.md). */
enum {
	ORC_OK = 0,
	ORC_EFAIL = 1,   /* the operation failed */
	ORC_EUSAGE = 2,  /* usage or configuration error */
	ORC_EREMOTE = 3, /* the remote refused: authentication, permission, not found */
};

typedef struct err {
	int code;
	/* Set by transport layers for faults worth another attempt (connection, 5xx, throttling).
	 */
	int transient;
	char msg[2048];
} err;

#define ERR_INIT                                                                                   \
	{                                                                                          \
		0, 0,                                                                              \
		{                                                                                  \
			0                                                                          \
		}                                                                                  \
	}

/* Sets code and message; returns code so callers can `return err_set(...)`. */
int err_set(err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Puts "context: " in front of the message; returns e->code. */
int err_prefix(err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(err *e);

#endif
