/* \summary: Community ID v1 flow hashing (corelight/community-id-spec) */
#ifndef PIDCAP_COMMUNITY_ID_H
#define PIDCAP_COMMUNITY_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

#define COMMUNITY_ID_BYTES 32   /* "1:" + 28 base64 chars + NUL, rounded */

/*
 * Writes "1:<base64 SHA-1>" for the endpoints (any direction) with the given
 * seed into out (COMMUNITY_ID_BYTES). For ICMP/ICMPv6, sport/dport must hold
 * the ICMP type and code: the spec's type mapping is applied here.
 */
void community_id_v1(const struct ip_endpoints *ep, uint16_t seed, char *out);

/*
 * For many IDs: a reusable SHA-1 state (OpenSSL 3's one-shot SHA1() looks the
 * algorithm up on every call, which costs more than hashing 40 bytes). A
 * hasher serves one thread at a time. community_id_hasher_new() answers NULL
 * when OpenSSL cannot provide SHA-1; community_id_v1_with() then falls back
 * to the one-shot call, as it does for h == NULL.
 */
struct community_id_hasher;
struct community_id_hasher *community_id_hasher_new(void);
void community_id_hasher_free(struct community_id_hasher *h);
void community_id_v1_with(struct community_id_hasher *h, const struct ip_endpoints *ep,
			  uint16_t seed, char *out);

/*
 * The spec's ICMP (proto 1) and ICMPv6 (58) mapping, which is also how Zeek
 * keys ICMP connections: *sport = type; *dport = the counterpart type when
 * the type has one (echo request/reply, router/neighbor solicitation and
 * advertisement, ...), else the code. Answers false for types without a
 * counterpart: such flows are one-way, their endpoints never swapped.
 */
bool community_id_icmp_ports(uint8_t proto, uint8_t type, uint8_t code, uint16_t *sport,
			     uint16_t *dport);

#endif
