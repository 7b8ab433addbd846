/* \summary: SHA-256 of the input in a process of its own, collected when the file is read */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze/hasher.h"

#define HASH_IN_FD 3       /* the child's input */
#define HASH_COPY_FD 4     /* where it passes the bytes on, if anywhere */
#define HASH_RESULT_FD 5   /* its answer: the hex digest, or "E" and an errno */

struct hasher {
	pid_t pid;
	int result_fd;
};

/* Moves fd to a number above the child's fixed ones (or leaves -1). */
static int lift(int fd)
{
	return fd < 0 ? -1 : fcntl(fd, F_DUPFD, HASH_RESULT_FD + 1);
}

/* The child: hashes, answers, exits; it keeps only its three descriptors. */
static void child_main(int fd, int copy_fd, int result_fd)
{
	char hex[SHA256_HEX_BYTES], answer[SHA256_HEX_BYTES + 16];
	int in = lift(fd), copy = lift(copy_fd), res = lift(result_fd), rc;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (in < 0 || res < 0 || dup2(in, HASH_IN_FD) < 0 || dup2(res, HASH_RESULT_FD) < 0 ||
	    (copy >= 0 && dup2(copy, HASH_COPY_FD) < 0))
		_exit(1);
	for (int i = 0; i < HASH_IN_FD; i++)
		if (i != STDERR_FILENO)
			close(i);
	if (copy < 0)
		close(HASH_COPY_FD);
	(void)syscall(SYS_close_range, HASH_RESULT_FD + 1, ~0u, 0);
	rc = copy >= 0 ? sha256_copy(HASH_IN_FD, HASH_COPY_FD, hex) : sha256_fd(HASH_IN_FD, hex);
	if (copy >= 0)
		close(HASH_COPY_FD);   /* the parser sees the end of its input */
	if (rc == 0)
		snprintf(answer, sizeof(answer), "%s", hex);
	else
		snprintf(answer, sizeof(answer), "E%d", errno);
	_exit(write(HASH_RESULT_FD, answer, strlen(answer)) > 0 ? 0 : 1);
}

struct hasher *hasher_start_copy(int fd, int copy_fd)
{
	struct hasher *h = calloc(1, sizeof(*h));
	int p[2] = { -1, -1 };

	if (h == NULL || pipe2(p, O_CLOEXEC) != 0)
		goto fail;
	fflush(NULL);
	h->pid = fork();
	if (h->pid == 0)
		child_main(fd, copy_fd, p[1]);
	close(p[1]);
	if (h->pid < 0) {
		close(p[0]);
		goto fail;
	}
	if (copy_fd >= 0)
		close(copy_fd);   /* the child's now: its end is the parser's end of input */
	h->result_fd = p[0];
	return h;
fail:
	if (copy_fd >= 0)
		close(copy_fd);
	free(h);
	return NULL;
}

struct hasher *hasher_start(int fd)
{
	return hasher_start_copy(fd, -1);
}

int hasher_finish(struct hasher *h, char *hex)
{
	char answer[SHA256_HEX_BYTES + 16];
	size_t len = 0;
	ssize_t n;
	int status, rc = -1;

	while (len < sizeof(answer) - 1 &&
	       ((n = read(h->result_fd, answer + len, sizeof(answer) - 1 - len)) > 0 ||
		(n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	answer[len] = '\0';
	close(h->result_fd);
	while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (len == SHA256_HEX_BYTES - 1 && strspn(answer, "0123456789abcdef") == len) {
		memcpy(hex, answer, SHA256_HEX_BYTES);
		rc = 0;
	} else {
		errno = answer[0] == 'E' ? atoi(answer + 1) : EIO;
		if (errno == 0)
			errno = EIO;
	}
	free(h);
	return rc;
}
