/* config.json: any file loads or is refused with problems; a config that loads holds no
 * control character in a value the workflows write to $GITHUB_OUTPUT. */
#include <unistd.h>

#include "config/config.h"
#include "fuzz.h"

static int clean(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_tmp_path("config.json");
	fuzz_write_file(path, data, size);
	config *c = NULL;
	config_problems p = {NULL, 0};
	err e = ERR_INIT;
	if (config_load(path, &c, &p, &e) == 0) {
		const char *v[] = {c->flyway_version, c->github_owner, c->github_repo,
		                   c->gitbot_email,   c->gitbot_name,  c->docker_registry,
		                   c->docker_owner,   c->docker_repo,  c->github_token_name};
		for (size_t i = 0; i < sizeof v / sizeof *v; i++)
			FUZZ_ASSERT(clean(v[i]), "no control character in a loaded value");
		for (size_t i = 0; i < c->nregions; i++) {
			FUZZ_ASSERT(clean(c->regions[i].name), "no control character in a region");
			FUZZ_ASSERT(clean(c->regions[i].terraform_bucket), "nor in its bucket");
		}
		config_free(c);
	}
	config_problems_free(&p);
	unlink(path);
	return 0;
}
