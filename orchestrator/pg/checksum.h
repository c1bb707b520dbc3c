/*
 * checksum: the Flyway checksum of a migration script.
 *
 * Flyway reads a script line by line (Java's BufferedReader.readLine: lines end at "\n",
 * "\r\n" or a lone "\r", the terminator is dropped), removes a UTF-8 byte-order mark from
 * the start, and feeds each line's UTF-8 bytes to one CRC-32 (java.util.zip.CRC32, the
 * same polynomial as zlib's crc32). The history table stores the result as a signed
 * 32-bit integer. It is computed on the file as written, before placeholders, so changing
 * only line endings does not change it.
 */
#ifndef ORC_PG_CHECKSUM_H
#define ORC_PG_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

int32_t checksum_flyway(const char *data, size_t len);

#endif
