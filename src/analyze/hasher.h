/* \summary: the SHA-256 of an input file, computed by a process of its own while the file is parsed */
#ifndef PIDCAP_HASHER_H
#define PIDCAP_HASHER_H

#include "util/sha256file.h"

/*
 * Hashing a 400 MB capture takes ~0.3 s of a core; done meanwhile it
 * overlaps the parsing instead of preceding it. It runs in a child process,
 * not a thread, so that the writer stays single-threaded and may fork its
 * parsers at any moment: a fork while another thread holds a lock (OpenSSL's
 * store lock, a sanitizer's allocator lock) leaves that lock held for ever
 * in the child. The child keeps only its descriptors, reads with pread
 * (the file position is untouched) and answers through a pipe.
 */
struct hasher;

/* Starts hashing the content of fd (from offset 0; fd stays the caller's).
 * NULL when no process can be started: the caller then hashes itself. */
struct hasher *hasher_start(int fd);

/*
 * For an input that can be read only once (a pipe, a FIFO): the child reads
 * fd from where it stands, hashes it and passes every byte on to copy_fd
 * (the parser's input pipe), closing it at the end so the parser reads what
 * was hashed. copy_fd is closed here in every case (the child has its own).
 */
struct hasher *hasher_start_copy(int fd, int copy_fd);

/* Waits for the hash, writes it into hex (SHA256_HEX_BYTES) and frees h.
 * Returns 0, or -1 with errno set when the file could not be read. */
int hasher_finish(struct hasher *h, char *hex);

#endif
