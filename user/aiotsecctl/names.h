/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aiotsecctl: the names of the uapi enums on the command line and in
 * output, indexed by value (NULL: no name, e.g. the UNSPEC values).
 */
#ifndef AIOTSECCTL_NAMES_H
#define AIOTSECCTL_NAMES_H

#include <linux/aiotsec.h>

#define NAMES_N(a)	(sizeof(a) / sizeof((a)[0]))

extern const char *const role_names[__AIOTSEC_ROLE_MAX];
extern const char *const suite_names[__AIOTSEC_SUITE_MAX];
extern const char *const profile_names[__AIOTSEC_PROFILE_MAX];
extern const char *const frame_type_names[__AIOTSEC_FT_MAX];
extern const char *const event_names[__AIOTSEC_EVENT_MAX];
extern const char *const sa_stat_names[__AIOTSEC_SA_STAT_MAX];
extern const char *const link_stat_names[__AIOTSEC_LINK_STAT_MAX];

/*
 * The name of @v in @names (@n entries), or "unknown-V" for a value this
 * program does not know (kept in a static buffer until the next call).
 */
const char *name_of(const char *const *names, unsigned int n, unsigned int v);

#endif /* AIOTSECCTL_NAMES_H */
