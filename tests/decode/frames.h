/* \summary: builds network frames in memory, innermost header first, for decoder tests */
#ifndef PIDCAP_TESTS_FRAMES_H
#define PIDCAP_TESTS_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/*
 * A frame is built from the inside out: start with the payload, then push
 * each header in front of it (TCP, then IP, then Ethernet ...). Lengths and
 * next-protocol fields that depend on what is inside are computed when the
 * header is pushed. Overflow aborts: these are tests.
 */
#define FRAME_MAX 70000

struct frame {
	uint8_t b[FRAME_MAX];
	size_t off;                /* the frame is b[off .. FRAME_MAX) */
};

extern const uint8_t FR_A4[4], FR_B4[4], FR_C4[4], FR_D4[4];
extern const uint8_t FR_A6[16], FR_B6[16], FR_C6[16], FR_D6[16];
extern const uint8_t FR_MAC_SRC[6], FR_MAC_DST[6];

void fr_init(struct frame *f, const void *payload, size_t n);
const uint8_t *fr_data(const struct frame *f);
size_t fr_len(const struct frame *f);
/* Pushes n bytes (zeroed) in front and answers them. */
uint8_t *fr_push(struct frame *f, size_t n);
void fr_push_bytes(struct frame *f, const void *p, size_t n);
void fr_put16(uint8_t *p, uint16_t v);
void fr_put32(uint8_t *p, uint32_t v);

/* Transports (checksums are left zero: the decoder does not check them). */
void fr_tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
	    uint32_t ack, const void *opts, size_t optlen);
void fr_udp(struct frame *f, uint16_t sport, uint16_t dport);
void fr_icmp(struct frame *f, uint8_t type, uint8_t code);
void fr_sctp(struct frame *f, uint16_t sport, uint16_t dport);

/* IPv4: ihl_words 0 means 5; options (if any) are zero-filled. frag is the
 * raw flags/offset word. */
void fr_ipv4(struct frame *f, const uint8_t src[4], const uint8_t dst[4], uint8_t proto);
void fr_ipv4_x(struct frame *f, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
	       uint16_t id, uint16_t frag, uint8_t ihl_words);
void fr_ipv6(struct frame *f, const uint8_t src[16], const uint8_t dst[16], uint8_t nh);
/* A hop-by-hop/routing/destination-options header of (len + 1) * 8 bytes. */
void fr_ipv6_ext(struct frame *f, uint8_t next, uint8_t len);
void fr_ipv6_frag(struct frame *f, uint8_t next, uint16_t offset, int more, uint32_t id);

/* Links. */
void fr_eth(struct frame *f, uint16_t type);
void fr_vlan(struct frame *f, uint16_t vid, uint16_t inner_type);
void fr_mpls(struct frame *f, uint32_t label, int bottom);

/* Tunnels. */
void fr_gre(struct frame *f, uint16_t flags, uint16_t proto);   /* optional words zero */
void fr_vxlan(struct frame *f, uint32_t vni);

#endif
