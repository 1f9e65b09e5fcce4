// Talks to the REST api: keeps the session token, adds it to every call, and turns every failure
// (4xx/5xx, unreadable answer, server down) into an ApiError whose message can be shown as is.

import { t } from './i18n.js';

// sessionStorage: the session ends with the tab, and other tabs do not share it.
const TOKEN_KEY = 'console.token';
const USER_KEY = 'console.user';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};

/** What to do when the token is refused (expired or revoked): each page sends the user to sign in. */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export function getSession() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  try {
    return { token, user: JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null') };
  } catch {
    return { token, user: null };
  }
}

export function clearSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}

/**
 * Calls the api and returns the parsed JSON (null for 204), or with `raw` the successful Response
 * itself (a file to download). A 401 ends the session everywhere, except on the login call itself,
 * where it only means a wrong password.
 */
export async function request(method, path, body, { signIn = false, raw = false } = {}) {
  const headers = { Accept: raw ? '*/*' : 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token && !signIn) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }

  if (raw && response.ok) return response;
  if (response.status === 204) return null;
  // A proxy or crash may answer HTML: never let JSON.parse blank the screen.
  const payload = await response.json().catch(() => null);
  if (response.ok) return payload;

  if (response.status === 401 && !signIn) {
    clearSession();
    onUnauthorized();
  }
  throw new ApiError(
    response.status,
    payload?.error ?? 'http_error',
    payload?.message ?? t('error.http', { status: response.status }),
  );
}

export async function login(email, password) {
  const { token, user } = await request('POST', '/api/auth/login', { email, password }, { signIn: true });
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  return { token, user };
}

export async function logout() {
  // Whatever the server says, the token is forgotten here.
  try {
    await request('POST', '/api/auth/logout');
  } catch {
    // already expired or server down: nothing more to do
  } finally {
    clearSession();
  }
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
