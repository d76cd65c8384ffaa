/*
 * ctl_client.h - the online subcommands: `sipalg calls | registrations |
 * pinholes | bindings | stats | metrics | clear [CALL-ID] | trace on|off`,
 * talking to sipalgd's control socket (line protocol, see
 * src/daemon/ctl.h).
 *
 * The socket is -s PATH (before the command: `sipalg -s PATH calls`), else
 * $SIPALG_CTL, else /run/sipalg/ctl.sock.  Exit status as cli.h: 0 ok, 1
 * the daemon answered an error, 2 usage or connection error.
 */
#ifndef SIPALG_CLI_CTL_CLIENT_H
#define SIPALG_CLI_CTL_CLIENT_H

/* argv[0] is the command word (calls, stats, ...). */
int cmd_ctl(int argc, char **argv);
/* argv[0] is "-s", argv[1] the socket path, argv[2] the command word. */
int cmd_ctl_socket(int argc, char **argv);

#endif
