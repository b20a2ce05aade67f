import { describe, expect, it } from "vitest";
import { pyLiteral, toKerasScript } from "./kerasScript";
import { TEMPLATES } from "./templates";

describe("toKerasScript", () => {
  it("writes a functional model with merge inputs in order", () => {
    const script = toKerasScript(TEMPLATES.find((t) => t.id === "two-branch")!.graph, "two branch");
    expect(script).toContain('input_ = keras.Input(shape=(16,), name="input")');
    expect(script).toContain('concatenate = layers.Concatenate(name="concatenate")([branch_a, branch_b])');
    expect(script).toContain('model = keras.Model(inputs=input_, outputs=output, name="two_branch")');
  });
  it("reuses one layer object for shared nodes", () => {
    const script = toKerasScript({
      nodes: [
        { id: "in", layer: "Input", params: { shape: [4] } },
        { id: "d", layer: "Dense", params: { units: 2 } },
        { id: "d2", layer: "Dense", params: { units: 2 }, shared_with: "d" },
      ],
      edges: [
        { source: "in", target: "d" },
        { source: "d", target: "d2" },
      ],
    });
    expect(script).toContain('d_layer = layers.Dense(units=2, name="d")');
    expect(script).toContain("d2 = d_layer(d)");
  });
  it("renders Python literals", () => {
    expect(pyLiteral([3, 3])).toBe("(3, 3)");
    expect(pyLiteral([null, 8])).toBe("(None, 8)");
    expect(pyLiteral(true)).toBe("True");
    expect(pyLiteral(0.5)).toBe("0.5");
  });
});
