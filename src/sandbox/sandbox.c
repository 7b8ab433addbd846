/* \summary: the sandbox: order of operations and the achieved level */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>


#include "sandbox/sandbox_int.h"

/* LeakSanitizer's exit-time check stops the world with ptrace and reads
 * /proc: present only in sanitizer builds. */
extern void __lsan_do_leak_check(void) __attribute__((weak));

#ifdef PIDCAP_TEST_HOOKS
static bool env_flag(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && strcmp(v, "1") == 0;
}

bool sandbox_test_no_landlock(void)
{
	return env_flag(SANDBOX_ENV_NO_LANDLOCK);
}

bool sandbox_test_seccomp_log(void)
{
	return env_flag(SANDBOX_ENV_SECCOMP_LOG);
}
#else
bool sandbox_test_no_landlock(void)
{
	return false;
}

bool sandbox_test_seccomp_log(void)
{
	return false;
}
#endif

/* Everything that would open a file lazily later: the time zone, the
 * locale's message catalogue, the user database; then whatever the caller's
 * preinit loads (SQLite's mutexes and randomness, for the analyzer). */
static int preinit(const struct sandbox_policy *p, char *err, size_t errlen)
{
	struct tm tm;
	time_t now = time(NULL);
	uid_t uid;
	gid_t gid;

	tzset();
	(void)localtime_r(&now, &tm);
	(void)setlocale(LC_ALL, NULL);   /* keep the caller's choice; "C" loads nothing */
	(void)strerror(ENOENT);
	if (p->drop_uid && geteuid() == 0)
		sandbox_nobody_ids(&uid, &gid);
	if (p->preinit != NULL && p->preinit(p->preinit_ctx, err, errlen) != 0)
		return -1;
	if (__lsan_do_leak_check != NULL && !p->skip_leak_check)
		__lsan_do_leak_check();
	return 0;
}

/* Counts this process's threads; 0 when /proc cannot tell. */
static int thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	const struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void set_rlimits(void)
{
	const struct rlimit zero = { 0, 0 };

	(void)setrlimit(RLIMIT_CORE, &zero);   /* no core file full of capture bytes */
}

static void append(char *buf, size_t len, const char *s)
{
	size_t used = strlen(buf);

	if (used < len)
		snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "", s);
}

static void summarise(struct sandbox_report *r, int landlock_why, bool seccomp_log)
{
	char s[64];

	r->summary[0] = '\0';
	if (r->landlock_fs) {
		snprintf(s, sizeof(s), "landlock abi %d (fs%s%s)", r->landlock_abi,
			 r->landlock_net ? ", net" : "", r->landlock_scoped ? ", scoped" : "");
	} else if (r->landlock_abi > 0) {
		snprintf(s, sizeof(s), "landlock abi %d not applied", r->landlock_abi);
	} else {
		snprintf(s, sizeof(s), "no landlock (%s)", landlock_why ? strerrorname_np(landlock_why) : "?");
	}
	append(r->summary, sizeof(r->summary), s);
	append(r->summary, sizeof(r->summary),
	       r->seccomp ? (seccomp_log ? "seccomp (log mode)" : "seccomp") : "no seccomp");
	if (r->caps_dropped && r->bounding_cleared && r->ambient_cleared)
		append(r->summary, sizeof(r->summary), "caps 0");
	else
		append(r->summary, sizeof(r->summary), r->caps_dropped ? "caps 0 (bounding set kept)" : "caps kept");
	if (r->uid_dropped)
		append(r->summary, sizeof(r->summary), "uid nobody");
	append(r->summary, sizeof(r->summary), r->no_new_privs ? "nnp" : "no nnp");
}

/* STRICT refuses what cannot be had before anything changes. */
static int strict_precheck(int abi, int landlock_why, bool seccomp_log, char *err, size_t errlen)
{
	if (abi == 0) {
		snprintf(err, errlen, "strict sandbox: Landlock is not available (%s)",
			 strerror(landlock_why));
		return -1;
	}
	if (!sandbox_seccomp_available()) {
		snprintf(err, errlen, "strict sandbox: seccomp filters are not available");
		return -1;
	}
	if (seccomp_log) {
		snprintf(err, errlen, "strict sandbox: seccomp log mode (a test switch) does not enforce");
		return -1;
	}
	return 0;
}

/*
 * The capability layer is in force when no set holds a capability and the
 * bounding set is empty or cannot matter (no-new-privs: execve gains
 * nothing, and seccomp kills execve anyway). Landlock's net and scope parts
 * are reported, not required: on kernels before 6.7/6.12 seccomp still
 * denies sockets, connect and signals to other processes.
 */
static int strict_postcheck(const struct sandbox_report *r, char *err, size_t errlen)
{
	const char *missing = NULL;

	if (!r->caps_dropped || !r->ambient_cleared || (!r->bounding_cleared && !r->no_new_privs))
		missing = "capabilities could not be dropped";
	else if (!r->no_new_privs)
		missing = "no-new-privs could not be set";
	else if (!r->landlock_fs)
		missing = "Landlock was not applied";
	else if (!r->seccomp)
		missing = "seccomp was not applied";
	if (missing == NULL)
		return 0;
	snprintf(err, errlen, "strict sandbox: %s", missing);
	return -1;
}

static int apply_layers(const struct sandbox_policy *p, int abi, bool seccomp_log,
			struct sandbox_report *r, char *err, size_t errlen)
{
	set_rlimits();
	if (sandbox_caps_drop(p->drop_uid, r, err, errlen) != 0)
		return -1;
	r->no_new_privs = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
			  prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
	/* Landlock without no-new-privs needs CAP_SYS_ADMIN, which is gone */
	if (abi > 0 && r->no_new_privs &&
	    sandbox_landlock_apply(p, abi, r, err, errlen) != 0)
		return -1;
	if (sandbox_seccomp_available()) {
		if (sandbox_seccomp_load(p->profile, seccomp_log, err, errlen) != 0)
			return -1;
		r->seccomp = true;
	}
	return 0;
}

int sandbox_apply(const struct sandbox_policy *p, struct sandbox_report *r, char *err, size_t errlen)
{
	bool seccomp_log = sandbox_test_seccomp_log();
	int why = 0, abi;

	memset(r, 0, sizeof(*r));
	if (p->mode == SANDBOX_OFF) {
		snprintf(r->summary, sizeof(r->summary), "sandbox off");
		return 0;
	}
	abi = sandbox_landlock_abi(&why);
	r->landlock_abi = abi;
	if (p->mode == SANDBOX_STRICT && strict_precheck(abi, why, seccomp_log, err, errlen) != 0)
		goto fail;
	if (thread_count() > 1) {
		snprintf(err, errlen, "the sandbox must be applied before any thread is started");
		goto fail;
	}
	if (preinit(p, err, errlen) != 0 || apply_layers(p, abi, seccomp_log, r, err, errlen) != 0)
		goto fail;
	summarise(r, why, seccomp_log);
	if (p->mode == SANDBOX_STRICT && strict_postcheck(r, err, errlen) != 0)
		return -1;
	return 0;
fail:
	summarise(r, why, seccomp_log);
	return -1;
}
