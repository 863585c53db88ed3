import argon2 from "argon2";
import { generateSecret, generateURI, verify } from "otplib";
import type { StaffCredentials, StaffRole } from "../../handoff/index.ts";

// Passwords hashed with argon2id (the argon2 package: MIT, prebuilt for this
// platform inside its npm tarball, no build at install), at its defaults
// (64 MiB, 3 passes, 4 lanes: OWASP's recommended floor is 19 MiB, 2 passes).
// Second factors are RFC 6238 TOTP codes (otplib: MIT, audited noble/scure
// crypto), 30 s steps, one step of drift either way.

/** The shortest password a staff member may set; long ones are welcome (passphrases). */
export const MIN_PASSWORD = 12;
/** The longest: argon2 hashes any length, but a megabyte "password" is an attack, not a password. */
export const MAX_PASSWORD = 256;

/** Why a new password is refused (the page says it in the staff's words), or undefined when it will do. */
export type PasswordProblem = "too_short" | "too_long" | "has_login" | "too_simple";
export function passwordProblem(password: string, login: string): PasswordProblem | undefined {
  if (password.length < MIN_PASSWORD) return "too_short";
  if (password.length > MAX_PASSWORD) return "too_long";
  if (password.toLowerCase().includes(login.toLowerCase())) return "has_login";
  if (new Set(password).size < 5) return "too_simple";
  return undefined;
}

export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id });

/** Whether `password` is the one hashed; false for a malformed hash too. */
export async function passwordMatches(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password: verified against when the login is unknown, so timing tells nothing. */
let decoy: Promise<string> | undefined;
export const decoyHash = () => {
  decoy ??= hashPassword(`decoy-${Math.random()}-${Date.now()}`);
  return decoy;
};

export const newTotpSecret = () => generateSecret();

/** The otpauth:// URI an authenticator app takes (as text or a QR code). */
export const totpUri = (secret: string, login: string) =>
  generateURI({ issuer: "Госуслуги: консоль", label: login, secret });

/**
 * The 30-second time step a six-digit code is the secret's for, now give or
 * take one step; undefined when it is none. Spend the step
 * (`accounts.useTotpStep`) so that the code works once.
 */
export async function totpStep(secret: string, code: string): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  try {
    const epoch = Math.floor(Date.now() / 1000);
    const result = await verify({ secret, token: code, epoch, epochTolerance: 30 });
    return result.valid ? Math.floor(epoch / 30) + result.delta : undefined;
  } catch {
    return undefined;
  }
}

/** The secret a sign-in's code is checked against: one confirmed; undefined while the second factor is off. */
export const activeTotpSecret = (credentials: StaffCredentials | undefined) =>
  credentials?.totpEnabledAt != null && credentials.totpSecret ? credentials.totpSecret : undefined;

/**
 * Whether a member must set up a second factor before anything else: a
 * supervisor (anyone's tickets) or a publisher (what every citizen is told)
 * without one.
 */
export const mustSetUpTotp = (role: StaffRole, credentials: StaffCredentials | undefined) =>
  (role === "supervisor" || role === "publisher") && activeTotpSecret(credentials) === undefined;
