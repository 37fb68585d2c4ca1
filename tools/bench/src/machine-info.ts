import os from 'node:os';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryGb: number;
  readonly node: string;
  readonly platform: string;
  readonly loadAverageStart: readonly number[];
}

const load = (): number[] => os.loadavg().map((n) => Math.round(n * 100) / 100);

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageStart: load(),
  };
}

/** 1, 5 and 15 minute load averages, rounded. */
export const loadAverage = load;
