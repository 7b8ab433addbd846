/* \summary: Landlock rulesets, ABI probed at run time (constants past ABI 2 defined here) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox_int.h"

/*
 * Debian 12's <linux/landlock.h> (Linux 6.1) stops at ABI 2: the later
 * constants are those of the kernel's uapi header
 * (Documentation/userspace-api/landlock.rst).
 */
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)               /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)               /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)              /* ABI 5 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)        /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
#ifndef LANDLOCK_ACCESS_FS_RESOLVE_UNIX
#define LANDLOCK_ACCESS_FS_RESOLVE_UNIX (1ULL << 16)           /* ABI 9: connect to path sockets */
#endif

/* The ABI 6 layout of struct landlock_ruleset_attr; older kernels accept it
 * when the fields they do not know are zero. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define FS_ABI1 (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR | \
	LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | \
	LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | \
	LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK | \
	LANDLOCK_ACCESS_FS_MAKE_SYM)

/* Every file right this code knows: what it handles on the newest kernel. */
#define FS_KNOWN (FS_ABI1 | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE | \
	LANDLOCK_ACCESS_FS_IOCTL_DEV | LANDLOCK_ACCESS_FS_RESOLVE_UNIX)

/* Rights that may be granted on a regular file (others give EINVAL). */
#define FS_FILE_RIGHTS (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define FS_WRITE_DIR_RIGHTS (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
	LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)
#define FS_READ_RIGHTS (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

int sandbox_landlock_abi(int *why)
{
	long abi;

	*why = 0;
	if (sandbox_test_no_landlock()) {
		*why = ENOSYS;
		return 0;
	}
	abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		*why = errno;   /* ENOSYS: not built; EOPNOTSUPP: disabled at boot */
		return 0;
	}
	return (int)abi;
}

/* Start from everything this code knows and mask down, never up from what
 * the kernel offers: a right this code was not tested with must not start
 * being denied under it (rust-landlock's compat.rs explains). */
static void handled_for_abi(int abi, struct ll_ruleset_attr *a)
{
	a->handled_access_fs = FS_KNOWN;
	a->handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
	a->scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
	if (abi < 9)
		a->handled_access_fs &= ~LANDLOCK_ACCESS_FS_RESOLVE_UNIX;
	switch (abi) {
	case 1:
		a->handled_access_fs &= ~LANDLOCK_ACCESS_FS_REFER;
		/* fall through */
	case 2:
		a->handled_access_fs &= ~LANDLOCK_ACCESS_FS_TRUNCATE;
		/* fall through */
	case 3:
		a->handled_access_net = 0;
		/* fall through */
	case 4:
		a->handled_access_fs &= ~LANDLOCK_ACCESS_FS_IOCTL_DEV;
		/* fall through */
	case 5:
		a->scoped = 0;
		break;
	default:
		break;
	}
}

static int add_rule(int ruleset_fd, int fd, uint64_t rights, uint64_t handled, const char *what,
		    char *err, size_t errlen)
{
	struct landlock_path_beneath_attr pb = { .parent_fd = fd };
	struct stat st;

	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "landlock: %s: %s", what, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		rights &= FS_FILE_RIGHTS;
	pb.allowed_access = rights & handled;
	if (syscall(__NR_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0) {
		snprintf(err, errlen, "landlock: rule for %s: %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

static int add_read_paths(int ruleset_fd, const struct sandbox_policy *p, uint64_t handled,
			  char *err, size_t errlen)
{
	for (size_t i = 0; i < p->n_read_paths; i++) {
		int fd = open(p->read_paths[i], O_PATH | O_CLOEXEC);
		int rc;

		if (fd < 0) {
			snprintf(err, errlen, "landlock: %s: %s", p->read_paths[i], strerror(errno));
			return -1;
		}
		rc = add_rule(ruleset_fd, fd, FS_READ_RIGHTS, handled, p->read_paths[i], err, errlen);
		close(fd);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int sandbox_landlock_apply(const struct sandbox_policy *p, int abi, struct sandbox_report *r,
			   char *err, size_t errlen)
{
	struct ll_ruleset_attr attr;
	int fd, rc = -1;

	handled_for_abi(abi, &attr);
	fd = (int)syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0) {
		snprintf(err, errlen, "landlock: cannot create a ruleset: %s", strerror(errno));
		return -1;
	}
	if (p->write_dir_fd >= 0 && add_rule(fd, p->write_dir_fd, FS_WRITE_DIR_RIGHTS,
					      attr.handled_access_fs, "the output directory",
					      err, errlen) != 0)
		goto out;
	if (add_read_paths(fd, p, attr.handled_access_fs, err, errlen) != 0)
		goto out;
	if (syscall(__NR_landlock_restrict_self, fd, 0) != 0) {
		snprintf(err, errlen, "landlock: cannot enforce the ruleset: %s", strerror(errno));
		goto out;
	}
	r->landlock_abi = abi;
	r->landlock_fs = true;
	r->landlock_net = attr.handled_access_net != 0;
	r->landlock_scoped = attr.scoped != 0;
	rc = 0;
out:
	close(fd);
	return rc;
}
