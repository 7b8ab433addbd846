/* \summary: `pidcap info`: what a capture file holds (capinfos-like) */
#ifndef PIDCAP_INFO_H
#define PIDCAP_INFO_H

/* Runs `pidcap info` with its own argv (argv[0] = "info"). Returns the exit
 * code: 0 all files read completely, 1 some file is truncated, corrupt or has
 * bad blocks, 2 usage error or a file that cannot be read as a capture. */
int info_main(int argc, char **argv);

#endif
