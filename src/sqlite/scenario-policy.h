/* SPDX-License-Identifier: MIT */
/*
 * scenario-policy: what the generic core must know of the SQLite
 * scenario, handed to it as data: the result codes (their names, and
 * which are benign when late) as a struct classify_policy for the
 * supervisor, and the scenario's fault words (the validator as a named
 * target, droprow as an action of its own) as a struct fault_vocab for
 * the fault parser.  Tables and pure functions only: no I/O, no state.
 * It is the one place outside the store that names SQLite result codes.
 */
#ifndef SQLSTORM_SCENARIO_POLICY_H
#define SQLSTORM_SCENARIO_POLICY_H

#include "classify.h"
#include "fault.h"

/* The validator's fault index ("validator:hang@1s"). */
#define SCENARIO_VALIDATOR (-1)
/* The maintenance child's ("maint:crash@1s"; only with --maintain). */
#define SCENARIO_MAINT (-2)

/* A worker deletes one of its acknowledged rows (the ledger's canary). */
#define SCENARIO_FAULT_DROPROW (FAULT_EXTRA + 0)

/* SQLite's codes: BUSY, LOCKED, INTERRUPT and ABORT are benign when late. */
extern const struct classify_policy scenario_codes;

/* "validator", "droprow", SQLite code names for error=CODE. */
extern const struct fault_vocab scenario_faults;

/* 1 if a late error with this SQLite (primary or extended) code is benign. */
int scenario_code_benign(int code);

/* Static name of a SQLite primary result code ("BUSY"), or NULL. */
const char *scenario_code_name(int code);

/*
 * Map a name ("BUSY", "busy", "SQLITE_BUSY") or a decimal number to a
 * primary result code.  Returns the code, or -1 if unknown.
 */
int scenario_code_from_name(const char *name);

#endif
