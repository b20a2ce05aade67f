import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { Run } from "../api/types";
import { checkOverHttp } from "./checkOverHttp";

const run: Run = { id: 7, status: "running", design: 1, dataset: 1, config: { epochs: 4 } } as Run;
const failing = (err: unknown) => () => Promise.reject(err);

describe("checkOverHttp: why a live page's websocket keeps failing", () => {
  it("the object answers: not refused, and its stored state is shown meanwhile", async () => {
    expect(await checkOverHttp(() => Promise.resolve(run))).toEqual({ refused: false, value: run });
  });

  it("signed out, not yours or gone: refused", async () => {
    for (const status of [401, 403, 404]) {
      const err = new ApiError(status, { code: String(status), message: "no" });
      expect(await checkOverHttp(failing(err))).toEqual({ refused: true });
    }
  });

  it("the server failing or unreachable (its Redis restarting, a network drop): keep trying", async () => {
    for (const status of [500, 502, 503]) {
      const server = new ApiError(status, { code: String(status), message: "unavailable" });
      expect(await checkOverHttp(failing(server))).toEqual({ refused: false, value: null });
    }
    expect(await checkOverHttp(failing(new TypeError("Failed to fetch")))).toEqual({ refused: false, value: null });
  });
});
