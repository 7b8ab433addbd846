/* \summary: the SHA-256 of an input file, computed on a thread while the file is decoded */
#ifndef PIDCAP_HASHER_H
#define PIDCAP_HASHER_H

#include "util/sha256file.h"

/*
 * Hashing a 400 MB capture takes ~0.3 s of one core; on a thread it
 * overlaps the decoding instead of preceding it. The thread reads its own
 * duplicate of the descriptor with pread (sha256_fd), so the reader's file
 * position and mapping are untouched.
 */
struct hasher;

/*
 * Starts hashing the content of fd (from offset 0; fd stays the caller's).
 * done, when not NULL, is called on the hashing thread with the hex digest
 * once it is known (e.g. to publish it to a supervisor). NULL when the
 * thread cannot start: the caller then hashes itself.
 */
struct hasher *hasher_start(int fd, void (*done)(void *ctx, const char *hex), void *ctx);

/*
 * For an input that can be read only once (a pipe, a FIFO): the thread
 * reads fd from where it stands, hashes it and passes every byte on to
 * copy_fd (the parser's input pipe), which it closes at the end, so the
 * parser reads what was hashed. copy_fd belongs to the hasher from now on
 * (also when NULL is returned: then it is closed).
 */
struct hasher *hasher_start_copy(int fd, int copy_fd, void (*done)(void *ctx, const char *hex),
				 void *ctx);

/* Waits for the hash, writes it into hex (SHA256_HEX_BYTES) and frees h.
 * Returns 0, or -1 with errno set when the file could not be read. */
int hasher_finish(struct hasher *h, char *hex);

#endif
