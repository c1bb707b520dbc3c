/* metadata.json: whatever the file holds, reading never crashes, and a successful write of
 * a region's snapshot is read back as written. */
#include <unistd.h>

#include "fuzz.h"
#include "snapshot/metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_tmp_path("metadata.json");
	fuzz_write_file(path, data, size);
	char *id = NULL;
	err e = ERR_INIT;
	if (metadata_get_snapshot(path, "us-west-2", &id, &e) == 0)
		free(id);
	int changed = 0;
	err e2 = ERR_INIT;
	if (metadata_set_snapshot(path, "us-west-2", "snap-fuzz-1", &changed, &e2) == 0) {
		char *got = NULL;
		err e3 = ERR_INIT;
		FUZZ_ASSERT(metadata_get_snapshot(path, "us-west-2", &got, &e3) == 0,
		            "a written metadata.json reads back");
		FUZZ_ASSERT(got && strcmp(got, "snap-fuzz-1") == 0, "the snapshot written is read");
		free(got);
	}
	unlink(path);
	return 0;
}
