/*
 * The media figures of a call in plain words: what a user can check for the common faults of a
 * door call (no audio from the handset, RTP from an unexpected address, loss, jitter).
 */

/** A call's media figures (the `media.session` of /sipDebug) as far as the hint reads them. */
interface MediaFigures {
	running?: boolean;
	direction?: string;
	remote?: string;
	packets_sent?: number;
	packets_received?: number;
	audio_received?: number;
	dropped_source?: number;
	frames_played?: number;
	frames_lost?: number;
	frames_late?: number;
	jitter_ms?: number;
	mic_short_frames?: number;
	last_drop?: string;
}

/** Frames (20 ms) of sending after which silence from the handset is a fault, not a slow start. */
const QUIET_FRAMES = 100;

/**
 * What the media figures of a call say in plain words, for the common faults of a door call
 * ("" when nothing stands out). Reads counters only: it needs no timer of its own.
 */
export function mediaHint(media: MediaFigures | null | undefined): string {
	if (!media || !media.running) return "";
	const n = (v: number | undefined) => v ?? 0;
	const received = n(media.packets_received);
	const sent = n(media.packets_sent);
	const direction = media.direction ?? "sendrecv";
	if (direction === "inactive" || direction === "sendonly") return "The handset holds the call: no audio is expected from it now.";
	if (sent >= QUIET_FRAMES && n(media.audio_received) === 0) {
		if (n(media.dropped_source) > 0) return `RTP arrives, but not from ${media.remote}, the address the handset announced: is there NAT or a second network between them? (${media.last_drop})`;
		if (received === 0) return "No RTP from the handset: is the door's RTP port reachable from the PBX (firewall, another subnet)?";
	}
	const expected = n(media.frames_played) + n(media.frames_lost);
	if (expected >= QUIET_FRAMES && n(media.frames_lost) * 20 > expected) return `${Math.round((100 * n(media.frames_lost)) / expected)} % of the handset's audio is lost on the way: check the door's Wi-Fi signal.`;
	if (n(media.jitter_ms) > 40) return `The network delays the handset's packets unevenly (jitter ${media.jitter_ms} ms): check the door's Wi-Fi signal.`;
	if (n(media.frames_late) * 20 > expected && expected >= QUIET_FRAMES) return "Many of the handset's packets arrive too late to be played: the Wi-Fi is slow or busy.";
	if (n(media.mic_short_frames) > 0 && sent >= QUIET_FRAMES) return "The microphone delivers less audio than the call sends: check the microphone.";
	return "";
}
