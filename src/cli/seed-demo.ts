import type { Platform } from '../app';

/**
 * Creates the demo deployment if it is missing: a host admin, the tenant "Demo Telecom", an enterprise with
 * two business units, and users of each role. Safe to run again. (Filled in by the accounts and identity work.)
 */
export async function seedDemo(platform: Platform, print: (line: string) => void): Promise<void> {
  void platform;
  print('demo data: not available yet');
}
