import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instantOfWallTime, isValidTime, isValidTimeZone, nextDailyStop, zoneOffsetMs } from "./daily-stop";

const Z = (iso: string) => new Date(iso);
const H = 3_600_000;
const paris = (time: string) => ({ time, timeZone: "Europe/Paris" });

describe("daily stop: the next instant of a wall-clock time in a zone", () => {
  it("is today's time when it is still ahead, else tomorrow's", () => {
    expect(nextDailyStop(Z("2026-12-06T10:00:00Z"), paris("20:00"))).toEqual(Z("2026-12-06T19:00:00Z")); // CET = UTC+1
    expect(nextDailyStop(Z("2026-12-06T19:30:00Z"), paris("20:00"))).toEqual(Z("2026-12-07T19:00:00Z"));
    // Exactly at the time counts as passed: a devbox started at 20:00 runs until tomorrow's.
    expect(nextDailyStop(Z("2026-12-06T19:00:00Z"), paris("20:00"))).toEqual(Z("2026-12-07T19:00:00Z"));
    expect(nextDailyStop(Z("2026-07-01T10:00:00Z"), paris("20:00"))).toEqual(Z("2026-07-01T18:00:00Z")); // CEST = UTC+2
    expect(nextDailyStop(Z("2026-12-06T10:00:00Z"), { time: "20:00", timeZone: "Asia/Kolkata" })).toEqual(Z("2026-12-06T14:30:00Z"));
    expect(nextDailyStop(Z("2026-12-06T10:00:00Z"), { time: "00:00", timeZone: "UTC" })).toEqual(Z("2026-12-07T00:00:00Z"));
  });

  it("follows the spring DST change: 20:00 stays 20:00, the day between is 23 h", () => {
    const sat = nextDailyStop(Z("2027-03-27T12:00:00Z"), paris("20:00"));
    expect(sat).toEqual(Z("2027-03-27T19:00:00Z")); // CET
    const sun = nextDailyStop(sat, paris("20:00"));
    expect(sun).toEqual(Z("2027-03-28T18:00:00Z")); // CEST since 02:00 that night
    expect(sun.getTime() - sat.getTime()).toBe(23 * H);
    // New York changes two weeks earlier, at its own 02:00.
    expect(nextDailyStop(Z("2027-03-14T02:00:00Z"), { time: "20:00", timeZone: "America/New_York" })).toEqual(Z("2027-03-15T00:00:00Z"));
  });

  it("follows the autumn DST change: the day between is 25 h", () => {
    const sat = nextDailyStop(Z("2026-10-24T12:00:00Z"), paris("20:00"));
    expect(sat).toEqual(Z("2026-10-24T18:00:00Z")); // CEST
    const sun = nextDailyStop(sat, paris("20:00"));
    expect(sun).toEqual(Z("2026-10-25T19:00:00Z")); // CET
    expect(sun.getTime() - sat.getTime()).toBe(25 * H);
  });

  it("moves a time skipped by the spring change forward by the gap (02:30 → 03:30 CEST)", () => {
    expect(nextDailyStop(Z("2027-03-28T00:00:00Z"), paris("02:30"))).toEqual(Z("2027-03-28T01:30:00Z"));
    expect(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", timeStyle: "short" }).format(Z("2027-03-28T01:30:00Z"))).toBe("03:30");
    // The day after, 02:30 exists again.
    expect(nextDailyStop(Z("2027-03-28T01:30:00Z"), paris("02:30"))).toEqual(Z("2027-03-29T00:30:00Z"));
  });

  it("takes the first of a time repeated by the autumn change, and stops once that night", () => {
    const first = nextDailyStop(Z("2026-10-24T23:00:00Z"), paris("02:30"));
    expect(first).toEqual(Z("2026-10-25T00:30:00Z")); // 02:30 CEST, not 02:30 CET an hour later
    expect(nextDailyStop(first, paris("02:30"))).toEqual(Z("2026-10-26T01:30:00Z"));
  });

  it("knows the zone's offset on either side of a change", () => {
    expect(zoneOffsetMs(Z("2027-03-28T00:59:59Z").getTime(), "Europe/Paris")).toBe(1 * H);
    expect(zoneOffsetMs(Z("2027-03-28T01:00:00Z").getTime(), "Europe/Paris")).toBe(2 * H);
    expect(zoneOffsetMs(Z("2026-12-06T00:00:00Z").getTime(), "America/New_York")).toBe(-5 * H);
    expect(instantOfWallTime(Date.UTC(2026, 11, 6, 20, 0), "Europe/Paris")).toBe(Z("2026-12-06T19:00:00Z").getTime());
  });

  it("refuses an invalid zone or time", () => {
    for (const z of ["Mars/Olympus", "", "Europe/Pariss", "+25:00"]) expect(isValidTimeZone(z), z).toBe(false);
    for (const z of ["Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC"]) expect(isValidTimeZone(z), z).toBe(true);
    for (const t of ["24:00", "7:00", "07:60", "07:00:00", "", "ab:cd"]) expect(isValidTime(t), t).toBe(false);
    for (const t of ["00:00", "07:05", "23:59"]) expect(isValidTime(t), t).toBe(true);
    expect(() => nextDailyStop(new Date(), { time: "20:00", timeZone: "Mars/Olympus" })).toThrow(RangeError);
    expect(() => nextDailyStop(new Date(), { time: "25:00", timeZone: "UTC" })).toThrow(RangeError);
  });

  it("for any instant and zone: is after it, within a day (+1 h of DST), and reads the time on the wall unless skipped", () => {
    const zones = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham", "America/Santiago", "UTC"];
    fc.assert(
      fc.property(
        fc.date({ min: Z("2026-01-01T00:00:00Z"), max: Z("2028-12-31T00:00:00Z"), noInvalidDate: true }),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        (after, timeZone, h, m) => {
          const time = `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
          const t = nextDailyStop(after, { time, timeZone });
          expect(t.getTime()).toBeGreaterThan(after.getTime());
          expect(t.getTime() - after.getTime()).toBeLessThanOrEqual(25 * H);
          const wall = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(t);
          // Only a time inside a DST gap reads later on the wall (by the gap, at most 1 h).
          if (wall !== time) expect(zoneOffsetMs(t.getTime(), timeZone)).not.toBe(zoneOffsetMs(t.getTime() - 2 * H, timeZone));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
