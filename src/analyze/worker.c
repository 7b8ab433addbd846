/* \summary: one sandboxed, resource-limited child process per input file, supervised */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze/worker.h"
#include "store/store.h"
#include "util/progress.h"

#define WORKER_EXIT_OK 0
#define WORKER_EXIT_SANDBOX 3
#define CPU_HARD_GRACE_S 5u   /* SIGXCPU at the soft limit, SIGKILL this much later */
#define BYTES_PER_MB (1024u * 1024u)
#define NOBODY_FALLBACK_ID 65534u

static void set_limits(const struct worker_config *c)
{
	struct rlimit rl = { 0, 0 };

	/* no core file full of capture bytes, sandbox or not */
	(void)setrlimit(RLIMIT_CORE, &rl);
	if (c->cpu_limit_s > 0) {
		rl.rlim_cur = c->cpu_limit_s;
		rl.rlim_max = (rlim_t)c->cpu_limit_s + CPU_HARD_GRACE_S;
		(void)setrlimit(RLIMIT_CPU, &rl);
	}
	if (c->memory_limit_mb > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)c->memory_limit_mb * BYTES_PER_MB;
		(void)setrlimit(RLIMIT_DATA, &rl);
	}
}

static bool sandbox_complete(const struct sandbox_report *r)
{
	return r->landlock_fs && r->seccomp && r->caps_dropped && r->ambient_cleared &&
	       r->no_new_privs;
}

static void on_index_progress(void *ctx, unsigned done, unsigned total, const char *name)
{
	progress_step(ctx, done, total, name);
}

/* The child: never returns. */
static void child_main(const struct worker_config *c, const char *path, struct worker_report *rep,
		       pid_t parent)
{
	struct sandbox_policy pol = {
		.profile = SANDBOX_PROFILE_ANALYZE, .mode = c->mode,
		.write_dir_fd = c->write_dir_fd, .drop_uid = c->drop_uid,
		.preinit = store_sandbox_preinit,
	};
	struct ingest_options o = c->o;
	struct sandbox_report sr;
	struct timespec t0, t1;
	bool indexes_ok;
	struct store *s;
	char err[300];
	int fd;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(WORKER_EXIT_SANDBOX);   /* the parent is already gone */
	rep->outcome = WORKER_INGESTED;
	rep->result = INGEST_FAILED;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(rep->msg, sizeof(rep->msg), "cannot open: %s", strerror(errno));
		_exit(WORKER_EXIT_OK);
	}
	set_limits(c);
	if (sandbox_apply(&pol, &sr, err, sizeof(err)) != 0) {
		snprintf(rep->msg, sizeof(rep->msg), "%.240s (sandbox: %.256s)", err, sr.summary);
		_exit(WORKER_EXIT_SANDBOX);
	}
	if (c->mode == SANDBOX_OFF)
		snprintf(rep->sandbox, sizeof(rep->sandbox), "off");
	else
		snprintf(rep->sandbox, sizeof(rep->sandbox), "%s%s%s", sr.summary,
			 !sr.uid_dropped && c->uid_note ? ", " : "",
			 !sr.uid_dropped && c->uid_note ? c->uid_note : "");
	rep->sandbox_complete = c->mode != SANDBOX_OFF && sandbox_complete(&sr);
	o.sandbox = rep->sandbox;
	o.status = &rep->status;
	s = store_open(c->db_path, err, sizeof(err));
	if (s == NULL) {
		snprintf(rep->msg, sizeof(rep->msg), "database %s: %s", c->db_path, err);
		close(fd);
		_exit(WORKER_EXIT_OK);
	}
	store_defer_indexes(s);
	rep->result = ingest_fd(s, fd, path, &o, &rep->totals, rep->msg, sizeof(rep->msg));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* IF NOT EXISTS: also right when this file was already present but an
	 * earlier worker of the run left the indexes dropped */
	if (c->build_indexes) {
		struct progress pg;

		progress_begin(&pg, "indexing", 0, c->o.progress);
		indexes_ok = store_build_indexes(s, c->index_lookup, on_index_progress, &pg,
						 NULL) == STORE_OK;
		progress_end(&pg);
	} else {
		indexes_ok = false;
	}
	if (store_close(s, err, sizeof(err)) != STORE_OK) {
		indexes_ok = false;
		if (rep->result != INGEST_FAILED) {
			rep->result = INGEST_FAILED;
			snprintf(rep->msg, sizeof(rep->msg), "database: %s", err);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rep->indexes_built = indexes_ok;
	rep->index_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	_exit(WORKER_EXIT_OK);
}

/* Says how the child ended, in rep->msg, for a crash. */
static void describe_crash(const struct worker_config *c, int wstatus, const struct rusage *ru,
			   struct worker_report *rep)
{
	unsigned long long pkt = (unsigned long long)rep->status.packets;
	int sig = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	/* SIGKILL at the hard limit, if SIGXCPU was caught or ignored */
	bool cpu_spent = c->cpu_limit_s > 0 &&
			 ru->ru_utime.tv_sec + ru->ru_stime.tv_sec >= (time_t)c->cpu_limit_s;

	rep->outcome = WORKER_CRASHED;
	if (sig == SIGXCPU || (sig == SIGKILL && cpu_spent))
		snprintf(rep->msg, sizeof(rep->msg), "CPU time limit (%u s) reached at packet %llu",
			 c->cpu_limit_s, pkt);
	else if (sig != 0)
		snprintf(rep->msg, sizeof(rep->msg), "killed by signal %d (SIG%s) at packet %llu",
			 sig, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", pkt);
	else
		snprintf(rep->msg, sizeof(rep->msg), "worker exited with status %d at packet %llu",
			 WEXITSTATUS(wstatus), pkt);
}

/* Under a memory limit, a file that was a capture but failed on the way is
 * taken for one that hit the limit (allocation failures surface as all
 * kinds of errors) and counts as a crash of that file. */
static void check_memory_limit(const struct worker_config *c, struct worker_report *rep)
{
	char msg[WORKER_MSG_BYTES];

	if (c->memory_limit_mb == 0 || rep->result != INGEST_FAILED || !rep->status.have_meta)
		return;
	rep->outcome = WORKER_CRASHED;
	snprintf(msg, sizeof(msg), "%s", rep->msg);
	snprintf(rep->msg, sizeof(rep->msg), "failed under the memory limit (%u MB) at packet %llu: %.400s",
		 c->memory_limit_mb, (unsigned long long)rep->status.packets, msg);
}

enum worker_outcome worker_run(const struct worker_config *c, const char *path,
			       struct worker_report *rep)
{
	struct worker_report *shared;
	pid_t parent = getpid(), pid;
	struct rusage ru;
	int wstatus;

	memset(rep, 0, sizeof(*rep));
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		rep->outcome = WORKER_NOT_STARTED;
		snprintf(rep->msg, sizeof(rep->msg), "shared memory: %s", strerror(errno));
		return rep->outcome;
	}
	memset(shared, 0, sizeof(*shared));
	fflush(NULL);   /* nothing buffered twice */
	pid = fork();
	if (pid == 0)
		child_main(c, path, shared, parent);
	if (pid < 0) {
		rep->outcome = WORKER_NOT_STARTED;
		snprintf(rep->msg, sizeof(rep->msg), "fork: %s", strerror(errno));
		munmap(shared, sizeof(*shared));
		return rep->outcome;
	}
	while (wait4(pid, &wstatus, 0, &ru) < 0 && errno == EINTR)
		;
	*rep = *shared;
	munmap(shared, sizeof(*shared));
	/* the strings come from another process: terminate them whatever it did */
	rep->msg[sizeof(rep->msg) - 1] = '\0';
	rep->sandbox[sizeof(rep->sandbox) - 1] = '\0';
	rep->status.sha256_hex[sizeof(rep->status.sha256_hex) - 1] = '\0';
	rep->status.format[sizeof(rep->status.format) - 1] = '\0';
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == WORKER_EXIT_SANDBOX)
		rep->outcome = WORKER_SANDBOX_FAILED;
	else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == WORKER_EXIT_OK)
		check_memory_limit(c, rep);
	else
		describe_crash(c, wstatus, &ru, rep);
	return rep->outcome;
}

/* Whether uid/gid may write there (a directory: and search it); an absent
 * file counts as writable (the directory decides). */
static bool writable_by(const char *path, uid_t uid, gid_t gid, bool dir)
{
	mode_t need_u = S_IWUSR | (dir ? S_IXUSR : 0), need_g = S_IWGRP | (dir ? S_IXGRP : 0),
	       need_o = S_IWOTH | (dir ? S_IXOTH : 0);
	struct stat st;

	if (stat(path, &st) != 0)
		return !dir && errno == ENOENT;
	if (st.st_uid == uid)
		return (st.st_mode & need_u) == need_u;
	if (st.st_gid == gid)
		return (st.st_mode & need_g) == need_g;
	return (st.st_mode & need_o) == need_o;
}

bool worker_can_drop_uid(const char *db, const char *dir, const char **note)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	const struct passwd *pw;
	uid_t uid = NOBODY_FALLBACK_ID;
	gid_t gid = NOBODY_FALLBACK_ID;
	char f[PATH_MAX + 16];

	*note = NULL;
	if (geteuid() != 0)
		return false;
	pw = getpwnam("nobody");
	if (pw != NULL && pw->pw_uid != 0) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	*note = "uid 0 kept (the database is not writable by nobody)";
	if (!writable_by(dir, uid, gid, true))
		return false;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(f, sizeof(f), "%s%s", db, suffixes[i]);
		if (!writable_by(f, uid, gid, false))
			return false;
	}
	*note = NULL;
	return true;
}
