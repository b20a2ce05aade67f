// Upload with real progress: fetch() cannot report upload progress, XMLHttpRequest can.
import { ApiError, csrfHeaders, parseErrorBody } from "./client";

export interface UploadHandle<T> {
  promise: Promise<T>;
  abort: () => void;
}

export function uploadWithProgress<T>(url: string, form: FormData, onProgress: (fraction: number) => void): UploadHandle<T> {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open("POST", url);
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    for (const [k, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (ev) => ev.lengthComputable && onProgress(ev.loaded / ev.total);
    xhr.upload.onload = () => onProgress(1);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve((xhr.responseText ? JSON.parse(xhr.responseText) : null) as T);
      else reject(new ApiError(xhr.status, parseErrorBody(xhr.status, xhr.responseText)));
    };
    xhr.onerror = () => reject(new ApiError(0, { code: "network", message: "The upload failed: the server cannot be reached." }));
    xhr.onabort = () => reject(new ApiError(0, { code: "aborted", message: "Upload cancelled." }));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
