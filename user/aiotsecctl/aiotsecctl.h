/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aiotsecctl: what the objects' command files share with main.c.
 */
#ifndef AIOTSECCTL_H
#define AIOTSECCTL_H

#include <stdbool.h>
#include <stdio.h>

#define PROG_NAME	"aiotsecctl"

/* Exit status: success, failure reported by the kernel or I/O, bad usage. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct global_opts {
	bool json;		/* -j: JSON output */
	bool stats;		/* -s: statistics */
	const char *netns;	/* -n: network namespace name */
};

extern struct global_opts opts;

/*
 * A subcommand: @fn gets the arguments after the subcommand's name and
 * returns an exit status.
 */
struct subcmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/*
 * An object: its subcommands (NULL-terminated) and the one to run when
 * none is named (NULL: a subcommand is required), or @fn for an object
 * without subcommands (monitor); its usage text.
 */
struct object {
	const char *name;
	const struct subcmd *cmds;
	const char *default_cmd;
	int (*fn)(int argc, char **argv);
	void (*usage)(FILE *f);
};

extern const struct object link_object;
extern const struct object sa_object;
extern const struct object frame_object;
extern const struct object monitor_object;
extern const struct object device_object;

/*
 * Print "Error: CTX: MSG" and a hint to the object's help on stderr;
 * returns EXIT_USAGE.
 */
int usage_error(const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "Error: MSG" on stderr; returns EXIT_FAIL. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* AIOTSECCTL_H */
