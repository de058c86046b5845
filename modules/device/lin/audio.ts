/*
 * Audio for the Moddable Linux simulator build: none. Mapped in by manifest.json's `lin`
 * platform section in place of modules/device/audio, so that the simulator build needs no ALSA;
 * the doorbell then rings and talks SIP without media, as it does when a board has no audio.
 */

import type { AudioIn, AudioOut } from "../../ports.js";
import type { AudioOptions, SpeakerOptions } from "../audio.js";

export function openMic(options: AudioOptions): AudioIn | undefined {
	options.log.info("mic: none in the simulator build");
	return undefined;
}

export function openSpeaker(options: SpeakerOptions): AudioOut | undefined {
	options.log.info("speaker: none in the simulator build");
	return undefined;
}
