// What the shell (app.ts) gives a screen, and what a screen offers it. A screen is started once
// per sign-in; `onEvent` gets every live event whether the screen is shown or not, so that
// nothing is missed while away.

import type { SignedInUser } from '../api.js';
import type { DomainEvent, PresenceUpdate, SyncInfo } from '../live.js';

export interface ViewContext {
  user: SignedInUser;
  /** The screen's own section of the page. */
  root: HTMLElement;
  /** Goes to an address of the console ("#/cases/<id>"). */
  navigate(hash: string): void;
  /** A notice at the top of the page, for 15 s. */
  notify(text: string): void;
  /** Tells the server something over the live feed (dropped while disconnected). */
  emit(name: string, payload: unknown): void;
}

export interface View {
  /** The screen's address (#/<id>) and the id of its section (#view-<id>). */
  id: string;
  /** i18n key of its name in the navigation. */
  label: string;
  /** The roles that see it (every staff role when absent). */
  roles?: readonly SignedInUser['role'][];
  start(ctx: ViewContext): void;
  /** Shown, with what the address names after the screen's id (a case id), if anything. */
  show?(param: string | null): void;
  hide?(): void;
  onEvent?(event: DomainEvent): void;
  /** After each (re)connection of the live feed has caught up. */
  onSynced?(sync: SyncInfo): void;
  onConnected?(): void;
  onPresence?(presence: PresenceUpdate): void;
  /** Draws again (language change, clock synchronised). */
  render?(): void;
  stop?(): void;
}
