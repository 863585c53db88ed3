import { describe, expect, it } from "vitest";
import { createStaff, createStaffAccounts, newToken, tokenHash } from "../../handoff/index.ts";
import { openTestDatabase } from "../storage.ts";
import { MINUTE, movableClock } from "./temp-database.ts";

const setup = async () => {
  const db = await openTestDatabase();
  const clock = movableClock();
  const staff = createStaff(db, { now: clock.now });
  const accounts = createStaffAccounts(db, { now: clock.now });
  const { member } = await staff.add({ login: "olga", name: "Ольга", role: "operator" });
  return { db, clock, staff, accounts, olga: member.id };
};

describe("staff accounts", () => {
  it("use an invitation once, before it expires, and only the newest one", async () => {
    const { clock, accounts, olga } = await setup();
    const first = newToken();
    await accounts.invite(olga, tokenHash(first), clock.now() + 60 * MINUTE);
    const second = newToken();
    await accounts.invite(olga, tokenHash(second), clock.now() + 60 * MINUTE);
    expect(await accounts.redeemInvite(tokenHash(first))).toBeUndefined();
    const raced = await Promise.all([1, 2, 3].map(() => accounts.redeemInvite(tokenHash(second))));
    expect(raced.filter((id) => id !== undefined)).toEqual([olga]);

    const late = newToken();
    await accounts.invite(olga, tokenHash(late), clock.now() + 60 * MINUTE);
    clock.advance(61 * MINUTE);
    expect(await accounts.redeemInvite(tokenHash(late))).toBeUndefined();
    expect(await accounts.redeemInvite(tokenHash("not a token"))).toBeUndefined();
  });

  it("keep a password hash and a second factor, and nothing for someone without", async () => {
    const { accounts, olga } = await setup();
    expect(await accounts.credentialsOf(olga)).toBeUndefined();
    await accounts.setPassword(olga, "$argon2id$v=19$hash");
    await accounts.setTotp(olga, "JBSWY3DPEHPK3PXP", false);
    expect(await accounts.credentialsOf(olga)).toEqual({
      staffId: olga,
      passwordHash: "$argon2id$v=19$hash",
      totpSecret: "JBSWY3DPEHPK3PXP",
      totpEnabledAt: null,
    });
    await accounts.setTotp(olga, "JBSWY3DPEHPK3PXP", true);
    expect((await accounts.credentialsOf(olga))?.totpEnabledAt).toBeTypeOf("number");
    await accounts.setPassword(olga, "$argon2id$v=19$other");
    expect(await accounts.credentialsOf(olga)).toMatchObject({
      passwordHash: "$argon2id$v=19$other",
      totpSecret: "JBSWY3DPEHPK3PXP",
    });
  });

  it("find a session while it is used, not after the idle timeout, sign-out or removal", async () => {
    const { clock, staff, accounts, olga } = await setup();
    const token = newToken();
    await accounts.openSession(olga, tokenHash(token), "csrf-1");
    const idle = 30 * MINUTE;
    clock.advance(20 * MINUTE);
    expect(await accounts.session(tokenHash(token), idle)).toMatchObject({
      staffId: olga,
      csrfToken: "csrf-1",
    });
    // Used 20 minutes ago: another 20 keeps it within the 30.
    clock.advance(20 * MINUTE);
    expect(await accounts.session(tokenHash(token), idle)).toBeDefined();
    clock.advance(31 * MINUTE);
    expect(await accounts.session(tokenHash(token), idle)).toBeUndefined();
    expect(await accounts.session(tokenHash(newToken()), idle)).toBeUndefined();

    const again = newToken();
    await accounts.openSession(olga, tokenHash(again), "csrf-2");
    await accounts.endSession(tokenHash(again));
    expect(await accounts.session(tokenHash(again), idle)).toBeUndefined();

    const a = newToken();
    const b = newToken();
    await accounts.openSession(olga, tokenHash(a), "csrf-a");
    await accounts.openSession(olga, tokenHash(b), "csrf-b");
    await staff.remove(olga);
    expect(await accounts.session(tokenHash(a), idle)).toBeUndefined();
    expect(await accounts.session(tokenHash(b), idle)).toBeUndefined();
    // Added back: the old sessions stay ended.
    await staff.add({ login: "olga", name: "Ольга", role: "operator" });
    expect(await accounts.session(tokenHash(a), idle)).toBeUndefined();
  });

  it("end every session of one member, and no one else's", async () => {
    const { staff, accounts, olga } = await setup();
    const { member: boris } = await staff.add({ login: "boris", name: "Борис", role: "operator" });
    const tokens = [newToken(), newToken(), newToken()];
    await accounts.openSession(olga, tokenHash(tokens[0] as string), "x");
    await accounts.openSession(olga, tokenHash(tokens[1] as string), "y");
    await accounts.openSession(boris.id, tokenHash(tokens[2] as string), "z");
    expect(await accounts.endSessionsOf(olga)).toBe(2);
    expect(await accounts.session(tokenHash(tokens[2] as string), MINUTE)).toMatchObject({
      staffId: boris.id,
    });
  });

  it("count failed sign-ins in a window, shared by requests at once, and forget them after", async () => {
    const { clock, accounts } = await setup();
    const window = 15 * MINUTE;
    // Each count is the window's count after it: five at once see 1 to 5.
    const counts = await Promise.all(
      Array.from({ length: 5 }, () => accounts.recordFailure("login:olga", window)),
    );
    expect([...counts].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await accounts.recordFailure("login:boris", window)).toBe(1);
    await accounts.forgiveFailure("login:olga");
    expect(await accounts.recordFailure("login:olga", window)).toBe(5);
    clock.advance(16 * MINUTE);
    expect(await accounts.recordFailure("login:olga", window)).toBe(1);
    await accounts.recordFailure("login:olga", window);
    await accounts.clearFailures("login:olga");
    expect(await accounts.recordFailure("login:olga", window)).toBe(1);
  });
});
