/*
 * cmd: what every command shares once its options are parsed: reporting the error that
 * ends it.
 */
#include "cmd/cmd.h"

#include "core/log.h"

int cmd_report(const err *e)
{
	int code = e->code ? e->code : ORC_EFAIL;
	log_error("%s", e->msg[0] ? e->msg : "failed");
	return code;
}
