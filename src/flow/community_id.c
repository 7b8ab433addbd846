/* \summary: Community ID v1 flow hashing (https://github.com/corelight/community-id-spec) */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "flow/community_id.h"

/*
 * The hash input, all in network byte order: seed (2), source address,
 * destination address (4 or 16 each), protocol (1), a zero pad byte, then
 * for protocols with ports the source and destination port (2 each). The
 * endpoints are ordered so that both directions give the same ID, unless
 * an ICMP type has no counterpart (the flow is one-way). The spec defines
 * nothing for tunnels, VLANs or fragments: pidcap hashes the innermost IP
 * packet's endpoints, and a fragment gets its ID only once reassembled.
 */

#define CID_PREFIX         "1:"
#define CID_MAX_INPUT      (2 + 16 + 16 + 1 + 1 + 2 + 2)
#define PROTO_ICMP         1
#define PROTO_TCP          6
#define PROTO_UDP          17
#define PROTO_ICMPV6       58
#define PROTO_SCTP         132

/* Request/reply pairs: type, counterpart. */
static const uint8_t ICMP4_PAIRS[][2] = {
	{ 8, 0 }, { 0, 8 },       /* echo */
	{ 13, 14 }, { 14, 13 },   /* timestamp */
	{ 15, 16 }, { 16, 15 },   /* information */
	{ 10, 9 }, { 9, 10 },     /* router solicitation, advertisement */
	{ 17, 18 }, { 18, 17 },   /* address mask */
};

static const uint8_t ICMP6_PAIRS[][2] = {
	{ 128, 129 }, { 129, 128 },   /* echo */
	{ 133, 134 }, { 134, 133 },   /* router solicitation, advertisement */
	{ 135, 136 }, { 136, 135 },   /* neighbor solicitation, advertisement */
	{ 130, 131 }, { 131, 130 },   /* multicast listener query, report */
	{ 139, 140 }, { 140, 139 },   /* node information query, response */
	{ 144, 145 }, { 145, 144 },   /* home agent address discovery */
};

bool community_id_icmp_ports(uint8_t proto, uint8_t type, uint8_t code, uint16_t *sport,
			     uint16_t *dport)
{
	const uint8_t (*pairs)[2] = proto == PROTO_ICMPV6 ? ICMP6_PAIRS : ICMP4_PAIRS;
	size_t n = proto == PROTO_ICMPV6 ? sizeof(ICMP6_PAIRS) / sizeof(ICMP6_PAIRS[0]) :
					  sizeof(ICMP4_PAIRS) / sizeof(ICMP4_PAIRS[0]);

	*sport = type;
	for (size_t i = 0; i < n; i++)
		if (pairs[i][0] == type) {
			*dport = pairs[i][1];
			return true;
		}
	*dport = code;
	return false;
}

static bool has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP ||
	       proto == PROTO_ICMP || proto == PROTO_ICMPV6;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 4648 base64 with padding; out holds 4 * ceil(n / 3) + 1 bytes. */
static void base64(const uint8_t *in, size_t n, char *out)
{
	static const char ALPHABET[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*out++ = ALPHABET[in[i] >> 2];
		*out++ = ALPHABET[(in[i] & 0x03) << 4 | in[i + 1] >> 4];
		*out++ = ALPHABET[(in[i + 1] & 0x0f) << 2 | in[i + 2] >> 6];
		*out++ = ALPHABET[in[i + 2] & 0x3f];
	}
	if (i < n) {
		*out++ = ALPHABET[in[i] >> 2];
		if (i + 1 < n) {
			*out++ = ALPHABET[(in[i] & 0x03) << 4 | in[i + 1] >> 4];
			*out++ = ALPHABET[(in[i + 1] & 0x0f) << 2];
		} else {
			*out++ = ALPHABET[(in[i] & 0x03) << 4];
			*out++ = '=';
		}
		*out++ = '=';
	}
	*out = '\0';
}

struct community_id_hasher {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
};

struct community_id_hasher *community_id_hasher_new(void)
{
	struct community_id_hasher *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->md = EVP_MD_fetch(NULL, "SHA1", NULL);
	h->ctx = EVP_MD_CTX_new();
	if (h->md == NULL || h->ctx == NULL) {
		community_id_hasher_free(h);
		return NULL;
	}
	return h;
}

void community_id_hasher_free(struct community_id_hasher *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

/* SHA-1 through the hasher's pre-fetched algorithm, else the one-shot call. */
static void sha1(struct community_id_hasher *h, const uint8_t *in, size_t n,
		 uint8_t digest[SHA_DIGEST_LENGTH])
{
	unsigned int len;

	if (h == NULL || EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1 ||
	    EVP_DigestUpdate(h->ctx, in, n) != 1 || EVP_DigestFinal_ex(h->ctx, digest, &len) != 1)
		SHA1(in, n, digest);
}

void community_id_v1(const struct ip_endpoints *ep, uint16_t seed, char *out)
{
	community_id_v1_with(NULL, ep, seed, out);
}

void community_id_v1_with(struct community_id_hasher *h, const struct ip_endpoints *ep,
			  uint16_t seed, char *out)
{
	uint8_t in[CID_MAX_INPUT], digest[SHA_DIGEST_LENGTH];
	size_t alen = ep->version == 6 ? 16 : 4, n = 0;
	const uint8_t *sa = ep->src, *da = ep->dst;
	uint16_t sp = ep->sport, dp = ep->dport;
	bool ports = has_ports(ep->proto), one_way = false;
	int cmp;

	if (ep->proto == PROTO_ICMP || ep->proto == PROTO_ICMPV6)
		one_way = !community_id_icmp_ports(ep->proto, (uint8_t)ep->sport, (uint8_t)ep->dport,
						   &sp, &dp);
	cmp = memcmp(sa, da, alen);
	if (!one_way && (cmp > 0 || (cmp == 0 && sp > dp))) {
		const uint8_t *ta = sa;
		uint16_t tp = sp;

		sa = da;
		da = ta;
		sp = dp;
		dp = tp;
	}
	put16(in, seed);
	n = 2;
	memcpy(in + n, sa, alen);
	n += alen;
	memcpy(in + n, da, alen);
	n += alen;
	in[n++] = ep->proto;
	in[n++] = 0;
	if (ports) {
		put16(in + n, sp);
		put16(in + n + 2, dp);
		n += 4;
	}
	sha1(h, in, n, digest);
	memcpy(out, CID_PREFIX, 2);
	base64(digest, sizeof(digest), out + 2);
}
