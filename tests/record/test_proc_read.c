/* \summary: proc_read() against a child the test starts itself (/bin/sleep 5.123), usertab, clocks */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record/proc_read.h"
#include "../tap.h"
#include "util/units.h"


static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* Starts /bin/sleep 5.123 and returns once it has exec'd (its CLOEXEC pipe end closed). */
static pid_t start_sleep(int64_t *fork_ns)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	*fork_ns = realtime_ns();
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		execl("/bin/sleep", "/bin/sleep", "5.123", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (read(p[0], &c, 1) < 0 && errno == EINTR)
		;
	close(p[0]);
	return pid;
}

/* The test's own cgroup v2 path, read here without pidcap's parser. */
static void own_cgroup(char *out, size_t len)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "r");

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, "%s", line + 3);
		}
	fclose(f);
}

static void test_sleep_child(const struct usertab *users)
{
	static const char want_cmdline[] = "/bin/sleep\0" "5.123";
	char want_exe[PATH_MAX], cg[4096];
	struct passwd *pw = getpwuid(geteuid());
	struct proc_desc d;
	int64_t fork_ns = 0;
	pid_t pid = start_sleep(&fork_ns);
	int rc;

	if (!tap_ok(pid > 0, "started /bin/sleep 5.123"))
		return;
	rc = proc_read((uint32_t)pid, users, &d);
	if (TAP_EQ_I(rc, 0, "proc_read of the child")) {
		TAP_EQ_U(d.pid, pid, "pid");
		tap_ok(d.has_ppid, "has ppid");
		TAP_EQ_U(d.ppid, getpid(), "ppid is the test");
		tap_ok(strcmp(d.comm, "sleep") == 0, "comm \"%s\" is sleep", d.comm);
		if (realpath("/bin/sleep", want_exe) == NULL)
			snprintf(want_exe, sizeof(want_exe), "/usr/bin/sleep");
		tap_ok(d.exe != NULL && strcmp(d.exe, want_exe) == 0, "exe %s is %s",
		       d.exe ? d.exe : "(null)", want_exe);
		tap_ok(d.cmdline != NULL && d.cmdline_len == sizeof(want_cmdline) - 1 &&
		       memcmp(d.cmdline, want_cmdline, sizeof(want_cmdline) - 1) == 0,
		       "cmdline is \"/bin/sleep\\0" "5.123\" (%zu bytes)", d.cmdline_len);
		tap_ok(d.has_uid, "has uid");
		TAP_EQ_U(d.uid, geteuid(), "uid is the test's");
		tap_ok(pw != NULL && d.user != NULL && strcmp(d.user, pw->pw_name) == 0,
		       "user %s is %s", d.user ? d.user : "(null)", pw ? pw->pw_name : "(null)");
		if (geteuid() == 0)
			tap_ok(d.user != NULL && strcmp(d.user, "root") == 0, "user is root");
		tap_diag("start_ns - fork time = %lld us", (long long)((d.start_ns - fork_ns) / 1000));
		tap_ok(abs64(d.start_ns - fork_ns) < 2 * NS_PER_SEC, "start_ns within 2 s of the fork");
		own_cgroup(cg, sizeof(cg));
		tap_ok(d.cgroup != NULL && d.cgroup[0] == '/', "cgroup present: %s",
		       d.cgroup ? d.cgroup : "(null)");
		if (cg[0] != '\0')
			tap_ok(d.cgroup != NULL && strcmp(d.cgroup, cg) == 0, "cgroup is the test's own %s", cg);
		proc_desc_free(&d);
		tap_ok(d.exe == NULL && d.cmdline == NULL, "proc_desc_free clears");
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	errno = 0;
	rc = proc_read((uint32_t)pid, users, &d);
	tap_ok(rc == -1 && (errno == ENOENT || errno == ESRCH), "reaped child: -1, errno %d (%s)",
	       errno, strerror(errno));
}

/* A command line longer than the cap is cut at PROC_READ_CMDLINE_MAX bytes. */
static void test_long_cmdline(void)
{
	static char arg[PROC_READ_CMDLINE_MAX + 1000];
	struct proc_desc d;
	int p[2];
	char c;
	pid_t pid;

	memset(arg, 'x', sizeof(arg) - 1);
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		execl("/bin/sh", "/bin/sh", "-c", "sleep 5; true", "sh", arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (read(p[0], &c, 1) < 0 && errno == EINTR)
		;
	close(p[0]);
	if (TAP_EQ_I(proc_read((uint32_t)pid, NULL, &d), 0, "proc_read of sh with a long argument")) {
		TAP_EQ_U(d.cmdline_len, PROC_READ_CMDLINE_MAX, "cmdline cut at the cap");
		tap_ok(d.cmdline != NULL && memcmp(d.cmdline, "/bin/sh\0-c\0", 11) == 0 &&
		       d.cmdline[d.cmdline_len - 1] == 'x', "cut cmdline starts and ends right");
		proc_desc_free(&d);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A zombie: stat still readable, no cmdline, no exe. */
static void test_zombie(void)
{
	struct proc_desc d;
	pid_t pid = fork();
	int rc;

	if (pid == 0)
		_exit(0);
	/* wait until it has exited without reaping it */
	siginfo_t si;
	waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
	rc = proc_read((uint32_t)pid, NULL, &d);
	if (TAP_EQ_I(rc, 0, "proc_read of a zombie")) {
		tap_ok(d.cmdline == NULL && d.cmdline_len == 0, "zombie: no cmdline");
		tap_ok(d.exe == NULL, "zombie: no exe");
		TAP_EQ_U(d.ppid, getpid(), "zombie: ppid");
		tap_ok(d.user == NULL, "no usertab: no user");
		proc_desc_free(&d);
	}
	waitpid(pid, NULL, 0);
}

static void test_missing(void)
{
	struct proc_desc d;
	int rc;

	errno = 0;
	rc = proc_read(0x7ffffffeu, NULL, &d);
	tap_ok(rc == -1 && errno == ENOENT, "non-existing pid: -1 ENOENT (errno %d)", errno);
}

static void test_container_id(void)
{
	static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	/* each path is before + id + after */
	static const struct {
		const char *before, *after;
		bool found;
	} cases[] = {
		{ "/system.slice/docker-", ".scope", true },
		{ "/docker/", "", true },
		{ "/kubepods.slice/kubepods-burstable.slice/cri-containerd-", ".scope", true },
		{ "/machine.slice/libpod-", ".scope/container", true },
		{ "/machine.slice/crio-", ".scope", true },
		{ "/machine.slice/libpod-conmon-", ".scope", false },
		{ "/kubepods/burstable/pod6a4c-11/", "", true },
		{ "/user.slice/user-0.slice/session-1.scope", "", false },
		{ "/docker/", "0", false },
		{ "/docker/x", "", false },
	};
	char path[512], out[PROC_CONTAINER_ID_CHARS + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got;

		snprintf(path, sizeof(path), "%s%s%s", cases[i].before,
			 strncmp(cases[i].before, "/user", 5) == 0 ? "" : id, cases[i].after);
		got = proc_container_id(path, out);
		tap_ok(got == cases[i].found && (!got || strcmp(out, id) == 0),
		       "container id in %s: %s", path, got ? "found" : "none");
	}
	tap_ok(!proc_container_id("/", out) && out[0] == '\0', "container id in /: none");
}

static void test_usertab(const struct usertab *users)
{
	struct passwd *pw = getpwuid(0);

	tap_ok(users != NULL, "usertab_load");
	tap_ok(pw != NULL && usertab_name(users, 0) != NULL &&
	       strcmp(usertab_name(users, 0), pw->pw_name) == 0, "uid 0 is %s",
	       pw ? pw->pw_name : "(none)");
	if (getpwuid(0xfffffff0u) == NULL)
		tap_ok(usertab_name(users, 0xfffffff0u) == NULL, "unknown uid: NULL");
	tap_ok(usertab_name(NULL, 0) == NULL, "NULL table: NULL");
}

static void test_clocks(void)
{
	struct timespec mono;
	int64_t now, conv;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	now = realtime_ns();
	conv = proc_clock_to_realtime_ns(CLOCK_MONOTONIC,
					 (uint64_t)mono.tv_sec * NS_PER_SEC + (uint64_t)mono.tv_nsec);
	tap_ok(abs64(conv - now) < 1000000, "CLOCK_MONOTONIC -> realtime within 1 ms (%lld ns)",
	       (long long)(conv - now));
	/* tick 0 is the boot: compare with btime of /proc/stat, whole seconds */
	FILE *f = fopen("/proc/stat", "r");
	char line[256];
	long long btime = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "btime %lld", &btime) == 1)
			break;
	if (f != NULL)
		fclose(f);
	conv = proc_ticks_to_realtime_ns(0);
	tap_ok(btime > 0 && abs64(conv - btime * NS_PER_SEC) <= 2 * NS_PER_SEC,
	       "tick 0 is btime %lld (got %lld ns)", btime, (long long)conv);
}

int main(void)
{
	struct usertab *users = usertab_load();

	test_usertab(users);
	test_sleep_child(users);
	test_zombie();
	test_long_cmdline();
	test_missing();
	test_container_id();
	test_clocks();
	usertab_free(users);
	return tap_done();
}
