/* bump-image: placeholder until its issue lands; the owner of the issue replaces this file. */
#include "cmd/cmd.h"
#include "core/log.h"

int cmd_bump_image(int argc, char **argv)
{
	(void)argc;
	log_error("%s: not available in this build yet", argv[0]);
	return ORC_EUSAGE;
}
