/** This doorbell's id for MQTT: the station's MAC address as 12 lowercase hex digits. */
export default function deviceId(): string;
