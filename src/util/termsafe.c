/* \summary: terminal-safe printing of untrusted strings */
#include "config.h"

#include <string.h>

#include "util/termsafe.h"
#include "util/utf8.h"

void termsafe_write(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len && s[i] != 0) {
		size_t n = utf8_valid_seq(s + i, len - i);

		if (n == 1 && (s[i] < 0x20 || s[i] == 0x7f))
			n = 0;
		/* C1 controls (U+0080-U+009F) act as escape sequences on some terminals */
		if (n == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0)
			n = 0;
		if (n == 0) {
			fprintf(out, "\\x%02x", s[i]);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, out);
		i += n;
	}
}

void termsafe_puts(FILE *out, const char *s)
{
	if (s == NULL)
		fputs("-", out);
	else
		termsafe_write(out, s, strlen(s));
}
