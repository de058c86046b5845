/*
 * An event in plain words, for the page's history, the Home Assistant "last event" sensor and
 * the `text` field of webhooks.
 */

import type { HomeEvent } from "./events.js";
import { BOOT_HOLD_MS } from "../hardware/button-hold.js";

function by(event: HomeEvent): string {
	return event.peer && event.source !== "mqtt" ? ` by ${event.peer}` : "";
}

function bell(event: HomeEvent): string {
	return `Bell ${event.button ?? 1}`;
}

function via(event: HomeEvent): string {
	if (event.source === "mqtt") return " (remote, MQTT)";
	if (event.source === "rtp" || event.source === "info") return "";
	return event.source ? ` (${event.source})` : "";
}

/** One line describing the event, without its time. */
export function eventWords(event: HomeEvent): string {
	const reason = event.reason ? `: ${event.reason}` : "";
	const times = event.count > 1 ? ` (${event.count} times)` : "";
	switch (event.type) {
		// The reason of a start-up is the last reset ("power-on", "task watchdog: …"): in brackets, as it has colons of its own.
		case "startup": return event.reason ? `Doorbell started (${event.reason})` : "Doorbell started";
		case "ring": return event.reason ? `${bell(event)} pressed, not ringing${reason}` : `${bell(event)} rang${event.source && event.source !== "button" ? ` (${event.source})` : ""}`;
		case "ring_answered": return `${bell(event)}: answered${by(event)}`;
		case "ring_not_answered": return `${bell(event)}: not answered${reason}`;
		case "ring_cancelled": return `${bell(event)}: ringing cancelled${reason}`;
		case "ring_failed": return `${bell(event)}: the call failed${reason}`;
		case "door_opened": return `Door opened${by(event)}${via(event)}`;
		case "door_wrong_code": return `Wrong door code${by(event)}${via(event)}${reason}`;
		case "door_locked_out": return `Door opener locked out${by(event)}${via(event)}${reason}`;
		case "door_refused": return `Door code refused (locked out)${by(event)}${via(event)}${reason}`;
		case "door_lockout_started": return `Door locked out for every caller${via(event)}${reason}`;
		case "door_lockout_ended": return `Door lock-out over${reason}`;
		case "door_ignored": return `Door digits ignored${by(event)}${reason}${times}`;
		case "call_started": return `Call from ${event.peer || "a handset"}`;
		case "call_ended": return `Call with ${event.peer || "a handset"} ended${event.duration_s !== undefined ? ` after ${event.duration_s} s` : ""}${reason}`;
		case "registration_lost": return `Not registered with the PBX${reason}`;
		case "registration_regained": return "Registered with the PBX again";
		case "admin_password_reset": return `Admin password reset at the board (BOOT button held ${BOOT_HOLD_MS / 1000} s)`;
	}
	return String(event.type);
}
