/*
 * Telling the home: the event log feeds the MQTT link and the webhooks; the door records its
 * events straight into it (door/door-events.ts), and the remote opening command comes in here.
 * Started by boot (app/boot.ts) with the settings of the `mqtt` and `hook` namespaces.
 */

import type { DoorbellEnvironment } from "../modules/environment.js";
import type { Logger } from "../modules/ports.js";
import { EventLog, type EventInput, type HomeEvent } from "../home/events.js";
import { MqttLink, type MqttSettings } from "../home/mqtt-link.js";
import { Webhooks } from "../home/webhooks.js";
import { eventJson, type DeviceInfo } from "../home/topics.js";
import { eventWords } from "../home/event-words.js";

export const FIRMWARE_VERSION = "0.1.0";

export interface HomeOptions {
	mqtt: MqttSettings;
	hooks: string[];
	/** The device's name in Home Assistant (the SIP display name). */
	name(): string;
	buttons(): readonly number[];
	registered(): boolean;
	/** A remote opening command (payload with the code). */
	onDoorCommand(payload: string): void;
}

export class Home {
	readonly events: EventLog;
	readonly mqtt: MqttLink | undefined;
	readonly webhooks: Webhooks | undefined;
	readonly deviceId: string;

	constructor(env: DoorbellEnvironment, options: HomeOptions) {
		this.deviceId = env.deviceId ?? "000000000000";
		this.events = new EventLog({ clock: env.clock, wallClock: env.wallClock, onListenerError: this.#listenerError.bind(this, env.log) });
		if (env.mqtt) {
			this.mqtt = new MqttLink({
				connect: env.mqtt, clock: env.clock, log: env.log, deviceId: this.deviceId,
				device: this.#device.bind(this, options.name),
				buttons: options.buttons,
				registered: options.registered,
				lastEvent: this.#lastEvent.bind(this),
				onDoorCommand: options.onDoorCommand,
			}, options.mqtt);
		} else if (options.mqtt.host) {
			env.log.warn("MQTT: this build has no MQTT client; the mqtt settings are not used");
		}
		if (env.httpPost) this.webhooks = new Webhooks({ post: env.httpPost, clock: env.clock, log: env.log, userAgent: `klingel/${FIRMWARE_VERSION}` }, options.hooks);
		this.events.listen(this.#event.bind(this));
	}

	/*
	 * The callbacks are bound methods, not closures: on the device a function a preloaded module
	 * makes at run time costs a copy of its code in the XS heap.
	 */
	#listenerError(log: Logger, error: unknown): void {
		log.error(`events: a listener threw: ${(error as Error)?.message ?? error}`);
	}

	#device(name: () => string): DeviceInfo {
		return { id: this.deviceId, name: name() || "Doorbell", version: FIRMWARE_VERSION };
	}

	#lastEvent(): HomeEvent | undefined {
		return this.events.newest(1)[0];
	}

	#event(event: HomeEvent): void {
		// Repeats folded into an earlier entry (ignored digits, refused codes) are not sent again.
		if (event.count > 1) return;
		this.mqtt?.event(event);
		this.webhooks?.send(eventJson(event, this.deviceId));
	}

	start(): void {
		this.mqtt?.start();
	}

	/** The door's network came up or changed: MQTT, if not connected, tries now (MqttLink.networkChanged). */
	networkChanged(): void {
		this.mqtt?.networkChanged();
	}

	stop(): void {
		this.mqtt?.stop();
		this.webhooks?.stop();
	}

	record(input: EventInput): HomeEvent {
		return this.events.record(input);
	}

	/** The registration changed (the MQTT sensor follows it). */
	registration(registered: boolean): void {
		this.mqtt?.registration(registered);
	}

	/** The history for the page and GET /events: newest first, each with its words. */
	history(): Array<HomeEvent & { text: string }> {
		return this.events.newest().map((event) => ({ ...event, text: eventWords(event) }));
	}

	status(): Record<string, unknown> {
		return {
			device_id: this.deviceId,
			events_total: this.events.total,
			mqtt: this.mqtt ? this.mqtt.status() : null,
			webhooks: this.webhooks ? this.webhooks.status() : null,
		};
	}
}
