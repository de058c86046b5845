import { test, group, assert } from "../lib/spec.js";
import { discoveryPublications, eventJson, eventPublications, lastEventText, topicNames } from "../../home/topics.js";
import type { HomeEvent } from "../../home/events.js";

const ID = "3c84279a1b2c";
const topics = topicNames("klingel", ID);
const device = { id: ID, name: "Haustür", version: "0.1.0" };
const event = (input: Partial<HomeEvent> & { type: HomeEvent["type"] }): HomeEvent => ({ seq: 7, uptime_ms: 1000, time: "2026-12-04T19:30:00.000Z", count: 1, ...input });

group("MQTT topics and discovery", () => {
	test("every topic under <prefix>/<device id>/", () => {
		assert.equal(topics.availability, "klingel/3c84279a1b2c/availability");
		assert.equal(topics.bell(3), "klingel/3c84279a1b2c/bell/3");
		assert.equal(topics.door, "klingel/3c84279a1b2c/door");
		assert.equal(topics.doorOpen, "klingel/3c84279a1b2c/door/open");
		assert.equal(topics.registration, "klingel/3c84279a1b2c/registration");
		assert.equal(topicNames("home/door", ID).event, "home/door/3c84279a1b2c/event");
	});

	test("discovery: an event entity per bell button, the door, the registration, the last event; all retained, one device", () => {
		const list = discoveryPublications("homeassistant", topics, device, [1, 2]);
		assert.ok(list.every((p) => p.retain));
		const by = (t: string) => list.find((p) => p.topic === t)!;
		const bell2 = JSON.parse(by(`homeassistant/event/${ID}/bell2/config`).payload);
		assert.deepEqual(bell2.event_types, ["ring"]);
		assert.equal(bell2.name, "Bell 2");
		assert.equal(bell2.state_topic, topics.bell(2));
		assert.equal(bell2.device_class, "doorbell");
		assert.equal(bell2.unique_id, `klingel_${ID}_bell2`);
		assert.equal(bell2.availability_topic, topics.availability);
		assert.equal(bell2.payload_available, "online");
		assert.equal(bell2.payload_not_available, "offline");
		assert.deepEqual(bell2.device, { identifiers: [`klingel_${ID}`], name: "Haustür", manufacturer: "klingel", model: "SIP door station", sw_version: "0.1.0" });
		assert.equal(by(`homeassistant/event/${ID}/bell3/config`).payload, "", "an unused button's entity is removed");
		assert.equal(by(`homeassistant/event/${ID}/bell4/config`).payload, "");
		const door = JSON.parse(by(`homeassistant/event/${ID}/door/config`).payload);
		assert.deepEqual(door.event_types, ["opened", "wrong_code", "locked_out"]);
		const reg = JSON.parse(by(`homeassistant/binary_sensor/${ID}/registration/config`).payload);
		assert.equal(reg.device_class, "connectivity");
		assert.equal(reg.payload_on, "ON");
		assert.equal(reg.state_topic, topics.registration);
		const last = JSON.parse(by(`homeassistant/sensor/${ID}/last_event/config`).payload);
		assert.equal(last.state_topic, topics.lastEvent);
		assert.equal(list.length, 7);
		const ids = list.filter((p) => p.payload).map((p) => JSON.parse(p.payload).unique_id);
		assert.equal(new Set(ids).size, ids.length, "unique ids");
		assert.equal(JSON.parse(discoveryPublications("homeassistant", topics, device, [1]).find((p) => p.topic.endsWith("bell1/config"))!.payload).name, "Bell");
	});

	test("a ring publishes on the event topic, its button's topic and the last event", () => {
		const list = eventPublications(event({ type: "ring", button: 2, source: "button" }), topics, ID);
		assert.deepEqual(list.map((p) => p.topic), [topics.event, topics.bell(2), topics.lastEvent]);
		assert.deepEqual(list.map((p) => p.retain), [false, false, true]);
		const bell = JSON.parse(list[1].payload);
		assert.equal(bell.event_type, "ring");
		assert.equal(bell.seq, 7);
		const all = JSON.parse(list[0].payload);
		assert.equal(all.type, "ring");
		assert.equal(all.device, ID);
		assert.equal(all.text, "Bell 2 rang");
		assert.equal(list[2].payload, "2026-12-04 19:30:00 UTC: Bell 2 rang");
	});

	test("a press that did not ring fires no ring event; door events map to the door entity's types", () => {
		assert.deepEqual(eventPublications(event({ type: "ring", button: 1, reason: "no SIP account is set up" }), topics, ID).map((p) => p.topic), [topics.event, topics.lastEvent]);
		const types = ["door_opened", "door_wrong_code", "door_locked_out", "door_lockout_started"] as const;
		assert.deepEqual(types.map((type) => JSON.parse(eventPublications(event({ type, source: "info" }), topics, ID)[1].payload).event_type), ["opened", "wrong_code", "locked_out", "locked_out"]);
		assert.equal(eventPublications(event({ type: "door_ignored" }), topics, ID).length, 2, "ignored digits: no door entity event");
	});

	test("the last event is at most 255 characters; without the clock it has no time", () => {
		assert.ok(lastEventText(event({ type: "registration_lost", reason: "x".repeat(400) })).length <= 255);
		// A cut at 255 never leaves half of a character outside the BMP (no UTF-8 for it).
		for (let pad = 0; pad < 2; pad++) {
			const cut = lastEventText(event({ type: "registration_lost", reason: "x".repeat(150 + pad) + "🔔".repeat(60) }));
			assert.equal(/[\ud800-\udbff](?![\udc00-\udfff])/.test(cut), false, JSON.stringify(cut.slice(-3)));
		}
		assert.equal(lastEventText(event({ type: "startup", time: null })), "Doorbell started");
		assert.equal(JSON.parse(eventJson(event({ type: "startup" }), ID)).seq, 7);
	});
});
