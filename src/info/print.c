/* \summary: `pidcap info` output, for people and as JSON */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "capfile/linktype.h"
#include "capfile/pcapng_const.h"
#include "info/summary.h"
#include "util/json.h"
#include "util/termsafe.h"
#include "util/utf8.h"
#include "util/timefmt.h"

static const char *format_name(const struct summary *s)
{
	return s->format == CAP_FORMAT_PCAPNG ? "pcapng" : "pcap";
}

static const char *variant_name(enum cap_pcap_variant v)
{
	switch (v) {
	case CAP_PCAP_NSEC: return "nanosecond";
	case CAP_PCAP_KUZNETZOV: return "modified (Kuznetzov)";
	case CAP_PCAP_USEC: break;
	}
	return "microsecond";
}

/* "EPB" or "0x80000002". */
static const char *block_label(uint32_t type, char *buf, size_t len)
{
	const char *n = cap_block_name(type);

	if (n != NULL)
		return n;
	snprintf(buf, len, "0x%08" PRIx32, type);
	return buf;
}

static const char *secrets_name(uint32_t type)
{
	switch (type) {
	case 0x544c534bu: return "TLS key log";
	case 0x5353484bu: return "SSH keys";
	case 0x57474b4cu: return "WireGuard keys";
	case 0x55414b4cu: return "OPC UA keys";
	case 0x45535053u: return "ESP SAs";
	default: return "unknown";
	}
}

/* if_tsresol as text: "10^-9" or "2^-20". */
static const char *tsresol_text(uint8_t r, char *buf, size_t len)
{
	snprintf(buf, len, "%s^-%u", (r & 0x80) ? "2" : "10", r & 0x7f);
	return buf;
}

static void print_cmdline_text(FILE *out, const struct proc_record *p)
{
	for (uint32_t i = 0; i < p->cmdline_len;) {
		const char *arg = (const char *)p->cmdline + i;
		size_t n = strnlen(arg, p->cmdline_len - i);

		if (i > 0)
			fputc(' ', out);
		termsafe_write(out, arg, n);
		i += (uint32_t)n + 1;
	}
}

static void print_status_text(const struct summary *s, FILE *out)
{
	fprintf(out, "Status:              ");
	if (s->status == CAP_END) {
		fprintf(out, "complete\n");
	} else {
		termsafe_puts(out, s->error);
		fputc('\n', out);
	}
	if (s->bad_blocks > 0) {
		fprintf(out, "Bad blocks:          %" PRIu64 " skipped (first at offset %" PRIu64 ": ",
			s->bad_blocks, s->first_bad_offset);
		termsafe_puts(out, s->first_bad);
		fprintf(out, ")\n");
	}
	if (s->bad_options > 0)
		fprintf(out, "Bad options:         in %" PRIu64 " blocks (ignored)\n", s->bad_options);
}

static void print_interfaces_text(const struct summary *s, FILE *out)
{
	char tr[16];

	fprintf(out, "Interfaces:          %" PRIu32 "\n", s->n_ifaces);
	for (uint32_t i = 0; i < s->n_ifaces; i++) {
		const struct cap_interface *ifc = &s->ifaces[i];
		const char *ln = linktype_name(ifc->linktype);

		fprintf(out, "  #%-3" PRIu32 " %s (%" PRIu32 ", %s)  snaplen %" PRIu32 "  tsresol %s",
			i, ln ? ln : "?", ifc->linktype, linktype_description(ifc->linktype),
			ifc->snaplen, tsresol_text(ifc->tsresol, tr, sizeof(tr)));
		if (ifc->tsoffset_s != 0)
			fprintf(out, "  tsoffset %" PRId64 "s", ifc->tsoffset_s);
		if (s->format == CAP_FORMAT_PCAPNG)
			fprintf(out, "  section %" PRIu32, ifc->section);
		if (ifc->name) {
			fprintf(out, "  name ");
			termsafe_puts(out, ifc->name);
		}
		if (ifc->filter) {
			fprintf(out, "  filter \"");
			termsafe_puts(out, ifc->filter);
			fputc('"', out);
		}
		fprintf(out, "  packets %" PRIu64 "\n", s->iface_stats ? s->iface_stats[i].packets : 0);
	}
}

static void print_procs_text(const struct summary *s, FILE *out)
{
	fprintf(out, "Process records:     %" PRIu64 "\n", s->proc_records);
	for (uint32_t i = 0; i < s->n_procs; i++) {
		const struct proc_record *p = &s->procs[i];

		fprintf(out, "  pid %-7" PRIu32 " %-8s ", p->pid,
			p->source == PROC_SRC_DARWIN ? "(apple)" : "");
		termsafe_puts(out, p->name[0] ? p->name : "?");
		if (p->has_ppid)
			fprintf(out, "  ppid %" PRIu32, p->ppid);
		if (p->has_uid)
			fprintf(out, "  uid %" PRIu32, p->uid);
		if (p->cmdline_len > 0) {
			fprintf(out, "  cmdline: ");
			print_cmdline_text(out, p);
		}
		fputc('\n', out);
	}
	if (s->proc_records > s->n_procs)
		fprintf(out, "  ... %" PRIu64 " more\n", s->proc_records - s->n_procs);
}

static void print_blocks_text(const struct summary *s, FILE *out)
{
	char buf[16];

	if (s->format != CAP_FORMAT_PCAPNG)
		return;
	fprintf(out, "Blocks:             ");
	for (uint32_t i = 0; i < s->n_block_kinds; i++)
		fprintf(out, " %s %" PRIu64 "%s", block_label(s->blocks[i].key, buf, sizeof(buf)),
			s->blocks[i].count, i + 1 < s->n_block_kinds ? "," : "");
	fputc('\n', out);
	for (uint32_t i = 0; i < s->n_custom_kinds; i++)
		fprintf(out, "Custom blocks:       %" PRIu64 " with PEN %" PRIu32 " (%s)\n",
			s->custom[i].count, s->custom[i].key,
			s->custom[i].flag ? "copyable" : "do not copy");
	for (uint32_t i = 0; i < s->n_secret_kinds; i++)
		fprintf(out, "Decryption secrets:  %" PRIu64 " %s (type 0x%08" PRIx32 ")\n",
			s->secrets[i].count, secrets_name(s->secrets[i].key), s->secrets[i].key);
	if (s->want_sequence) {
		fprintf(out, "Block sequence:      ");
		for (uint32_t i = 0; i < s->n_sequence; i++)
			fprintf(out, "%s%s", i ? ", " : "", block_label(s->sequence[i], buf, sizeof(buf)));
		fprintf(out, "%s\n", s->sequence_cut ? ", ..." : "");
	}
}

static void print_packet_meta_text(const struct summary *s, FILE *out)
{
	if (s->packets_bad_ts)
		fprintf(out, "Invalid timestamps:  %" PRIu64 " packets have a fraction of 1 s or more "
			"(carried into the seconds)\n", s->packets_bad_ts);
	if (s->packet_comments)
		fprintf(out, "Packet comments:     %" PRIu64 " packets\n", s->packet_comments);
	if (s->packets_with_flags)
		fprintf(out, "Direction flags:     %" PRIu64 " packets (%" PRIu64 " in, %" PRIu64 " out)\n",
			s->packets_with_flags, s->packets_inbound, s->packets_outbound);
	if (s->packets_with_pid)
		fprintf(out, "Process ids:         %" PRIu64 " packets (epb_processid_threadid)\n",
			s->packets_with_pid);
	if (s->packets_with_darwin)
		fprintf(out, "Apple metadata:      %" PRIu64 " packets (options 0x8001-0x800A)\n",
			s->packets_with_darwin);
	if (s->packets_with_custom_opts)
		fprintf(out, "Custom options:      %" PRIu64 " packets\n", s->packets_with_custom_opts);
	if (s->packets_with_dropcount)
		fprintf(out, "Drop counts:         %" PRIu64 " packets report %" PRIu64 " drops\n",
			s->packets_with_dropcount, s->dropcount_total);
}

/* Last minus first packet time; saturates (timestamps come from the file). */
static int64_t duration_ns(const struct summary *s)
{
	int64_t d;

	return __builtin_sub_overflow(s->last_ts_ns, s->first_ts_ns, &d) ? INT64_MAX : d;
}

void summary_print_text(const struct summary *s, FILE *out)
{
	char a[TIMEFMT_BYTES], b[TIMEFMT_BYTES];

	fprintf(out, "File name:           ");
	termsafe_puts(out, s->path);
	fputc('\n', out);
	if (!s->opened) {
		fprintf(out, "Error:               ");
		termsafe_puts(out, s->open_error);
		fputc('\n', out);
		return;
	}
	fprintf(out, "File format:         %s", format_name(s));
	if (s->sections > 0) {
		fprintf(out, " %u.%u, %s-endian", s->major, s->minor, s->big_endian ? "big" : "little");
		if (s->format == CAP_FORMAT_PCAP)
			fprintf(out, ", %s timestamps", variant_name(s->pcap_variant));
	}
	fprintf(out, "%s\n", s->gzipped ? ", gzip-compressed" : "");
	fprintf(out, "File size:           %" PRIu64 " bytes\n", s->file_bytes);
	print_status_text(s, out);
	if (s->format == CAP_FORMAT_PCAPNG)
		fprintf(out, "Sections:            %" PRIu32 "\n", s->sections);
	if (s->shb_hardware[0]) { fprintf(out, "Hardware:            "); termsafe_puts(out, s->shb_hardware); fputc('\n', out); }
	if (s->shb_os[0]) { fprintf(out, "OS:                  "); termsafe_puts(out, s->shb_os); fputc('\n', out); }
	if (s->shb_userappl[0]) { fprintf(out, "Application:         "); termsafe_puts(out, s->shb_userappl); fputc('\n', out); }
	for (uint32_t i = 0; i < s->n_comments; i++) {
		fprintf(out, "Comment:             ");
		termsafe_puts(out, s->comments[i]);
		fputc('\n', out);
	}
	print_interfaces_text(s, out);
	fprintf(out, "Packets:             %" PRIu64 "\n", s->packets);
	fprintf(out, "Captured bytes:      %" PRIu64 " (on the wire %" PRIu64 ")\n",
		s->captured_bytes, s->original_bytes);
	if (s->have_ts) {
		fprintf(out, "First packet time:   %s (%s)\n", timefmt_utc(s->first_ts_ns, a),
			timefmt_epoch(s->first_ts_ns, b));
		fprintf(out, "Last packet time:    %s (%s)\n", timefmt_utc(s->last_ts_ns, a),
			timefmt_epoch(s->last_ts_ns, b));
		fprintf(out, "Duration:            %s s\n",
			timefmt_epoch(duration_ns(s), a));
	}
	print_packet_meta_text(s, out);
	print_blocks_text(s, out);
	if (s->proc_records > 0)
		print_procs_text(s, out);
}

/* ---------------------------------------------------------------- JSON */

static void json_kv_str(FILE *out, const char *k, const char *v, bool comma)
{
	fprintf(out, "\"%s\":", k);
	json_cstr(out, v);
	if (comma)
		fputc(',', out);
}

static bool is_utf8(const char *str)
{
	const unsigned char *p = (const unsigned char *)str;
	size_t left = strlen(str), n;

	for (; left > 0; p += n, left -= n)
		if ((n = utf8_valid_seq(p, left)) == 0)
			return false;
	return true;
}

/*
 * The file name as given, for a name that is not UTF-8: JSON strings hold
 * text, and json_str's \u00XX fallback cannot be told from a real U+00XX,
 * so the bytes are also given as lowercase hex ("file_hex").
 */
static void print_name_hex_json(FILE *out, const char *name)
{
	if (is_utf8(name))
		return;
	fprintf(out, "\"file_hex\":\"");
	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++)
		fprintf(out, "%02x", *p);
	fprintf(out, "\",");
}

static void print_interfaces_json(const struct summary *s, FILE *out)
{
	fprintf(out, "\"interfaces\":[");
	for (uint32_t i = 0; i < s->n_ifaces; i++) {
		const struct cap_interface *ifc = &s->ifaces[i];

		fprintf(out, "%s{\"id\":%" PRIu32 ",\"section\":%" PRIu32 ",\"linktype\":%" PRIu32 ",",
			i ? "," : "", i, ifc->section, ifc->linktype);
		json_kv_str(out, "linktype_name", linktype_name(ifc->linktype), true);
		fprintf(out, "\"snaplen\":%" PRIu32 ",\"tsresol\":%u,\"tsoffset_s\":%" PRId64 ",",
			ifc->snaplen, ifc->tsresol, ifc->tsoffset_s);
		if (ifc->fcslen_set)
			fprintf(out, "\"fcslen\":%u,", ifc->fcslen);
		if (ifc->speed_bps)
			fprintf(out, "\"speed_bps\":%" PRIu64 ",", ifc->speed_bps);
		json_kv_str(out, "name", ifc->name, true);
		json_kv_str(out, "description", ifc->description, true);
		json_kv_str(out, "filter", ifc->filter, true);
		json_kv_str(out, "os", ifc->os, true);
		json_kv_str(out, "hardware", ifc->hardware, true);
		fprintf(out, "\"packets\":%" PRIu64 ",\"statistics_blocks\":%" PRIu64 "}",
			s->iface_stats ? s->iface_stats[i].packets : 0,
			s->iface_stats ? s->iface_stats[i].stats_blocks : 0);
	}
	fprintf(out, "],");
}

static void print_procs_json(const struct summary *s, FILE *out)
{
	fprintf(out, "\"process_records\":%" PRIu64 ",\"processes\":[", s->proc_records);
	for (uint32_t i = 0; i < s->n_procs; i++) {
		const struct proc_record *p = &s->procs[i];

		fprintf(out, "%s{\"source\":\"%s\",\"pid\":%" PRIu32 ",", i ? "," : "",
			p->source == PROC_SRC_DARWIN ? "darwin" : "wireshark", p->pid);
		json_kv_str(out, "name", p->name[0] ? p->name : NULL, true);
		json_kv_str(out, "path", p->path[0] ? p->path : NULL, true);
		json_kv_str(out, "user", p->user[0] ? p->user : NULL, true);
		fprintf(out, "\"cmdline\":[");
		for (uint32_t j = 0, k = 0; j < p->cmdline_len; k++) {
			const char *arg = (const char *)p->cmdline + j;
			size_t n = strnlen(arg, p->cmdline_len - j);

			fprintf(out, "%s", k ? "," : "");
			json_str(out, arg, n);
			j += (uint32_t)n + 1;
		}
		fprintf(out, "]");
		if (p->has_ppid)
			fprintf(out, ",\"ppid\":%" PRIu32, p->ppid);
		if (p->has_uid)
			fprintf(out, ",\"uid\":%" PRIu32, p->uid);
		if (p->has_starttime)
			fprintf(out, ",\"starttime_ns\":%" PRIu64, p->starttime_ns);
		fprintf(out, ",\"custom_options\":%" PRIu32 ",\"malformed\":%s}", p->n_custom_opts,
			p->bad ? "true" : "false");
	}
	fprintf(out, "],");
}

static void print_blocks_json(const struct summary *s, FILE *out)
{
	char buf[16];

	fprintf(out, "\"blocks\":{");
	for (uint32_t i = 0; i < s->n_block_kinds; i++)
		fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "",
			block_label(s->blocks[i].key, buf, sizeof(buf)), s->blocks[i].count);
	fprintf(out, "},\"custom_blocks\":[");
	for (uint32_t i = 0; i < s->n_custom_kinds; i++)
		fprintf(out, "%s{\"pen\":%" PRIu32 ",\"copyable\":%s,\"count\":%" PRIu64 "}", i ? "," : "",
			s->custom[i].key, s->custom[i].flag ? "true" : "false", s->custom[i].count);
	fprintf(out, "],\"decryption_secrets\":[");
	for (uint32_t i = 0; i < s->n_secret_kinds; i++)
		fprintf(out, "%s{\"type\":%" PRIu32 ",\"name\":\"%s\",\"count\":%" PRIu64 "}", i ? "," : "",
			s->secrets[i].key, secrets_name(s->secrets[i].key), s->secrets[i].count);
	fprintf(out, "],");
	if (s->want_sequence) {
		fprintf(out, "\"block_sequence\":[");
		for (uint32_t i = 0; i < s->n_sequence; i++)
			fprintf(out, "%s\"%s\"", i ? "," : "", block_label(s->sequence[i], buf, sizeof(buf)));
		fprintf(out, "],\"block_sequence_cut\":%s,", s->sequence_cut ? "true" : "false");
	}
}

static void print_packets_json(const struct summary *s, FILE *out)
{
	char a[TIMEFMT_BYTES];

	fprintf(out, "\"packets\":%" PRIu64 ",\"captured_bytes\":%" PRIu64 ",\"original_bytes\":%" PRIu64
		",\"packets_cut_by_snaplen\":%" PRIu64 ",\"packets_without_timestamp\":%" PRIu64
		",\"packets_with_invalid_timestamp\":%" PRIu64 ",",
		s->packets, s->captured_bytes, s->original_bytes, s->packets_truncated,
		s->packets_without_ts, s->packets_bad_ts);
	if (s->have_ts) {
		fprintf(out, "\"first_time\":%s,", timefmt_epoch(s->first_ts_ns, a));
		fprintf(out, "\"last_time\":%s,", timefmt_epoch(s->last_ts_ns, a));
		fprintf(out, "\"first_time_ns\":%" PRId64 ",\"last_time_ns\":%" PRId64 ",",
			s->first_ts_ns, s->last_ts_ns);
	} else {
		fprintf(out, "\"first_time\":null,\"last_time\":null,");
	}
	fprintf(out, "\"packets_with_comments\":%" PRIu64 ",\"packets_with_flags\":%" PRIu64
		",\"packets_inbound\":%" PRIu64 ",\"packets_outbound\":%" PRIu64
		",\"packets_with_process_id\":%" PRIu64 ",\"packets_with_darwin_metadata\":%" PRIu64
		",\"packets_with_custom_options\":%" PRIu64 ",\"packets_with_dropcount\":%" PRIu64
		",\"dropcount_total\":%" PRIu64 ",",
		s->packet_comments, s->packets_with_flags, s->packets_inbound, s->packets_outbound,
		s->packets_with_pid, s->packets_with_darwin, s->packets_with_custom_opts,
		s->packets_with_dropcount, s->dropcount_total);
}

void summary_print_json(const struct summary *s, FILE *out)
{
	fputc('{', out);
	json_kv_str(out, "file", s->path, true);
	print_name_hex_json(out, s->path);
	if (!s->opened) {
		fprintf(out, "\"status\":\"%s\",", s->not_capture ? "not a capture" : "unreadable");
		json_kv_str(out, "error", s->open_error, false);
		fputc('}', out);
		return;
	}
	fprintf(out, "\"format\":\"%s\",\"gzip\":%s,", format_name(s), s->gzipped ? "true" : "false");
	if (s->sections > 0)
		fprintf(out, "\"byte_order\":\"%s\",\"version\":\"%u.%u\",",
			s->big_endian ? "big" : "little", s->major, s->minor);
	if (s->format == CAP_FORMAT_PCAP && s->sections > 0)
		fprintf(out, "\"timestamp_precision\":\"%s\",", variant_name(s->pcap_variant));
	fprintf(out, "\"file_bytes\":%" PRIu64 ",", s->file_bytes);
	fprintf(out, "\"status\":\"%s\",", s->sections == 0 ? "not a capture" : cap_status_name(s->status));
	json_kv_str(out, "error", s->status == CAP_END ? NULL : s->error, true);
	if (s->status != CAP_END)
		fprintf(out, "\"error_offset\":%" PRIu64 ",", s->error_offset);
	fprintf(out, "\"bad_blocks\":%" PRIu64 ",\"blocks_with_bad_options\":%" PRIu64 ",",
		s->bad_blocks, s->bad_options);
	fprintf(out, "\"sections\":%" PRIu32 ",", s->sections);
	json_kv_str(out, "hardware", s->shb_hardware[0] ? s->shb_hardware : NULL, true);
	json_kv_str(out, "os", s->shb_os[0] ? s->shb_os : NULL, true);
	json_kv_str(out, "application", s->shb_userappl[0] ? s->shb_userappl : NULL, true);
	fprintf(out, "\"comments\":[");
	for (uint32_t i = 0; i < s->n_comments; i++) {
		fputs(i ? "," : "", out);
		json_cstr(out, s->comments[i]);
	}
	fprintf(out, "],");
	print_interfaces_json(s, out);
	print_packets_json(s, out);
	print_blocks_json(s, out);
	print_procs_json(s, out);
	fprintf(out, "\"exit_code\":%d}", summary_exit_code(s));
}
