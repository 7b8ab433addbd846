/* \summary: terminal-safe printing of untrusted strings */
#include "config.h"

#include <string.h>

#include "util/termsafe.h"
#include "util/utf8.h"

/* Bytes of the printable UTF-8 sequence at s (at most len), or 0 when s[0]
 * must be escaped: control characters, DEL, C1 controls, invalid UTF-8. */
static size_t safe_seq(const unsigned char *s, size_t len)
{
	size_t n = utf8_valid_seq(s, len);

	if (n == 1 && (s[0] < 0x20 || s[0] == 0x7f))
		return 0;
	/* C1 controls (U+0080-U+009F) act as escape sequences on some terminals */
	if (n == 2 && s[0] == 0xC2 && s[1] < 0xA0)
		return 0;
	return n;
}

void termsafe_write(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len && s[i] != 0) {
		size_t n = safe_seq(s + i, len - i);

		if (n == 0) {
			fprintf(out, "\\x%02x", s[i]);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, out);
		i += n;
	}
}

const char *termsafe_format(char *dst, size_t dstlen, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "-");
	size_t len = strlen((const char *)s), i = 0, o = 0;

	if (dstlen == 0)
		return "";
	while (i < len) {
		size_t n = safe_seq(s + i, len - i);

		if (n == 0) {
			if (o + 4 >= dstlen)
				break;
			snprintf(dst + o, dstlen - o, "\\x%02x", s[i]);
			o += 4;
			i++;
			continue;
		}
		if (o + n >= dstlen)
			break;   /* whole sequences only */
		memcpy(dst + o, s + i, n);
		o += n;
		i += n;
	}
	dst[o] = '\0';
	return dst;
}

void termsafe_puts(FILE *out, const char *s)
{
	if (s == NULL)
		fputs("-", out);
	else
		termsafe_write(out, s, strlen(s));
}
