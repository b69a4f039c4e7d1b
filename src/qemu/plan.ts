import type { BootDiskCommandLine, BootMode, Disk, MachineProfile } from '../model/machines.js';
import type { MonitorSettings } from './monitor.js';
import type { HarnessProgress, Accel } from '../model/boot.js';
import type { Clock, ProcessRegistry } from '../context.js';
import type { TokenMode } from '../model/token.js';
import type { DriverSettings, NetworkSettings } from '../model/network.js';
import type { TapTools } from './network.js';
/** What a boot is planned from: the part of booting that is the same for every kernel. */
/**
 * Everything that is the same for every kernel booted with one harness on one machine. The
 * monitor's settings (binary, results channel, console script, timeouts, exit device, serial
 * cap) are part of it.
 */
export interface BootPlan extends MonitorSettings {
  profile: MachineProfile;
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  /** `machine.boot`: QEMU loads the kernel (`-kernel`), or the firmware boots it from a disk. */
  boot: BootMode;
  /** `machine.command-line`: where a boot disk's kernel reads `append` (see boot-disk.ts). */
  commandLine?: BootDiskCommandLine;
  /** `machine.append`; without it, the kernel's format decides (see `defaultAppend`). */
  append?: string;
  /** `harness.token`: how each boot's fresh token reaches the harness (model/token.ts). */
  token: TokenMode;
  /** `harness.token-send`: what `token: script` types before each step, `{token}` replaced. */
  tokenSend: string;
  qemuArgs: readonly string[];
  initrd?: string;
  disks: readonly Disk[];
  /** `machine.firmware`: default, none or a file. */
  firmware: string;
  /** `harness.network`: the guest's network; absent, `-nic none`. */
  network?: NetworkSettings;
  /** `tap` mode's programs, found and checked once (network.ts). */
  tap?: TapTools;
  /** `harness.driver`: the host command run against each boot (driver.ts). */
  driver?: DriverSettings;
  /** What a driver inherits of the host's environment (PATH, HOME…; see RunContext). */
  driverEnv?: Readonly<Record<string, string>>;
  /** QEMU's working directory (the config file's): relative paths in qemu-args resolve there. */
  workDir?: string;
  /** Makes a per-boot tracker telling from result lines when the harness runs and is done. */
  harnessProgress: () => HarnessProgress;
  /** What QEMU's command line is prefixed with when spawned, so that it dies with diverge. */
  launcher: readonly string[];
  /** Where every QEMU started is registered while it runs, so an interrupted run can stop it. */
  processes: ProcessRegistry;
  logDir: string;
  /** Where each boot's serial files live while it runs (the run's scratch space). */
  tempDir: string;
  /** The run's clock: the watchdogs' time and the boots' durations. */
  clock: Clock;
}
