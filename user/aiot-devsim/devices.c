// SPDX-License-Identifier: GPL-2.0
/*
 * aiot-devsim: the devices file (the CSV the network's store imports),
 * the home network public key, and the --state file that carries each
 * device's T-ID and highest accepted SQN from one run to the next.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <linux/aiotsec.h>

#include "devsim.h"
#include "hex.h"

/* 32 octets, raw or as 64 hex digits (white space ignored). */
int read_key32(const char *path, uint8_t key[32])
{
	uint8_t raw[256];
	char hex[65];
	size_t n, i, h = 0;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -errno;
	n = fread(raw, 1, sizeof(raw), f);
	fclose(f);
	if (n == 32) {
		memcpy(key, raw, 32);
		OPENSSL_cleanse(raw, sizeof(raw));
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (isspace(raw[i]))
			continue;
		if (h == 64) {
			h = 65;
			break;
		}
		hex[h++] = (char)raw[i];
	}
	hex[h < 65 ? h : 64] = 0;
	OPENSSL_cleanse(raw, sizeof(raw));
	if (h != 64 || hex_parse(hex, key, 32))
		return -EINVAL;
	return 0;
}

struct entry {
	char pid[AKA_PID_MAX + 1];
	struct aka_cred cred;
	bool has_tid;
	uint8_t tid[AKA_TID_LEN];
};

static int parse_line(char *line, struct entry *e, const char *path,
		      unsigned int lineno)
{
	char *f[7];
	int nf = 0;
	char *p = line, *c;

	while (nf < 7) {
		f[nf++] = p;
		c = strchr(p, ',');
		if (!c)
			break;
		*c = 0;
		p = c + 1;
	}
	for (int i = 0; i < nf; i++)
		f[i] = str_trim(f[i]);
	memset(e, 0, sizeof(*e));
	if (nf < 5 || nf > 6) {
		fprintf(stderr, "%s:%u: want pid,k_hex,opc_hex,profile,"
			"tid_hex[,amf_hex]\n", path, lineno);
		return -EINVAL;
	}
	if (!*f[0] || strlen(f[0]) > AKA_PID_MAX) {
		fprintf(stderr, "%s:%u: pid: 1 to %d octets\n", path, lineno,
			AKA_PID_MAX);
		return -EINVAL;
	}
	snprintf(e->pid, sizeof(e->pid), "%s", f[0]);
	if (hex_parse(f[1], e->cred.k, AKA_KEY_LEN) ||
	    hex_parse(f[2], e->cred.opc, AKA_KEY_LEN)) {
		fprintf(stderr, "%s:%u: K and OPc: 32 hex digits each\n",
			path, lineno);
		return -EINVAL;
	}
	if (!strcmp(f[3], "inventory") || !strcmp(f[3], "1")) {
		e->cred.profile = AIOTSEC_PROFILE_INVENTORY;
	} else if (!strcmp(f[3], "command") || !strcmp(f[3], "2")) {
		e->cred.profile = AIOTSEC_PROFILE_COMMAND;
	} else {
		fprintf(stderr, "%s:%u: profile: inventory or command\n",
			path, lineno);
		return -EINVAL;
	}
	if (*f[4] && strcmp(f[4], "-")) {
		if (hex_parse(f[4], e->tid, AKA_TID_LEN)) {
			fprintf(stderr, "%s:%u: tid: 32 hex digits, empty "
				"or -\n", path, lineno);
			return -EINVAL;
		}
		e->has_tid = true;
	}
	if (nf == 6 && *f[5] && hex_parse(f[5], e->cred.amf, AKA_AMF_LEN)) {
		fprintf(stderr, "%s:%u: amf: 4 hex digits\n", path, lineno);
		return -EINVAL;
	}
	return 0;
}

int devices_load(const char *path, size_t count, struct dsim *s,
		 const struct dsim_config *cfg, const struct dsim_ops *ops,
		 void *arg)
{
	struct entry *v = NULL, *nv;
	size_t n = 0, cap = 0, i;
	unsigned int lineno = 0;
	char line[1024], iobuf[BUFSIZ];
	int ret = -EINVAL;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "aiot-devsim: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	/* K and OPc pass through these buffers: ours, wiped at the end */
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	while (fgets(line, sizeof(line), f)) {
		char *l = str_trim(line);

		lineno++;
		if (!*l || *l == '#')
			continue;
		if (count && n == count)
			break;
		if (n == cap) {
			/* not realloc(): the old copy of the keys is wiped */
			nv = malloc((cap ? 2 * cap : 256) * sizeof(*v));
			if (!nv) {
				ret = -ENOMEM;
				goto out;
			}
			if (v) {
				memcpy(nv, v, n * sizeof(*v));
				OPENSSL_cleanse(v, cap * sizeof(*v));
				free(v);
			}
			v = nv;
			cap = cap ? 2 * cap : 256;
		}
		if (parse_line(l, &v[n], path, lineno))
			goto out;
		n++;
	}
	if (!n) {
		fprintf(stderr, "aiot-devsim: %s: no devices\n", path);
		goto out;
	}
	if (count && n < count) {
		fprintf(stderr, "aiot-devsim: %s: %zu devices, fewer than "
			"--count %zu\n", path, n, count);
		goto out;
	}
	ret = dsim_init(s, cfg, ops, arg, n);
	if (ret)
		goto out;
	for (i = 0; i < n; i++) {
		struct dsim_dev *d = &s->devs[i];

		snprintf(d->pid, sizeof(d->pid), "%s", v[i].pid);
		d->pidlen = (uint8_t)strlen(d->pid);
		d->cred = v[i].cred;
		d->has_tid = v[i].has_tid;
		memcpy(d->tid, v[i].tid, AKA_TID_LEN);
	}
out:
	if (v)
		OPENSSL_cleanse(v, cap * sizeof(*v));
	free(v);
	fclose(f);
	OPENSSL_cleanse(iobuf, sizeof(iobuf));
	OPENSSL_cleanse(line, sizeof(line));
	return ret;
}

static const struct dsim *sort_ctx;

static int cmp_pid(const void *a, const void *b)
{
	return strcmp(sort_ctx->devs[*(const uint32_t *)a].pid,
		      sort_ctx->devs[*(const uint32_t *)b].pid);
}

int state_load(const char *path, struct dsim *s)
{
	uint32_t *idx;
	char line[512];
	unsigned int lineno = 0, loaded = 0;
	size_t i;
	FILE *f = fopen(path, "r");

	if (!f)
		return errno == ENOENT ? 0 : -errno;	/* first run */
	idx = malloc(s->ndevs * sizeof(*idx));
	if (!idx) {
		fclose(f);
		return -ENOMEM;
	}
	for (i = 0; i < s->ndevs; i++)
		idx[i] = (uint32_t)i;
	sort_ctx = s;
	qsort(idx, s->ndevs, sizeof(*idx), cmp_pid);
	while (fgets(line, sizeof(line), f)) {
		char *l = str_trim(line), *tid, *sqn, *end;
		size_t lo = 0, hi = s->ndevs;
		struct dsim_dev *d = NULL;
		unsigned long long v;

		lineno++;
		if (!*l || *l == '#')
			continue;
		tid = strchr(l, ',');
		sqn = tid ? strchr(tid + 1, ',') : NULL;
		if (!sqn) {
			fprintf(stderr, "%s:%u: want pid,tid_hex,sqn\n", path,
				lineno);
			continue;
		}
		*tid++ = 0;
		*sqn++ = 0;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(s->devs[idx[mid]].pid, l);

			if (!c) {
				d = &s->devs[idx[mid]];
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!d)
			continue;	/* not in this run */
		if (*tid && strcmp(tid, "-")) {
			if (hex_parse(tid, d->tid, AKA_TID_LEN)) {
				fprintf(stderr, "%s:%u: bad T-ID\n", path,
					lineno);
				continue;
			}
			d->has_tid = true;
		}
		v = strtoull(sqn, &end, 10);
		if (*end || v > AKA_SQN_MAX) {
			fprintf(stderr, "%s:%u: bad SQN\n", path, lineno);
			continue;
		}
		d->akst.sqn_max = v;
		loaded++;
	}
	free(idx);
	fclose(f);
	return (int)loaded;
}

int state_save(const char *path, const struct dsim *s)
{
	char tmp[4096];
	size_t i;
	FILE *f;
	int j;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "# aiot-devsim state: pid,tid_hex,sqn_max\n");
	for (i = 0; i < s->ndevs; i++) {
		const struct dsim_dev *d = &s->devs[i];

		fprintf(f, "%s,", d->pid);
		if (d->has_tid)
			for (j = 0; j < AKA_TID_LEN; j++)
				fprintf(f, "%02x", d->tid[j]);
		else
			fputc('-', f);
		fprintf(f, ",%llu\n", (unsigned long long)d->akst.sqn_max);
	}
	if (fflush(f) || fsync(fileno(f))) {
		fclose(f);
		unlink(tmp);
		return -EIO;
	}
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}
