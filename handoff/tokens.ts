import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A secret for a link or a cookie: 32 random bytes, base64url (43
 * characters). Only its hash is stored, so a copy of the database signs
 * nobody in.
 */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What is stored of a token: its SHA-256, hex. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Whether two secrets are the same, in a time that does not tell how much of them matched. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}
