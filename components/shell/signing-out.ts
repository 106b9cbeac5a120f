"use client";

/**
 * Signing out ends the session on the server at once (lib/auth/session-version.ts), before the
 * browser has left the page: a live connection the page opens or re-opens meanwhile would be
 * refused (a 401 for nothing). The sign-out buttons announce it first; live connections close
 * and open no new one.
 */
const EVENT = "devbox:signing-out";
let signingOut = false;

export function announceSigningOut(): void {
  signingOut = true;
  window.dispatchEvent(new Event(EVENT));
}

export function isSigningOut(): boolean {
  return signingOut;
}

/** Calls `stop` when this page signs out; returns the unsubscribe. */
export function onSigningOut(stop: () => void): () => void {
  window.addEventListener(EVENT, stop);
  return () => window.removeEventListener(EVENT, stop);
}
