// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl device: the devices of aiotsecd's store (user/lib/store.c).
 * K and OPc come from files and never leave the store again: nothing
 * here prints them.
 */
#include <errno.h>
#include <string.h>

#include <linux/aiotsec.h>

#include "aiotsecctl.h"
#include "json.h"
#include "key.h"
#include "store.h"
#include "util.h"

static void device_usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG_NAME " device add PID --k-file FILE --opc-file FILE\n"
		"                  --profile { inventory | command } [--tid HEX]\n"
		"                  [--amf HEX] [--db PATH]\n"
		"       " PROG_NAME " device del PID [--db PATH]\n"
		"       " PROG_NAME " device { disable | enable } PID [--db PATH]\n"
		"       " PROG_NAME " [-j] device list [--db PATH]\n"
		"       " PROG_NAME " device import FILE [--db PATH]\n"
		"\"--\" ends the options (a PID that starts with \"--\").\n"
		"PATH defaults to " STORE_DEFAULT_PATH "; FILE \"-\" is standard input.\n"
		"CSV lines: pid,k_hex,opc_hex,profile,tid_hex[,amf_hex]; '#' starts a comment.\n"
		"Or JSON: [{\"pid\": ..., \"k\": HEX, \"opc\": HEX, \"profile\": ..., \"tid\": HEX|null}, ...]\n");
}

struct dev_opt {
	const char *name;
	const char **val;
};

/*
 * Parse "POSITIONAL --opt VALUE ..." (options anywhere, "--" ends them);
 * @pos receives the one positional argument, if @pos is not NULL.
 */
static int dev_args(const char *ctx, int argc, char **argv, const char **pos,
		    const struct dev_opt *o)
{
	const struct dev_opt *p;
	bool opts_end = false;
	int i;

	for (i = 0; i < argc; i++) {
		if (!opts_end && !strcmp(argv[i], "--")) {
			opts_end = true;
			continue;
		}
		if (opts_end || strncmp(argv[i], "--", 2)) {
			if (!pos || *pos)
				return usage_error(ctx, "unexpected argument \"%s\"",
						   argv[i]);
			*pos = argv[i];
			continue;
		}
		for (p = o; p->name; p++)
			if (!strcmp(argv[i] + 2, p->name))
				break;
		if (!p->name)
			return usage_error(ctx, "unknown option \"%s\"", argv[i]);
		if (*p->val)
			return usage_error(ctx, "%s given twice", argv[i]);
		if (i + 1 >= argc)
			return usage_error(ctx, "%s needs a value", argv[i]);
		*p->val = argv[++i];
	}
	if (pos && !*pos)
		return usage_error(ctx, "missing argument");
	return 0;
}

/* Open the store; only the commands that add devices create it. */
static int dev_open(const char *db, bool create, struct store **st)
{
	const char *path = db ? db : STORE_DEFAULT_PATH;
	char err[512];

	if (create ? store_open(path, st, err, sizeof(err)) :
		     store_open_existing(path, st, err, sizeof(err)))
		return error("store: %s", err);
	if (store_warning(*st))
		fprintf(stderr, "Warning: %s\n", store_warning(*st));
	return 0;
}

/*
 * Close the store after a command that ended with @err.  A store the
 * command created goes again if it failed (and nobody else put a device
 * in it meanwhile); else it is said (a mistyped --db: a new store no
 * daemon reads).
 */
static int dev_close(struct store *st, const char *db, int err)
{
	const char *path = db ? db : STORE_DEFAULT_PATH;

	if (!store_created(st)) {
		store_close(st);
		return err;
	}
	if (err) {
		store_discard(st, path);
		return err;
	}
	store_close(st);
	fprintf(stderr, "Created the store \"%s\"\n", path);
	return 0;
}

static int device_add(int argc, char **argv)
{
	static const char ctx[] = "device add";
	const char *pid = NULL, *kf = NULL, *of = NULL, *profile = NULL,
		   *tid_s = NULL, *amf_s = NULL, *db = NULL;
	const struct dev_opt o[] = {
		{ "k-file", &kf }, { "opc-file", &of }, { "profile", &profile },
		{ "tid", &tid_s }, { "amf", &amf_s }, { "db", &db }, { NULL },
	};
	struct store_device_spec spec = {};
	uint8_t tid[AKA_TID_LEN + 1], amf[AKA_AMF_LEN + 1];
	struct key k = {}, opc = {};
	struct store *st;
	int err, n;

	err = dev_args(ctx, argc, argv, &pid, o) ?:
	      arg_require(ctx, "--k-file", kf) ?:
	      arg_require(ctx, "--opc-file", of) ?:
	      arg_require(ctx, "--profile", profile);
	if (err)
		return err;
	if (!store_profile_parse(profile))
		return usage_error(ctx, "unknown profile \"%s\" (inventory or command)",
				   profile);
	if (tid_s) {
		n = parse_hex(tid_s, tid, sizeof(tid));
		if (n != AKA_TID_LEN)
			return usage_error(ctx, "--tid: %d octets of hex", AKA_TID_LEN);
		spec.tid = tid;
		spec.tid_len = n;
	}
	if (amf_s) {
		n = parse_hex(amf_s, amf, sizeof(amf));
		if (n != AKA_AMF_LEN)
			return usage_error(ctx, "--amf: %d octets of hex", AKA_AMF_LEN);
		spec.amf = amf;
		spec.amf_len = n;
	}
	if (!strcmp(kf, "-") && !strcmp(of, "-"))
		return usage_error(ctx, "--k-file and --opc-file cannot both be standard input");
	err = key_read(kf, &k) ?: key_read(of, &opc) ?:
	      key_check_octets(kf, &k, AKA_KEY_LEN, "K", "") ?:
	      key_check_octets(of, &opc, AKA_KEY_LEN, "OPc", "");
	if (err)
		goto out;
	spec.pid = pid;
	spec.k = k.octets;
	spec.k_len = k.len;
	spec.opc = opc.octets;
	spec.opc_len = opc.len;
	spec.profile = profile;
	err = dev_open(db, true, &st);
	if (err)
		goto out;
	if (store_device_add(st, &spec))
		err = error("device add: %s", store_errmsg(st));
	err = dev_close(st, db, err);
out:
	key_wipe(&k);
	key_wipe(&opc);
	return err;
}

/* "device CMD PID [--db PATH]": @op on the device with that PID. */
static int device_pid_op(int argc, char **argv, const char *ctx,
			 int (*op)(struct store *st, const char *pid))
{
	const char *pid = NULL, *db = NULL;
	const struct dev_opt o[] = { { "db", &db }, { NULL } };
	struct store *st;
	int err;

	err = dev_args(ctx, argc, argv, &pid, o) ?: dev_open(db, false, &st);
	if (err)
		return err;
	if (op(st, pid))
		err = error("%s: %s", ctx, store_errmsg(st));
	store_close(st);
	return err;
}

static int device_del(int argc, char **argv)
{
	return device_pid_op(argc, argv, "device del", store_device_del);
}

/* aiotsecd deletes the SA of a disabled device and refuses its attempts */
static int disable_op(struct store *st, const char *pid)
{
	return store_device_set_disabled(st, pid, true);
}

static int enable_op(struct store *st, const char *pid)
{
	return store_device_set_disabled(st, pid, false);
}

static int device_disable(int argc, char **argv)
{
	return device_pid_op(argc, argv, "device disable", disable_op);
}

static int device_enable(int argc, char **argv)
{
	return device_pid_op(argc, argv, "device enable", enable_op);
}

struct list_ctx {
	struct store *st;
};

static int list_one(const struct store_device *d, void *arg)
{
	struct list_ctx *c = arg;
	struct store_session s;
	bool have_s = !store_session_by_device(c->st, d->id, &s);

	if (opts.json) {
		json_object_begin(NULL);
		json_string("pid", d->pid);
		json_string("profile", store_profile_name(d->profile));
		json_u64("sqn", d->sqn);
		json_hex("amf", d->amf, AKA_AMF_LEN);
		if (d->has_tid_current)
			json_hex("tid", d->tid_current, AKA_TID_LEN);
		else
			json_null("tid");
		if (d->has_tid_previous)
			json_hex("tid-previous", d->tid_previous, AKA_TID_LEN);
		else
			json_null("tid-previous");
		json_bool("disabled", d->disabled);
		if (have_s)
			json_u64("session", s.sid);
		else
			json_null("session");
		if (have_s && s.link[0])
			json_string("link", s.link);
		else
			json_null("link");
		json_object_end();
		return 0;
	}
	printf("%s profile %s sqn %llu amf ", d->pid,
	       store_profile_name(d->profile), (unsigned long long)d->sqn);
	print_hex(d->amf, AKA_AMF_LEN);
	printf(" tid ");
	if (d->has_tid_current)
		print_hex(d->tid_current, AKA_TID_LEN);
	else
		printf("-");
	printf(" tid-previous ");
	if (d->has_tid_previous)
		print_hex(d->tid_previous, AKA_TID_LEN);
	else
		printf("-");
	if (have_s)
		printf(" session 0x%08x", s.sid);
	if (have_s && s.link[0])
		printf(" link %s", s.link);
	if (d->disabled)
		printf(" disabled");
	putchar('\n');
	return 0;
}

static int device_list(int argc, char **argv)
{
	static const char ctx[] = "device list";
	const char *db = NULL;
	const struct dev_opt o[] = { { "db", &db }, { NULL } };
	struct list_ctx c;
	int err;

	err = dev_args(ctx, argc, argv, NULL, o) ?: dev_open(db, false, &c.st);
	if (err)
		return err;
	if (opts.json)
		json_array_begin(NULL);
	if (store_device_list(c.st, list_one, &c))
		err = error("device list: %s", store_errmsg(c.st));
	if (opts.json) {
		json_array_end();
		json_end_document();
	}
	store_close(c.st);
	return err;
}

static int device_import(int argc, char **argv)
{
	static const char ctx[] = "device import";
	const char *file = NULL, *db = NULL;
	const struct dev_opt o[] = { { "db", &db }, { NULL } };
	struct store *st;
	unsigned n = 0;
	int err;

	err = dev_args(ctx, argc, argv, &file, o) ?: dev_open(db, true, &st);
	if (err)
		return err;
	if (store_device_import(st, file, &n))
		err = error("device import: %s: %s (nothing imported)",
			    strcmp(file, "-") ? file : "standard input",
			    store_errmsg(st));
	else
		fprintf(stderr, "%u device%s imported\n", n, n == 1 ? "" : "s");
	return dev_close(st, db, err);
}

static const struct subcmd device_cmds[] = {
	{ "add", device_add },
	{ "del", device_del },
	{ "disable", device_disable },
	{ "enable", device_enable },
	{ "list", device_list },
	{ "import", device_import },
	{ NULL, NULL },
};

const struct object device_object = {
	.name = "device",
	.cmds = device_cmds,
	.default_cmd = "list",
	.usage = device_usage,
};
