import type { MqttClient, MqttOptions } from "../ports.js";

/** One MQTT connection through the SDK's `mqtt` Client (MQTT 3.1.1 over TCP, QoS 0, clean session). */
export function deviceMqtt(options: MqttOptions): MqttClient;
