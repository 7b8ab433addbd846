/* \summary: pidcap socket records and process-record extras (copyable pcapng custom data) */
#ifndef PIDCAP_CAPFILE_SOCKREC_H
#define PIDCAP_CAPFILE_SOCKREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capfile/capfile.h"
#include "capfile/pcapng_writer.h"

/*
 * pidcap's Private Enterprise Number for its custom blocks and options.
 * PLACEHOLDER: pidcap has no IANA PEN yet (none could be requested from the
 * build machines, which have no network), so this is 32473, the example PEN
 * of RFC 5612, which anyone may use in documentation. Every payload starts
 * with a magic (socket records) or a "pidcap." key (process options), so data
 * of someone else under the same PEN is recognised and ignored. Replace it
 * with the assigned number once there is one (readers may then accept both).
 */
#define PIDCAP_PEN 32473u

/*
 * Socket record: a copyable Custom Block (0x00000BAD) under PIDCAP_PEN whose
 * custom data is SOCKREC_BYTES long, little-endian whatever the section's
 * byte order (rewriters copy custom data untouched):
 *
 *   +0  "PCSK"            +4  u8 version (1)   +5  u8 family (4 or 6)
 *   +6  u8 ip_proto       +7  u8 flags (bit 0 listener, bit 1 last_ns is final)
 *   +8  u16 lport         +10 u16 rport
 *   +12 16 B laddr        +28 16 B raddr      (network order; IPv4 in the first 4 bytes)
 *   +44 u64 cookie        +52 u32 pid          +56 u32 tid
 *   +60 i64 proc_start_ns +68 i64 first_ns     +76 i64 last_ns (0 = unknown)
 *   +84 u8 how (1 ebpf, 2 snapshot, 3 procfs)  +85 3 B padding (0)
 *
 * Times are ns since 1970. It describes the socket of process pid (started
 * at proc_start_ns, which matches pib_starttime of its process record) from
 * first_ns to last_ns; the recorder writes it before the first packet it
 * describes, and may write it again (same cookie) with the final last_ns.
 */
#define SOCKREC_MAGIC      "PCSK"
#define SOCKREC_VERSION    1u
#define SOCKREC_BYTES      88u
#define SOCKREC_F_LISTENER 0x01u
#define SOCKREC_F_FINAL    0x02u

enum sockrec_how {
	SOCKREC_HOW_UNKNOWN = 0,
	SOCKREC_HOW_EBPF = 1,
	SOCKREC_HOW_SNAPSHOT = 2,
	SOCKREC_HOW_PROCFS = 3,
};

struct sock_record {
	uint8_t family, ip_proto;      /* family 4 or 6; IPPROTO_* */
	bool listener, final;          /* listening socket; last_ns will not change */
	uint16_t lport, rport;         /* rport 0: not connected */
	uint8_t laddr[16], raddr[16];  /* network order, IPv4 in the first 4 bytes */
	uint64_t cookie;               /* kernel socket cookie, 0 = unknown */
	uint32_t pid, tid;
	int64_t proc_start_ns, first_ns, last_ns;  /* 0 = unknown */
	uint8_t how;                   /* enum sockrec_how */
};

/*
 * Encodes r into out (SOCKREC_BYTES). Answers false, writing nothing, when r
 * cannot be encoded (family other than 4 or 6).
 */
bool sockrec_encode(const struct sock_record *r, uint8_t out[SOCKREC_BYTES]);

/*
 * Writes r as a socket record. Answers 0, or -1 with errno set: EINVAL for
 * a record sockrec_encode() refuses (the writer's message is then not
 * changed), else whatever pcapng_write_custom() answered.
 */
int pcapng_write_socket(struct pcapng_writer *w, const struct sock_record *r);

/*
 * True when rec is a Custom Block (copyable or not) under PIDCAP_PEN whose
 * data starts with the socket magic, valid or not: a false answer of
 * sockrec_decode() on such a record means a damaged record.
 */
bool sockrec_is_socket(const struct cap_record *rec);

/*
 * Decodes a socket record into *out. Answers true only for a record
 * sockrec_is_socket() accepts with version 1, exactly SOCKREC_BYTES of data
 * and family 4 or 6; *out is then filled (reserved flag bits and padding
 * ignored). Reads rec through its cursor only.
 */
bool sockrec_decode(const struct cap_record *rec, struct sock_record *out);

/* "ebpf", "snapshot", "procfs", or NULL for another value. */
const char *sockrec_how_name(uint8_t how);

/*
 * Process-record extras: copyable custom string options (2988) under
 * PIDCAP_PEN inside the Wireshark process entry, each "key=value" (UTF-8,
 * no NUL). Known keys; readers ignore the others.
 */
#define PIDCAP_KEY_ATTRIBUTION "pidcap.attribution"  /* ebpf | snapshot | procfs */
#define PIDCAP_KEY_TID         "pidcap.tid"
#define PIDCAP_KEY_CGROUP      "pidcap.cgroup"        /* cgroup v2 path */
#define PIDCAP_KEY_CONTAINER   "pidcap.container"     /* container id or name */
#define PIDCAP_KEY_EXE_FROM    "pidcap.exe_from"

#define PIDCAP_PROC_OPTS_MAX   8u     /* options one builder holds */
#define PIDCAP_PROC_VALUE_MAX  1023u  /* longest value (readers keep at most this much) */
#define PIDCAP_PROC_KEY_MAX    31u

/* Options for pcapng_process.custom, with the text they point to. */
struct pidcap_proc_opts {
	struct pcapng_custom_opt opt[PIDCAP_PROC_OPTS_MAX];
	char text[PIDCAP_PROC_OPTS_MAX][PIDCAP_PROC_KEY_MAX + 1 + PIDCAP_PROC_VALUE_MAX + 1];
	size_t n;
};

/* Empties o. */
void pidcap_proc_opts_init(struct pidcap_proc_opts *o);

/*
 * Appends "key=value" to o. A NULL or empty value adds nothing and answers
 * true. Answers false, adding nothing, when o is full, the key is longer
 * than PIDCAP_PROC_KEY_MAX or the value longer than PIDCAP_PROC_VALUE_MAX.
 */
bool pidcap_proc_opt_add(struct pidcap_proc_opts *o, const char *key, const char *value);

/*
 * Empties o and adds the three usual extras (each may be NULL). Answers
 * the number of options, or 0 with o empty when one value is too long.
 * Use: p.custom = o->opt; p.n_custom = o->n; then pcapng_write_process().
 * o must stay alive (and unchanged) until the record is written.
 */
size_t pidcap_proc_opts(struct pidcap_proc_opts *o, const char *attribution, const char *cgroup,
			const char *container);

#endif
