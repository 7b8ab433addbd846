/* \summary: builds pcap and pcapng bytes in memory for tests (see build.h) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "capfile/pcapng_const.h"
#include "build.h"

#define TB_START_BYTES 256u
#define SHB_BYTE_ORDER_MAGIC 0x1A2B3C4Du

static void tb_reserve(struct tb *b, size_t more)
{
	size_t ncap = b->cap ? b->cap : TB_START_BYTES;
	uint8_t *np;

	if (b->len + more <= b->cap)
		return;
	while (ncap < b->len + more)
		ncap *= 2;
	np = realloc(b->p, ncap);
	if (np == NULL) {
		fprintf(stderr, "tb: out of memory\n");
		abort();
	}
	b->p = np;
	b->cap = ncap;
}

void tb_init(struct tb *b, bool big_endian)
{
	memset(b, 0, sizeof(*b));
	b->be = big_endian;
}

void tb_free(struct tb *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void tb_bytes(struct tb *b, const void *data, size_t n)
{
	if (n == 0)
		return;
	tb_reserve(b, n);
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

void tb_zeros(struct tb *b, size_t n)
{
	if (n == 0)
		return;
	tb_reserve(b, n);
	memset(b->p + b->len, 0, n);
	b->len += n;
}

void tb_u8(struct tb *b, uint8_t v) { tb_bytes(b, &v, 1); }

static void put_ordered(uint8_t *out, uint64_t v, unsigned n, bool be)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned shift = 8 * (be ? n - 1 - i : i);

		out[i] = (uint8_t)(v >> shift);
	}
}

static void tb_ordered(struct tb *b, uint64_t v, unsigned n, bool be)
{
	uint8_t tmp[8];

	put_ordered(tmp, v, n, be);
	tb_bytes(b, tmp, n);
}

void tb_u16(struct tb *b, uint16_t v) { tb_ordered(b, v, 2, b->be); }
void tb_u32(struct tb *b, uint32_t v) { tb_ordered(b, v, 4, b->be); }
void tb_u64(struct tb *b, uint64_t v) { tb_ordered(b, v, 8, b->be); }
void tb_le32(struct tb *b, uint32_t v) { tb_ordered(b, v, 4, false); }

void tb_set_u32(struct tb *b, size_t off, uint32_t v)
{
	if (off + 4 > b->len)
		abort();
	put_ordered(b->p + off, v, 4, b->be);
}

void tb_pad4(struct tb *b)
{
	tb_zeros(b, (4 - b->len % 4) % 4);
}

static bool write_gz(const struct tb *b, const char *path)
{
	gzFile gz = gzopen(path, "wb");
	bool ok;

	if (gz == NULL)
		return false;
	ok = b->len == 0 || gzwrite(gz, b->p, (unsigned)b->len) == (int)b->len;
	return gzclose(gz) == Z_OK && ok;
}

bool tb_write_file(const struct tb *b, const char *path, bool gzip)
{
	FILE *f;
	bool ok;

	if (gzip)
		return write_gz(b, path);
	f = fopen(path, "wb");
	if (f == NULL)
		return false;
	ok = b->len == 0 || fwrite(b->p, 1, b->len, f) == b->len;
	return fclose(f) == 0 && ok;
}

uint8_t *tb_dup(const void *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (c == NULL)
		abort();
	if (n)
		memcpy(c, p, n);
	return c;
}

/* ---------------------------------------------------------------- pcap */

void tb_pcap_header(struct tb *b, bool big_endian, uint32_t magic, uint32_t snaplen,
		    uint32_t linktype)
{
	b->be = big_endian;
	tb_u32(b, magic);
	tb_u16(b, 2);
	tb_u16(b, 4);
	tb_u32(b, 0);  /* thiszone */
	tb_u32(b, 0);  /* sigfigs */
	tb_u32(b, snaplen);
	tb_u32(b, linktype);
}

void tb_pcap_record(struct tb *b, uint32_t sec, uint32_t frac, const void *data,
		    uint32_t caplen, uint32_t origlen)
{
	tb_u32(b, sec);
	tb_u32(b, frac);
	tb_u32(b, caplen);
	tb_u32(b, origlen);
	tb_bytes(b, data, data ? caplen : 0);
}

void tb_pcap_record_kz(struct tb *b, uint32_t sec, uint32_t frac, const void *data,
		       uint32_t caplen, uint32_t origlen, uint32_t ifindex, uint16_t protocol,
		       uint8_t pkt_type)
{
	tb_u32(b, sec);
	tb_u32(b, frac);
	tb_u32(b, caplen);
	tb_u32(b, origlen);
	tb_u32(b, ifindex);
	tb_u16(b, protocol);
	tb_u8(b, pkt_type);
	tb_u8(b, 0);
	tb_bytes(b, data, data ? caplen : 0);
}

/* ---------------------------------------------------------------- pcapng */

size_t tb_block_begin(struct tb *b, uint32_t type)
{
	size_t start = b->len;

	tb_u32(b, type);
	tb_u32(b, 0);  /* patched by tb_block_end() */
	return start;
}

void tb_block_end(struct tb *b, size_t start)
{
	uint32_t total;

	tb_pad4(b);
	total = (uint32_t)(b->len - start + 4);
	tb_u32(b, total);
	tb_set_u32(b, start + 4, total);
}

void tb_block(struct tb *b, uint32_t type, const void *body, size_t len)
{
	size_t s = tb_block_begin(b, type);

	tb_bytes(b, body, len);
	tb_block_end(b, s);
}

void tb_opt(struct tb *b, uint16_t code, const void *val, uint16_t len)
{
	tb_u16(b, code);
	tb_u16(b, len);
	tb_bytes(b, val, len);
	tb_pad4(b);
}

void tb_opt_u8(struct tb *b, uint16_t code, uint8_t v) { tb_opt(b, code, &v, 1); }

void tb_opt_u32(struct tb *b, uint16_t code, uint32_t v)
{
	uint8_t tmp[4];

	put_ordered(tmp, v, 4, b->be);
	tb_opt(b, code, tmp, 4);
}

void tb_opt_u64(struct tb *b, uint16_t code, uint64_t v)
{
	uint8_t tmp[8];

	put_ordered(tmp, v, 8, b->be);
	tb_opt(b, code, tmp, 8);
}

void tb_opt_str(struct tb *b, uint16_t code, const char *s)
{
	tb_opt(b, code, s, (uint16_t)strlen(s));
}

void tb_opt_custom(struct tb *b, uint16_t code, uint32_t pen, const void *data, uint16_t len)
{
	tb_u16(b, code);
	tb_u16(b, (uint16_t)(4 + len));
	tb_u32(b, pen);
	tb_bytes(b, data, len);
	tb_pad4(b);
}

void tb_opt_end(struct tb *b)
{
	tb_u16(b, PCAPNG_OPT_ENDOFOPT);
	tb_u16(b, 0);
}

size_t tb_shb_begin(struct tb *b, bool big_endian, uint16_t major, uint16_t minor,
		    int64_t section_length)
{
	size_t s;

	b->be = big_endian;
	s = tb_block_begin(b, PCAPNG_BT_SHB);
	tb_u32(b, SHB_BYTE_ORDER_MAGIC);
	tb_u16(b, major);
	tb_u16(b, minor);
	tb_u64(b, (uint64_t)section_length);
	return s;
}

void tb_shb(struct tb *b, bool big_endian)
{
	tb_block_end(b, tb_shb_begin(b, big_endian, 1, 0, -1));
}

size_t tb_idb_begin(struct tb *b, uint16_t linktype, uint32_t snaplen)
{
	size_t s = tb_block_begin(b, PCAPNG_BT_IDB);

	tb_u16(b, linktype);
	tb_u16(b, 0);
	tb_u32(b, snaplen);
	return s;
}

void tb_idb(struct tb *b, uint16_t linktype, uint32_t snaplen)
{
	tb_block_end(b, tb_idb_begin(b, linktype, snaplen));
}

void tb_idb_clock(struct tb *b, uint16_t linktype, uint8_t tsresol, int64_t tsoffset_s)
{
	size_t s = tb_idb_begin(b, linktype, 0);

	tb_opt_u8(b, PCAPNG_IF_TSRESOL, tsresol);
	if (tsoffset_s != 0)
		tb_opt_u64(b, PCAPNG_IF_TSOFFSET, (uint64_t)tsoffset_s);
	tb_opt_end(b);
	tb_block_end(b, s);
}

size_t tb_epb_begin(struct tb *b, uint32_t iface, uint64_t ts, const void *data,
		    uint32_t caplen, uint32_t origlen)
{
	size_t s = tb_block_begin(b, PCAPNG_BT_EPB);

	tb_u32(b, iface);
	tb_u32(b, (uint32_t)(ts >> 32));
	tb_u32(b, (uint32_t)ts);
	tb_u32(b, caplen);
	tb_u32(b, origlen);
	tb_bytes(b, data, data ? caplen : 0);
	tb_pad4(b);
	return s;
}

void tb_epb(struct tb *b, uint32_t iface, uint64_t ts, const void *data, uint32_t caplen)
{
	tb_block_end(b, tb_epb_begin(b, iface, ts, data, caplen, caplen));
}

size_t tb_pb_begin(struct tb *b, uint16_t iface, uint16_t drops, uint64_t ts, const void *data,
		   uint32_t caplen, uint32_t origlen)
{
	size_t s = tb_block_begin(b, PCAPNG_BT_PB);

	tb_u16(b, iface);
	tb_u16(b, drops);
	tb_u32(b, (uint32_t)(ts >> 32));
	tb_u32(b, (uint32_t)ts);
	tb_u32(b, caplen);
	tb_u32(b, origlen);
	tb_bytes(b, data, data ? caplen : 0);
	tb_pad4(b);
	return s;
}

void tb_spb(struct tb *b, uint32_t origlen, const void *data, uint32_t datalen)
{
	size_t s = tb_block_begin(b, PCAPNG_BT_SPB);

	tb_u32(b, origlen);
	tb_bytes(b, data, datalen);
	tb_block_end(b, s);
}

size_t tb_isb_begin(struct tb *b, uint32_t iface, uint64_t ts)
{
	size_t s = tb_block_begin(b, PCAPNG_BT_ISB);

	tb_u32(b, iface);
	tb_u32(b, (uint32_t)(ts >> 32));
	tb_u32(b, (uint32_t)ts);
	return s;
}

size_t tb_nrb_begin(struct tb *b)
{
	return tb_block_begin(b, PCAPNG_BT_NRB);
}

void tb_nrb_ipv4(struct tb *b, const uint8_t addr[4], const char *name)
{
	size_t n = strlen(name) + 1;

	tb_u16(b, PCAPNG_NRB_IPV4);
	tb_u16(b, (uint16_t)(4 + n));
	tb_bytes(b, addr, 4);
	tb_bytes(b, name, n);
	tb_pad4(b);
}

void tb_nrb_end_records(struct tb *b)
{
	tb_u16(b, PCAPNG_NRB_END);
	tb_u16(b, 0);
}

size_t tb_dsb_begin(struct tb *b, uint32_t type, const void *data, uint32_t len)
{
	size_t s = tb_block_begin(b, PCAPNG_BT_DSB);

	tb_u32(b, type);
	tb_u32(b, len);
	tb_bytes(b, data, len);
	tb_pad4(b);
	return s;
}

size_t tb_cb_begin(struct tb *b, bool copyable, uint32_t pen, const void *data, size_t len)
{
	size_t s = tb_block_begin(b, copyable ? PCAPNG_BT_CB_COPY : PCAPNG_BT_CB_NOCOPY);

	tb_u32(b, pen);
	tb_bytes(b, data, len);
	tb_pad4(b);
	return s;
}

size_t tb_dpib_begin(struct tb *b, uint32_t pid)
{
	size_t s = tb_block_begin(b, PCAPNG_BT_DARWIN_PIB);

	tb_u32(b, pid);
	return s;
}

void tb_ws_entry(struct tb *cbdata, uint32_t entry_type, const struct tb *entry)
{
	tb_le32(cbdata, entry_type);
	tb_le32(cbdata, (uint32_t)entry->len);
	tb_bytes(cbdata, entry->p, entry->len);
	tb_pad4(cbdata);
}

/* ---------------------------------------------------------------- reading */

void tb_read_all(struct capfile *cf, struct tb_result *r)
{
	struct cap_record rec;

	while ((r->status = capfile_next(cf, &rec)) == CAP_OK) {
		r->records++;
		r->last_end = rec.offset + rec.length;
		r->options_bad += rec.options_bad;
		switch (rec.kind) {
		case CAP_REC_PACKET: r->packets++; break;
		case CAP_REC_BAD_BLOCK: r->bad_blocks++; break;
		case CAP_REC_SECTION: r->sections++; break;
		default: break;
		}
	}
	r->interfaces = capfile_interface_count(cf);
	r->err_offset = capfile_error_offset(cf);
	snprintf(r->err, sizeof(r->err), "%s", capfile_error(cf));
}

static void tb_result_init(struct tb_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = CAP_END;
}

void tb_read_mem(const void *buf, size_t len, struct tb_result *r)
{
	uint8_t *copy = tb_dup(buf, len);
	struct capfile *cf;

	tb_result_init(r);
	cf = capfile_open_mem(copy, len, r->err, sizeof(r->err), &r->not_capture);
	if (cf != NULL) {
		r->opened = true;
		tb_read_all(cf, r);
		capfile_close(cf);
	}
	free(copy);
}

void tb_read_path(const char *path, struct tb_result *r)
{
	struct capfile *cf;

	tb_result_init(r);
	cf = capfile_open(path, r->err, sizeof(r->err), &r->not_capture);
	if (cf == NULL)
		return;
	r->opened = true;
	tb_read_all(cf, r);
	capfile_close(cf);
}

const char *tb_srcdir(void)
{
	const char *s = getenv("SRCDIR");

	return s != NULL && s[0] != '\0' ? s : PIDCAP_SRCDIR;
}
