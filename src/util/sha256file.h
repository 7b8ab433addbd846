/* \summary: SHA-256 of a file */
#ifndef PIDCAP_SHA256FILE_H
#define PIDCAP_SHA256FILE_H

#include <stddef.h>

#define SHA256_HEX_BYTES 65

/* Hashes the whole content of the open descriptor fd from offset 0 (pread:
 * the file position is left alone) into hex (SHA256_HEX_BYTES). Returns 0,
 * or -1 with errno set. */
int sha256_fd(int fd, char *hex);

#endif
