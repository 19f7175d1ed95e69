import { luhnCheckDigit } from '../../src/modules/inventory/inventory.fns';

/** Test data for inventory loads: vendor output files with valid ICCIDs (Luhn), IMSIs and hex Ki/OPc. */
export const SIM_HEADER = 'ICCID,IMSI,KI,OPC,PUK1,PUK2,PIN1';

/** The i-th SIM of a series: deterministic, unique per (prefix, i). */
export function simLine(i: number, opts: { iccidPrefix?: string; plmn?: string } = {}): string {
  const body = (opts.iccidPrefix ?? '8949001') + String(i).padStart(11, '0'); // 18 digits + check digit = 19
  const plmn = opts.plmn ?? '00101';
  const imsi = plmn + String(i).padStart(15 - plmn.length, '0');
  const ki = kiOf(i);
  const opc = ki.split('').reverse().join('');
  return `${body}${luhnCheckDigit(body)},${imsi},${ki},${opc},${String(10_000_000 + (i % 89_999_999))},${String(20_000_000 + (i % 79_999_999))},${String(1000 + (i % 8999))}`;
}

/** A recognisable Ki per SIM, so tests can look for it in outputs. */
export function kiOf(i: number): string {
  return ('c0ffee' + i.toString(16).padStart(10, '0')).padEnd(32, 'a');
}

export function simFile(from: number, count: number, opts: { iccidPrefix?: string; plmn?: string } = {}): string {
  const lines = [SIM_HEADER];
  for (let i = from; i < from + count; i++) lines.push(simLine(i, opts));
  return lines.join('\n') + '\n';
}
