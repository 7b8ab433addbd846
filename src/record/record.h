/* \summary: `pidcap record`: live capture to pcapng with process attribution */
#ifndef PIDCAP_RECORD_H
#define PIDCAP_RECORD_H

/* The subcommand (argv[0] is "record"). Exit status: 0 recording ended as
 * asked (count reached, SIGINT, SIGTERM); 1 it stopped on an error after it
 * had begun (disk full, capture failure), every file written is still valid;
 * 2 usage error or a set-up failure (nothing recorded). */
int record_main(int argc, char **argv);

#endif
