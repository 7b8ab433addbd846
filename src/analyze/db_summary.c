/* \summary: summary tables printed from the database after an analysis */
#include "config.h"

#include <sqlite3.h>

#include "analyze/db_summary.h"
#include "util/termsafe.h"

#define TOP_ROWS 5

#define MAX_COLUMNS 5
#define CELL_BYTES 256   /* a right-aligned cell, escaped */

/* Column widths: positive right-aligns (numbers), negative left-aligns (text),
 * 0 = last column, unpadded. */
struct section {
	const char *title;
	const char *header;
	int widths[MAX_COLUMNS];
	const char *sql;
};

static const struct section sections[] = {
	{ "Flows by protocol", "  proto                 flows      packets           bytes",
	  { -18, 10, 12, 15 },
	  "SELECT proto, COUNT(*), SUM(orig_pkts + resp_pkts), SUM(orig_ip_bytes + resp_ip_bytes) "
	  "FROM flows GROUP BY proto ORDER BY 2 DESC" },
	{ "Top talkers (by IP bytes sent and received)",
	  "  host                                        flows           bytes",
	  { -40, 10, 15 },
	  "SELECT h, COUNT(*), SUM(b) FROM (SELECT orig_h AS h, orig_ip_bytes + resp_ip_bytes AS b "
	  "FROM flows UNION ALL SELECT resp_h, orig_ip_bytes + resp_ip_bytes FROM flows) "
	  "GROUP BY h ORDER BY 3 DESC, 1 LIMIT 5" },
	{ "Processes (by packets)",
	  "      pid  name                  flows    packets  command",
	  { 9, -20, 6, 10, 0 },
	  "SELECT pid, IFNULL(name, '?'), flows, packets, IFNULL(cmdline, '') FROM processes "
	  "ORDER BY packets DESC, pid LIMIT 10" },
	{ "Anomalies", "  name                                       count",
	  { -40, 10 },
	  "SELECT name, SUM(count) FROM anomaly_counts GROUP BY name ORDER BY 2 DESC, 1 LIMIT 10" },
};

static void print_cell(FILE *out, sqlite3_stmt *st, int col, int width)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	int len = sqlite3_column_bytes(st, col);

	if (width > 0) {
		char safe[CELL_BYTES];

		fprintf(out, " %*s", width, termsafe_format(safe, sizeof(safe), t ? (const char *)t : ""));
		return;
	}
	fputc(' ', out);
	/* strings come from the capture: never let them drive the terminal */
	termsafe_write(out, t ? (const char *)t : "", (size_t)len);
	for (int pad = -width - len; pad > 0; pad--)
		fputc(' ', out);
}

static int print_section(sqlite3 *db, const struct section *sec, FILE *out)
{
	sqlite3_stmt *st;
	int rows = 0, rc;

	if (sqlite3_prepare_v2(db, sec->sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows++ == 0)
			fprintf(out, "\n%s:\n%s\n", sec->title, sec->header);
		fputc(' ', out);
		for (int c = 0; c < sqlite3_column_count(st) && c < MAX_COLUMNS; c++)
			print_cell(out, st, c, sec->widths[c]);
		fputc('\n', out);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int db_summary_print(const char *path, FILE *out)
{
	sqlite3 *db;
	int rc = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fputs("pidcap: ", stderr);
		termsafe_puts(stderr, path);
		fprintf(stderr, ": %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return -1;
	}
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (print_section(db, &sections[i], out) != 0) {
			fputs("pidcap: summary of ", stderr);
			termsafe_puts(stderr, path);
			fprintf(stderr, ": %s\n", sqlite3_errmsg(db));
			rc = -1;
			break;
		}
	}
	sqlite3_close(db);
	return rc;
}
