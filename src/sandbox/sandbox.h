/* \summary: the sandbox shared by analyze and record: capabilities, no-new-privs, Landlock, seccomp */
#ifndef PIDCAP_SANDBOX_SANDBOX_H
#define PIDCAP_SANDBOX_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A process confines itself once, after it has opened everything it needs
 * (inputs, the output directory as an O_PATH fd, capture handles, BPF) and
 * before it reads a single untrusted byte. Order of operations and the
 * reasons: ../shared/docs/reference/security-reliability.md §1-2.
 */

enum sandbox_mode {
	SANDBOX_BEST_EFFORT,     /* apply what the kernel offers, report the rest */
	SANDBOX_STRICT,          /* fail unless every layer is in force */
	SANDBOX_OFF,             /* debugging: do nothing */
};

enum sandbox_profile {
	SANDBOX_PROFILE_ANALYZE, /* read pre-opened files, write SQLite (WAL) in the output dir, threads */
	SANDBOX_PROFILE_RECORD,  /* ANALYZE's plus poll/epoll, packet sockets' reads, signals, rotation */
	SANDBOX_PROFILE_PARSE,   /* a parser of untrusted bytes: reads its descriptors, writes its
	                          * pipe, threads; no path, no fork, no fchmod (write_dir_fd -1,
	                          * no read_paths: Landlock denies every file and TCP right) */
};

struct sandbox_policy {
	enum sandbox_profile profile;
	enum sandbox_mode mode;
	/* Output directory, opened O_PATH|O_DIRECTORY before; -1 for none.
	 * Landlock rights beneath it: READ_FILE WRITE_FILE READ_DIR MAKE_REG
	 * REMOVE_FILE TRUNCATE. */
	int write_dir_fd;
	/* Extra read-only trees (e.g. "/proc" for the recorder); may be NULL. */
	const char *const *read_paths;
	size_t n_read_paths;
	/* When root: setresgid/setresuid to "nobody" (65534 if unknown). The
	 * output directory must then be writable by that user. */
	bool drop_uid;
	/* What the confined code would otherwise load lazily once confined (a
	 * library's initialisation, its randomness): called with preinit_ctx
	 * after the generic pre-initialisation and before any layer. Returns 0,
	 * or -1 with a message in err (sandbox_apply then fails). May be NULL.
	 * The sandbox knows nothing of what runs in it (OpenSSH's design). */
	int (*preinit)(void *ctx, char *err, size_t errlen);
	void *preinit_ctx;
	/* LeakSanitizer builds: skip the leak check made here (see sandbox_apply),
	 * for a forked child whose check would only see its parent's heap (which
	 * the parent's own exit checks) and that itself ends by _exit. */
	bool skip_leak_check;
};

/* What was achieved, for -v and the database. */
struct sandbox_report {
	bool caps_dropped;       /* effective, permitted, inheritable sets empty */
	bool bounding_cleared;   /* bounding set empty */
	bool ambient_cleared;    /* ambient set empty */
	bool uid_dropped;        /* now running as nobody */
	bool no_new_privs;
	int landlock_abi;        /* 0 = unavailable */
	bool landlock_fs, landlock_net, landlock_scoped;
	bool seccomp;            /* a filter is loaded (see summary for log mode) */
	char summary[256];       /* one line, e.g. "landlock abi 7 (fs, net, scoped), seccomp, caps 0, nnp" */
};

/*
 * Confines the calling process, in this order: pre-initialises lazily
 * loaded state (tzset, the locale's messages, the "nobody" lookup, then the
 * caller's preinit), RLIMIT_CORE 0, capabilities
 * (bounding and ambient sets, then all sets; optional uid drop), no-new-privs,
 * Landlock (ABI probed; files: writes only beneath write_dir_fd, reads only
 * there and beneath read_paths; no TCP bind/connect; abstract UNIX sockets
 * and signals scoped to the process), then the profile's seccomp allow-list
 * (unknown system calls fail with ENOSYS; exec, ptrace, bpf, mount,
 * namespaces and module loading kill the process; sockets cannot be made).
 *
 * The caller guarantees that no other thread exists yet (checked when /proc
 * allows it). r is always filled. Returns 0, or -1 with a message in err
 * when mode is SANDBOX_STRICT and a layer cannot be applied (checked before
 * anything is changed where possible) or on a hard error in any mode (an
 * unreadable read path, a failed uid change, a broken filter). The process
 * is then in an unknown state and should exit. In SANDBOX_BEST_EFFORT a
 * missing layer is only reported in r. SANDBOX_OFF changes nothing.
 *
 * Switches that weaken it exist only in the test-hook build (sandbox_int.h).
 * In LeakSanitizer builds the leak check runs here,
 * because at exit it would need ptrace and /proc.
 */
int sandbox_apply(const struct sandbox_policy *p, struct sandbox_report *r, char *err, size_t errlen);

/*
 * For a helper process that must keep a few capabilities (the recorder's
 * /proc poller): empties the bounding and ambient sets, so nothing comes
 * back on exec, and keeps only caps[0..n) permitted and effective (those the
 * process holds). Call while CAP_SETPCAP is still effective.
 */
void sandbox_caps_keep(const int *caps, int n);

/* `pidcap sandbox-check`: applies a profile's sandbox in a child process,
 * tries eight things it must deny and one it must allow, prints a table.
 * Returns the exit status: 0 all denied and the control worked, 1 otherwise,
 * 2 on a usage error. */
int sandbox_check_main(int argc, char **argv);

#endif
