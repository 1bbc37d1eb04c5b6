// The dashboard's only way to the API: same origin, the manage token as a Bearer header, JSON both ways. Every
// refusal becomes an ApiError carrying the API's own words, which the views show as they are.
import { session } from './session.js';

/** The API's root: the shell is served at <root>/app/, so this holds under a path prefix too. */
export const apiRoot = new URL('../', document.baseURI);

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the API could not be reached
   * @param {string} message the API's message
   * @param {string|null} code the API's machine-readable code
   * @param {{path: string, error: string}[]} problems validation_errors (JSON Pointers into the request)
   */
  constructor(status, message, code = null, problems = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problems = problems;
  }

  /**
   * Reads any of Kickoff's error shapes: the canonical {error, code} and {error: code, message,
   * validation_errors}, seed 003's and 004's {error: {code, message, details}}, seed 002's {detail}, and
   * API Gateway's own {message}.
   */
  static from(status, json, text) {
    let message = null;
    let code = null;
    let problems = [];
    if (json && typeof json === 'object') {
      if (typeof json.message === 'string') {
        message = json.message;
        code = typeof json.error === 'string' ? json.error : (json.code ?? null);
      } else if (typeof json.error === 'string') {
        message = json.error;
        code = json.code ?? null;
      } else if (json.error && typeof json.error === 'object') {
        message = json.error.message ?? null;
        code = json.error.code ?? null;
        if (Array.isArray(json.error.details)) {
          problems = json.error.details.map((d) => ({
            path: Array.isArray(d.path) ? '/' + d.path.join('/') : String(d.path ?? ''),
            error: String(d.message ?? d.error ?? ''),
          }));
        }
      } else if (typeof json.detail === 'string') {
        message = json.detail;
      }
      if (Array.isArray(json.validation_errors)) {
        problems = json.validation_errors.map((v) => ({ path: String(v.path ?? ''), error: String(v.error ?? '') }));
      }
    }
    if (!message) {
      message = text ? text.slice(0, 500) : `The API answered HTTP ${status} without a message.`;
    }
    return new ApiError(status, message, code, problems);
  }
}

/**
 * One request. `path` is the API path ("/api/manage/v1/tokens"); `query` values that are null or '' are left out;
 * `token` defaults to the tab's manage token. Resolves to the parsed body (null for 204), rejects with ApiError.
 */
export async function request(method, path, { body, query, token, signal } = {}) {
  const url = new URL(path.replace(/^\//, ''), apiRoot);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined && value !== '') {
      url.searchParams.set(key, String(value));
    }
  }
  const headers = { Accept: 'application/json' };
  const bearer = token ?? session.manageToken();
  if (bearer) {
    headers.Authorization = `Bearer ${bearer}`;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
      referrerPolicy: 'no-referrer',
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, `Could not reach the Kickoff API (${e.message}). Check your connection and try again.`);
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    throw ApiError.from(response.status, json, text);
  }
  return json;
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body }),
  put: (path, body, options) => request('PUT', path, { ...options, body }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body }),
  del: (path, options) => request('DELETE', path, options),
};
