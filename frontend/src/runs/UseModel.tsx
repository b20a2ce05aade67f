import { useState } from "react";
import type { ModelUsage } from "../api/types";
import { pythonSnippet } from "./tryModel";

/** "Use this model": what the downloaded .h5 takes (feature order, one-hot encodings, standardisation) and a Python snippet. */
export function UseModel({ usage, filename }: { usage: ModelUsage; filename: string }) {
  const [copied, setCopied] = useState(false);
  const snippet = pythonSnippet(usage, filename);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(snippet);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false); // no clipboard (insecure context): the text stays selectable
    }
  };
  let column = 0;
  return (
    <div className="card use-model" data-testid="use-model">
      <h2>Use this model</h2>
      {usage.format === "csv" ? (
        <table className="table" data-testid="use-features">
          <thead>
            <tr>
              <th>input columns</th>
              <th>feature</th>
              <th>encoding</th>
            </tr>
          </thead>
          <tbody>
            {usage.features.map((f) => {
              const width = f.kind === "categorical" ? f.labels.length : 1;
              const first = column;
              column += width;
              return (
                <tr key={f.name}>
                  <td className="num">{width > 1 ? `${first}–${first + width - 1}` : first}</td>
                  <td>
                    <code>{f.name}</code>
                  </td>
                  <td className="small">{f.kind === "categorical" ? `one-hot: ${f.labels.join(", ")}` : "number"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="small">Input: an array of shape ({usage.input_shape.join(", ")}) per sample.</p>
      )}
      <ul className="small" data-testid="use-facts">
        <li data-testid="use-standardization" data-in-model={String(usage.standardization_in_model)}>
          {usage.standardized
            ? usage.standardization_in_model
              ? "Standardisation is inside the model (its first layer is a Keras Normalization): feed raw numbers."
              : "This model was saved without its standardisation: scale inputs with the training mean and std (in the snippet)."
            : "No standardisation: feed raw numbers."}
        </li>
        {usage.format === "csv" && <li>Categorical features are one-hot encoded outside the model, in the order above.</li>}
        {usage.labels.length > 0 ? (
          <li data-testid="use-labels">
            Output{usage.encoding === "binary" ? " (probability of the second class)" : " (one probability per class)"}: {usage.labels.join(", ")}
          </li>
        ) : (
          <li>Output: {usage.output_width === 1 ? "one value" : `${usage.output_width} values`} of {usage.target}.</li>
        )}
      </ul>
      <div className="page-header">
        <span className="muted small">Python (Keras 3)</span>
        <span className="spacer" />
        <button type="button" className="btn btn-small" onClick={copy} data-testid="use-copy">
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <pre className="code-block" data-testid="use-snippet">
        {snippet}
      </pre>
    </div>
  );
}
