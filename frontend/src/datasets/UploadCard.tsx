import { useRef, useState, type DragEvent } from "react";
import { ApiError } from "../api/client";
import type { Dataset } from "../api/types";
import { uploadWithProgress, type UploadHandle } from "../api/upload";
import { formatBytes } from "../editor/format";

/** Pick or drop a CSV/NPZ file, upload it with a real progress bar, show the server's verdict in place. */
export function UploadCard({ onUploaded }: { onUploaded: (d: Dataset) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  // The name follows the chosen file until the person types their own.
  const [nameTouched, setNameTouched] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [over, setOver] = useState(false);
  const handle = useRef<UploadHandle<Dataset> | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const choose = (f: File | undefined) => {
    if (!f) return;
    setFile(f);
    setError(null);
    if (!nameTouched || !name) setName(f.name.replace(/\.(csv|npz|txt)$/i, ""));
  };
  const onDrop = (ev: DragEvent) => {
    ev.preventDefault();
    setOver(false);
    choose(ev.dataTransfer.files[0]);
  };
  const upload = async () => {
    if (!file) return;
    const form = new FormData();
    form.append("file", file);
    form.append("name", name.trim() || file.name);
    setError(null);
    setProgress(0);
    handle.current = uploadWithProgress<Dataset>("/api/datasets", form, setProgress);
    try {
      const dataset = await handle.current.promise;
      setFile(null);
      setName("");
      setNameTouched(false);
      if (input.current) input.current.value = "";
      onUploaded(dataset);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, { code: "error", message: String(err) }));
    } finally {
      setProgress(null);
      handle.current = null;
    }
  };
  const where = error?.details && (error.details.line || error.details.column) ? [error.details.line && `line ${String(error.details.line)}`, error.details.column && `column ${String(error.details.column)}`].filter(Boolean).join(", ") : null;
  const busy = progress !== null;

  return (
    <div className="card upload-card" data-testid="upload-card">
      <div
        className={`dropzone${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        onClick={() => input.current?.click()}
      >
        {file ? (
          <span>
            <strong>{file.name}</strong> <span className="muted">({formatBytes(file.size)})</span>
          </span>
        ) : (
          <span className="muted">Drop a CSV (with a header row) or an NPZ (x, y) here, or click to choose.</span>
        )}
        <input ref={input} type="file" accept=".csv,.npz,.txt,text/csv" hidden data-testid="upload-file" onChange={(e) => choose(e.target.files?.[0])} />
      </div>
      <div className="row gap upload-row">
        <input className="grow" placeholder="Dataset name" value={name} onChange={(e) => {
            setName(e.target.value);
            setNameTouched(true);
          }}
          data-testid="upload-name" aria-label="Dataset name" />
        {busy ? (
          <button className="btn" onClick={() => handle.current?.abort()}>
            Cancel
          </button>
        ) : (
          <button className="btn btn-primary" disabled={!file} onClick={upload} data-testid="upload-submit">
            Upload
          </button>
        )}
      </div>
      {busy && (
        <div className="upload-progress" data-testid="upload-progress" data-progress={Math.round(progress * 100)}>
          <div className="progress">
            <div style={{ width: `${Math.round(progress * 100)}%` }} />
          </div>
          <span className="muted small">{progress < 1 ? `Uploading… ${Math.round(progress * 100)}%` : "Checking the file on the server…"}</span>
        </div>
      )}
      {error && (
        <div className="banner banner-error" role="alert" data-testid="upload-error">
          <span>
            {error.message}
            {where && <span className="muted"> ({where})</span>}
          </span>
        </div>
      )}
    </div>
  );
}
