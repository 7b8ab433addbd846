/* \summary: gathering the facts of `pidcap info` from one capture file */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile/pcapng_const.h"
#include "info/summary.h"
#include "util/array.h"

#define MIN_SEQUENCE   64   /* first size of the block-type sequence */
#define MIN_INTERFACES 8    /* first size of the per-interface counters */

static void count_key(struct count_by_key *tab, uint32_t *n, uint32_t key, uint32_t flag)
{
	for (uint32_t i = 0; i < *n; i++) {
		if (tab[i].key == key && tab[i].flag == flag) {
			tab[i].count++;
			return;
		}
	}
	if (*n < SUMMARY_MAX_KINDS) {
		tab[*n].key = key;
		tab[*n].flag = flag;
		tab[*n].count = 1;
		(*n)++;
	}
}

static void keep_sequence(struct summary *s, uint32_t type)
{
	if (s->n_sequence >= SUMMARY_MAX_SEQUENCE) {
		s->sequence_cut = true;
		return;
	}
	if (!ARRAY_RESERVE(s->sequence, s->cap_sequence, (size_t)s->n_sequence + 1, MIN_SEQUENCE)) {
		s->sequence_cut = true;
		return;
	}
	s->sequence[s->n_sequence++] = type;
}

static void on_section(struct summary *s, const struct cap_record *rec)
{
	struct cur opts = rec->options;
	struct cap_opt o;
	char buf[SUMMARY_COMMENT_BYTES];
	bool bad = false;

	if (s->sections++ == 0) {
		s->big_endian = rec->u.section.big_endian;
		s->major = rec->u.section.major;
		s->minor = rec->u.section.minor;
		s->pcap_variant = rec->u.section.pcap_variant;
	}
	while (cap_opt_next(&opts, rec->big_endian, &o, &bad)) {
		if (o.code == PCAPNG_OPT_COMMENT) {
			if (s->n_comments < SUMMARY_MAX_COMMENTS)
				s->comments[s->n_comments++] = strdup(cap_opt_str(&o, buf, sizeof(buf)));
		} else if (s->sections == 1 && o.code == PCAPNG_SHB_HARDWARE) {
			cap_opt_str(&o, s->shb_hardware, sizeof(s->shb_hardware));
		} else if (s->sections == 1 && o.code == PCAPNG_SHB_OS) {
			cap_opt_str(&o, s->shb_os, sizeof(s->shb_os));
		} else if (s->sections == 1 && o.code == PCAPNG_SHB_USERAPPL) {
			cap_opt_str(&o, s->shb_userappl, sizeof(s->shb_userappl));
		}
	}
}

static void on_packet(struct summary *s, const struct cap_packet *pkt, struct iface_summary **st,
		      size_t *n_st)
{
	s->packets++;
	s->captured_bytes += pkt->caplen;
	s->original_bytes += pkt->origlen;
	if (pkt->caplen < pkt->origlen)
		s->packets_truncated++;
	s->packets_bad_ts += pkt->ts_invalid;
	if (!pkt->has_ts) {
		s->packets_without_ts++;
	} else if (!s->have_ts) {
		s->have_ts = true;
		s->first_ts_ns = s->last_ts_ns = pkt->ts_ns;
	} else {
		if (pkt->ts_ns < s->first_ts_ns)
			s->first_ts_ns = pkt->ts_ns;
		if (pkt->ts_ns > s->last_ts_ns)
			s->last_ts_ns = pkt->ts_ns;
	}
	s->packet_comments += pkt->n_comments > 0;
	if (pkt->has_flags) {
		s->packets_with_flags++;
		s->packets_inbound += (pkt->flags & PCAPNG_EPB_DIR_MASK) == PCAPNG_EPB_DIR_IN;
		s->packets_outbound += (pkt->flags & PCAPNG_EPB_DIR_MASK) == PCAPNG_EPB_DIR_OUT;
	}
	s->packets_with_pid += pkt->has_pid;
	s->packets_with_custom_opts += pkt->n_custom_opts > 0;
	s->packets_with_darwin += pkt->n_darwin_opts > 0;
	if (pkt->has_dropcount) {
		s->packets_with_dropcount++;
		s->dropcount_total += pkt->dropcount;
	}
	if (pkt->iface < *n_st)
		(*st)[pkt->iface].packets++;
}

static void on_process(struct summary *s, const struct cap_record *rec)
{
	struct proc_record pr;

	if (!proc_record_decode(rec, &pr))
		return;
	s->proc_records++;
	if (s->n_procs >= SUMMARY_MAX_PROCS)
		return;
	if (s->procs == NULL) {
		s->procs = calloc(SUMMARY_MAX_PROCS, sizeof(*s->procs));
		if (s->procs == NULL)
			return;
	}
	s->procs[s->n_procs++] = pr;
}

/* Keeps the per-interface counters as long as the interface table. */
static void grow_iface_stats(struct capfile *cf, struct iface_summary **st,
			     size_t *n_st)
{
	/* geometric: a file may declare tens of thousands of interfaces; new entries are zero */
	ARRAY_RESERVE(*st, *n_st, capfile_interface_count(cf), MIN_INTERFACES);
}

static void on_record(struct summary *s, struct capfile *cf, const struct cap_record *rec,
		      struct iface_summary **st, size_t *n_st)
{
	if (rec->block_type != 0) {
		count_key(s->blocks, &s->n_block_kinds, rec->block_type, 0);
		if (s->want_sequence)
			keep_sequence(s, rec->block_type);
	}
	if (rec->options_bad)
		s->bad_options++;
	switch (rec->kind) {
	case CAP_REC_SECTION: on_section(s, rec); break;
	case CAP_REC_INTERFACE: grow_iface_stats(cf, st, n_st); break;
	case CAP_REC_PACKET: on_packet(s, &rec->u.pkt, st, n_st); break;
	case CAP_REC_STATS:
		if (rec->u.stats.iface < *n_st)
			(*st)[rec->u.stats.iface].stats_blocks++;
		break;
	case CAP_REC_SECRETS:
		count_key(s->secrets, &s->n_secret_kinds, rec->u.secrets.type, 0);
		break;
	case CAP_REC_CUSTOM:
		count_key(s->custom, &s->n_custom_kinds, rec->u.custom.pen, rec->u.custom.copyable);
		on_process(s, rec);
		break;
	case CAP_REC_DARWIN_PROCESS: on_process(s, rec); break;
	case CAP_REC_BAD_BLOCK:
		if (s->bad_blocks++ == 0) {
			snprintf(s->first_bad, sizeof(s->first_bad), "%s", rec->bad_reason);
			s->first_bad_offset = rec->offset;
		}
		break;
	case CAP_REC_NAMES:
	case CAP_REC_OTHER:
		break;
	}
}

static void copy_interfaces(struct summary *s, struct capfile *cf)
{
	uint32_t n = capfile_interface_count(cf);

	s->ifaces = calloc(n ? n : 1, sizeof(*s->ifaces));
	if (s->ifaces == NULL)
		return;
	for (uint32_t i = 0; i < n; i++) {
		const struct cap_interface *ifc = capfile_interface(cf, i);

		s->ifaces[i] = *ifc;
		s->ifaces[i].name = ifc->name ? strdup(ifc->name) : NULL;
		s->ifaces[i].description = ifc->description ? strdup(ifc->description) : NULL;
		s->ifaces[i].filter = ifc->filter ? strdup(ifc->filter) : NULL;
		s->ifaces[i].os = ifc->os ? strdup(ifc->os) : NULL;
		s->ifaces[i].hardware = ifc->hardware ? strdup(ifc->hardware) : NULL;
	}
	s->n_ifaces = n;
}

/* The parser's progress: at most once per PROGRESS_STEP_BYTES of input. */
#define PROGRESS_STEP_BYTES (1024u * 1024)

void summary_collect_fd(struct summary *s, int fd, const struct stat *st, const char *path,
			bool want_sequence, summary_progress_fn *progress, void *ctx)
{
	struct capfile *cf;
	struct cap_record rec;
	uint64_t total, next_report = PROGRESS_STEP_BYTES;
	size_t n_st = 0;

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->want_sequence = want_sequence;
	cf = capfile_open_fd_stat(fd, st, path, s->open_error, sizeof(s->open_error), &s->not_capture);
	if (cf == NULL)
		return;
	s->opened = true;
	s->format = capfile_format(cf);
	s->file_bytes = capfile_size(cf);
	total = capfile_gzipped(cf) ? 0 : s->file_bytes;
	while ((s->status = capfile_next(cf, &rec)) == CAP_OK) {
		on_record(s, cf, &rec, &s->iface_stats, &n_st);
		if (progress != NULL && capfile_offset(cf) >= next_report) {
			progress(ctx, capfile_offset(cf), total, s->packets);
			next_report = capfile_offset(cf) + PROGRESS_STEP_BYTES;
		}
	}
	snprintf(s->error, sizeof(s->error), "%s", capfile_error(cf));
	s->error_offset = capfile_error_offset(cf);
	s->gzipped = capfile_gzipped(cf);
	grow_iface_stats(cf, &s->iface_stats, &n_st);
	copy_interfaces(s, cf);
	capfile_close(cf);
}

void summary_collect(struct summary *s, const char *path, bool want_sequence)
{
	int fd = strcmp(path, "-") == 0 ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0) :
					  open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		memset(s, 0, sizeof(*s));
		s->path = path;
		s->want_sequence = want_sequence;
		snprintf(s->open_error, sizeof(s->open_error), "cannot open: %s", strerror(errno));
		return;
	}
	summary_collect_fd(s, fd, NULL, path, want_sequence, NULL, NULL);
}

void summary_free(struct summary *s)
{
	for (uint32_t i = 0; i < s->n_comments; i++)
		free(s->comments[i]);
	for (uint32_t i = 0; i < s->n_ifaces; i++) {
		free(s->ifaces[i].name);
		free(s->ifaces[i].description);
		free(s->ifaces[i].filter);
		free(s->ifaces[i].os);
		free(s->ifaces[i].hardware);
	}
	free(s->ifaces);
	free(s->iface_stats);
	free(s->procs);
	free(s->sequence);
}

int summary_exit_code(const struct summary *s)
{
	/* The rule of the man page's EXIT STATUS: without even one valid
	 * header (a damaged, cut or unsupported first pcap header or SHB) there
	 * is no valid record, so it was never a capture (2); damage after a
	 * valid header is a partial file (1). */
	if (!s->opened || s->sections == 0)
		return 2;
	if (s->status != CAP_END || s->bad_blocks > 0 || s->bad_options > 0)
		return 1;
	return 0;
}
