/* \summary: each sandbox layer on its own (Landlock, seccomp, capabilities) and the modes */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "../tap.h"
#include "child.h"
#include "sandbox/sandbox_int.h"

/* Children exit 0 when what they tried behaved as expected, else the
 * number of the step that did not (printed as a # line). */
#define FAIL(step, ...) do { printf("# step %d: ", step); printf(__VA_ARGS__); printf("\n"); \
	return step; } while (0)

struct fx {
	char dir[64];
	int dir_fd;
	int abi;
	int tcp_listen, tcp_client;
	struct sockaddr_in tcp_addr;
	int unix_listen, unix_client;
	struct sockaddr_un unix_addr;
	socklen_t unix_len;
};

static int landlock_only(struct fx *f, const struct sandbox_policy *p)
{
	struct sandbox_report r = { 0 };
	char err[256];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		FAIL(90, "no_new_privs: %s", strerror(errno));
	if (sandbox_landlock_apply(p, f->abi, &r, err, sizeof(err)) != 0)
		FAIL(91, "%s", err);
	return 0;
}

static int landlock_child(void *arg)
{
	struct fx *f = arg;
	struct sandbox_policy p = { .write_dir_fd = f->dir_fd };
	int fd;

	if (landlock_only(f, &p) != 0)
		return 90;
	if (open("/etc/passwd", O_RDONLY) >= 0 || errno != EACCES)
		FAIL(1, "/etc/passwd: %s", strerror(errno));
	fd = openat(f->dir_fd, "a", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1 || ftruncate(fd, 0) != 0)
		FAIL(2, "write inside: %s", strerror(errno));
	close(fd);
	if (unlinkat(f->dir_fd, "a", 0) != 0)
		FAIL(3, "unlink inside: %s", strerror(errno));
	if (mkdirat(f->dir_fd, "sub", 0700) == 0 || errno != EACCES)
		FAIL(4, "mkdir inside should be denied: %s", strerror(errno));
	if (f->abi >= 4 && (connect(f->tcp_client, (struct sockaddr *)&f->tcp_addr,
				    sizeof(f->tcp_addr)) == 0 || errno != EACCES))
		FAIL(5, "tcp connect: %s", strerror(errno));
	if (f->abi >= 6 && (connect(f->unix_client, (struct sockaddr *)&f->unix_addr,
				    f->unix_len) == 0 || errno != EPERM))
		FAIL(6, "abstract connect: %s", strerror(errno));
	if (f->abi >= 6 && (kill(getppid(), 0) == 0 || errno != EPERM))
		FAIL(7, "signal to parent: %s", strerror(errno));
	if (kill(getpid(), 0) != 0)
		FAIL(8, "signal to self: %s", strerror(errno));
	return 0;
}

static int landlock_read_paths_child(void *arg)
{
	static const char *const reads[] = { "/proc", "/etc/hostname" };
	struct fx *f = arg;
	struct sandbox_policy p = { .write_dir_fd = -1, .read_paths = reads, .n_read_paths = 2 };
	char v[64];

	if (landlock_only(f, &p) != 0)
		return 90;
	child_status_field("NoNewPrivs", v, sizeof(v));
	if (strcmp(v, "1") != 0)
		FAIL(1, "/proc/self/status not readable or NoNewPrivs '%s'", v);
	if (access("/etc/hostname", R_OK) == 0 && open("/etc/hostname", O_RDONLY) < 0)
		FAIL(2, "/etc/hostname (a file rule): %s", strerror(errno));
	if (open("/etc/passwd", O_RDONLY) >= 0)
		FAIL(3, "/etc/passwd beside the file rule was readable");
	if (open("/proc/self/status", O_WRONLY) >= 0 || errno != EACCES)
		FAIL(4, "/proc write: %s", strerror(errno));
	return 0;
}

static void *thread_fn(void *arg)
{
	return arg;
}

static int seccomp_only(enum sandbox_profile prof)
{
	char err[256];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || sandbox_seccomp_load(prof, false, err, sizeof(err)) != 0)
		FAIL(90, "seccomp: %s", err);
	return 0;
}

static int seccomp_child(void *arg)
{
	static int token;
	pthread_t t;
	void *ret = NULL;
	void *m;

	(void)arg;
	if (seccomp_only(SANDBOX_PROFILE_ANALYZE) != 0)
		return 90;
	if (socket(AF_INET, SOCK_STREAM, 0) >= 0 || errno != EACCES)
		FAIL(1, "socket: %s", strerror(errno));
	if (syscall(SYS_getpgid, 0) != -1 || errno != ENOSYS)
		FAIL(2, "an unlisted call (getpgid) should fail with ENOSYS: %s", strerror(errno));
	if (pthread_create(&t, NULL, thread_fn, &token) != 0 || pthread_join(t, &ret) != 0 || ret != &token)
		FAIL(3, "pthread_create");
	m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED || errno != EPERM)
		FAIL(4, "mmap PROT_EXEC: %s", strerror(errno));
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		FAIL(5, "mmap rw: %s", strerror(errno));
	if (mprotect(m, 4096, PROT_READ | PROT_EXEC) == 0 || errno != EPERM)
		FAIL(6, "mprotect PROT_EXEC: %s", strerror(errno));
	if (kill(getppid(), 0) == 0 || errno != EPERM)
		FAIL(7, "kill(parent): %s", strerror(errno));
	if (kill(getpid(), 0) != 0)
		FAIL(8, "kill(self): %s", strerror(errno));
	if (poll(NULL, 0, 0) != -1 || errno != ENOSYS)
		FAIL(9, "poll is for the recorder only: %s", strerror(errno));
	return 0;
}

static int seccomp_record_child(void *arg)
{
	int *fd = arg;
	int v = 65536;

	if (seccomp_only(SANDBOX_PROFILE_RECORD) != 0)
		return 90;
	if (poll(NULL, 0, 0) != 0)
		FAIL(1, "poll: %s", strerror(errno));
	if (setsockopt(*fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) != 0)
		FAIL(2, "setsockopt SOL_SOCKET: %s", strerror(errno));
	if (setsockopt(*fd, IPPROTO_TCP, 1, &v, sizeof(v)) == 0 || errno != ENOSYS)
		FAIL(3, "setsockopt IPPROTO_TCP: %s", strerror(errno));
	if (socket(AF_PACKET, SOCK_RAW, 0) >= 0 || errno != EACCES)
		FAIL(4, "socket: %s", strerror(errno));
	return 0;
}

static int seccomp_exec_child(void *arg)
{
	(void)arg;
	if (seccomp_only(SANDBOX_PROFILE_RECORD) != 0)
		return 90;
	execl("/bin/true", "true", (char *)NULL);
	return 1;
}

static int seccomp_unshare_child(void *arg)
{
	(void)arg;
	if (seccomp_only(SANDBOX_PROFILE_ANALYZE) != 0)
		return 90;
	(void)unshare(CLONE_NEWUSER);
	return 1;
}

static int seccomp_clone_ns_child(void *arg)
{
	(void)arg;
	if (seccomp_only(SANDBOX_PROFILE_ANALYZE) != 0)
		return 90;
	if (syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, NULL, NULL, NULL, 0) == 0)
		_exit(0);
	return 1;
}

static int caps_child(void *arg)
{
	bool drop_uid = arg != NULL;
	struct sandbox_report r = { 0 };
	char err[256], v[64];

	if (sandbox_caps_drop(drop_uid, &r, err, sizeof(err)) != 0)
		FAIL(1, "%s", err);
	if (!r.caps_dropped || !r.bounding_cleared || !r.ambient_cleared)
		FAIL(2, "report: caps %d bounding %d ambient %d", r.caps_dropped, r.bounding_cleared,
		     r.ambient_cleared);
	child_status_field("CapEff", v, sizeof(v));
	if (strcmp(v, "0000000000000000") != 0)
		FAIL(3, "CapEff %s", v);
	child_status_field("CapBnd", v, sizeof(v));
	if (strcmp(v, "0000000000000000") != 0)
		FAIL(4, "CapBnd %s", v);
	if (drop_uid) {
		if (!r.uid_dropped || getuid() == 0 || geteuid() == 0 || getgid() == 0)
			FAIL(5, "uid %u gid %u", (unsigned)getuid(), (unsigned)getgid());
		if (setuid(0) == 0)
			FAIL(6, "setuid(0) worked again");
	}
	return 0;
}

static int mode_off_child(void *arg)
{
	struct sandbox_policy p = { .mode = SANDBOX_OFF, .write_dir_fd = -1 };
	struct sandbox_report r;
	char err[256];

	(void)arg;
	if (sandbox_apply(&p, &r, err, sizeof(err)) != 0 || strcmp(r.summary, "sandbox off") != 0)
		FAIL(1, "summary '%s'", r.summary);
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0 || r.seccomp || r.landlock_fs)
		FAIL(2, "something was applied");
	return 0;
}

static int strict_no_landlock_child(void *arg)
{
	struct fx *f = arg;
	struct sandbox_policy p = { .mode = SANDBOX_STRICT, .write_dir_fd = f->dir_fd };
	struct sandbox_report r;
	char err[256] = "";

	setenv(SANDBOX_ENV_NO_LANDLOCK, "1", 1);
	if (sandbox_apply(&p, &r, err, sizeof(err)) == 0)
		FAIL(1, "strict without Landlock succeeded");
	if (strstr(err, "Landlock") == NULL)
		FAIL(2, "message '%s'", err);
	/* refused before changing anything */
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0 || prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0)
		FAIL(3, "a layer was applied before refusing");
	return 0;
}

static int best_effort_no_landlock_child(void *arg)
{
	struct fx *f = arg;
	struct sandbox_policy p = { .mode = SANDBOX_BEST_EFFORT, .write_dir_fd = f->dir_fd };
	struct sandbox_report r;
	char err[256] = "";

	setenv(SANDBOX_ENV_NO_LANDLOCK, "1", 1);
	if (sandbox_apply(&p, &r, err, sizeof(err)) != 0)
		FAIL(1, "%s", err);
	if (r.landlock_abi != 0 || r.landlock_fs || !r.seccomp || !r.no_new_privs)
		FAIL(2, "report: %s", r.summary);
	if (strstr(r.summary, "no landlock (ENOSYS)") == NULL)
		FAIL(3, "summary '%s'", r.summary);
	return 0;
}

static void *block_on_pipe(void *arg)
{
	char c;

	(void)read(*(int *)arg, &c, 1);
	return NULL;
}

static int thread_refused_child(void *arg)
{
	struct sandbox_policy p = { .mode = SANDBOX_BEST_EFFORT, .write_dir_fd = -1 };
	struct sandbox_report r;
	char err[256] = "";
	static int pipefd[2];
	pthread_t t;

	(void)arg;
	if (pipe(pipefd) != 0 || pthread_create(&t, NULL, block_on_pipe, &pipefd[0]) != 0)
		FAIL(1, "cannot start a thread");
	if (sandbox_apply(&p, &r, err, sizeof(err)) == 0)
		FAIL(2, "applied with two threads");
	if (strstr(err, "thread") == NULL)
		FAIL(3, "message '%s'", err);
	return 0;
}

static int setup(struct fx *f)
{
	socklen_t len = sizeof(f->tcp_addr);
	int n;

	snprintf(f->dir, sizeof(f->dir), "/tmp/pidcap-test-layers.XXXXXX");
	if (mkdtemp(f->dir) == NULL || (f->dir_fd = open(f->dir, O_PATH | O_DIRECTORY)) < 0)
		return -1;
	f->tcp_addr.sin_family = AF_INET;
	f->tcp_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->tcp_listen = socket(AF_INET, SOCK_STREAM, 0);
	f->tcp_client = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(f->tcp_listen, (struct sockaddr *)&f->tcp_addr, sizeof(f->tcp_addr)) != 0 ||
	    listen(f->tcp_listen, 4) != 0 ||
	    getsockname(f->tcp_listen, (struct sockaddr *)&f->tcp_addr, &len) != 0)
		return -1;
	f->unix_addr.sun_family = AF_UNIX;
	n = snprintf(f->unix_addr.sun_path + 1, sizeof(f->unix_addr.sun_path) - 1,
		     "pidcap-test-layers-%ld", (long)getpid());
	f->unix_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	f->unix_listen = socket(AF_UNIX, SOCK_STREAM, 0);
	f->unix_client = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(f->unix_listen, (struct sockaddr *)&f->unix_addr, f->unix_len) != 0 ||
	    listen(f->unix_listen, 4) != 0)
		return -1;
	return 0;
}

int main(void)
{
	struct fx f = { .dir_fd = -1 };
	int why;

	if (setup(&f) != 0) {
		printf("Bail out! setup: %s\n", strerror(errno));
		return 1;
	}
	f.abi = sandbox_landlock_abi(&why);
	tap_diag("Landlock ABI %d", f.abi);
	setenv(SANDBOX_ENV_NO_LANDLOCK, "1", 1);
	tap_ok(sandbox_landlock_abi(&why) == 0 && why == ENOSYS, "the test switch makes the probe say ENOSYS");
	unsetenv(SANDBOX_ENV_NO_LANDLOCK);
	if (f.abi > 0) {
		tap_ok(child_exited(child_run(landlock_child, &f), 0),
		       "Landlock alone: files, TCP, abstract sockets, signals (ABI %d)", f.abi);
		tap_ok(child_exited(child_run(landlock_read_paths_child, &f), 0),
		       "Landlock alone: read_paths give read-only access");
	} else {
		tap_ok(1, "# SKIP Landlock is not available");
		tap_ok(1, "# SKIP Landlock is not available");
	}
	tap_ok(child_exited(child_run(seccomp_child, NULL), 0),
	       "seccomp ANALYZE: sockets EACCES, unknown ENOSYS, threads, no PROT_EXEC, signals to self");
	tap_ok(child_exited(child_run(seccomp_record_child, &f.tcp_client), 0),
	       "seccomp RECORD: poll, setsockopt SOL_SOCKET allowed, other levels not");
	tap_ok(child_killed(child_run(seccomp_exec_child, NULL), SIGSYS), "seccomp: execve kills");
	tap_ok(child_killed(child_run(seccomp_unshare_child, NULL), SIGSYS), "seccomp: unshare kills");
	tap_ok(child_killed(child_run(seccomp_clone_ns_child, NULL), SIGSYS),
	       "seccomp: clone with CLONE_NEWNET kills");
	if (geteuid() == 0) {
		tap_ok(child_exited(child_run(caps_child, NULL), 0), "capabilities: all sets and bounding empty");
		tap_ok(child_exited(child_run(caps_child, &f), 0), "capabilities + uid drop to nobody");
	} else {
		tap_ok(1, "# SKIP not root: no capabilities to drop");
		tap_ok(1, "# SKIP not root: no uid to drop");
	}
	tap_ok(child_exited(child_run(mode_off_child, NULL), 0), "SANDBOX_OFF changes nothing");
	tap_ok(child_exited(child_run(strict_no_landlock_child, &f), 0),
	       "STRICT without Landlock fails before changing anything");
	tap_ok(child_exited(child_run(best_effort_no_landlock_child, &f), 0),
	       "BEST_EFFORT without Landlock applies the rest and says so");
	tap_ok(child_exited(child_run(thread_refused_child, NULL), 0), "a second thread is refused");
	rmdir(f.dir);
	return tap_done();
}
