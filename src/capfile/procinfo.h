/* \summary: process records carried inside pcapng files (Wireshark PEN 32622 entry 3; Apple DPIB) */
#ifndef PIDCAP_PROCINFO_H
#define PIDCAP_PROCINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "capfile/capfile.h"

#define PROC_NAME_BYTES 256u
#define PROC_PATH_BYTES 1024u
#define PROC_USER_BYTES 256u
#define PROC_CMDLINE_BYTES 4096u
#define PROC_ATTRIBUTION_BYTES 16u
#define PROC_CONTAINER_BYTES 80u

enum proc_source {
	PROC_SRC_WIRESHARK = 1,   /* Custom Block, PEN 32622, entry type 3 */
	PROC_SRC_DARWIN = 2,      /* Apple block 0x80000001 */
};

/* One process description. Strings are NUL-terminated and capped; the
 * command line keeps its NUL separators (cmdline_len bytes). */
struct proc_record {
	enum proc_source source;
	uint32_t pid;
	bool has_ppid, has_uid, has_starttime, has_uuid;
	uint32_t ppid, uid;
	uint64_t starttime_ns;
	uint8_t uuid[16];
	char name[PROC_NAME_BYTES];
	char path[PROC_PATH_BYTES];
	char user[PROC_USER_BYTES];
	uint8_t cmdline[PROC_CMDLINE_BYTES];
	uint32_t cmdline_len;
	/* pidcap's extras: custom string options (2988) under PIDCAP_PEN, "key=value"
	 * (see capfile/sockrec.h); "" when absent, cut to the buffer when longer. */
	char attribution[PROC_ATTRIBUTION_BYTES];  /* pidcap.attribution: ebpf, snapshot, procfs */
	char cgroup[PROC_PATH_BYTES];              /* pidcap.cgroup */
	char container[PROC_CONTAINER_BYTES];      /* pidcap.container */
	uint32_t n_comments;
	uint32_t n_custom_opts;
	bool bad;                 /* some field was malformed and ignored */
};

/*
 * Decodes a record into *out. Answers true for a Wireshark process entry
 * (CAP_REC_CUSTOM under PEN 32622 with entry type 3) or an Apple process
 * block; false for anything else, including a malformed entry header.
 * pidcap's extras are read from the entry's custom string options under
 * PIDCAP_PEN; other PENs and unknown keys are only counted (n_custom_opts).
 */
bool proc_record_decode(const struct cap_record *rec, struct proc_record *out);

#endif
