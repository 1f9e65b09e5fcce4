// Talks to the REST api: keeps the session token, adds it to every call, and turns every failure
// (4xx/5xx, unreadable answer, server down) into an ApiError whose message can be shown as is.
// Callers name what a call answers with the api's own types (src/**/*.schemas.ts):
// `get<CaseDetail>(…)`, so a field renamed on the server breaks the console's type-check.

import type { LoginReply, SignedInUser } from '../src/platform/auth/auth.schemas.js';
import { t } from './i18n.js';

// sessionStorage: the session ends with the tab, and other tabs do not share it.
const TOKEN_KEY = 'console.token';
const USER_KEY = 'console.user';

export type { SignedInUser };

export interface Session {
  token: string;
  user: SignedInUser | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The status of a failed call (0: the server could not be reached), undefined for other errors. */
export const statusOf = (err: unknown): number | undefined =>
  err instanceof ApiError ? err.status : undefined;

let onUnauthorized = () => {};

/** What to do when the token is refused (expired or revoked): each page sends the user to sign in. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export function getSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  try {
    return { token, user: JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null') as SignedInUser | null };
  } catch {
    return { token, user: null };
  }
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}

interface RequestOptions {
  /** The sign-in call: a 401 means a wrong password, not an ended session. */
  signIn?: boolean;
}

/**
 * Calls the api and returns the parsed JSON (null for 204). A 401 ends the session everywhere,
 * except on the login call itself, where it only means a wrong password.
 */
export async function request<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const response = await send(method, path, body, options, 'application/json');
  if (response.status === 204) return null as T;
  return (await response.json().catch(() => null)) as T;
}

/** A file to download (a CSV export): the successful Response itself. */
export const download = (path: string): Promise<Response> => send('GET', path, undefined, {}, '*/*');

/**
 * Downloads a file with the session's token (a plain link would not send it) and hands it to the
 * browser through a Blob URL, under the name the server gives (else `fallbackName`).
 */
export async function saveFile(path: string, fallbackName: string): Promise<void> {
  const response = await download(path);
  const name =
    /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once started; the URL is only freed a little later for slow browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function send(
  method: string,
  path: string,
  body: unknown,
  { signIn = false }: RequestOptions,
  accept: string,
): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token && !signIn) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (response.ok) return response;

  // A proxy or crash may answer HTML: never let JSON.parse blank the screen.
  const payload = (await response.json().catch(() => null)) as { error?: string; message?: string } | null;
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

export async function login(email: string, password: string): Promise<Session> {
  const { token, user } = await request<LoginReply>(
    'POST',
    '/api/auth/login',
    { email, password },
    { signIn: true },
  );
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(USER_KEY, JSON.stringify(user));
  return { token, user };
}

export async function logout(): Promise<void> {
  // Whatever the server says, the token is forgotten here.
  try {
    await request('POST', '/api/auth/logout');
  } catch {
    // already expired or server down: nothing more to do
  } finally {
    clearSession();
  }
}

export const get = <T = unknown>(path: string) => request<T>('GET', path);
export const post = <T = unknown>(path: string, body?: unknown) => request<T>('POST', path, body);
export const patch = <T = unknown>(path: string, body?: unknown) => request<T>('PATCH', path, body);
