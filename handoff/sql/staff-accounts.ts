import type { StaffAccounts, StaffCredentials, WebSession } from "../ports.ts";
import type { SqlClient } from "./client.ts";

interface CredentialsRow {
  staff_id: number;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled_at: number | null;
}

// Only current staff have a session: a removed member's ends with the
// removal, and this join refuses one left over from before it.
const CURRENT_SESSION = `token_hash = :hash AND ended_at IS NULL AND last_seen_at > :idleSince
    AND created_at > :openedSince
    AND staff_id IN (SELECT id FROM staff WHERE removed_at IS NULL)`;
const SESSION = `UPDATE web_sessions SET last_seen_at = :now WHERE ${CURRENT_SESSION}
  RETURNING staff_id, csrf_token, created_at`;
const SESSION_UNTOUCHED = `SELECT staff_id, csrf_token, created_at FROM web_sessions WHERE ${CURRENT_SESSION}`;
const UPSERT_PASSWORD = `INSERT INTO staff_credentials (staff_id, password_hash, updated_at)
  VALUES (?, ?, ?)
  ON CONFLICT (staff_id) DO UPDATE SET password_hash = excluded.password_hash,
    updated_at = excluded.updated_at`;
const UPSERT_TOTP = `INSERT INTO staff_credentials (staff_id, totp_secret, totp_enabled_at, updated_at)
  VALUES (?, ?, ?, ?)
  ON CONFLICT (staff_id) DO UPDATE SET totp_secret = excluded.totp_secret,
    totp_enabled_at = excluded.totp_enabled_at, updated_at = excluded.updated_at`;
// A new window when the last one is over; else one more in it.
const FAILURE = `INSERT INTO sign_in_failures (key, window_start, failures) VALUES (:key, :now, 1)
  ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN sign_in_failures.window_start <= :windowSince THEN 1
      ELSE sign_in_failures.failures + 1 END,
    window_start = CASE WHEN sign_in_failures.window_start <= :windowSince THEN :now
      ELSE sign_in_failures.window_start END
  RETURNING failures`;

/**
 * The staff accounts on `sql`. Each call is one statement, atomic on its
 * own: an invitation is used once however many requests race for it.
 *
 * @example await createStaffAccounts(db).openSession(staffId, tokenHash(token), csrf)
 */
export function createStaffAccounts(
  sql: SqlClient,
  options: { now?: () => number } = {},
): StaffAccounts {
  const { now = Date.now } = options;
  return {
    invite: (staffId, hash, expiresAt) =>
      sql.transaction(async (tx) => {
        await tx.run(
          "UPDATE staff_invites SET used_at = ? WHERE staff_id = ? AND used_at IS NULL",
          [now(), staffId],
        );
        await tx.run(
          "INSERT INTO staff_invites (token_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
          [hash, staffId, now(), expiresAt],
        );
      }),
    redeemInvite: async (hash) => {
      const row = await sql.get<{ staff_id: number }>(
        `UPDATE staff_invites SET used_at = :now
         WHERE token_hash = :hash AND used_at IS NULL AND expires_at > :now
           AND staff_id IN (SELECT id FROM staff WHERE removed_at IS NULL)
         RETURNING staff_id`,
        { now: now(), hash },
      );
      return row?.staff_id;
    },
    pendingInvite: async (hash) => {
      const row = await sql.get<{ staff_id: number }>(
        `SELECT staff_id FROM staff_invites
         WHERE token_hash = :hash AND used_at IS NULL AND expires_at > :now
           AND staff_id IN (SELECT id FROM staff WHERE removed_at IS NULL)`,
        { now: now(), hash },
      );
      return row?.staff_id;
    },
    credentialsOf: async (staffId) => {
      const row = await sql.get<CredentialsRow>(
        "SELECT * FROM staff_credentials WHERE staff_id = ?",
        [staffId],
      );
      return row ? toCredentials(row) : undefined;
    },
    setPassword: async (staffId, hash) => {
      await sql.run(UPSERT_PASSWORD, [staffId, hash, now()]);
    },
    setTotp: async (staffId, secret, enabled) => {
      await sql.run(UPSERT_TOTP, [staffId, secret, enabled && secret ? now() : null, now()]);
    },
    openSession: async (staffId, hash, csrfToken) => {
      await sql.run(
        `INSERT INTO web_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?)`,
        [hash, staffId, csrfToken, now(), now()],
      );
    },
    session: async (
      hash,
      idleMs,
      { maxAgeMs, touch = true } = {},
    ): Promise<WebSession | undefined> => {
      const at = now();
      const row = await sql.get<{ staff_id: number; csrf_token: string; created_at: number }>(
        touch ? SESSION : SESSION_UNTOUCHED,
        {
          ...(touch ? { now: at } : {}),
          hash,
          idleSince: at - idleMs,
          openedSince: maxAgeMs === undefined ? -1 : at - maxAgeMs,
        },
      );
      return row
        ? { staffId: row.staff_id, csrfToken: row.csrf_token, createdAt: row.created_at }
        : undefined;
    },
    endSession: async (hash) => {
      await sql.run(
        "UPDATE web_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
        [now(), hash],
      );
    },
    endSessionsOf: (staffId) => endSessionsOf(sql, staffId, now()),
    recordFailure: async (key, windowMs) => {
      const at = now();
      const row = await sql.get<{ failures: number }>(FAILURE, {
        key,
        now: at,
        windowSince: at - windowMs,
      });
      return Number(row?.failures ?? 1);
    },
    forgiveFailure: async (key) => {
      await sql.run(
        "UPDATE sign_in_failures SET failures = failures - 1 WHERE key = ? AND failures > 0",
        [key],
      );
    },
    useTotpStep: async (staffId, step) =>
      (await sql.run(
        `UPDATE staff_credentials SET totp_last_step = ?
         WHERE staff_id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)`,
        [step, staffId, step],
      )) === 1,
    clearFailures: async (key) => {
      await sql.run("DELETE FROM sign_in_failures WHERE key = ?", [key]);
    },
  };
}

/** Ends every open session of a staff member; returns how many (the staff's removal calls it too). */
export async function endSessionsOf(sql: SqlClient, staffId: number, at: number): Promise<number> {
  return sql.run("UPDATE web_sessions SET ended_at = ? WHERE staff_id = ? AND ended_at IS NULL", [
    at,
    staffId,
  ]);
}

function toCredentials(row: CredentialsRow): StaffCredentials {
  return {
    staffId: row.staff_id,
    passwordHash: row.password_hash,
    totpSecret: row.totp_secret,
    totpEnabledAt: row.totp_enabled_at,
  };
}
