import { getContext, setContext } from 'svelte';
import { Settings, type ConfirmedAction } from './settings.svelte.js';

// Which actions still ask before they run, shared from the app down to every component that asks
// (a pool card sits three components below the app: a context spares the props in between).

export interface Confirmations {
  asks(action: ConfirmedAction): boolean;
  stopAsking(action: ConfirmedAction): void;
}

const KEY = Symbol('confirmations');

export function provideConfirmations(confirmations: Confirmations): void {
  setContext(KEY, confirmations);
}

/** The app's confirmations; outside an app (a component on its own), every action asks. */
export function confirmationsInContext(): Confirmations {
  return getContext<Confirmations | undefined>(KEY) ?? new Settings(null);
}
