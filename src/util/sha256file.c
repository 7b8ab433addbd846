/* \summary: SHA-256 of a file with OpenSSL's EVP interface (SHA-NI where the CPU has it) */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util/sha256file.h"

#define CHUNK_BYTES (1024u * 1024)

/* Writes all n bytes to fd; false once a write failed (then *fd is -1 and
 * nothing more is written there). */
static void copy_out(int *fd, const uint8_t *p, size_t n)
{
	while (*fd >= 0 && n > 0) {
		ssize_t w = write(*fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*fd = -1;   /* the reader is gone: hash the rest all the same */
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static EVP_MD *sha256_md;   /* fetched once, before any hashing thread */

int sha256_prepare(void)
{
	if (sha256_md == NULL)
		sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	return sha256_md != NULL ? 0 : -1;
}

/* pread from offset 0 when sequential is false, else read() from where fd
 * stands, copying to copy_fd (-1: nowhere). */
static int hash_stream(int fd, bool sequential, int copy_fd, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint8_t *buf = malloc(CHUNK_BYTES);
	off_t off = 0;
	ssize_t n;
	int rc = -1;

	/* a prepared digest: EVP_sha256() would fetch it here, under OpenSSL's
	 * store lock, which a process forked meanwhile would inherit held */
	if (ctx == NULL || buf == NULL ||
	    EVP_DigestInit_ex(ctx, sha256_md != NULL ? sha256_md : EVP_sha256(), NULL) != 1) {
		errno = ENOMEM;
		goto out;
	}
	while ((n = sequential ? read(fd, buf, CHUNK_BYTES) : pread(fd, buf, CHUNK_BYTES, off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		copy_out(&copy_fd, buf, (size_t)n);
		off += n;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	for (unsigned i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * mdlen] = '\0';
	rc = 0;
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int sha256_fd(int fd, char *hex)
{
	return hash_stream(fd, false, -1, hex);
}

int sha256_copy(int in_fd, int out_fd, char *hex)
{
	return hash_stream(in_fd, true, out_fd, hex);
}
