import { describe, expect, it } from "vitest";
import { ApiError, parseErrorBody } from "./client";
import { unwrapList } from "./resources";

describe("parseErrorBody", () => {
  it("reads our error shape", () => {
    const body = parseErrorBody(400, '{"error": {"code": "invalid", "message": "Bad graph", "details": {"node": "c"}}}');
    expect(body).toEqual({ code: "invalid", message: "Bad graph", details: { node: "c" } });
  });
  it("summarizes django-ninja validation details", () => {
    const body = parseErrorBody(422, '{"detail": [{"loc": ["body", "payload", "name"], "msg": "Field required"}]}');
    expect(body.message).toBe("payload.name: Field required");
  });
  it("falls back to a readable message for HTML error pages", () => {
    expect(parseErrorBody(500, "<html>boom</html>").message).toMatch(/server failed/);
    expect(parseErrorBody(403, "").message).toMatch(/sign in/);
  });
  it("marks 401/403 as needing login", () => {
    expect(new ApiError(401, { code: "x", message: "m" }).needsLogin).toBe(true);
    expect(new ApiError(400, { code: "x", message: "m" }).needsLogin).toBe(false);
  });
});

describe("unwrapList", () => {
  it("accepts bare and wrapped lists", () => {
    expect(unwrapList([1, 2], "layers")).toEqual([1, 2]);
    expect(unwrapList({ layers: [1] }, "layers")).toEqual([1]);
    expect(unwrapList({ items: [3] }, "layers")).toEqual([3]);
    expect(unwrapList(null, "layers")).toEqual([]);
  });
});
