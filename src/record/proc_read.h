/* \summary: reading a process description from /proc, the uid -> name table, clock conversions */
#ifndef PIDCAP_RECORD_PROC_READ_H
#define PIDCAP_RECORD_PROC_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PROC_READ_CMDLINE_MAX (64u * 1024u)   /* bytes of /proc/PID/cmdline kept */
#define PROC_READ_STRING_MAX 4096u            /* exe, cgroup: longer values are cut */
#define PROC_READ_COMM_BYTES 16u              /* TASK_COMM_LEN, NUL included */
#define PROC_CONTAINER_ID_CHARS 64u           /* a full container id in hex */
#define USERTAB_MAX_ENTRIES 65536u            /* passwd entries kept (LDAP can list many) */

struct usertab;

struct proc_desc {
	uint32_t pid, ppid, uid;   /* uid: the effective uid (what ps shows as USER) */
	bool has_ppid, has_uid;
	int64_t start_ns;          /* process start, ns since 1970; 0 unknown */
	char comm[PROC_READ_COMM_BYTES];
	char *exe;                 /* readlink /proc/PID/exe; NULL if unreadable */
	char *cmdline;             /* argv joined by NUL bytes (/proc/PID/cmdline minus its final NUL); NULL if empty */
	size_t cmdline_len;
	char *user;                /* from the user table, NULL unknown */
	char *cgroup;              /* cgroup v2 path (line "0::PATH" of /proc/PID/cgroup), NULL unknown */
	char *container;           /* 64 hex container id found in the cgroup path, NULL none */
};

/*
 * Fills *d from /proc/PID (all files read through one directory fd, so they
 * describe the same process even if the pid is reused meanwhile). users may
 * be NULL (then d->user stays NULL). The command line is capped at
 * PROC_READ_CMDLINE_MAX bytes, exe and cgroup at PROC_READ_STRING_MAX.
 * Fields that cannot be read stay NULL/0/false. Returns 0, or -1 with errno
 * set (ENOENT or ESRCH: the process is gone; ENOMEM). *d needs
 * proc_desc_free() after 0 only; on -1 it holds nothing.
 */
int proc_read(uint32_t pid, const struct usertab *users, struct proc_desc *d);

/* Frees the strings of *d and zeroes it; d may be NULL. */
void proc_desc_free(struct proc_desc *d);

/*
 * Finds a container id in a cgroup path: the last path component that is,
 * after removing one prefix among "docker-", "cri-containerd-", "crio-",
 * "libpod-" and a ".scope" suffix, exactly 64 hex digits (covers
 * docker-<id>.scope, /docker/<id>, cri-containerd-<id>.scope,
 * libpod-<id>.scope, /kubepods/.../<id>). Writes it NUL-terminated into out
 * and returns true; false (out = "") when there is none.
 */
bool proc_container_id(const char *cgroup_path, char out[PROC_CONTAINER_ID_CHARS + 1]);

/*
 * Parsers of /proc file contents, separate from the reading so they can be
 * fuzzed. Each reads only [buf, buf + len) (no NUL terminator needed; the
 * content ends at the first NUL byte, if any) and trusts nothing in it: a
 * process chooses its own comm (15 bytes that may hold ')', spaces and
 * newlines), its argv and, inside a delegated subtree, its cgroup names.
 */

/* What proc_read() keeps of /proc/PID/stat. */
struct proc_stat_fields {
	char comm[PROC_READ_COMM_BYTES];   /* between the first '(' and the last ')', cut, NUL-terminated */
	uint32_t ppid;                     /* field 4 */
	bool has_ppid;
	uint64_t starttime_ticks;          /* field 22, clock ticks since boot; 0 unknown */
};

/*
 * Parses "pid (comm) state ppid ... starttime ..." into *out (always fully
 * written). Fields after comm are counted from the LAST ')', so a comm
 * holding ") 1 2" cannot shift them. Returns 0, or -1 (out zeroed) when
 * there is no '(' ... ')' pair.
 */
int proc_parse_stat(const char *buf, size_t len, struct proc_stat_fields *out);

/*
 * The effective uid (second number of the first "Uid:" line) of
 * /proc/PID/status. Returns true with *euid set; false (*euid untouched)
 * when the line is missing or its value is not a 32-bit number.
 */
bool proc_parse_status_uid(const char *buf, size_t len, uint32_t *euid);

/*
 * /proc/PID/cgroup: *cgroup = the path of the first "0::PATH" line (cgroup
 * v2), cut at PROC_READ_STRING_MAX bytes, NULL when there is none;
 * *container = proc_container_id() of that path, else of the first
 * "N:controllers:PATH" (v1) line that has one, NULL when none. Both are
 * malloc'ed (caller frees). Returns 0, or -1 when out of memory (both NULL).
 */
int proc_parse_cgroup(const char *buf, size_t len, char **cgroup, char **container);

/*
 * Loads the uid -> name table with getpwent(), once, BEFORE sandboxing (NSS
 * files are unreachable afterwards). Keeps at most USERTAB_MAX_ENTRIES
 * entries; for a uid listed twice the first entry wins, as with
 * getpwuid(). Not thread-safe (getpwent). Returns NULL only when out of
 * memory; an empty passwd gives an empty table.
 */
struct usertab *usertab_load(void);

/* Name of uid, or NULL when unknown or t is NULL. Valid until usertab_free(). */
const char *usertab_name(const struct usertab *t, uint32_t uid);

/* Frees the table; t may be NULL. */
void usertab_free(struct usertab *t);

/*
 * CLOCK_REALTIME minus clk (CLOCK_MONOTONIC for bpf_ktime_get_ns(),
 * CLOCK_BOOTTIME for bpf_ktime_get_boot_ns() and /proc ticks), in ns,
 * measured by the tightest of a few realtime/clk/realtime sandwiches.
 * Callers converting many timestamps should compute it once. Returns 0 if
 * a clock cannot be read.
 */
int64_t proc_clock_offset_ns(clockid_t clk);

/* ns since 1970 of a timestamp t_ns taken on clock clk (see above). */
int64_t proc_clock_to_realtime_ns(clockid_t clk, uint64_t t_ns);

/*
 * ns since 1970 of a count of clock ticks since boot (/proc/PID/stat field
 * 22, starttime), with sysconf(_SC_CLK_TCK) and CLOCK_BOOTTIME; falls back
 * to btime of /proc/stat (whole seconds) when CLOCK_BOOTTIME is missing.
 * Returns 0 if neither works.
 */
int64_t proc_ticks_to_realtime_ns(uint64_t ticks);

#endif
