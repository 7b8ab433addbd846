/* \summary: the sandbox's layers, one function each, for sandbox.c and the unit tests */
#ifndef PIDCAP_SANDBOX_SANDBOX_INT_H
#define PIDCAP_SANDBOX_SANDBOX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sandbox/sandbox.h"

/*
 * Switches that weaken the sandbox, for tests: compiled only into the
 * test-hook build (./configure --enable-test-hooks builds tests/pidcap-test-hooks
 * with PIDCAP_TEST_HOOKS); the pidcap binary has neither the code nor the
 * names. PIDCAP_SANDBOX_TEST_NO_LANDLOCK=1 makes the Landlock probe fail as
 * ENOSYS; PIDCAP_SANDBOX_SECCOMP_LOG=1 lets unknown system calls through
 * (logged by the kernel) instead of ENOSYS, which STRICT refuses.
 */
#ifdef PIDCAP_TEST_HOOKS
#define SANDBOX_ENV_NO_LANDLOCK "PIDCAP_SANDBOX_TEST_NO_LANDLOCK"
#define SANDBOX_ENV_SECCOMP_LOG "PIDCAP_SANDBOX_SECCOMP_LOG"
#endif
#define SANDBOX_NOBODY_ID 65534u   /* when /etc/passwd has no "nobody" */

/* True when the environment variable name is set to "1". */
/* The test switches above; always false in a build without test hooks. */
bool sandbox_test_no_landlock(void);
bool sandbox_test_seccomp_log(void);

/* ---- caps.c */

/* The uid and gid of "nobody" (looked up once, before any sandbox; falls back
 * to SANDBOX_NOBODY_ID). */
void sandbox_nobody_ids(uid_t *uid, gid_t *gid);

/* Clears the bounding and ambient sets (while CAP_SETPCAP is still held),
 * locks root's special treatment off (securebits) when allowed, changes to
 * nobody when drop_uid and root, then empties the effective, permitted and
 * inheritable sets. Sets the caps_dropped, bounding_cleared, ambient_cleared
 * and uid_dropped fields of r from what the kernel reports afterwards.
 * Returns 0, or -1 with a message only when the uid change failed (a
 * partial change is never left behind silently); sets that could not be
 * cleared are left to the report. */
int sandbox_caps_drop(bool drop_uid, struct sandbox_report *r, char *err, size_t errlen);

/* ---- landlock.c */

/* The Landlock ABI version of the running kernel, 0 when Landlock is not
 * built or disabled (or PIDCAP_SANDBOX_TEST_NO_LANDLOCK=1); *why receives
 * the errno of the probe then. */
int sandbox_landlock_abi(int *why);

/* Builds and enforces one ruleset for abi (> 0) from p: handled file rights =
 * all this code knows masked down to abi; rules for p->write_dir_fd and
 * p->read_paths; TCP bind/connect handled with no rule (ABI 4); abstract UNIX
 * sockets and signals scoped (ABI 6). The caller has set no-new-privs (or
 * holds CAP_SYS_ADMIN). Sets landlock_abi, landlock_fs/net/scoped in r.
 * Returns 0, or -1 with a message (nothing enforced then). */
int sandbox_landlock_apply(const struct sandbox_policy *p, int abi, struct sandbox_report *r,
			   char *err, size_t errlen);

/* ---- seccomp.c */

/* True when the kernel can load seccomp filters. */
bool sandbox_seccomp_available(void);

/* Loads the profile's allow-list (log_mode: unknown calls are logged and
 * allowed instead of failing with ENOSYS; the kill rules stay). Kill and deny
 * rules capture getpid() now: kill/tgkill reach only this process. Returns 0,
 * or -1 with a message (nothing loaded then). */
int sandbox_seccomp_load(enum sandbox_profile profile, bool log_mode, char *err, size_t errlen);

#endif
