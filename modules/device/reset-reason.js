/*
 * Why the ESP32 last started, from the SDK's `resetReason` module (ESP32 only; the lin build
 * maps this module to modules/device/lin/reset-reason.ts). Plain JavaScript with its
 * declaration beside it, because the SDK ships no typings for `resetReason`.
 */
import getResetReason from "resetReason";

export default function resetReason() {
	return getResetReason();
}
