/* \summary: SHA-256 of a file */
#ifndef PIDCAP_SHA256FILE_H
#define PIDCAP_SHA256FILE_H

#include <stddef.h>

#define SHA256_HEX_BYTES 65

/* Fetches the SHA-256 implementation once, on the calling thread. A process
 * that hashes on threads while it forks must call it first, before any
 * thread: otherwise each hash fetches it under OpenSSL's store lock, and a
 * child forked at that moment inherits the lock held (and hangs on its
 * first fetch). Returns 0, -1 when OpenSSL has no SHA-256. */
int sha256_prepare(void);

/* Hashes the whole content of the open descriptor fd from offset 0 (pread:
 * the file position is left alone) into hex (SHA256_HEX_BYTES). Returns 0,
 * or -1 with errno set. */
int sha256_fd(int fd, char *hex);

/* For inputs that can be read only once (a pipe, a FIFO, a terminal):
 * reads in_fd to its end, hashing it into hex and writing every byte on to
 * out_fd (whose reader may go away: the rest is still hashed). Returns 0,
 * or -1 with errno set when in_fd could not be read. */
int sha256_copy(int in_fd, int out_fd, char *hex);

#endif
