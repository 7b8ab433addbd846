/* \summary: the facts `pidcap info` gathers from one capture file */
#ifndef PIDCAP_INFO_SUMMARY_H
#define PIDCAP_INFO_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capfile/capfile.h"
#include "capfile/procinfo.h"

#define SUMMARY_MAX_COMMENTS   64u     /* section comments kept for display */
#define SUMMARY_MAX_PROCS      1024u   /* process records kept for display */
#define SUMMARY_MAX_KINDS      64u     /* distinct block types / PENs / secret types */
#define SUMMARY_COMMENT_BYTES  1024u
#define SUMMARY_MAX_SEQUENCE   1000000u /* block names kept for --blocks */

struct count_by_key {
	uint32_t key;
	uint32_t flag;          /* e.g. copyable, for custom blocks */
	uint64_t count;
};

struct iface_summary {
	uint64_t packets;
	uint64_t stats_blocks;
};

struct summary {
	const char *path;
	bool opened;            /* false: could not open or not a capture */
	bool not_capture;
	char open_error[300];

	enum cap_format format;
	bool gzipped;
	bool big_endian;
	uint16_t major, minor;
	enum cap_pcap_variant pcap_variant;
	uint64_t file_bytes;

	enum cap_status status;  /* CAP_END when complete */
	char error[256];
	uint64_t error_offset;

	uint32_t sections;
	char shb_hardware[256], shb_os[256], shb_userappl[256];
	uint32_t n_comments;                           /* section comments */
	char *comments[SUMMARY_MAX_COMMENTS];

	uint64_t packets;
	uint64_t captured_bytes, original_bytes;
	uint64_t packets_without_ts;
	bool have_ts;
	int64_t first_ts_ns, last_ts_ns;               /* earliest and latest, as capinfos */
	uint64_t packets_truncated;                    /* caplen < origlen */
	uint64_t packets_bad_ts;                       /* fraction >= 1 s */

	uint64_t packet_comments;                      /* packets with at least one comment */
	uint64_t packets_with_flags;
	uint64_t packets_inbound, packets_outbound;
	uint64_t packets_with_pid;                     /* option 8 */
	uint64_t packets_with_custom_opts;
	uint64_t packets_with_darwin;                  /* Apple 0x8001-0x800A */
	uint64_t packets_with_dropcount, dropcount_total;

	uint64_t proc_records;
	uint32_t n_procs;
	struct proc_record *procs;                     /* first SUMMARY_MAX_PROCS */

	uint32_t n_block_kinds;
	struct count_by_key blocks[SUMMARY_MAX_KINDS]; /* by block type */
	uint32_t n_custom_kinds;
	struct count_by_key custom[SUMMARY_MAX_KINDS]; /* by PEN, flag = copyable */
	uint32_t n_secret_kinds;
	struct count_by_key secrets[SUMMARY_MAX_KINDS];/* by secrets type */

	uint64_t bad_blocks, bad_options;
	char first_bad[200];
	uint64_t first_bad_offset;

	bool want_sequence;
	uint32_t *sequence;                            /* block types in file order */
	uint32_t n_sequence;
	size_t cap_sequence;
	bool sequence_cut;

	uint32_t n_ifaces;
	struct cap_interface *ifaces;                  /* copied at the end */
	struct iface_summary *iface_stats;
};

/* What the parser reports as it goes: bytes read of total_bytes (0 when
 * unknown: gzip, a pipe) and packets so far. */
typedef void summary_progress_fn(void *ctx, uint64_t done_bytes, uint64_t total_bytes,
				 uint64_t packets);

/*
 * Reads the capture open on fd (taken over: closed here) to the end, or to
 * its first fatal error, and fills *s; st is fd's fstat() when the caller
 * took it (NULL: taken here); path only names it (s->path points at it). want_sequence keeps the block sequence. progress, when not NULL,
 * is called with ctx about once per MiB read. This parses the file's bytes:
 * `pidcap info` calls it only in its sandboxed child (info_parse.c).
 */
struct stat;
void summary_collect_fd(struct summary *s, int fd, const struct stat *st, const char *path,
			bool want_sequence, summary_progress_fn *progress, void *ctx);

/* summary_collect_fd() on path ("-" = standard input) opened here, in the
 * calling process (tests); a file that cannot be opened gives an unopened
 * summary with a message in open_error. */
void summary_collect(struct summary *s, const char *path, bool want_sequence);

/* Frees what summary_collect() allocated. */
void summary_free(struct summary *s);

/* The exit-code class of one file: 0 complete, 1 partial, 2 unreadable. */
int summary_exit_code(const struct summary *s);

/* Prints in the human layout / as one JSON object. */
void summary_print_text(const struct summary *s, FILE *out);
void summary_print_json(const struct summary *s, FILE *out);

#endif
