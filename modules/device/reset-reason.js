/*
 * Why the ESP32 last started, in words a user reads on /diag, in /health and in the start-up
 * event. The SDK's `resetReason` module gives ESP-IDF's esp_reset_reason() value; its own names
 * say "Task WDT" for a firmware that hung until the watchdog restarted it, and "Invalid" for
 * every value after SDIO (10), a reset over the S3's USB port among them. The names here follow
 * ESP-IDF 5.x's esp_reset_reason_t, by value. The lin build maps this module to
 * modules/device/lin/reset-reason.ts. Plain JavaScript with its declaration beside it, because
 * the SDK ships no typings for `resetReason`.
 */
import getResetReason from "resetReason";

const NAMES = Object.freeze([
	"unknown",
	"power-on",
	"external reset pin",
	"software restart",
	"crash (panic)",
	"interrupt watchdog: the chip hung and restarted itself",
	"task watchdog: the firmware hung and restarted itself",
	"other watchdog",
	"wake from deep sleep",
	"brown-out: the supply voltage dropped",
	"SDIO",
	"reset over the USB port",
	"JTAG",
	"eFuse error",
	"power glitch",
	"CPU lock-up",
]);

export default function resetReason() {
	const { reason } = getResetReason();
	return NAMES[reason] ?? `reset reason ${reason}`;
}
