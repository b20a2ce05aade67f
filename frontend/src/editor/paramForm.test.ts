import { describe, expect, it } from "vitest";
import type { LayerSpec } from "../api/types";
import { defaultParams, fieldsFor, keyParamSummary, parseField, validateParams } from "./paramForm";

const dense: LayerSpec = {
  name: "Dense",
  group: "core",
  inputs: 1,
  key_params: ["units", "activation"],
  params: [
    { name: "units", type: "int", default: null, required: true, min: 1, max: null, choices: null, help: "Number of output units." },
    { name: "activation", type: "choice", default: null, choices: ["linear", "relu", "softmax"], help: null },
    { name: "use_bias", type: "bool", default: true },
    { name: "rate", type: "float", default: 0.5, min: 0, max: 1 },
    { name: "kernel_size", type: "int_or_tuple", default: 3, min: 1 },
    { name: "shape", type: "shape", default: null, required: true },
    { name: "name_hint", type: "string", default: "" },
  ],
};

describe("fieldsFor", () => {
  it("maps each param type to a widget", () => {
    const fields = fieldsFor(dense);
    expect(fields.map((f) => f.widget)).toEqual(["number", "select", "checkbox", "number", "tuple", "tuple", "text"]);
    expect(fields[0].step).toBe("1");
    expect(fields[3].step).toBe("any");
    expect(fields[1].options![0]).toEqual({ value: "", label: "none" });
    expect(fields[1].options!.map((o) => o.value)).toContain("relu");
    expect(fields[0].placeholder).toBe("required");
    expect(fields[3].placeholder).toBe("0.5");
  });
});

describe("parseField", () => {
  const p = (name: string) => dense.params.find((x) => x.name === name)!;
  it("checks ints and ranges", () => {
    expect(parseField(p("units"), "32")).toEqual({ value: 32 });
    expect(parseField(p("units"), "0").error).toMatch(/≥ 1/);
    expect(parseField(p("units"), "3.5").error).toMatch(/whole number/);
    expect(parseField(p("units"), "").error).toBe("Required.");
  });
  it("checks floats", () => {
    expect(parseField(p("rate"), "0.25")).toEqual({ value: 0.25 });
    expect(parseField(p("rate"), "1.5").error).toMatch(/≤ 1/);
    expect(parseField(p("rate"), "abc").error).toMatch(/number/);
    expect(parseField(p("rate"), "")).toEqual({ value: undefined });
  });
  it("parses shapes and int-or-tuples", () => {
    expect(parseField(p("shape"), "28, 28, 1")).toEqual({ value: [28, 28, 1] });
    expect(parseField(p("shape"), "(None, 8)")).toEqual({ value: [null, 8] });
    expect(parseField(p("shape"), "4,")).toEqual({ value: [4] });
    expect(parseField(p("shape"), "a, 2").error).toBeTruthy();
    expect(parseField(p("kernel_size"), "3")).toEqual({ value: 3 });
    expect(parseField(p("kernel_size"), "3, 5")).toEqual({ value: [3, 5] });
    expect(parseField(p("kernel_size"), "0").error).toMatch(/≥ 1/);
  });
  it("checks choices and bools", () => {
    expect(parseField(p("activation"), "relu")).toEqual({ value: "relu" });
    expect(parseField(p("activation"), "nope").error).toMatch(/Choose/);
    expect(parseField(p("use_bias"), false)).toEqual({ value: false });
  });
});

describe("defaults and validation", () => {
  it("fills required params with sensible values", () => {
    expect(defaultParams(dense)).toEqual({ units: 32, shape: [4] });
  });
  it("reports per-field errors", () => {
    expect(validateParams(dense, { units: 32, shape: [4] })).toEqual({});
    expect(validateParams(dense, { units: 0, rate: 3 })).toEqual({ units: "Must be ≥ 1.", rate: "Must be ≤ 1.", shape: "Required." });
  });
  it("summarizes key params", () => {
    expect(keyParamSummary(dense, { units: 8, activation: "relu", rate: 0.1 })).toEqual(["units=8", "activation=relu"]);
  });
});
