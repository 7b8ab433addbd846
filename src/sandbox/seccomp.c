/* \summary: seccomp allow-lists (libseccomp) for the analyzer and the recorder */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/prctl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/sandbox_int.h"

/*
 * Unknown system calls fail with ENOSYS (glibc falls back only on ENOSYS:
 * clone3 -> clone, faccessat2 -> faccessat). Names are resolved at run time
 * so a call this architecture lacks (open, poll...) is skipped.
 * Paths are not seccomp's business: Landlock decides which files open.
 */

/* A file-reading, SQLite(WAL)-writing process with a writer thread
 * (security-reliability.md §2.2), plus what ASan/UBSan runtimes call. */
static const char *const analyze_allow[] = {
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
	"lseek", "close", "close_range", "dup", "dup2", "dup3", "fcntl",
	"open", "openat", "stat", "lstat", "fstat", "newfstatat", "statx", "statfs", "fstatfs",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents64", "getcwd",
	"unlink", "unlinkat", "ftruncate", "fsync", "fdatasync", "fallocate", "fadvise64",
	"fchown", "fchmod",   /* SQLite gives -wal/-shm the database's owner and mode */
	"munmap", "mremap", "msync", "brk", "mincore",
	"futex", "set_robust_list", "get_robust_list", "rseq", "set_tid_address",
	"sched_yield", "sched_getaffinity", "getrandom",
	"clock_gettime", "clock_getres", "gettimeofday", "time", "clock_nanosleep", "nanosleep",
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
	"getresgid", "getgroups", "getrlimit", "getrusage", "times", "sysinfo", "uname",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"wait4", "waitid", "exit", "exit_group",
	NULL,
};

/* A parser (SANDBOX_PROFILE_PARSE): reads the descriptors it was given,
 * writes its pipe, maps memory, runs threads. No call that takes a path
 * (open, stat, unlink, ...), no fchmod/fchown, no truncate or sync, no
 * wait: it has no file to name, change or wait for. */
static const char *const parse_allow[] = {
	"read", "write", "readv", "writev", "pread64", "preadv", "lseek", "close", "fstat",
	"fcntl", "munmap", "mremap", "brk", "mincore",
	"futex", "set_robust_list", "get_robust_list", "rseq", "set_tid_address",
	"sched_yield", "sched_getaffinity", "getrandom",
	"clock_gettime", "clock_getres", "gettimeofday", "time", "clock_nanosleep", "nanosleep",
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
	"getresgid", "getrlimit", "getrusage", "times",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
	"exit", "exit_group",
	NULL,
};

/* What a live recorder needs after its setup (capture handle, BPF maps and
 * ring buffers, /proc reads, rotation). */
static const char *const record_allow[] = {
	"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2",
	"epoll_ctl", "recvfrom", "recvmsg", "recvmmsg", "getsockopt", "getsockname",
	"signalfd", "signalfd4", "timerfd_create", "timerfd_settime", "timerfd_gettime",
	"setitimer", "getitimer", "alarm", "pipe2", "eventfd2",
	"rename", "renameat", "renameat2",
	NULL,
};

/* Kill the whole process: nothing legitimate after the sandbox does these. */
static const char *const kill_list[] = {
	"execve", "execveat", "ptrace", "bpf", "mount", "umount2", "unshare", "setns",
	"pivot_root", "chroot", "init_module", "finit_module", "delete_module",
	"kexec_load", "kexec_file_load", "process_vm_writev", "process_vm_readv",
	"fsopen", "fsmount", "move_mount", "open_tree", "perf_event_open",
	NULL,
};

/* No new sockets, no connections: EACCES, as if a firewall said no. */
static const char *const eacces_list[] = {
	"socket", "socketpair", "connect", "bind", "listen", "accept", "accept4", NULL,
};

#define CLONE_NS_FLAGS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
	CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
#define MADV_LAST_HARMLESS 99   /* 100 and up: MADV_HWPOISON, MADV_SOFT_OFFLINE */
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41   /* naming anonymous mappings (sanitizer runtimes) */
#endif

static const int prctl_allowed[] = {
	PR_GET_DUMPABLE, PR_SET_NAME, PR_GET_NAME, PR_GET_SECCOMP, PR_CAPBSET_READ,
	PR_GET_NO_NEW_PRIVS, PR_GET_TIMERSLACK, PR_SET_VMA,
};

static int add_list(scmp_filter_ctx ctx, uint32_t action, const char *const *names, char *err,
		    size_t errlen)
{
	for (; *names != NULL; names++) {
		int nr = seccomp_syscall_resolve_name(*names);
		int rc;

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue;   /* not a system call on this architecture */
		rc = seccomp_rule_add(ctx, action, nr, 0);
		if (rc != 0) {
			snprintf(err, errlen, "seccomp: rule for %s: %s", *names, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/* A parser's clone makes threads only: a fork kills it; a thread in a new
 * namespace matches no rule and fails (ENOSYS). */
static int add_thread_only_clone(scmp_filter_ctx ctx)
{
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				  SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD | CLONE_NS_FLAGS, CLONE_THREAD));

	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* glibc's fstat(fd) is newfstatat(fd, "", AT_EMPTY_PATH): only that form
	 * (seccomp cannot read the path; with a path it would report metadata,
	 * never content, and Landlock still refuses every open) */
	if (rc == 0 || rc == -EACCES)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(newfstatat), 1,
				      SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH, AT_EMPTY_PATH));
	return rc == -EACCES ? 0 : rc;
}

/* Clone makes threads and forks; with a namespace flag it kills. clone3
 * hides its flags in memory, so it says ENOSYS and glibc uses clone. */
static int add_clone_rules(scmp_filter_ctx ctx)
{
	static const unsigned long ns_flags[] = {
		CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
		CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
	};
	int rc;

	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS, 0));
	for (size_t i = 0; rc == 0 && i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
	/* -EACCES: ENOSYS is already the default action (not in log mode) */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	return rc == -EACCES ? 0 : rc;
}

/* Memory may be mapped but never made executable; signals go only to this
 * process (abort() and sanitizers raise them); rlimits can be read only. */
static int add_argument_rules(scmp_filter_ctx ctx, pid_t self)
{
	static const char *const prot_calls[] = { "mmap", "mprotect", "pkey_mprotect" };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(prot_calls) / sizeof(prot_calls[0]); i++) {
		int nr = seccomp_syscall_resolve_name(prot_calls[i]);

		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
		if (rc == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
					      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
	}
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(madvise), 1,
				      SCMP_A2(SCMP_CMP_LE, MADV_LAST_HARMLESS, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kill), 1,
				      SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)self, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)self, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(tgkill), 1,
				      SCMP_A0(SCMP_CMP_NE, (scmp_datum_t)self, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1,
				      SCMP_A2(SCMP_CMP_EQ, 0, 0));
	/* a terminal's questions: isatty() and the progress bar's width */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, TCGETS, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, TIOCGWINSZ, 0));
	for (size_t i = 0; rc == 0 && i < sizeof(prctl_allowed) / sizeof(prctl_allowed[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)prctl_allowed[i], 0));
	return rc;
}

/* The recorder tunes and tears down its packet socket (libpcap's ring). */
static int add_record_rules(scmp_filter_ctx ctx)
{
	int rc;

	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 1,
			      SCMP_A1(SCMP_CMP_EQ, SOL_PACKET, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 1,
				      SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET, 0));
	return rc;
}

bool sandbox_seccomp_available(void)
{
	return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 && seccomp_api_get() >= 1;
}

static int build(scmp_filter_ctx ctx, enum sandbox_profile profile, char *err, size_t errlen)
{
	int rc;

	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc != 0) {
		snprintf(err, errlen, "seccomp: bad-architecture action: %s", strerror(-rc));
		return -1;
	}
	if (add_list(ctx, SCMP_ACT_ALLOW, profile == SANDBOX_PROFILE_PARSE ? parse_allow : analyze_allow,
		     err, errlen) != 0 ||
	    add_list(ctx, SCMP_ACT_KILL_PROCESS, kill_list, err, errlen) != 0 ||
	    add_list(ctx, SCMP_ACT_ERRNO(EACCES), eacces_list, err, errlen) != 0)
		return -1;
	if (profile == SANDBOX_PROFILE_RECORD &&
	    add_list(ctx, SCMP_ACT_ALLOW, record_allow, err, errlen) != 0)
		return -1;
	rc = profile == SANDBOX_PROFILE_PARSE ? add_thread_only_clone(ctx) : add_clone_rules(ctx);
	if (rc == 0)
		rc = add_argument_rules(ctx, getpid());
	if (rc == 0 && profile == SANDBOX_PROFILE_RECORD)
		rc = add_record_rules(ctx);
	if (rc != 0) {
		snprintf(err, errlen, "seccomp: argument rule: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

int sandbox_seccomp_load(enum sandbox_profile profile, bool log_mode, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc;

	ctx = seccomp_init(log_mode ? SCMP_ACT_LOG : SCMP_ACT_ERRNO(ENOSYS));
	if (ctx == NULL) {
		snprintf(err, errlen, "seccomp: cannot start a filter");
		return -1;
	}
	if (build(ctx, profile, err, errlen) != 0) {
		seccomp_release(ctx);
		return -1;
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		snprintf(err, errlen, "seccomp: cannot load the filter: %s", strerror(-rc));
		return -1;
	}
	return 0;
}
