/* \summary: JSON string escaping */
#include "config.h"

#include <string.h>

#include "util/json.h"
#include "util/utf8.h"

void json_str(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', out);
	while (i < len) {
		size_t n = utf8_valid_seq(s + i, len - i);

		if (n == 1 && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' && s[i] != 0x7f) {
			fputc(s[i], out);
		} else if (n > 1) {
			fwrite(s + i, 1, n, out);
		} else {
			switch (s[i]) {
			case '"': fputs("\\\"", out); break;
			case '\\': fputs("\\\\", out); break;
			case '\n': fputs("\\n", out); break;
			case '\t': fputs("\\t", out); break;
			case '\r': fputs("\\r", out); break;
			default: fprintf(out, "\\u%04x", s[i]); break;
			}
			n = 1;
		}
		i += n;
	}
	fputc('"', out);
}

void json_cstr(FILE *out, const char *s)
{
	if (s == NULL)
		fputs("null", out);
	else
		json_str(out, s, strlen(s));
}
