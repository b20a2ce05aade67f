import { describe, expect, it } from "vitest";
import type { ModelUsage } from "../api/types";
import { formRow, initialValues, modelFilename, parseCsvRows, predictionText, pythonSnippet, rankedProbabilities, splitCsvLine } from "./tryModel";

const usage: ModelUsage = {
  format: "csv",
  target: "price",
  features: [
    { name: "color", kind: "categorical", labels: ["blue", "green", "red"] },
    { name: "size", kind: "numeric", labels: [] },
  ],
  input_shape: [4],
  encoding: "none",
  labels: [],
  output_width: 1,
  standardized: true,
  standardization_in_model: true,
  mean: [0, 0, 0, 6.5],
  std: [1, 1, 1, 3.45],
};

describe("form rows", () => {
  it("starts categorical features on their first label and numeric ones on the training mean", () => {
    expect(initialValues(usage)).toEqual({ color: "blue", size: "6.5" });
    expect(initialValues({ ...usage, mean: null })).toEqual({ color: "blue", size: "" });
  });

  it("sends numbers for numeric features and keeps what is not a number for the server to name", () => {
    expect(formRow(usage, { color: "red", size: "3.25" })).toEqual({ color: "red", size: 3.25 });
    expect(formRow(usage, { color: "red", size: "abc" })).toEqual({ color: "red", size: "abc" });
  });
});

describe("pasted CSV", () => {
  it("reads a header and rows, with quotes and another separator", () => {
    expect(splitCsvLine('a,"b, c","d ""e"""', ",")).toEqual(["a", "b, c", 'd "e"']);
    const parsed = parseCsvRows("size;color;price\n3;red;1\n\n4.5;blue;2\n", ["color", "size"]);
    expect(parsed).toEqual({ rows: [{ size: "3", color: "red", price: "1" }, { size: "4.5", color: "blue", price: "2" }], error: null });
  });

  it("names what is wrong", () => {
    expect(parseCsvRows("color,size", ["color", "size"]).error).toMatch(/at least one row/);
    expect(parseCsvRows("color,weight\nred,1", ["color", "size"]).error).toMatch(/lacks the feature column\(s\) size/);
    expect(parseCsvRows("color,size\nred", ["color", "size"]).error).toMatch(/Line 2 has 1 values; the header has 2/);
  });
});

describe("results", () => {
  it("ranks probabilities and prints labels or values", () => {
    const p = { label: "b", probabilities: { a: 0.2, b: 0.7, c: 0.1 } };
    expect(rankedProbabilities(p).map(([l]) => l)).toEqual(["b", "a", "c"]);
    expect(predictionText(p)).toBe("b");
    expect(predictionText({ value: 12.345678 })).toBe("12.3457");
    expect(predictionText({ value: [1, 2.5] })).toBe("1, 2.5");
    expect(rankedProbabilities({ value: 1 })).toEqual([]);
  });

  it("names the download like the server (Django slugify)", () => {
    expect(modelFilename("iris mlp")).toBe("iris-mlp.h5");
    expect(modelFilename("  Ünïcode -- Net!  ")).toBe("unicode-net.h5");
    expect(modelFilename("!!!")).toBe("model.h5");
  });
});

describe("python snippet", () => {
  it("one-hot encodes categorical features in order and leaves scaling to the model", () => {
    const code = pythonSnippet(usage, "price.h5", { color: "green", size: 4 });
    expect(code).toContain('keras.models.load_model("price.h5", compile=False)');
    expect(code).toContain('FEATURES = ["color","size"]');
    expect(code).toContain('CATEGORIES = {"color":["blue","green","red"]}');
    expect(code).toContain('row = {"color": "green", "size": 4}');
    expect(code).toContain("Normalization");
    expect(code).not.toContain("MEAN");
    expect(code).toContain("print(y.tolist())");
  });

  it("scales by hand for a model saved without its standardisation, and decodes classes", () => {
    const old = { ...usage, standardization_in_model: false, encoding: "onehot", labels: ["cheap", "dear"], output_width: 2 };
    const code = pythonSnippet(old, "m.h5");
    expect(code).toContain("MEAN = np.array([0,0,0,6.5]");
    expect(code).toContain("x = (x - MEAN) / STD");
    expect(code).toContain('row = {"color": "blue", "size": 6.5}');
    expect(code).toContain('LABELS = ["cheap","dear"]');
    expect(code).toContain("np.argmax(y)");
    const binary = pythonSnippet({ ...old, standardized: false, encoding: "binary" }, "m.h5");
    expect(binary).toContain("int(p >= 0.5)");
    expect(binary).not.toContain("MEAN");
  });
});
