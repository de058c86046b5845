/*
 * The diagnostics a user can read without a serial console: GET /diag (a page with the call's
 * media figures, the device's health and the last SIP messages), GET /sipTrace (the messages as
 * JSON) and GET /sipTrace.pcap (the same for Wireshark). All need the admin sign-in; the
 * messages are redacted as the trace keeps them (no digest response, no DTMF body).
 */

import type { HealthProbe, HttpRequest, HttpResponse } from "../modules/ports.js";
import type { SipTraceLog, TraceEntry } from "../sip/trace-log.js";
import type { WebApp } from "./routes.js";
import { publicStatus } from "./routes.js";
import { html, json } from "./http.js";
import { layout } from "./page.js";
import { escapeHtml as e } from "./escape.js";
import { tracePcap } from "./pcap.js";

export interface DiagnosticsOptions {
	web: WebApp;
	trace: SipTraceLog;
	/** The door's own address, for the capture's frames. */
	localAddress(): string;
	/** The status, as /sipDebug shows it. */
	status(): Record<string, unknown>;
	/** The provider's health figures, for GET /health (`?gc=1` collects garbage first). */
	health?: HealthProbe;
}

/** Figures of a media session shown on the page, by key, with their labels in the order shown. */
const MEDIA_FIELDS: Readonly<Record<string, string>> = Object.freeze({
	codec: "Codec", remote: "Handset's RTP address", direction: "Direction", packets_sent: "Packets sent",
	packets_received: "Packets received", frames_lost: "Frames lost", frames_late: "Frames late",
	jitter_ms: "Jitter (ms, RFC 3550)", buffer_depth_ms: "Jitter buffer depth (ms)",
	dropped_source: "Dropped: other source", dropped_malformed: "Dropped: malformed",
});

const HEALTH_FIELDS: Readonly<Record<string, string>> = Object.freeze({
	uptime_s: "Up for (s)", free_heap: "Free memory (bytes)", xs_slots_used: "XS slots in use (bytes)",
	xs_chunk_used: "XS chunks in use (bytes)", rss: "Resident memory (bytes)",
	js_heap_used: "JavaScript heap (bytes)", reset_reason: "Last reset", wifi_rssi: "Wi-Fi signal (dBm)",
});

export function addDiagnosticsRoutes(o: DiagnosticsOptions): void {
	// Module-level functions bound to the options, not closures: on the device a function a
	// preloaded module makes at run time costs a copy of its code in the XS heap.
	o.web.addSignedInGet("/diag", diagRoute.bind(undefined, o));
	// The live heap for measuring the firmware's memory: ?gc=1 collects garbage first (a few ms).
	o.web.addSignedInGet("/health", healthRoute.bind(undefined, o));
	o.web.addSignedInGet("/sipTrace", traceRoute.bind(undefined, o));
	o.web.addSignedInGet("/sipTrace.pcap", pcapRoute.bind(undefined, o));
}

function diagRoute(o: DiagnosticsOptions): HttpResponse {
	const nonce = o.web.nonce();
	return html(200, diagnosticsPage(publicStatus(o.status()), o.trace.entries, nonce), nonce);
}

function healthRoute(o: DiagnosticsOptions, request: HttpRequest): HttpResponse {
	return json(200, o.health ? o.health(request.query?.gc === "1") : {});
}

function traceRoute(o: DiagnosticsOptions): HttpResponse {
	return json(200, { dropped: o.trace.dropped, messages: o.trace.entries.map(entryJson) });
}

function pcapRoute(o: DiagnosticsOptions): HttpResponse {
	return {
		status: 200,
		headers: { "Content-Type": "application/vnd.tcpdump.pcap", "Content-Disposition": 'attachment; filename="klingel-sip.pcap"', "Cache-Control": "no-store" },
		body: tracePcap(o.trace.entries, o.localAddress()),
	};
}

function entryJson(entry: TraceEntry): Record<string, unknown> {
	return { time: entry.time ? new Date(entry.time).toISOString() : null, uptime_ms: entry.uptime, direction: entry.out ? "out" : "in", address: `${entry.address}:${entry.port}`, text: entry.text };
}

function table(values: Record<string, unknown> | null | undefined, fields: Readonly<Record<string, string>>): string {
	if (!values) return "";
	const rows = Object.entries(fields).filter(([key]) => values[key] !== undefined && values[key] !== null && values[key] !== "").map(([key, label]) => `<tr><th>${e(label)}</th><td>${e(values[key])}</td></tr>`);
	return rows.length ? `<table>${rows.join("")}</table>` : "";
}

function when(entry: TraceEntry): string {
	return entry.time ? new Date(entry.time).toISOString().slice(11, 23) : `+${(entry.uptime / 1000).toFixed(3)} s`;
}

function diagnosticsPage(status: Record<string, unknown>, entries: readonly TraceEntry[], nonce: string): string {
	const media = status.media as { session?: Record<string, unknown> | null; last_session?: Record<string, unknown> | null } | null | undefined;
	const session = media?.session ?? media?.last_session ?? null;
	const hint = typeof session?.hint === "string" && session.hint ? `<p class="note warn">${e(session.hint)}</p>` : "";
	const mediaPart = session ? `<p>${media?.session ? "This call:" : "The last call:"}</p>${hint}${table(session, MEDIA_FIELDS)}` : "<p>No call yet.</p>";
	const messages = entries.slice().reverse().map((entry) => {
		const first = entry.text.slice(0, entry.text.indexOf("\r\n"));
		return `<details><summary>${e(when(entry))} ${entry.out ? "→" : "←"} ${e(entry.address)}:${e(entry.port)} ${e(first)}</summary><pre>${e(entry.text)}</pre></details>`;
	});
	const body = `<section><h2>Call audio</h2>${mediaPart}</section>
<section><h2>Device</h2>${table(status.health as Record<string, unknown> | null, HEALTH_FIELDS) || "<p>No figures from this platform.</p>"}</section>
<section><h2>SIP messages</h2><p>${entries.length === 0 ? "None yet." : entries.length === 1 ? "The only message so far, in (←) or out (→)." : `The last ${entries.length} messages in (←) and out (→), newest first.`} Digest responses and DTMF are not kept. <a href="/sipTrace.pcap" download>Download as .pcap</a> (Wireshark).</p>${messages.join("")}</section>
<p><a href="/sip">Back to the settings</a></p>`;
	return layout("Diagnostics", body, nonce);
}
