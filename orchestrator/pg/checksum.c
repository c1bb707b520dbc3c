/* checksum: Flyway's line-wise CRC-32 over zlib's crc32 (see checksum.h). */
#include "pg/checksum.h"

#include <zlib.h>

int32_t checksum_flyway(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0;
	if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		i = 3;
	uLong crc = crc32(0L, Z_NULL, 0);
	size_t start = i;
	for (; i < len; i++) {
		if (p[i] != '\n' && p[i] != '\r')
			continue;
		crc = crc32(crc, p + start, (uInt)(i - start));
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	if (start < len)
		crc = crc32(crc, p + start, (uInt)(len - start));
	return (int32_t)(uint32_t)crc;
}
