/* \summary: capture-file reader front end: open, detect format, dispatch, interfaces, clocks */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile/capfile_int.h"
#include "capfile/pcapng_const.h"
#include "util/units.h"
#include "util/array.h"

#define MAGIC_BYTES 4u
#define MIN_INTERFACES 8   /* first size of the interface tables */

enum cap_status capfile_fail(struct capfile *cf, enum cap_status st, uint64_t offset,
			     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cf->err, sizeof(cf->err), fmt, ap);
	va_end(ap);
	cf->err_offset = offset;
	cf->final = st;
	return st;
}

enum cap_status capfile_need(struct capfile *cf, size_t len, const uint8_t **p)
{
	size_t got;
	const char *ioerr;

	*p = source_peek(cf->src, len, &got);
	if (got == len)
		return CAP_OK;
	ioerr = source_error(cf->src);
	if (ioerr != NULL)
		return capfile_fail(cf, CAP_IO_ERROR, source_offset(cf->src), "%s", ioerr);
	if (got == 0)
		return CAP_END;
	return capfile_fail(cf, CAP_TRUNCATED, source_offset(cf->src),
			    "truncated at offset %llu: the file ends %zu bytes into a %zu-byte record",
			    (unsigned long long)source_offset(cf->src), got, len);
}

static struct capfile *capfile_start(struct source *src, char *err, size_t errlen,
				     bool *not_capture)
{
	struct capfile *cf;
	const uint8_t *m;
	size_t got;
	bool be;
	enum cap_pcap_variant variant;

	*not_capture = false;
	m = source_peek(src, MAGIC_BYTES, &got);
	if (got < MAGIC_BYTES) {
		const char *ioerr = source_error(src);

		snprintf(err, errlen, "%s", ioerr ? ioerr :
			 got == 0 ? "not a capture file: it is empty" :
				    "not a capture file: shorter than any capture header");
		*not_capture = ioerr == NULL;
		source_close(src);
		return NULL;
	}
	cf = calloc(1, sizeof(*cf));
	if (cf == NULL) {
		snprintf(err, errlen, "out of memory");
		source_close(src);
		return NULL;
	}
	cf->src = src;
	if (pcapng_magic(m)) {
		cf->format = CAP_FORMAT_PCAPNG;
	} else if (pcap_magic(m, &be, &variant)) {
		cf->format = CAP_FORMAT_PCAP;
		cf->pcap_be = be;
		cf->pcap_variant = variant;
	} else {
		snprintf(err, errlen, "not a capture file: unknown magic %02x %02x %02x %02x "
			 "(pidcap reads pcap and pcapng, optionally gzip-compressed)",
			 m[0], m[1], m[2], m[3]);
		*not_capture = true;
		capfile_close(cf);
		return NULL;
	}
	return cf;
}

struct capfile *capfile_open_fd_stat(int fd, const struct stat *st, const char *display_name,
				     char *err, size_t errlen, bool *not_capture)
{
	struct source *src;
	char serr[200];

	*not_capture = false;
	src = source_open_fd_stat(fd, st, CAP_MAX_BLOCK_BYTES, serr, sizeof(serr));
	if (src == NULL) {
		snprintf(err, errlen, "%s: %s", display_name, serr);
		return NULL;
	}
	return capfile_start(src, err, errlen, not_capture);
}

struct capfile *capfile_open_fd(int fd, const char *display_name, char *err, size_t errlen,
				bool *not_capture)
{
	return capfile_open_fd_stat(fd, NULL, display_name, err, errlen, not_capture);
}

struct capfile *capfile_open(const char *path, char *err, size_t errlen, bool *not_capture)
{
	int fd;

	*not_capture = false;
	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	return capfile_open_fd(fd, path, err, errlen, not_capture);
}

struct capfile *capfile_open_mem(const void *buf, size_t len, char *err, size_t errlen,
				 bool *not_capture)
{
	struct source *src = source_open_mem(buf, len, CAP_MAX_BLOCK_BYTES);

	*not_capture = false;
	if (src == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return capfile_start(src, err, errlen, not_capture);
}

enum cap_status capfile_next(struct capfile *cf, struct cap_record *rec)
{
	enum cap_status st;

	if (cf->final != CAP_OK)
		return cf->final;
	memset(rec, 0, sizeof(*rec));
	if (cf->format == CAP_FORMAT_PCAP)
		st = pcap_read_next(cf, rec);
	else
		st = pcapng_read_next(cf, rec);
	if (st == CAP_END)
		cf->final = CAP_END;
	else if (st == CAP_OK && rec->kind == CAP_REC_PACKET)
		rec->u.pkt.number = ++cf->packets;
	return st;
}

static void interface_free(struct cap_interface *ifc)
{
	free(ifc->name);
	free(ifc->description);
	free(ifc->filter);
	free(ifc->os);
	free(ifc->hardware);
}

void capfile_close(struct capfile *cf)
{
	if (cf == NULL)
		return;
	for (uint32_t i = 0; i < cf->n_ifs; i++)
		interface_free(&cf->ifs[i]);
	free(cf->ifs);
	free(cf->clocks);
	source_close(cf->src);
	free(cf);
}

struct cap_interface *capfile_add_interface(struct capfile *cf, uint32_t *idx)
{
	if (cf->n_ifs >= CAP_MAX_INTERFACES)
		return NULL;
	if (!ARRAY_RESERVE(cf->ifs, cf->cap_ifs, (size_t)cf->n_ifs + 1, MIN_INTERFACES) ||
	    !ARRAY_RESERVE(cf->clocks, cf->cap_clocks, (size_t)cf->n_ifs + 1, MIN_INTERFACES))
		return NULL;
	*idx = cf->n_ifs++;
	memset(&cf->ifs[*idx], 0, sizeof(cf->ifs[*idx]));
	cf->ifs[*idx].section = cf->sections ? cf->sections - 1 : 0;
	cf->ifs[*idx].tsresol = 6;
	capfile_set_clock(cf, *idx);
	return &cf->ifs[*idx];
}

uint64_t cap_tsresol_units(uint8_t tsresol)
{
	uint8_t exp = tsresol & 0x7f;
	uint64_t units = 1;

	if (tsresol & 0x80) {
		/* 2^-exp; 2^63 is the largest that fits */
		return exp <= 63 ? (uint64_t)1 << exp : 0;
	}
	if (exp > 19)  /* 10^19 is the largest power of ten below 2^64 */
		return 0;
	for (uint8_t i = 0; i < exp; i++)
		units *= 10;
	return units;
}

static int64_t saturating_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

void capfile_set_clock(struct capfile *cf, uint32_t idx)
{
	const struct cap_interface *ifc = &cf->ifs[idx];
	struct if_clock *clk = &cf->clocks[idx];
	int64_t off;

	clk->units_per_s = cap_tsresol_units(ifc->tsresol);
	if (__builtin_mul_overflow(ifc->tsoffset_s, NS_PER_SEC, &off))
		off = ifc->tsoffset_s > 0 ? INT64_MAX : INT64_MIN;
	clk->offset_ns = off;
}

int64_t capfile_ts_ns(const struct capfile *cf, uint32_t iface, uint64_t units)
{
	const struct if_clock *clk = &cf->clocks[iface];
	uint64_t per_s = clk->units_per_s, s, frac_ns;
	unsigned __int128 ns;

	if (per_s == (uint64_t)NS_PER_SEC) {
		ns = units;
	} else if (per_s == (uint64_t)USEC_PER_SEC) {
		ns = (unsigned __int128)units * NS_PER_USEC;
	} else if (per_s == 0) {
		return INT64_MIN;
	} else {
		s = units / per_s;
		frac_ns = (uint64_t)((unsigned __int128)(units % per_s) * (uint64_t)NS_PER_SEC / per_s);
		ns = (unsigned __int128)s * (uint64_t)NS_PER_SEC + frac_ns;
	}
	if (ns > (unsigned __int128)INT64_MAX)
		ns = INT64_MAX;
	return saturating_add((int64_t)ns, clk->offset_ns);
}

bool cap_opt_next(struct cur *opts, bool big_endian, struct cap_opt *opt, bool *bad)
{
	struct cur c = *opts, val_and_pad;
	uint16_t code, len;
	size_t padded;

	if (cur_left(&c) < 4)
		return false;  /* end without opt_endofopt, or trailing padding */
	if (!cur_u16_e(&c, big_endian, &code) || !cur_u16_e(&c, big_endian, &len))
		return false;
	if (code == PCAPNG_OPT_ENDOFOPT) {
		cur_skip(opts, cur_left(opts));
		return false;
	}
	padded = ((size_t)len + 3) & ~(size_t)3;
	/* The last option may omit its padding at the very end of the area. */
	if (cur_left(&c) < len) {
		*bad = true;
		cur_skip(opts, cur_left(opts));
		return false;
	}
	opt->code = code;
	val_and_pad = c;
	cur_sub(&val_and_pad, len, &opt->val);   /* fits: checked above */
	if (!cur_skip(&c, padded))
		cur_skip(&c, cur_left(&c));
	*opts = c;
	return true;
}

char *cap_opt_str(const struct cap_opt *opt, char *out, size_t outlen)
{
	struct cur v = opt->val, text;
	size_t n;

	/* The value ends at its first NUL, if any. */
	if (cur_until(&v, 0, &text))
		v = text;
	n = cur_left(&v);
	if (outlen == 0)
		return out;
	if (n >= outlen)
		n = outlen - 1;
	if (n > 0)
		memcpy(out, cur_data(&v), n);
	out[n] = '\0';
	return out;
}

bool cap_opt_custom(const struct cap_opt *opt, bool big_endian, uint32_t *pen, struct cur *data)
{
	struct cur c = opt->val;

	if (!PCAPNG_OPT_IS_CUSTOM(opt->code))
		return false;
	if (!cur_u32_e(&c, big_endian, pen))
		return false;
	*data = c;
	return true;
}

enum cap_format capfile_format(const struct capfile *cf) { return cf->format; }
bool capfile_gzipped(const struct capfile *cf) { return source_gzipped(cf->src); }
const char *capfile_error(const struct capfile *cf) { return cf->err; }
uint64_t capfile_error_offset(const struct capfile *cf) { return cf->err_offset; }
uint64_t capfile_offset(const struct capfile *cf) { return source_offset(cf->src); }
uint64_t capfile_size(const struct capfile *cf) { return source_size(cf->src); }
uint32_t capfile_interface_count(const struct capfile *cf) { return cf->n_ifs; }

const struct cap_interface *capfile_interface(const struct capfile *cf, uint32_t idx)
{
	return idx < cf->n_ifs ? &cf->ifs[idx] : NULL;
}

const char *cap_block_name(uint32_t block_type)
{
	switch (block_type) {
	case PCAPNG_BT_SHB: return "SHB";
	case PCAPNG_BT_IDB: return "IDB";
	case PCAPNG_BT_PB: return "PB";
	case PCAPNG_BT_SPB: return "SPB";
	case PCAPNG_BT_NRB: return "NRB";
	case PCAPNG_BT_ISB: return "ISB";
	case PCAPNG_BT_EPB: return "EPB";
	case PCAPNG_BT_DSB: return "DSB";
	case PCAPNG_BT_CB_COPY: return "CB";
	case PCAPNG_BT_CB_NOCOPY: return "DCB";
	case PCAPNG_BT_DARWIN_PIB: return "DPIB";
	default: return NULL;
	}
}

const char *cap_status_name(enum cap_status st)
{
	switch (st) {
	case CAP_OK: return "ok";
	case CAP_END: return "complete";
	case CAP_TRUNCATED: return "truncated";
	case CAP_CORRUPT: return "corrupt";
	case CAP_IO_ERROR: return "read error";
	}
	return "unknown";
}
