/*
 * The MQTT topics and payloads of the doorbell, and its Home Assistant discovery messages.
 * Everything of one doorbell lives under `<prefix>/<device id>/`; the discovery configs under
 * `<discovery prefix>/<component>/<device id>/<object>/config`, retained, describing one device:
 * an `event` entity per bell button (event type `ring`), a door `event` entity (`opened`,
 * `wrong_code`, `locked_out`), a connectivity `binary_sensor` for the PBX registration and a
 * `sensor` with the last event in words.
 */

import type { HomeEvent } from "./events.js";
import { eventWords } from "./event-words.js";
import { cutText } from "../modules/text.js";

export const ONLINE = "online";
export const OFFLINE = "offline";
/** Bell buttons a doorbell may have; discovery removes the entities of those not in use. */
export const MAX_BUTTONS = 4;
/** Home Assistant keeps a sensor's state to 255 characters. */
const MAX_STATE = 255;

export interface TopicNames {
	base: string;
	availability: string;
	/** Every event, as JSON. */
	event: string;
	/** The door's events for its Home Assistant event entity. */
	door: string;
	/** The remote opening command (subscribed only when remote opening is on). */
	doorOpen: string;
	/** "ON" or "OFF", retained. */
	registration: string;
	/** The last event in words, retained. */
	lastEvent: string;
	/** Ring events of a bell button (1 to 4). */
	bell(button: number): string;
}

export function topicNames(prefix: string, deviceId: string): TopicNames {
	const base = `${prefix}/${deviceId}`;
	return {
		base,
		availability: `${base}/availability`,
		event: `${base}/event`,
		door: `${base}/door`,
		doorOpen: `${base}/door/open`,
		registration: `${base}/registration`,
		lastEvent: `${base}/last_event`,
		bell: bellTopic.bind(undefined, base),
	};
}

function bellTopic(base: string, button: number): string {
	return `${base}/bell/${button}`;
}

/** A message to publish. */
export interface Publication {
	topic: string;
	payload: string;
	retain: boolean;
}

export interface DeviceInfo {
	id: string;
	/** The name shown in Home Assistant (the SIP display name). */
	name: string;
	version: string;
}

/** The HA event type of a door event, or undefined for events the door entity does not show. */
export function doorEventType(event: HomeEvent): string | undefined {
	if (event.type === "door_opened") return "opened";
	if (event.type === "door_wrong_code") return "wrong_code";
	// A call's third wrong code and the lock-out across calls are one event type to Home Assistant.
	if (event.type === "door_locked_out" || event.type === "door_lockout_started") return "locked_out";
	return undefined;
}

/** The event as JSON: what webhooks POST and what `<base>/event` carries. */
export function eventJson(event: HomeEvent, deviceId: string): string {
	return JSON.stringify({ device: deviceId, ...event, text: eventWords(event) });
}

/** The last event line: words, with the time when known. */
export function lastEventText(event: HomeEvent): string {
	const words = eventWords(event);
	const text = event.time ? `${event.time.slice(0, 19).replace("T", " ")} UTC: ${words}` : words;
	return cutText(text, MAX_STATE);
}

/** What one event publishes: the event itself, its entity's event, the last-event sensor. */
export function eventPublications(event: HomeEvent, topics: TopicNames, deviceId: string): Publication[] {
	const out: Publication[] = [{ topic: topics.event, payload: eventJson(event, deviceId), retain: false }];
	const attributes = { seq: event.seq, time: event.time, source: event.source, peer: event.peer, reason: event.reason };
	if (event.type === "ring" && !event.reason) out.push({ topic: topics.bell(event.button ?? 1), payload: JSON.stringify({ event_type: "ring", ...attributes }), retain: false });
	const door = doorEventType(event);
	if (door) out.push({ topic: topics.door, payload: JSON.stringify({ event_type: door, ...attributes }), retain: false });
	out.push({ topic: topics.lastEvent, payload: lastEventText(event), retain: true });
	return out;
}

/**
 * The retained discovery configs: one per entity, and an empty retained message for the bell
 * buttons not in use (which removes an entity a former set-up left behind).
 */
export function discoveryPublications(discoveryPrefix: string, topics: TopicNames, device: DeviceInfo, buttons: readonly number[]): Publication[] {
	const id = device.id;
	const common = {
		availability_topic: topics.availability,
		payload_available: ONLINE,
		payload_not_available: OFFLINE,
		device: { identifiers: [`klingel_${id}`], name: device.name, manufacturer: "klingel", model: "SIP door station", sw_version: device.version },
	};
	const config = (component: string, object: string, body: Record<string, unknown>): Publication => ({
		topic: `${discoveryPrefix}/${component}/${id}/${object}/config`,
		payload: JSON.stringify({ ...body, unique_id: `klingel_${id}_${object}`, ...common }),
		retain: true,
	});
	const out: Publication[] = [];
	for (let button = 1; button <= MAX_BUTTONS; button++) {
		if (buttons.indexOf(button) >= 0) {
			out.push(config("event", `bell${button}`, { name: buttons.length === 1 ? "Bell" : `Bell ${button}`, state_topic: topics.bell(button), event_types: ["ring"], device_class: "doorbell" }));
		} else {
			out.push({ topic: `${discoveryPrefix}/event/${id}/bell${button}/config`, payload: "", retain: true });
		}
	}
	out.push(config("event", "door", { name: "Door", state_topic: topics.door, event_types: ["opened", "wrong_code", "locked_out"], icon: "mdi:door" }));
	out.push(config("binary_sensor", "registration", { name: "PBX registration", state_topic: topics.registration, payload_on: "ON", payload_off: "OFF", device_class: "connectivity", entity_category: "diagnostic" }));
	out.push(config("sensor", "last_event", { name: "Last event", state_topic: topics.lastEvent, icon: "mdi:history" }));
	return out;
}

/**
 * An empty retained message on every config topic of discoveryPublications under `discoveryPrefix`:
 * Home Assistant removes those entities (discovery turned off or moved to another prefix).
 */
export function discoveryRemovals(discoveryPrefix: string, topics: TopicNames, device: DeviceInfo): Publication[] {
	return discoveryPublications(discoveryPrefix, topics, device, []).map(emptied);
}

function emptied(publication: Publication): Publication {
	return { topic: publication.topic, payload: "", retain: true };
}
