// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl: configure aiotsec links and security associations.
 *
 *	aiotsecctl [-j] [-s] [-n NETNS] OBJECT COMMAND [ARGS]
 *
 * Global options, the network namespace, and the dispatch of objects and
 * their subcommands.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aiotsecctl.h"

#define AIOTSECCTL_VERSION	"1.0"

struct global_opts opts;

static const struct object *const objects[] = {
	&link_object,
	&sa_object,
	&frame_object,
	&monitor_object,
	&device_object,
};

#define N_OBJECTS	(sizeof(objects) / sizeof(objects[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: " PROG_NAME " [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"       " PROG_NAME " help\n"
		"       " PROG_NAME " OBJECT help\n"
		"OBJECT := { link | sa | frame | monitor | device }\n"
		"OPTIONS := { -j | --json | -s | --stats | -n NETNS | --netns NETNS |\n"
		"             -V | --version | -h | --help }\n\n");
	for (i = 0; i < N_OBJECTS; i++) {
		objects[i]->usage(f);
		if (i < N_OBJECTS - 1)
			fputc('\n', f);
	}
}

int error(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int usage_error(const char *ctx, const char *fmt, ...)
{
	size_t objlen = strcspn(ctx, " ");
	va_list ap;

	fprintf(stderr, "Error: %s: ", ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry \"" PROG_NAME " %.*s help\".\n", (int)objlen,
		ctx);
	return EXIT_USAGE;
}

/* Run in the network namespace @name, as "ip -n NAME" does. */
static int enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return error("bad network namespace name \"%s\"", name);
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error("cannot open network namespace \"%s\": %s", name,
			     strerror(errno));
	if (setns(fd, CLONE_NEWNET)) {
		error("cannot enter network namespace \"%s\": %s", name,
		      strerror(errno));
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	return 0;
}

/* The exit status @err, or EXIT_FAIL when the output could not be written. */
static int finish(int err)
{
	/* ferror(): a write that failed in an earlier flush */
	if (fflush(stdout) && !err) {
		error("writing output: %s", strerror(errno));
		err = EXIT_FAIL;
	} else if (ferror(stdout) && !err) {
		error("writing output failed");
		err = EXIT_FAIL;
	}
	return err;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

static int run_object(const struct object *obj, int argc, char **argv)
{
	const struct subcmd *c;
	const char *name;
	int skip = 1;

	if (argc > 0 && is_help(argv[0])) {
		obj->usage(stdout);
		return finish(EXIT_OK);
	}
	if (obj->fn)
		return obj->fn(argc, argv);
	/* no command, or an option first ("device --db PATH"): the default */
	if (!argc || (argv[0][0] == '-' && obj->default_cmd)) {
		name = obj->default_cmd;
		skip = 0;
	} else {
		name = argv[0];
	}
	if (!name)
		return usage_error(obj->name, "missing command");
	for (c = obj->cmds; c->name; c++)
		if (!strcmp(name, c->name))
			return c->fn(argc - skip, argv + skip);
	return usage_error(obj->name, "unknown command \"%s\"", argv[0]);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "stats", no_argument, NULL, 's' },
		{ "statistics", no_argument, NULL, 's' },
		{ "netns", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c, err;

	while ((c = getopt_long(argc, argv, "+jsn:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			opts.json = true;
			break;
		case 's':
			opts.stats = true;
			break;
		case 'n':
			opts.netns = optarg;
			break;
		case 'h':
			usage(stdout);
			return finish(EXIT_OK);
		case 'V':
			printf(PROG_NAME " " AIOTSECCTL_VERSION "\n");
			return finish(EXIT_OK);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (argc == 0) {
		fprintf(stderr, "Error: missing OBJECT\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[0])) {
		usage(stdout);
		return finish(EXIT_OK);
	}
	for (i = 0; i < N_OBJECTS; i++)
		if (!strcmp(argv[0], objects[i]->name))
			break;
	if (i == N_OBJECTS) {
		fprintf(stderr, "Error: unknown object \"%s\"\nTry \"" PROG_NAME " help\".\n",
			argv[0]);
		return EXIT_USAGE;
	}
	if (opts.netns) {
		err = enter_netns(opts.netns);
		if (err)
			return err;
	}
	return finish(run_object(objects[i], argc - 1, argv + 1));
}
