/* \summary: builds network frames in memory, innermost header first, for decoder tests */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"

const uint8_t FR_A4[4] = { 10, 0, 0, 1 }, FR_B4[4] = { 10, 0, 0, 2 };
const uint8_t FR_C4[4] = { 192, 0, 2, 1 }, FR_D4[4] = { 198, 51, 100, 2 };
const uint8_t FR_A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
const uint8_t FR_B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
const uint8_t FR_C6[16] = { 0x20, 0x01, 0x00, 0x00, 0x41, 0x36, [15] = 3 };  /* Teredo prefix */
const uint8_t FR_D6[16] = { 0xfe, 0x80, [15] = 4 };
const uint8_t FR_MAC_SRC[6] = { 0x02, 0, 0, 0, 0, 1 };
const uint8_t FR_MAC_DST[6] = { 0x02, 0, 0, 0, 0, 2 };

void fr_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void fr_put32(uint8_t *p, uint32_t v)
{
	fr_put16(p, (uint16_t)(v >> 16));
	fr_put16(p + 2, (uint16_t)v);
}

void fr_init(struct frame *f, const void *payload, size_t n)
{
	if (n > FRAME_MAX)
		abort();
	f->off = FRAME_MAX - n;
	if (n)
		memcpy(f->b + f->off, payload, n);
}

const uint8_t *fr_data(const struct frame *f) { return f->b + f->off; }
size_t fr_len(const struct frame *f) { return FRAME_MAX - f->off; }

uint8_t *fr_push(struct frame *f, size_t n)
{
	if (n > f->off) {
		fprintf(stderr, "frames: frame too large\n");
		abort();
	}
	f->off -= n;
	memset(f->b + f->off, 0, n);
	return f->b + f->off;
}

void fr_push_bytes(struct frame *f, const void *p, size_t n)
{
	memcpy(fr_push(f, n), p, n);
}

void fr_tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
	    uint32_t ack, const void *opts, size_t optlen)
{
	size_t hl = 20 + ((optlen + 3) & ~(size_t)3);
	uint8_t *h = fr_push(f, hl);

	fr_put16(h, sport);
	fr_put16(h + 2, dport);
	fr_put32(h + 4, seq);
	fr_put32(h + 8, ack);
	h[12] = (uint8_t)((hl / 4) << 4);
	h[13] = flags;
	fr_put16(h + 14, 65535);
	if (optlen)
		memcpy(h + 20, opts, optlen);
}

void fr_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	size_t len = fr_len(f) + 8;
	uint8_t *h = fr_push(f, 8);

	fr_put16(h, sport);
	fr_put16(h + 2, dport);
	fr_put16(h + 4, (uint16_t)len);
}

void fr_icmp(struct frame *f, uint8_t type, uint8_t code)
{
	uint8_t *h = fr_push(f, 8);

	h[0] = type;
	h[1] = code;
}

void fr_sctp(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t *h = fr_push(f, 12);

	fr_put16(h, sport);
	fr_put16(h + 2, dport);
	fr_put32(h + 4, 0x01020304);
}

void fr_ipv4_x(struct frame *f, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
	       uint16_t id, uint16_t frag, uint8_t ihl_words)
{
	size_t hl = (ihl_words ? ihl_words : 5) * 4u;
	size_t total;
	uint8_t *h;

	if (hl < 20)
		hl = 20;     /* room for the addresses; the IHL field says what the test wants */
	total = fr_len(f) + hl;
	h = fr_push(f, hl);
	h[0] = (uint8_t)(0x40 | (ihl_words ? ihl_words : 5));
	fr_put16(h + 2, (uint16_t)total);
	fr_put16(h + 4, id);
	fr_put16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
}

void fr_ipv4(struct frame *f, const uint8_t src[4], const uint8_t dst[4], uint8_t proto)
{
	fr_ipv4_x(f, src, dst, proto, 0x1234, 0, 0);
}

void fr_ipv6(struct frame *f, const uint8_t src[16], const uint8_t dst[16], uint8_t nh)
{
	size_t plen = fr_len(f);
	uint8_t *h = fr_push(f, 40);

	h[0] = 0x60;
	fr_put16(h + 4, (uint16_t)plen);
	h[6] = nh;
	h[7] = 63;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
}

void fr_ipv6_ext(struct frame *f, uint8_t next, uint8_t len)
{
	uint8_t *h = fr_push(f, ((size_t)len + 1) * 8);

	h[0] = next;
	h[1] = len;
	h[2] = 1;    /* PadN over the rest (or a routing type 1) */
	h[3] = (uint8_t)(((size_t)len + 1) * 8 - 4);
}

void fr_ipv6_frag(struct frame *f, uint8_t next, uint16_t offset, int more, uint32_t id)
{
	uint8_t *h = fr_push(f, 8);

	h[0] = next;
	fr_put16(h + 2, (uint16_t)((offset & 0xfff8) | (more ? 1 : 0)));
	fr_put32(h + 4, id);
}

void fr_eth(struct frame *f, uint16_t type)
{
	uint8_t *h = fr_push(f, 14);

	memcpy(h, FR_MAC_DST, 6);
	memcpy(h + 6, FR_MAC_SRC, 6);
	fr_put16(h + 12, type);
}

void fr_vlan(struct frame *f, uint16_t vid, uint16_t inner_type)
{
	uint8_t *h = fr_push(f, 4);

	fr_put16(h, vid);
	fr_put16(h + 2, inner_type);
}

void fr_mpls(struct frame *f, uint32_t label, int bottom)
{
	fr_put32(fr_push(f, 4), label << 12 | (bottom ? 0x100u : 0) | 64);
}

void fr_gre(struct frame *f, uint16_t flags, uint16_t proto)
{
	size_t n = 4;
	uint8_t *h;

	n += (flags & 0x8000) ? 4 : 0;
	n += (flags & 0x2000) ? 4 : 0;
	n += (flags & 0x1000) ? 4 : 0;
	n += (flags & 0x0080) ? 4 : 0;
	h = fr_push(f, n);
	fr_put16(h, flags);
	fr_put16(h + 2, proto);
}

void fr_vxlan(struct frame *f, uint32_t vni)
{
	uint8_t *h = fr_push(f, 8);

	h[0] = 0x08;
	fr_put32(h + 4, vni << 8);
}
