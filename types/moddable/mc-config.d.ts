/* The `config` section of the manifest, compiled into the firmware (mcconfig). */
declare module "mc/config" {
	const config: Record<string, unknown>;
	export default config;
}
