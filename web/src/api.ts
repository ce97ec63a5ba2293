/**
 * A small wrapper around fetch for the Tally API. Every error answer of the API is RFC 9457 problem+json;
 * it is turned into an ApiError carrying the stable `code` and the per-field messages. A request that never
 * got an answer (offline, DNS, connection reset) becomes a NetworkError, so callers can tell "the server
 * said no" from "we could not reach the server".
 */

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.problem = problem;
  }

  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? [];
  }
}

export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('The server could not be reached.', { cause });
    this.name = 'NetworkError';
  }
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

let bearerToken: string | undefined;

/** Keeps a token in memory and sends it on every request (the session cookie works too; this is a fallback). */
export function setToken(token: string | undefined): void {
  bearerToken = token;
}

/** Builds `?a=1&b=2`, leaving out empty values; returns '' when nothing is left. */
export function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

async function readProblem(response: Response): Promise<Problem> {
  const fallback: Problem = {
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
  };
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return fallback;
  try {
    const body = (await response.json()) as Partial<Problem> & { message?: string; error?: string };
    return {
      ...body,
      title: body.title ?? body.error ?? fallback.title,
      detail: body.detail ?? body.message,
      status: typeof body.status === 'number' ? body.status : response.status,
    };
  } catch {
    return fallback;
  }
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (bearerToken) headers.Authorization = `Bearer ${bearerToken}`;

  let response: Response;
  try {
    response = await fetch(path + queryString(options.query), {
      method: options.method ?? 'GET',
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new NetworkError(error);
  }

  if (!response.ok) throw new ApiError(await readProblem(response));
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return (await response.text()) as T;
  try {
    return (await response.json()) as T;
  } catch (error) {
    if (isAbort(error)) throw error;
    // The connection dropped in the middle of the body.
    throw new NetworkError(error);
  }
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal) =>
    request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>(path, { method: 'POST', body, headers }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body }),
};

/**
 * POSTs a form with a file and reports how much of it was sent, which fetch cannot: large uploads (a day's
 * drive log) need a progress bar on a slow link. Errors are the same as `request`'s.
 */
export function upload<T>(
  path: string,
  form: FormData,
  onProgress?: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    if (bearerToken) xhr.setRequestHeader('Authorization', `Bearer ${bearerToken}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded, event.total);
    };
    xhr.onerror = () => reject(new NetworkError(new Error(`POST ${path} got no answer`)));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    xhr.onload = () => {
      const type = xhr.getResponseHeader('content-type') ?? '';
      if (xhr.status < 200 || xhr.status >= 300) {
        // The same reading of problem+json as every other request.
        const answer = new Response(xhr.responseText, {
          status: xhr.status,
          statusText: xhr.statusText,
          headers: { 'content-type': type },
        });
        readProblem(answer).then((problem) => reject(new ApiError(problem)), reject);
        return;
      }
      try {
        resolve((type.includes('json') ? JSON.parse(xhr.responseText) : xhr.responseText) as T);
      } catch (error) {
        reject(new NetworkError(error));
      }
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

/** One sentence to show a person for any error thrown by `request`. */
export function errorMessage(error: unknown, texts: { network: string; unknown: string }): string {
  if (error instanceof ApiError) return error.message || texts.unknown;
  if (error instanceof NetworkError) return texts.network;
  return texts.unknown;
}
